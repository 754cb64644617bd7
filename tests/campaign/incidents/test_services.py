"""The incident services: time to report across levels, late marking, the city notified at
once, and refusals that change nothing."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.incidents import policy, services
from campaign.models import Incident, IncidentFollowUp
from core.models import AuditEntry, Notification
from tests.campaign.incidents.helpers import LEARNED, report

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_a_schools_report_reaches_the_county_then_the_city_on_time(
    tree, school_officer, county_staff, safety_office
):
    incident = report(tree.tz_school, school_officer, serious=1, after=dt.timedelta(minutes=40))
    assert incident.county == tree.tongzhou and incident.city == tree.city
    assert incident.reported_to_county_at == LEARNED + dt.timedelta(minutes=40)
    assert incident.reported_to_city_at is None
    assert incident.limit_minutes == 60 and not incident.late_to_county
    assert incident.city_due_at == incident.reported_to_county_at + H

    services.incident_forward(
        incident=incident, actor=county_staff, now=LEARNED + dt.timedelta(minutes=90)
    )
    incident.refresh_from_db()
    assert incident.reported_to_city_at == LEARNED + dt.timedelta(minutes=90)
    assert not incident.late_to_city and not incident.is_late
    assert AuditEntry.objects.filter(action="incident.forward", detail__incident=incident.pk)


def test_late_at_both_levels_is_marked(tree, school_officer, county_staff):
    incident = report(tree.tz_school, school_officer, deaths=1, after=3 * H)
    assert incident.late_to_county
    services.incident_forward(incident=incident, actor=county_staff, now=LEARNED + 5 * H)
    incident.refresh_from_db()
    assert incident.late_to_county and incident.late_to_city
    assert Incident.objects.filter(late_to_county=True, late_to_city=True).count() == 1


def test_other_incidents_have_the_longer_limit(tree, school_officer, settings):
    settings.INCIDENT_REPORT_LIMITS = {"serious": 60, "other": 120}
    incident = report(tree.tz_school, school_officer, minor=2, after=90 * dt.timedelta(minutes=1))
    assert incident.limit_minutes == 120 and not incident.late_to_county


def test_a_countys_own_report_goes_straight_to_the_city(tree, county_staff):
    incident = report(tree.tongzhou, county_staff, serious=1, after=2 * H)
    assert incident.reported_to_county_at is None
    assert incident.reported_to_city_at == LEARNED + 2 * H
    assert incident.late_to_city and not incident.late_to_county


def test_a_serious_incident_notifies_the_safety_office_at_once(
    tree, school_officer, safety_office, city_staff, django_capture_on_commit_callbacks, settings
):
    settings.HAZARD_EMAIL_DIGEST = False  # no mail configured
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(tree.tz_school, school_officer, deaths=1)
    notes = Notification.objects.filter(kind=services.NOTICE_SERIOUS)
    assert [n.recipient for n in notes] == [safety_office]
    assert notes.get().link == incident.get_absolute_url()
    assert "通州区实验小学" in notes.get().text
    assert mail.outbox == []


def test_the_safety_office_is_mailed_when_mail_is_configured(
    tree, school_officer, safety_office, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    safety_office.email = "anwen@example.gov.cn"
    safety_office.save()
    with django_capture_on_commit_callbacks(execute=True):
        report(tree.tz_school, school_officer, serious=2)
    assert [m.to for m in mail.outbox] == [["anwen@example.gov.cn"]]
    assert "通州区实验小学" in mail.outbox[0].body


def test_a_minor_incident_does_not_alarm_the_city_but_tells_the_county(
    tree, school_officer, safety_office, county_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(tree.tz_school, school_officer, minor=1)
    assert not Notification.objects.filter(kind=services.NOTICE_SERIOUS).exists()
    assert Notification.objects.get(kind=services.NOTICE_REPORTED).recipient == county_staff


def test_a_follow_up_that_makes_it_serious_notifies_the_city(
    tree, school_officer, safety_office, django_capture_on_commit_callbacks
):
    incident = report(tree.tz_school, school_officer, minor=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_follow_up(
            incident=incident,
            note="伤者转入重症监护。",
            deaths=0,
            serious_injuries=1,
            minor_injuries=0,
            actor=school_officer,
        )
    incident.refresh_from_db()
    assert incident.serious_injuries == 1
    assert Notification.objects.filter(kind=services.NOTICE_SERIOUS).count() == 1


def test_closing_is_for_the_level_above_and_ends_follow_ups(tree, school_officer, county_staff):
    incident = report(tree.tz_school, school_officer)
    with pytest.raises(PermissionDenied):
        services.incident_close(incident=incident, note="结案", actor=school_officer)
    services.incident_close(incident=incident, note="已妥善处置。", actor=county_staff)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED and incident.closed_by == county_staff
    assert incident.follow_ups.get().closes
    with pytest.raises(ValidationError):
        services.incident_follow_up(
            incident=incident,
            note="补充",
            deaths=0,
            serious_injuries=0,
            minor_injuries=1,
            actor=school_officer,
        )
    assert IncidentFollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"learned_at": LEARNED - 2 * H}, "不能早于发生时间"),
        ({"learned_at": LEARNED + 100 * H}, "不能晚于当前时间"),
        ({"deaths": -1}, "0至1000"),
        ({"category": "nonsense"}, "事故类别"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(tree, school_officer, change, message):
    fields = {
        "unit": tree.tz_school,
        "occurred_at": LEARNED - H,
        "learned_at": LEARNED,
        "place": "校外",
        "on_campus": False,
        "category": "drowning",
        "description": "落水",
        "deaths": 0,
        "serious_injuries": 0,
        "minor_injuries": 1,
        "handling": "送医",
        "now": LEARNED + H,
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        services.incident_report(actor=school_officer, **fields)
    assert message in str(refused.value)
    assert not Incident.objects.exists()


def test_a_school_cannot_report_for_another_school(tree, school_officer):
    with pytest.raises(PermissionDenied):
        report(tree.rd_school, school_officer)
    assert not Incident.objects.exists()


def test_only_the_countys_own_reviewers_forward(tree, school_officer, city_staff, county_staff):
    incident = report(tree.tz_school, school_officer)
    assert not policy.may_forward(city_staff, incident)
    with pytest.raises(PermissionDenied):
        services.incident_forward(incident=incident, actor=city_staff)
    services.incident_forward(incident=incident, actor=county_staff)
    with pytest.raises(ValidationError):
        services.incident_forward(incident=incident, actor=county_staff)


def test_no_field_stores_a_name_or_an_identity_number():
    """Personal data stays out by design: casualties are counts, no field names a person."""
    forbidden = ("name", "id_number", "identity", "student", "victim", "birth", "phone")
    for model in (Incident, IncidentFollowUp):
        for field in model._meta.get_fields():
            assert not any(word in field.name for word in forbidden), (model, field.name)


def test_the_category_constraint_lists_every_category():
    constraint = next(c for c in Incident._meta.constraints if c.name == "incident_known_category")
    assert sorted(constraint.condition.children[0][1]) == sorted(Incident.Category.values)
