"""The quarterly analysis duty: who has held one in the quarter (scoped, counted in SQL), the
reminder two weeks before the quarter ends (only to those without one, once), the record of
those without one after the quarter, and the page."""

import datetime as dt

import pytest
from django.urls import reverse

from campaign.accountability import selectors as accountability_selectors
from campaign.meetings import quarterly, selectors, services
from campaign.models import AccountabilityEntry, Meeting
from core.models import Notification
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
MISSING = AccountabilityEntry.Kind.QUARTERLY_MEETING_MISSING


def _held(unit, day=dt.date(2019, 11, 20)):
    return Meeting.objects.create(
        unit=unit, kind=Meeting.Kind.QUARTERLY_ANALYSIS, title="季度分析研判会", held_on=day
    )


def test_quarters():
    assert quarterly.quarter_of(dt.date(2019, 12, 31)) == (2019, 4)
    assert quarterly.bounds(2019, 4) == (dt.date(2019, 10, 1), dt.date(2019, 12, 31))
    assert quarterly.bounds(2020, 1) == (dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    assert quarterly.previous(2020, 1) == (2019, 4)
    assert quarterly.recent(2020, 2, count=3) == [(2020, 2), (2020, 1), (2019, 4)]
    assert quarterly.parse("2019q4", latest=2027) == (2019, 4)
    for bad in ("abc", "2019Q5", "1999Q1", "2019Q", "Q4"):
        assert quarterly.parse(bad, latest=2027) is None


def test_status_counts_the_units_in_scope(tree, city_staff, county_staff):
    _held(tree.tongzhou)
    _held(tree.tz_school)
    _held(tree.rd_school, day=dt.date(2019, 9, 30))  # the quarter before: does not count
    Meeting.objects.create(  # another kind of meeting does not count either
        unit=tree.tz_school2,
        kind=Meeting.Kind.STUDY,
        title="专题研究会",
        held_on=dt.date(2019, 12, 16),
    )
    city = selectors.quarterly_status(city_staff, 2019, 4)
    assert city["summary"]["held_count"] == 2 and city["summary"]["counties"] == 2
    assert city["summary"]["counties_held"] == 1
    missing = {u.code for u in city["page"]}
    assert {"NT-RD", "NT-TZ-0002", "NT-RD-0001"} <= missing and "NT-TZ" not in missing
    county = selectors.quarterly_status(county_staff, 2019, 4, show="all")
    assert {u.code for u in county["page"]} == {"NT-TZ", "NT-TZ-0001", "NT-TZ-0002"}


def test_reminders_two_weeks_before_the_end_only_to_those_without(
    tree, county_staff, other_county_staff, school_officer
):
    _held(tree.tongzhou)
    assert services.quarterly_reminders_send(today=dt.date(2019, 12, 16)) == 0  # not the day
    sent = services.quarterly_reminders_send(today=dt.date(2019, 12, 17))
    reminded = set(
        Notification.objects.filter(kind=services.NOTICE_QUARTERLY).values_list(
            "recipient__username", flat=True
        )
    )
    assert other_county_staff.username in reminded and school_officer.username in reminded
    assert county_staff.username not in reminded
    assert sent == len(reminded)
    assert services.quarterly_reminders_send(today=dt.date(2019, 12, 17)) == 0  # once


def test_after_the_quarter_those_without_one_are_on_record(tree, county_staff, other_county_staff):
    _held(tree.tongzhou)
    _held(tree.tz_school)
    assert (
        services.quarterly_missing_record(2019, 4, today=dt.date(2019, 12, 31)) == 0
    )  # not over yet
    reminded, recorded = services.quarterly_daily(today=dt.date(2020, 1, 1))
    on_record = set(
        AccountabilityEntry.objects.filter(kind=MISSING, period="2019Q4").values_list(
            "unit__code", flat=True
        )
    )
    assert "NT-TZ" not in on_record and "NT-TZ-0001" not in on_record
    assert {"NT-RD", "NT-TZ-0002", "NT-RD-0001"} <= on_record
    assert recorded == len(on_record)
    assert services.quarterly_missing_record(2019, 4, today=dt.date(2020, 1, 2)) == 0  # once
    seen = accountability_selectors.entry_list(county_staff, kind=MISSING)
    assert {e.unit.code for e in seen} == {"NT-TZ-0002"}


def test_the_page(tree, city_staff, county_staff, client_for, django_assert_num_queries):
    for i in range(30):
        SchoolFactory(code=f"NT-TZ-8{i:03d}", name=f"测试学校{i}", parent=tree.tongzhou)
    _held(tree.tongzhou)
    url = reverse("campaign:meeting_quarterly")
    page = client_for(county_staff).get(url, {"quarter": "2019Q4"}).content.decode()
    assert 'id="quarterly-NT-TZ-0001"' in page and 'id="quarterly-NT-RD"' not in page
    assert 'id="quarterly-NT-TZ"' not in page  # held one
    client = client_for(city_staff)
    client.get(url, {"quarter": "2019Q4"})
    with django_assert_num_queries(QUARTERLY_QUERIES):
        response = client.get(url, {"quarter": "2019Q4", "show": "all"})
    assert 'data-count="held">1<' in response.content.decode()
    bad = client.get(url, {"quarter": "abc"})
    assert bad.status_code == 200 and "未能识别" in bad.content.decode()


# session, user, grants, the top unit, the summary, the page; the menu's two; the session save
# (whatever the number of units).
QUARTERLY_QUERIES = 9
