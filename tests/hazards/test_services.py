"""The hazard register's services, one rule at a time: who may, from which state, with what."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from campaign.roles import Role
from core.errors import NotPermitted, OutOfScope
from hazards import services
from hazards.models import Evidence, Hazard, HazardEvent
from tests.factories import UserFactory, grant
from tests.hazards.conftest import five_implementations, png_upload

S = Hazard.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def rectifying(make_planned_hazard, school_officer):
    hazard = make_planned_hazard()
    return services.hazard_start_rectification(hazard=hazard, actor=school_officer)


def submitted(hazard, actor):
    services.hazard_attach(
        hazard=hazard, actor=actor, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    return services.hazard_submit_for_acceptance(hazard=hazard, actor=actor)


@pytest.fixture
def awaiting(rectifying, school_officer):
    return submitted(rectifying, school_officer)


def transitions(hazard):
    return list(
        hazard.events.filter(kind=HazardEvent.Kind.TRANSITION).values_list(
            "from_status", "to_status"
        )
    )


# --- Registration --------------------------------------------------------------------------


def test_register_numbers_by_city_and_year_and_records_the_event(make_hazard, tree):
    first, second = make_hazard(), make_hazard()
    year = first.found_on.year
    assert first.code == f"NT-{year}-000001"
    assert second.code == f"NT-{year}-000002"
    assert (first.county, first.city) == (tree.tongzhou, tree.city)
    assert list(first.events.values_list("kind", "to_status")) == [("registered", "reported")]
    assert first.status == S.REPORTED


def test_a_number_is_never_reused_after_a_delete(make_hazard):
    first = make_hazard()
    code = first.code
    first.events.all().delete()
    first.delete()
    again = make_hazard()
    assert again.code != code
    assert again.code.endswith("000002")


def test_register_with_the_five_implementations_is_planned(make_planned_hazard):
    hazard = make_planned_hazard()
    assert hazard.status == S.PLANNED and hazard.five_complete
    assert transitions(hazard) == [("reported", "planned")]


def test_register_permissions(make_hazard, tree, leader, other_county_staff, inspector):
    with pytest.raises(PermissionDenied):
        make_hazard(actor=leader)
    with pytest.raises(OutOfScope):
        make_hazard(actor=other_county_staff)
    assert make_hazard(actor=inspector).found_by == inspector
    with pytest.raises(ValidationError):
        make_hazard(school=tree.tongzhou, actor=inspector)
    with pytest.raises(ValidationError):
        make_hazard(found_on=timezone.localdate() + dt.timedelta(days=1))
    assert Hazard.objects.count() == 1


def test_the_default_time_limit_depends_on_the_grade(make_hazard, hazard_category):
    general = make_hazard()
    major = make_hazard(level=Hazard.Level.MAJOR)
    assert (general.deadline - general.found_on).days == hazard_category.days_general
    assert (major.deadline - major.found_on).days == hazard_category.days_major


# --- Edits ---------------------------------------------------------------------------------


def test_edits_are_recorded_as_events(make_hazard, school_officer):
    hazard = make_hazard()
    services.hazard_update(hazard=hazard, actor=school_officer, location="操场")
    edit = hazard.events.get(kind=HazardEvent.Kind.EDIT)
    assert edit.changes == {"location": ["教学楼一楼东侧", "操场"]}
    assert edit.actor == school_officer
    # No change, no event.
    services.hazard_update(hazard=hazard, actor=school_officer, location="操场")
    assert hazard.events.filter(kind=HazardEvent.Kind.EDIT).count() == 1


def test_completing_the_five_moves_to_planned(make_hazard, school_officer):
    hazard = make_hazard()
    hazard = services.hazard_update(hazard=hazard, actor=school_officer, **five_implementations())
    assert hazard.status == S.PLANNED
    assert transitions(hazard) == [("reported", "planned")]


def test_the_five_must_stay_complete_once_planned(make_planned_hazard, school_officer):
    hazard = make_planned_hazard()
    with pytest.raises(ValidationError):
        services.hazard_update(hazard=hazard, actor=school_officer, measures="")
    hazard.refresh_from_db()
    assert hazard.measures and hazard.status == S.PLANNED


def test_only_the_supervising_level_changes_the_time_limit(
    make_hazard, school_officer, county_staff
):
    hazard = make_hazard()
    later = hazard.deadline + dt.timedelta(days=10)
    with pytest.raises(ValidationError):
        services.hazard_update(hazard=hazard, actor=school_officer, deadline=later)
    with pytest.raises(PermissionDenied):
        services.hazard_set_deadline(hazard=hazard, actor=school_officer, deadline=later)
    services.hazard_set_deadline(hazard=hazard, actor=county_staff, deadline=later)
    hazard.refresh_from_db()
    assert hazard.deadline == later
    assert hazard.events.filter(kind=HazardEvent.Kind.EDIT).count() == 1


def test_time_limit_change_records_what_it_replaced_even_from_a_stale_page(
    make_hazard, county_staff, city_staff
):
    hazard = make_hazard()
    first, second = hazard.deadline, hazard.deadline + dt.timedelta(days=5)
    stale = Hazard.objects.get(pk=hazard.pk)  # loaded before the city's change
    services.hazard_set_deadline(hazard=hazard, actor=city_staff, deadline=second)
    third = first + dt.timedelta(days=20)
    services.hazard_set_deadline(hazard=stale, actor=county_staff, deadline=third)
    hazard.refresh_from_db()
    assert hazard.deadline == third
    changes = [e.changes["deadline"] for e in hazard.events.filter(kind=HazardEvent.Kind.EDIT)]
    assert changes == [[str(first), str(second)], [str(second), str(third)]]


def test_time_limit_of_a_hazard_closed_meanwhile_is_refused(awaiting, county_staff):
    stale = Hazard.objects.get(pk=awaiting.pk)
    services.hazard_accept(hazard=awaiting, actor=county_staff, opinion="整改到位")
    with pytest.raises(services.HazardConflict):
        services.hazard_set_deadline(
            hazard=stale, actor=county_staff, deadline=stale.deadline + dt.timedelta(days=3)
        )
    assert Hazard.objects.get(pk=awaiting.pk).deadline == stale.deadline


def test_edit_permissions(make_hazard, leader, inspector, other_county_staff):
    hazard = make_hazard()
    for actor in (leader, inspector):
        with pytest.raises(PermissionDenied):
            services.hazard_update(hazard=hazard, actor=actor, location="操场")
    with pytest.raises(OutOfScope):
        services.hazard_update(hazard=hazard, actor=other_county_staff, location="操场")


def test_a_closed_hazard_cannot_be_edited(awaiting, county_staff):
    services.hazard_accept(hazard=awaiting, actor=county_staff, opinion="整改到位")
    with pytest.raises(services.HazardConflict):
        services.hazard_update(hazard=awaiting, actor=county_staff, location="操场")


# --- The closed loop -----------------------------------------------------------------------


def test_start_needs_the_plan(make_hazard, school_officer):
    hazard = make_hazard()
    with pytest.raises(services.HazardConflict):
        services.hazard_start_rectification(hazard=hazard, actor=school_officer)
    assert transitions(hazard) == []


def test_start_permissions(make_planned_hazard, leader, inspector, other_county_staff):
    hazard = make_planned_hazard()
    for actor in (leader, inspector):
        with pytest.raises(PermissionDenied):
            services.hazard_start_rectification(hazard=hazard, actor=actor)
    with pytest.raises(OutOfScope):
        services.hazard_start_rectification(hazard=hazard, actor=other_county_staff)


def test_submit_needs_evidence(rectifying, school_officer):
    with pytest.raises(ValidationError):
        services.hazard_submit_for_acceptance(hazard=rectifying, actor=school_officer)
    # A before-photo is not evidence of the rectification.
    services.hazard_attach(
        hazard=rectifying, actor=school_officer, kind=Evidence.Kind.BEFORE, upload=png_upload()
    )
    with pytest.raises(ValidationError):
        services.hazard_submit_for_acceptance(hazard=rectifying, actor=school_officer)
    hazard = submitted(rectifying, school_officer)
    assert hazard.status == S.AWAITING_ACCEPTANCE
    assert hazard.rectified_by == school_officer


def test_a_school_cannot_accept(awaiting, school_officer, tree):
    officer2 = grant(UserFactory(username="officer2"), Role.SCHOOL_OFFICER, tree.tz_school)
    for actor in (school_officer, officer2):
        with pytest.raises(PermissionDenied):
            services.hazard_accept(hazard=awaiting, actor=actor, opinion="整改到位")


def test_the_county_accepts_a_general_hazard_and_the_acceptance_is_recorded(awaiting, county_staff):
    hazard = services.hazard_accept(hazard=awaiting, actor=county_staff, opinion="已复查，整改到位")
    assert hazard.status == S.CLOSED
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.accepted_by == county_staff and hazard.closed_at
    assert hazard.accepted_level == Hazard.AcceptanceLevel.COUNTY
    assert hazard.acceptance_opinion == "已复查，整改到位"
    assert transitions(hazard)[-1] == ("awaiting_acceptance", "closed")
    assert hazard.events.last().note == "已复查，整改到位"


def test_acceptance_needs_an_opinion(awaiting, county_staff):
    for opinion in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            services.hazard_accept(hazard=awaiting, actor=county_staff, opinion=opinion)
        assert refused.value.error_dict["opinion"][0].code == "required"
    assert Hazard.objects.get(pk=awaiting.pk).status == S.AWAITING_ACCEPTANCE


def test_the_city_accepting_a_general_hazard_is_recorded_at_city_level(awaiting, city_staff):
    services.hazard_accept(hazard=awaiting, actor=city_staff, opinion="市级抽查验收合格")
    assert Hazard.objects.get(pk=awaiting.pk).accepted_level == Hazard.AcceptanceLevel.CITY


def test_a_major_hazard_is_accepted_by_the_city_only(
    make_planned_hazard, school_officer, county_staff, city_staff
):
    hazard = make_planned_hazard(level=Hazard.Level.MAJOR)
    services.hazard_start_rectification(hazard=hazard, actor=school_officer)
    hazard = submitted(hazard, school_officer)
    with pytest.raises(ValidationError) as refused:
        services.hazard_accept(hazard=hazard, actor=county_staff, opinion="同意")
    assert refused.value.code == "level"
    assert refused.value.messages == [gettext("A major hazard is accepted by the city.")]
    assert Hazard.objects.get(pk=hazard.pk).status == S.AWAITING_ACCEPTANCE
    services.hazard_accept(hazard=hazard, actor=city_staff, opinion="同意销号")
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert (hazard.status, hazard.accepted_level) == (S.CLOSED, "city")


def test_the_rectifier_cannot_accept(rectifying, county_staff, city_staff):
    hazard = submitted(rectifying, county_staff)
    with pytest.raises(ValidationError) as refused:
        services.hazard_accept(hazard=hazard, actor=county_staff, opinion="同意")
    assert refused.value.code == "rectifier"
    hazard = services.hazard_accept(hazard=hazard, actor=city_staff, opinion="同意")
    assert hazard.status == S.CLOSED


def test_reject_needs_a_reason_and_goes_back_to_rectifying(awaiting, county_staff):
    with pytest.raises(ValidationError):
        services.hazard_reject(hazard=awaiting, actor=county_staff, note="  ")
    hazard = services.hazard_reject(hazard=awaiting, actor=county_staff, note="照片不清楚")
    assert hazard.status == S.RECTIFYING
    last = hazard.events.filter(kind=HazardEvent.Kind.TRANSITION).last()
    assert (last.from_status, last.to_status, last.note) == (
        "awaiting_acceptance",
        "rectifying",
        "照片不清楚",
    )


def test_reopen_needs_a_reason_and_clears_the_acceptance(awaiting, county_staff):
    services.hazard_accept(hazard=awaiting, actor=county_staff, opinion="整改到位")
    with pytest.raises(ValidationError):
        services.hazard_reopen(hazard=awaiting, actor=county_staff, note="")
    hazard = services.hazard_reopen(hazard=awaiting, actor=county_staff, note="复查仍存在")
    assert hazard.status == S.RECTIFYING
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.accepted_by is None and hazard.closed_at is None
    assert (hazard.accepted_level, hazard.acceptance_opinion) == ("", "")
    # The events keep the history.
    accepted = hazard.events.get(to_status=S.CLOSED)
    assert (accepted.actor, accepted.note) == (county_staff, "整改到位")


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("start", {}),
        ("submit", {}),
        ("accept", {"opinion": "同意"}),
        ("reject", {"note": "不行"}),
        ("reopen", {"note": "复查"}),
    ],
)
def test_every_transition_checks_its_from_state(make_hazard, city_staff, action, kwargs):
    hazard = make_hazard()  # reported: no transition is allowed from here by a button
    with pytest.raises(services.HazardConflict) as exc:
        services.TRANSITIONS[action](hazard=hazard, actor=city_staff, **kwargs)
    assert exc.value.code == "conflict"
    assert transitions(hazard) == []


# --- Comments and files --------------------------------------------------------------------


def test_those_who_take_part_may_comment_a_leader_only_reads(
    make_hazard, school_officer, inspector, county_staff, leader, other_county_staff
):
    hazard = make_hazard()
    for actor in (school_officer, inspector, county_staff):
        services.hazard_comment(hazard=hazard, actor=actor, note="已通知总务处")
    assert hazard.events.filter(kind=HazardEvent.Kind.COMMENT).count() == 3
    with pytest.raises(NotPermitted):
        services.hazard_comment(hazard=hazard, actor=leader, note="请尽快整改")
    with pytest.raises(OutOfScope):
        services.hazard_comment(hazard=hazard, actor=other_county_staff, note="x")
    with pytest.raises(ValidationError):
        services.hazard_comment(hazard=hazard, actor=school_officer, note=" ")
    assert hazard.events.filter(kind=HazardEvent.Kind.COMMENT).count() == 3


def test_files_need_the_right_permission_and_content(make_hazard, inspector, leader):
    hazard = make_hazard()
    services.hazard_attach(
        hazard=hazard, actor=inspector, kind=Evidence.Kind.BEFORE, upload=png_upload()
    )
    with pytest.raises(PermissionDenied):
        services.hazard_attach(
            hazard=hazard, actor=inspector, kind=Evidence.Kind.AFTER, upload=png_upload()
        )
    with pytest.raises(PermissionDenied):
        services.hazard_attach(
            hazard=hazard, actor=leader, kind=Evidence.Kind.BEFORE, upload=png_upload()
        )
    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError):
        services.hazard_attach(
            hazard=hazard, actor=inspector, kind=Evidence.Kind.BEFORE, upload=fake
        )
    assert hazard.evidence.count() == 1


def test_a_plan_file_can_complete_the_five(make_hazard, school_officer):
    hazard = make_hazard(**five_implementations(contingency_plan=""))
    assert hazard.status == S.REPORTED
    services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.PLAN, upload=png_upload("plan.png")
    )
    hazard.refresh_from_db()
    assert hazard.status == S.PLANNED and hazard.five_complete


def test_a_closed_hazard_takes_no_files(awaiting, county_staff):
    hazard = services.hazard_accept(hazard=awaiting, actor=county_staff, opinion="整改到位")
    with pytest.raises(services.HazardConflict):
        services.hazard_attach(
            hazard=hazard, actor=county_staff, kind=Evidence.Kind.DOCUMENT, upload=png_upload()
        )


def test_a_time_limit_that_completes_the_five_plans_the_hazard(make_hazard, county_staff):
    hazard = make_hazard(**five_implementations())
    assert hazard.status == S.PLANNED
    # A registered hazard whose only gap is its time limit (an import without one, say).
    Hazard.objects.filter(pk=hazard.pk).update(
        status=S.REPORTED, five_complete=False, deadline=None
    )
    hazard.refresh_from_db()
    services.hazard_set_deadline(
        hazard=hazard, actor=county_staff, deadline=timezone.localdate() + dt.timedelta(days=9)
    )
    hazard.refresh_from_db()
    assert (hazard.status, hazard.five_complete) == (S.PLANNED, True)
    assert transitions(hazard)[-1] == ("reported", "planned")


# --- The consultation meeting (S12) --------------------------------------------------------

MEETING = {
    "held_on": dt.date(2026, 3, 2),
    "attendees": "市教育局、通州区教育局、学校",
    "opinions": "立即停用",
    "measures": "更换设备",
    "deadline": dt.date(2026, 3, 20),
    "responsible_department": "通州区教育局",
}


def test_the_city_records_a_major_hazards_meeting(make_hazard, city_staff, tree):
    hazard = make_hazard(level=Hazard.Level.MAJOR)
    meeting = services.consultation_meeting_record(hazard=hazard, actor=city_staff, **MEETING)
    hazard.refresh_from_db()
    assert hazard.consultation_meeting == meeting
    assert meeting.unit == tree.city  # convened by the city, which accepts major hazards
    assert hazard.events.filter(kind=HazardEvent.Kind.MEETING).count() == 1


def test_the_county_does_not_record_a_major_hazards_meeting(make_hazard, county_staff):
    hazard = make_hazard(level=Hazard.Level.MAJOR)
    with pytest.raises(ValidationError) as refused:
        services.consultation_meeting_record(hazard=hazard, actor=county_staff, **MEETING)
    assert refused.value.code == "level"
    hazard.refresh_from_db()
    assert hazard.consultation_meeting is None
    assert not hazard.events.filter(kind=HazardEvent.Kind.MEETING).exists()


def test_a_general_hazard_calls_for_no_meeting(make_hazard, city_staff, school_officer):
    hazard = make_hazard()
    with pytest.raises(ValidationError) as refused:
        services.consultation_meeting_record(hazard=hazard, actor=city_staff, **MEETING)
    assert refused.value.code == "not_major"
    with pytest.raises(NotPermitted):
        services.consultation_meeting_record(
            hazard=make_hazard(level=Hazard.Level.MAJOR), actor=school_officer, **MEETING
        )
    assert not HazardEvent.objects.filter(kind=HazardEvent.Kind.MEETING).exists()
