"""The oversight's beat entries: declared with a label for the run-now page, and their tasks
run (the reminders idempotently, the summaries once per city and week)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core import schedules
from core.models import JobRun
from reporting.weekly import opening
from reporting.weekly.oversight import summaries, tasks

TZ = ZoneInfo("Asia/Shanghai")


def test_both_schedules_are_declared_with_a_label():
    by_task = {s.task: s for s in schedules.declared()}
    reminders = by_task["reporting.weekly.oversight.tasks.week_reminders_task"]
    assert reminders.crontab == "30 8 * * *" and reminders.label
    hourly = by_task["reporting.weekly.oversight.tasks.week_summaries_task"]
    assert hourly.crontab.split()[1] == "*" and hourly.label


@pytest.mark.django_db
def test_the_reminder_task_runs(tree):
    assert tasks.week_reminders_task.apply().get() == 0


@pytest.mark.django_db
def test_summaries_are_asked_for_once_the_county_deadline_has_passed(tree):
    week = dt.date(2026, 11, 23)  # county deadline: Monday 30 November 12:00
    opening.week_open(week=week)
    before = dt.datetime(2026, 11, 30, 11, 20, tzinfo=TZ)
    assert summaries.due_week(before) == dt.date(2026, 11, 16)
    assert summaries.summaries_enqueue(now=before) == 0  # W47 has no reports: nothing
    after = dt.datetime(2026, 11, 30, 12, 20, tzinfo=TZ)
    assert summaries.due_week(after) == week
    assert summaries.summaries_enqueue(now=after) == 2
    assert summaries.summaries_enqueue(now=after) == 0  # the next hour: already there
    runs = JobRun.objects.filter(unit=tree.city, period="2026-W48")
    assert sorted(runs.values_list("kind", flat=True)) == sorted(summaries.KINDS)
    assert all(r.requested_by is None and r.scope_units() == [tree.city] for r in runs)
    # A failed run is not re-queued by the beat (the page's re-run is for that).
    runs.update(state=JobRun.State.FAILED)
    assert summaries.summaries_enqueue(now=after) == 0
