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
