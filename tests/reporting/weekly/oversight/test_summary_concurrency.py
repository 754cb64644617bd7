"""Idempotency under concurrency: two beats asking for the same summary at once, and two
deliveries running it at once, give one run and one file of each kind (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from core.models import JobRun
from core.services import jobs as job_services
from reporting.weekly.oversight import summaries
from tests.reporting.weekly.oversight.conftest import LABEL, WEEK, mark

pytestmark = pytest.mark.django_db(transaction=True)


def together(fn, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def work():
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - the test reports whatever was raised
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_two_beats_and_two_deliveries_make_one_file_of_each(tree, settings, tmp_path):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from reporting.weekly import opening

    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    settings.MEDIA_ROOT = tmp_path
    opening.week_open(week=WEEK)
    mark(tree.tz_school)
    after = dt.datetime(2026, 11, 30, 13, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    together(lambda: summaries.summaries_enqueue(now=after))
    runs = list(JobRun.objects.filter(unit=tree.city, period=LABEL))
    assert sorted(r.kind for r in runs) == sorted(summaries.KINDS)
    for run in runs:
        states = together(lambda run=run: job_services.job_run_execute(job_run_id=run.pk))
        assert sorted(states, key=str) == sorted([JobRun.State.SUCCEEDED, None], key=str)
    files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert len(files) == 2, files
    assert {f.rsplit(".", 1)[-1] for f in files} == {"xlsx", "pdf"}
