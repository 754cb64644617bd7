"""The calendar's sources: the weekly deadlines in each user's scope and the campaign's dates."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import calendar
from reporting.calendar import campaign_dates
from reporting.weekly import calendar as weekly_calendar
from tests.factories import SchoolFactory
from tests.reporting.calendar.conftest import WEEK, report_of
from tests.reporting.weekly.test_review import submit

pytestmark = pytest.mark.django_db
SUNDAY = WEEK + dt.timedelta(days=6)
NEXT_MONDAY = WEEK + dt.timedelta(days=7)


def weekly(user, start=WEEK, end=NEXT_MONDAY):
    with translation.override("en"):
        return calendar.entries(user, start, end, kinds=[weekly_calendar.NAME])


def test_the_officer_sees_the_schools_friday_deadline_done_once_submitted(
    week, tree, school_officer
):
    (entry,) = weekly(school_officer)
    assert entry.day == dt.date(2026, 12, 4) and entry.time == dt.time(17, 0)
    assert tree.tz_school.name in entry.title and entry.done is False
    assert entry.uid == "weekly-school-2026W49-NT-TZ-0001"
    submit(report_of(tree.tz_school), school_officer)
    (entry,) = weekly(school_officer)
    assert entry.done is True


def test_county_staff_see_one_entry_for_their_schools_and_their_county_report(
    week, tree, county_staff, school_officer
):
    submit(report_of(tree.tz_school), school_officer)
    schools, county = weekly(county_staff)
    assert schools.day == dt.date(2026, 12, 4) and schools.detail == "1 of 2 submitted"
    assert schools.done is False and schools.title == "School weekly reports due"
    assert county.day == NEXT_MONDAY and county.time == dt.time(12, 0)
    assert tree.tongzhou.name in county.title and county.done is False
    submit(report_of(tree.tz_school2), school_officer)
    submit(report_of(tree.tongzhou), county_staff)
    assert all(e.done for e in weekly(county_staff))


def test_the_city_sees_one_entry_for_the_schools_and_one_for_the_counties(
    week, tree, city_staff, school_officer
):
    submit(report_of(tree.rd_school), school_officer)
    schools, counties = weekly(city_staff)
    assert schools.detail == "1 of 4 submitted"
    assert counties.title == "County weekly reports due" and counties.detail == "0 of 2 submitted"
    # Stable: the same UIDs on the next request.
    assert [e.uid for e in weekly(city_staff)] == [schools.uid, counties.uid]


def test_an_outsider_sees_nothing(week, outsider):
    assert calendar.entries(outsider, WEEK, SUNDAY + dt.timedelta(days=60)) == []


def test_a_week_not_opened_yet_shows_every_unit_expected_and_a_past_one_nothing(
    week, tree, city_staff
):
    later = weekly(city_staff, NEXT_MONDAY, NEXT_MONDAY + dt.timedelta(days=7))
    # Next week's school deadline (not opened yet) and its county deadline; this week's
    # county deadline (next Monday) too.
    assert [e.detail for e in later] == ["0 of 2 submitted", "0 of 4 submitted", "0 of 2 submitted"]
    assert weekly(city_staff, WEEK - dt.timedelta(days=21), WEEK - dt.timedelta(days=1)) == []


def test_the_weekly_source_takes_two_queries_whatever_the_schools(week, tree, city_staff):
    city_staff.refresh_from_db()
    weekly(city_staff)  # the grants are read once and kept on the user
    with CaptureQueriesContext(connection) as few:
        weekly(city_staff, WEEK, WEEK + dt.timedelta(days=60))
    for i in range(5):
        SchoolFactory(code=f"NT-TZ-01{i:02d}", parent=tree.tongzhou)
    with CaptureQueriesContext(connection) as many:
        weekly(city_staff, WEEK, WEEK + dt.timedelta(days=60))
    assert len(many) == len(few) <= 3


def test_the_campaign_dates_are_the_quarter_ends_and_the_year_end(week, county_staff, outsider):
    with translation.override("en"):
        found = calendar.entries(
            county_staff, dt.date(2026, 1, 1), dt.date(2026, 12, 31), kinds=[campaign_dates.NAME]
        )
    assert [e.day for e in found] == [
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
        dt.date(2026, 12, 31),
    ]
    year_end = next(e for e in found if e.uid == "campaign-year-end-2026")
    assert year_end.detail == "0 of 0 hazards closed" and year_end.done is None
    assert calendar.entries(outsider, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == []
