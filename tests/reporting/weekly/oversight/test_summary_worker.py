"""The city weekly summary compiled by a real Celery worker (tests/test_worker.py's fixtures):
the hourly beat's service asks for both runs, the worker produces one workbook and one PDF."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core.models import JobRun
from reporting.weekly import opening
from reporting.weekly.oversight import summaries
from tests.reporting.weekly.oversight.conftest import WEEK, mark
from tests.test_worker import broker, wait_for, worker  # noqa: F401 - fixtures

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_summary_is_compiled_once_on_a_real_worker(worker, tree):  # noqa: F811
    opening.week_open(week=WEEK)
    mark(tree.tz_school, found=4)
    after = dt.datetime(2026, 11, 30, 13, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert summaries.summaries_enqueue(now=after) == 2
    assert summaries.summaries_enqueue(now=after) == 0  # a second beat: nothing more
    runs = JobRun.objects.filter(unit=tree.city, period="2026-W48")

    def finished():
        states = list(runs.all().values_list("state", flat=True))  # a fresh query each time
        return len(states) == 2 and all(s in ("succeeded", "failed") for s in states)

    wait_for(finished, "the weekly summary", worker, worker.log)
    by_kind = {r.kind: r for r in runs.all()}
    for run in by_kind.values():
        assert run.state == JobRun.State.SUCCEEDED, run.error
        assert run.attempts == 1 and run.progress == 100
    with by_kind[summaries.KIND_XLSX].file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()), read_only=True)
    assert "通州区" in book.sheetnames
    total = [row for row in book.worksheets[0].iter_rows(values_only=True)][-1]
    assert total[1:3] == (4, 1)  # four schools expected, one submitted
    with by_kind[summaries.KIND_PDF].file.open("rb") as f:
        assert f.read(4) == b"%PDF"


def test_a_summary_whose_worker_was_killed_is_compiled_once_on_another(broker, tmp_path):  # noqa: F811
    """SIGKILL during the compile: the sweeper re-queues the run, a second worker compiles it,
    and exactly one workbook exists. A city of 12,000 schools (seed_scale) makes the compile
    long enough to be killed in the middle of it."""
    import os
    import signal
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from campaign.demo.scale import seed_scale
    from campaign.models import OrgUnit
    from core.services import jobs as job_services
    from core.tasks import job_runs_sweep_task
    from tests.test_worker import start_worker, stop

    seed_scale(prefix="KX", cities=1, counties=8, schools=12000, users=10)
    city = OrgUnit.objects.get(code="KX").children.get()
    opening.week_open(week=WEEK, cities=[city])
    short_lease = {"JOB_LEASE_SECONDS": "3"}
    first = start_worker(broker, tmp_path, "first", env=short_lease)
    run = job_services.job_run_enqueue(
        kind=summaries.KIND_XLSX, unit=city, period="2026-W48", actor=None, scope=[city]
    )
    try:
        wait_for(
            lambda: JobRun.objects.filter(pk=run.pk, state="running", progress__gt=0).exists(),
            "the compile to make progress",
            first,
            first.log,
        )
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies in the middle of the compile
        first.wait()
    run.refresh_from_db()
    assert (run.state, run.attempts, run.file.name) == (JobRun.State.RUNNING, 1, "")

    second = start_worker(broker, tmp_path, "second", env=short_lease)
    try:
        wait_for(
            lambda: JobRun.objects.filter(pk=run.pk, lease_expires_at__lt=timezone.now()).exists(),
            "the dead worker's lease to run out",
            second,
            second.log,
        )
        job_runs_sweep_task.delay()

        def done():
            run.refresh_from_db()
            return run.state in (JobRun.State.SUCCEEDED, JobRun.State.FAILED)

        wait_for(done, "the compile on the second worker", second, second.log)
    finally:
        stop(second)
    assert run.state == JobRun.State.SUCCEEDED, (run.reason, run.error)
    assert run.attempts == 2 and run.result["expected"] == 12000
    folder = Path(settings.MEDIA_ROOT) / "jobs" / summaries.KIND_XLSX / str(run.pk)
    assert [p.name for p in folder.iterdir()] == [run.file_name]
    with run.file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()), read_only=True)
    rows = sum(sum(1 for _ in sheet.iter_rows(min_row=2)) for sheet in book.worksheets[1:])
    assert rows == 12000
