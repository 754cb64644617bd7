"""Fixtures of the weekly oversight tests: a past week opened (its deadlines passed), so
that what is not submitted is missing, and reports marked submitted directly."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from reporting.models import WeeklyReport
from reporting.weekly import opening

WEEK = dt.date(2026, 11, 23)
LABEL = "2026-W48"


@pytest.fixture(autouse=True)
def _english():
    """Services' and pages' messages are matched in English (the default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def week(tree):
    opening.week_open(week=WEEK)
    return WEEK


def report_of(unit, week=WEEK):
    return WeeklyReport.objects.select_related("unit", "review_unit").get(unit=unit, week=week)


def mark(unit, *, late=False, empty=False, week=WEEK, **figures):
    """Mark ``unit``'s report submitted (before its deadline, or an hour after it)."""
    report = report_of(unit, week)
    at = report.due_at + (dt.timedelta(hours=1) if late else -dt.timedelta(hours=1))
    WeeklyReport.objects.filter(pk=report.pk).update(
        status=WeeklyReport.Status.SUBMITTED,
        first_submitted_at=at,
        submitted_at=at,
        is_empty=empty,
        **figures,
    )
    return report_of(unit, week)


def now_after_week():
    return timezone.now()
