"""Reviewing weekly reports: accept, return with a reason, rounds kept, 403/404, locking."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.models import Notification
from reporting.models import WeeklyReport, WeeklyReportRound
from reporting.weekly import opening, review, selectors

WEEK = dt.date(2026, 11, 30)
LABEL = "2026-W49"


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are matched in English (the interface's default is Chinese)."""
    with translation.override("en"):
        yield


def submit(report, user, **figures):
    """Submit ``report`` directly (filling.py is written in parallel): fields and a new round."""
    now = timezone.now()
    report.status = WeeklyReport.Status.SUBMITTED
    report.first_submitted_at = report.first_submitted_at or now
    report.submitted_at = now
    report.submitted_by = user
    for name, value in figures.items():
        setattr(report, name, value)
    report.save()
    number = report.rounds.count() + 1
    WeeklyReportRound.objects.create(
        report=report,
        number=number,
        submitted_at=now,
        submitted_by=user,
        figures=report.figures(),
        texts={"work_done": "巡查", "problems": "", "next_week": ""},
    )
    return report


def report_of(unit):
    return WeeklyReport.objects.select_related("unit", "review_unit").get(unit=unit, week=WEEK)


@pytest.fixture
def officer(school_officer):
    return school_officer


@pytest.fixture
def week(tree):
    opening.week_open(week=WEEK)
    return WEEK


@pytest.mark.django_db
def test_county_accepts_a_school_report_and_the_officer_is_told(week, tree, county_staff, officer):
    report = submit(report_of(tree.tz_school), officer, found=3)
    review.accept(county_staff, report)
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.ACCEPTED
    assert report.reviewed_by == county_staff and report.reviewed_at
    (rnd,) = report.rounds.all()
    assert rnd.accepted_at and rnd.reviewed_by == county_staff and not rnd.returned_at
    note = Notification.objects.get(recipient=officer)
    assert note.kind == review.NOTICE_ACCEPTED and "2026-W49" in note.text
    # Accepted is final for this round: not accepted or returned again.
    with pytest.raises(ValidationError):
        review.accept(county_staff, report)
    with pytest.raises(ValidationError):
        review.return_report(county_staff, report, "再看看")


@pytest.mark.django_db
def test_return_needs_a_reason_and_every_round_is_kept(week, tree, county_staff, officer):
    report = submit(report_of(tree.tz_school), officer, found=1)
    with pytest.raises(ValidationError, match="reason"):
        review.return_report(county_staff, report, "   ")
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    review.return_report(county_staff, report, "隐患数与台账不符")
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.RETURNED
    note = Notification.objects.get(recipient=officer, kind=review.NOTICE_RETURNED)
    assert "隐患数与台账不符" in note.text
    # A returned report is not reviewed again until resubmitted.
    with pytest.raises(ValidationError):
        review.accept(county_staff, report)
    submit(report, officer, found=2)
    review.accept(county_staff, report)
    rounds = list(report.rounds.order_by("number"))
    assert [
        (r.number, r.return_reason, bool(r.returned_at), bool(r.accepted_at)) for r in rounds
    ] == [
        (1, "隐患数与台账不符", True, False),
        (2, "", False, True),
    ]
    assert rounds[0].figures["found"] == 1 and rounds[1].figures["found"] == 2


@pytest.mark.django_db
def test_only_a_submitted_report_can_be_reviewed(week, tree, county_staff):
    with pytest.raises(ValidationError, match="awaiting review"):
        review.accept(county_staff, report_of(tree.tz_school))


@pytest.mark.django_db
def test_who_reviews_what(week, tree, county_staff, other_county_staff, city_staff, officer):
    school = submit(report_of(tree.tz_school), officer)
    # The school's officer may see their report but not review it: 403.
    with pytest.raises(PermissionDenied):
        review.accept(officer, school)
    # The other county does not even see it: 404 from the scoped read.
    with pytest.raises(Http404):
        selectors.weekly_report_for_user(other_county_staff, "NT-TZ-0001", LABEL)
    # A county does not review its own report; the city does.
    county = submit(report_of(tree.tongzhou), county_staff)
    with pytest.raises(PermissionDenied):
        review.accept(county_staff, county)
    review.accept(city_staff, county)
    # The city reviews a city-direct school.
    direct = submit(report_of(tree.city_school), city_staff)
    with pytest.raises(PermissionDenied):
        review.accept(county_staff, direct)
    review.return_report(city_staff, direct, "请补充本周工作")
    assert report_of(tree.city_school).status == WeeklyReport.Status.RETURNED


@pytest.mark.django_db
def test_receiving_a_county_report_locks_its_schools(week, tree, county_staff, city_staff, officer):
    school = submit(report_of(tree.tz_school), officer)
    county = submit(report_of(tree.tongzhou), county_staff)
    # Returning the county report leaves the schools open.
    review.return_report(city_staff, county, "请核对")
    assert report_of(tree.tz_school).locked_at is None
    submit(county, county_staff)
    review.accept(city_staff, county)
    locked = {
        r.unit.code: r.locked_at for r in WeeklyReport.objects.filter(week=WEEK, level="school")
    }
    assert locked["NT-TZ-0001"] and locked["NT-TZ-0002"]
    assert locked["NT-RD-0001"] is None and locked["NT-0001"] is None
    with pytest.raises(ValidationError, match="locked"):
        review.accept(county_staff, school)
    with pytest.raises(ValidationError, match="locked"):
        review.return_report(county_staff, school, "迟到的退回")
    assert report_of(tree.tz_school).status == WeeklyReport.Status.SUBMITTED


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks (SELECT … FOR UPDATE)"
)
def test_the_report_row_is_locked_while_reviewed(week, tree, county_staff, officer):
    report = submit(report_of(tree.tz_school), officer)
    with CaptureQueriesContext(connection) as ctx:
        review.accept(county_staff, report)
    assert any("FOR UPDATE" in q["sql"] and "reporting_weeklyreport" in q["sql"] for q in ctx)


@pytest.mark.django_db
def test_panel(week, tree, county_staff, officer):
    report = submit(report_of(tree.tz_school), officer)
    ctx = review.panel(county_staff, report)
    assert ctx["can_act"] and ctx["latest"].number == 1
    assert review.panel(officer, report) == {}
    review.accept(county_staff, report)
    assert not review.panel(county_staff, report_of(tree.tz_school))["can_act"]
