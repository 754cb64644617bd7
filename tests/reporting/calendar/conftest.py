"""Fixtures of the calendar's tests: a Wednesday of ISO week 2026-W49 with that week opened."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reporting.models import WeeklyReport
from reporting.weekly import opening

WEEK = dt.date(2026, 11, 30)
LABEL = "2026-W49"
TODAY = dt.date(2026, 12, 2)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def on_today(time_machine):
    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(10, 0), SHANGHAI), tick=False)
    return TODAY


@pytest.fixture
def week(tree, on_today):
    opening.week_open(week=WEEK)
    return WEEK


def report_of(unit, week=WEEK):
    return WeeklyReport.objects.get(unit=unit, week=week)
