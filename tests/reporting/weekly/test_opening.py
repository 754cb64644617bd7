"""Opening a week: a row per active school and county, once, with the right reviewer and due."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils.timezone import localtime

from campaign.models import OrgUnit
from reporting.models import WeeklyReport
from reporting.weekly import opening, periods
from tests.factories import SchoolFactory

WEEK = dt.date(2026, 11, 30)  # a Monday


def rows_of(week):
    return {
        r.unit.code: (r.level, r.review_unit.code, r.city.code)
        for r in WeeklyReport.objects.filter(week=week).select_related(
            "unit", "review_unit", "city"
        )
    }


@pytest.mark.django_db
def test_a_week_opens_once_for_every_active_school_and_county(tree):
    closed = SchoolFactory(name="已撤并小学", code="NT-TZ-0099", parent=tree.tongzhou)
    OrgUnit.objects.filter(pk=closed.pk).update(is_active=False)
    opening.week_open(week=WEEK + dt.timedelta(days=3))  # any day: its Monday
    assert rows_of(WEEK) == {
        "NT-TZ": ("county", "NT", "NT"),
        "NT-RD": ("county", "NT", "NT"),
        "NT-TZ-0001": ("school", "NT-TZ", "NT"),
        "NT-TZ-0002": ("school", "NT-TZ", "NT"),
        "NT-RD-0001": ("school", "NT-RD", "NT"),
        # A city-direct school is reviewed by the city.
        "NT-0001": ("school", "NT", "NT"),
    }
    assert opening.week_open(week=WEEK) == 6  # the week's rows, none added
    assert WeeklyReport.objects.filter(week=WEEK).count() == 6
    school = WeeklyReport.objects.get(week=WEEK, unit=tree.tz_school)
    county = WeeklyReport.objects.get(week=WEEK, unit=tree.tongzhou)
    # Defaults: the school's Friday 17:00, the county's next Monday 12:00 (Asia/Shanghai).
    assert school.due_at == periods.school_due(WEEK)
    assert localtime(school.due_at).isoformat() == "2026-12-04T17:00:00+08:00"
    assert localtime(county.due_at).isoformat() == "2026-12-07T12:00:00+08:00"
    assert school.status == WeeklyReport.Status.DRAFT and not school.is_submitted


@pytest.mark.django_db
def test_a_school_added_during_the_week_gets_its_row_at_the_next_run(tree):
    opening.week_open(week=WEEK)
    SchoolFactory(name="新建小学", code="NT-RD-0002", parent=tree.rudong)
    assert opening.week_open(week=WEEK) == 7
    assert rows_of(WEEK)["NT-RD-0002"] == ("school", "NT-RD", "NT")


@pytest.mark.django_db
def test_deadlines_follow_the_settings_when_the_week_is_opened(tree, settings):
    settings.REPORTING_WEEKLY_SCHOOL_DUE = (3, "18:30")
    opening.week_open(week=WEEK)
    school = WeeklyReport.objects.get(week=WEEK, unit=tree.tz_school)
    assert localtime(school.due_at).isoformat() == "2026-12-03T18:30:00+08:00"


@pytest.mark.django_db(transaction=True)
def test_two_beats_opening_the_same_week_at_once_create_each_row_once(tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    created, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            created.append(opening.week_open(week=WEEK))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert WeeklyReport.objects.filter(week=WEEK).count() == 6
    assert created == [6, 6]
