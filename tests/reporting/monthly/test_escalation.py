"""Overdue uploads on the 1st, the daily escalation, and the calendar's monthly deadlines."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from core import calendar
from core.models import Notification
from reporting.models import MonthlyUpload
from reporting.monthly import services
from tests.reporting.monthly.helpers import LABEL, MONTH, TZ, prepare, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_UPLOADER = "file"


def test_overdue_is_derived_from_the_first_of_next_month(tree):
    upload = MonthlyUpload(county=tree.tongzhou, city=tree.city, month=MONTH)
    assert not upload.is_overdue_on(dt.date(2026, 11, 30))
    assert upload.is_overdue_on(dt.date(2026, 12, 1))
    upload.status = MonthlyUpload.Status.CONFIRMED
    assert not upload.is_overdue_on(dt.date(2026, 12, 1))


def test_on_the_first_the_county_and_the_city_hear_once(
    tree, county_staff, other_county_staff, city_staff, school_officer
):
    register(tree, tree.tz_school)
    late = prepare(tree.tongzhou)
    register(tree, tree.rd_school)
    done = prepare(tree.rudong)
    services.monthly_upload_confirm(
        upload=done,
        actor=other_county_staff,
        receipt_number="JS-1",
        receipt_date=timezone.localdate(),
    )
    services.monthly_escalate(today=dt.date(2026, 11, 30))
    assert not Notification.objects.filter(kind=services.OVERDUE_NOTICE).exists()

    services.monthly_escalate(today=dt.date(2026, 12, 1))
    services.monthly_escalate(today=dt.date(2026, 12, 2))  # the next day: nothing twice
    told = Notification.objects.filter(kind=services.OVERDUE_NOTICE)
    names = sorted(told.values_list("recipient__username", flat=True))
    assert "tongzhou" in names and "city" in names
    assert "rudong" not in names and "officer" not in names
    assert len(names) == len(set(names))
    assert all(n.unit_id == late.county_id for n in told)


def test_the_calendar_shows_each_countys_deadline_in_scope(
    tree, county_staff, city_staff, school_officer, other_county_staff
):
    register(tree, tree.rd_school)
    upload = prepare(tree.rudong)
    services.monthly_upload_confirm(
        upload=upload,
        actor=other_county_staff,
        receipt_number="JS-2",
        receipt_date=timezone.localdate(),
    )
    start, end = dt.date(2026, 11, 1), dt.date(2026, 12, 6)
    mine = calendar.entries(county_staff, start, end, kinds={"monthly"})
    assert [(e.day, e.uid, e.done) for e in mine] == [
        (dt.date(2026, 11, 30), f"monthly-NT-TZ-{LABEL}", False)
    ]
    # The city: one entry for all its counties, with how many have confirmed.
    (city,) = calendar.entries(city_staff, start, end, kinds={"monthly"})
    assert (city.uid, city.done) == (f"monthly-counties-{LABEL}", False)
    with translation.override("en"):
        (city,) = calendar.entries(city_staff, start, end, kinds={"monthly"})
    assert city.detail == "1 of 2 counties confirmed"
    assert calendar.entries(school_officer, start, end, kinds={"monthly"}) == []


def test_the_briefing_section_tells_the_last_months_state(tree, county_staff):
    from reporting.monthly import briefing

    register(tree, tree.tz_school)
    prepare(tree.tongzhou)
    until = dt.datetime(2026, 12, 3, 9, tzinfo=TZ)
    data = briefing.monthly_status(tree.city, None, until)
    assert data["month"] == LABEL
    assert {r["name"]: r["overdue"] for r in data["rows"]} == {"通州区": True, "如东县": True}
    later = dt.datetime(2027, 3, 1, tzinfo=TZ)
    assert briefing.monthly_status(tree.city, None, later) is None


def test_the_beat_tasks_are_known_to_the_worker(tree):
    from portal.celery import app
    from reporting.monthly import tasks

    assert "reporting.monthly.tasks.monthly_prepare_task" in app.tasks
    assert "reporting.monthly.tasks.monthly_escalate_task" in app.tasks
    assert tasks.monthly_escalate_task.apply().get() == {"notices": 0}
