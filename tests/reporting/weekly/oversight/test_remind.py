""" "Remind all who are missing": who is reminded, once a day, and who may press it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from campaign.roles import Role
from core import notices
from core.models import Notification
from reporting.weekly.oversight import reminders
from tests.factories import UserFactory, grant
from tests.reporting.weekly.oversight.conftest import LABEL, WEEK, mark

URL = reverse("reporting:week_remind", args=[LABEL])


@pytest.fixture
def officers(tree, school_officer):
    """通州区's two schools' officers (one has two), 如东县's and the city-direct school's."""
    second = grant(UserFactory(username="officer-b"), Role.SCHOOL_OFFICER, tree.tz_school)
    kg = grant(UserFactory(username="officer-kg"), Role.SCHOOL_OFFICER, tree.tz_school2)
    gone = grant(
        UserFactory(username="officer-gone", is_active=False), Role.SCHOOL_OFFICER, tree.tz_school2
    )
    rd = grant(UserFactory(username="officer-rd"), Role.SCHOOL_OFFICER, tree.rd_school)
    direct = grant(UserFactory(username="officer-nt"), Role.SCHOOL_OFFICER, tree.city_school)
    return {"tz": [school_officer, second], "kg": kg, "gone": gone, "rd": rd, "direct": direct}


def reminded():
    return set(
        Notification.objects.filter(kind=reminders.NOTICE_REMINDER).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.mark.django_db
def test_county_reminds_its_missing_schools_once_a_day(week, tree, county_staff, officers):
    mark(tree.tz_school)
    sent = reminders.remind_missing(user=county_staff, week=WEEK)
    # Only the kindergarten is missing; its inactive officer is not reminded; not 如东县, not
    # the county itself (its report is the city's to chase), nobody above the school.
    assert reminded() == {"officer-kg"}
    assert (sent.reports, sent.people, sent.skipped, sent.nobody) == (1, 1, 0, 0)
    note = Notification.objects.get(recipient=officers["kg"])
    assert note.unit == tree.tz_school2
    assert "通州区金沙幼儿园" in notices.render(note) and LABEL in notices.render(note)
    again = reminders.remind_missing(user=county_staff, week=WEEK)
    assert (again.reports, again.people, again.skipped) == (1, 0, 1)
    assert Notification.objects.filter(kind=reminders.NOTICE_REMINDER).count() == 1


@pytest.mark.django_db
def test_city_reminds_everyone_missing_counties_included(week, tree, city_staff, officers):
    rd_staff = grant(UserFactory(username="rd-staff"), Role.COUNTY_STAFF, tree.rudong)
    mark(tree.tongzhou)
    sent = reminders.remind_missing(user=city_staff, week=WEEK)
    assert reminded() == {
        "officer",
        "officer-b",
        "officer-kg",
        "officer-rd",
        "officer-nt",
        "rd-staff",
    }
    assert rd_staff.username in reminded()
    assert sent.reports == 5  # four schools and 如东县's county report


@pytest.mark.django_db
def test_city_reminds_one_county(week, tree, city_staff, county_staff, officers):
    sent = reminders.remind_missing(user=city_staff, week=WEEK, unit=tree.tongzhou)
    assert reminded() == {"officer", "officer-b", "officer-kg", "tongzhou"}
    assert sent.reports == 3


@pytest.mark.django_db
def test_a_report_with_nobody_to_remind_is_counted(week, tree, county_staff):
    sent = reminders.remind_missing(user=county_staff, week=WEEK)
    assert (sent.reports, sent.people, sent.nobody) == (2, 0, 2)


@pytest.mark.django_db
def test_without_review_reports_403(week, tree, inspector, school_officer):
    with pytest.raises(PermissionDenied):
        reminders.remind_missing(user=inspector, week=WEEK)
    with pytest.raises(PermissionDenied):
        reminders.remind_missing(user=inspector, week=WEEK, unit=tree.tongzhou)
    with pytest.raises(PermissionDenied):
        reminders.remind_missing(user=school_officer, week=WEEK)


@pytest.mark.django_db
def test_the_button_says_how_many(week, tree, county_staff, officers, en_client_for):
    client = en_client_for(county_staff)
    response = client.post(URL, {"unit": "NT-TZ"}, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert "2 units have not submitted; reminders sent: 3." in texts
    response = client.post(URL, {"unit": "NT-TZ"}, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert "2 units have not submitted; reminders sent: 0." in texts
    assert any("reminded today already" in t for t in texts)
    assert response.request["QUERY_STRING"] == "unit=NT-TZ"


@pytest.mark.django_db
def test_the_button_when_all_submitted(week, tree, county_staff, en_client_for):
    mark(tree.tz_school)
    mark(tree.tz_school2)
    response = en_client_for(county_staff).post(URL, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Every report you review for this week has been submitted."
    ]


@pytest.mark.django_db
def test_the_button_refuses_a_bad_week(tree, county_staff, en_client_for):
    url = reverse("reporting:week_remind", args=["2026-W77"])
    response = en_client_for(county_staff).post(url, follow=True)
    assert "is not a week" in str(list(response.context["messages"])[0])
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_daily_run_reminds_the_day_before_and_the_morning_of(tree, officers):
    """Reminders at 08:30 on Thursday (school deadline Friday 17:00) and on Friday; the
    county deadline (next Monday 12:00) on Sunday and Monday; nothing on other days."""
    from zoneinfo import ZoneInfo

    from reporting.weekly import opening

    week = dt.date(2026, 12, 7)
    opening.week_open(week=week)
    county = grant(UserFactory(username="tz-staff"), Role.COUNTY_STAFF, tree.tongzhou)
    tz = ZoneInfo("Asia/Shanghai")

    def at(day):
        return dt.datetime(2026, 12, day, 8, 30, tzinfo=tz)

    assert reminders.reminders_due(now=at(9)).people == 0  # Wednesday
    thursday = reminders.reminders_due(now=at(10))
    assert thursday.people == 5 and reminded() == {
        "officer",
        "officer-b",
        "officer-kg",
        "officer-rd",
        "officer-nt",
    }
    assert reminders.reminders_due(now=at(10)).people == 0  # run twice: nothing new
    mark(tree.tz_school, week=week)
    friday = reminders.reminders_due(now=at(11))
    assert friday.people == 3  # the kindergarten's, 如东县's and the city school's officers
    assert reminders.reminders_due(now=at(12)).people == 0  # Saturday
    sunday = reminders.reminders_due(now=at(13))
    assert sunday.people == 1 and county.notifications.count() == 1
    assert reminders.reminders_due(now=at(14)).people == 1  # Monday morning: the county
    assert reminders.reminders_due(now=at(15)).people == 0
