"""The personal iCalendar feed: made and rotated by POST, read without a session, parsed back
with the icalendar package; a wrong or rotated token is 404."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from core.models import AuditEntry
from reporting.models import CalendarFeedToken
from tests.reporting.calendar.conftest import report_of
from tests.reporting.weekly.test_review import submit

pytestmark = pytest.mark.django_db


def token_of(user):
    return CalendarFeedToken.objects.get(user=user).token


def test_the_subscribe_section_makes_and_rotates_a_personal_address(week, client_for, county_staff):
    client = client_for(county_staff)
    page = client.get(reverse("reporting:calendar_month"))
    assert page.context["subscription"]["url"] == ""
    assert client.post(reverse("reporting:calendar_feed_rotate")).status_code == 302
    first = token_of(county_staff)
    page = client.get(reverse("reporting:calendar_month"))
    assert page.context["subscription"]["url"].endswith(
        reverse("reporting:calendar_feed", args=[first])
    )
    assert first in page.content.decode()
    client.post(reverse("reporting:calendar_feed_rotate"), {"next": "list"})
    second = token_of(county_staff)
    assert second != first and len(second) >= 40
    anonymous = Client()
    assert anonymous.get(reverse("reporting:calendar_feed", args=[first])).status_code == 404
    assert anonymous.get(reverse("reporting:calendar_feed", args=[second])).status_code == 200
    assert AuditEntry.objects.filter(actor=county_staff, action="calendar.feed_rotate").count() == 2


def test_a_token_that_is_none_is_404(week):
    for token in ("nope", "x" * 300, "abc%00def"):
        assert Client().get(f"/reporting/calendar/feed/{token}.ics").status_code == 404


def test_the_feed_of_an_inactive_user_is_404(week, client_for, county_staff):
    client_for(county_staff).post(reverse("reporting:calendar_feed_rotate"))
    county_staff.is_active = False
    county_staff.save()
    url = reverse("reporting:calendar_feed", args=[token_of(county_staff)])
    assert Client().get(url).status_code == 404


def test_the_feed_is_valid_icalendar_with_stable_uids_and_shanghai_times(
    week, tree, client_for, county_staff, school_officer
):
    client_for(county_staff).post(reverse("reporting:calendar_feed_rotate"))
    submit(report_of(tree.tz_school), school_officer)
    url = reverse("reporting:calendar_feed", args=[token_of(county_staff)])
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    schools = events[f"weekly-schools-2026W49-u{tree.tongzhou.pk}@testserver"]
    start = schools.decoded("DTSTART")
    assert start == dt.datetime(2026, 12, 4, 17, 0, tzinfo=start.tzinfo)
    assert str(start.tzinfo) == "Asia/Shanghai" or start.utcoffset() == dt.timedelta(hours=8)
    assert schools["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert "1" in str(schools["DESCRIPTION"]) and "2" in str(schools["DESCRIPTION"])
    assert str(schools["URL"]).endswith(reverse("reporting:week_review_week", args=["2026-W49"]))
    # The window: 8 weeks back and 26 weeks ahead (the next quarter's end is in it).
    assert "campaign-quarterly-analysis-2027Q1@testserver" in events
    assert "campaign-quarterly-analysis-2027Q3@testserver" not in events
    # An all-day entry is a DATE.
    year_end = events["campaign-year-end-2026@testserver"]
    assert year_end.decoded("DTSTART") == dt.date(2026, 12, 31)
    # Refetched: the same UIDs.
    again = Calendar.from_ical(Client().get(url).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)
    # Only the county's own scope: nothing of 如东县.
    assert not any(f"u{tree.rudong.pk}" in uid or "NT-RD" in uid for uid in events)
