"""Preparing twice at once gives one list (PostgreSQL row locks and unique constraints)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from core.models import JobRun
from reporting.models import MonthlyUpload
from reporting.monthly import services
from tests.reporting.monthly.helpers import LABEL, MONTH, register

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) need PostgreSQL: set DATABASE_URL=postgres://…",
    ),
]


def twice(fn):
    barrier = threading.Barrier(2)
    errors, results = [], []

    def go():
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - the test reports whatever was raised
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_two_beats_at_once_queue_one_run_per_county(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    twice(lambda: services.monthly_prepare_all(today=dt.date(2026, 11, 25)))
    assert MonthlyUpload.objects.filter(month=MONTH).count() == 2
    assert JobRun.objects.filter(kind=services.PREPARE_JOB, period=LABEL).count() == 2


def test_two_workers_preparing_one_county_store_one_workbook(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_UPLOADER = "file"
    for _ in range(3):
        register(tree, tree.tz_school)
    services.monthly_prepare_all(today=dt.date(2026, 11, 25))
    run = JobRun.objects.select_related("unit").get(unit=tree.tongzhou, period=LABEL)
    results = twice(lambda: services.monthly_prepare_job(run, lambda percent: None))
    assert sorted(bool(r.result.get("again")) for r in results) == [False, True]
    upload = MonthlyUpload.objects.get(county=tree.tongzhou, month=MONTH)
    assert upload.status == MonthlyUpload.Status.READY and upload.rows == 3
    files = list((tmp_path / "monthly").rglob("*.xlsx"))
    assert [f.name for f in files] == [upload.file.name.rsplit("/", 1)[-1]]
