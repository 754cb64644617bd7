"""The meeting services: summoning, leave asked before and decided, attendance recorded after
the meeting — absent without leave on the accountability record, off it again when the
attendance is corrected, the correction audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.accountability import selectors as accountability_selectors
from campaign.meetings import selectors, services
from campaign.models import AccountabilityEntry, Meeting, MeetingSummons
from core.models import AuditEntry, Notification
from tests.campaign.meetings.helpers import AFTER, BEFORE, DURING, conference, summons_of

pytestmark = pytest.mark.django_db
Attendance = MeetingSummons.Attendance
Leave = MeetingSummons.Leave
ABSENT = AccountabilityEntry.Kind.ABSENT_WITHOUT_LEAVE


def _entries(unit):
    return AccountabilityEntry.objects.filter(unit=unit, kind=ABSENT)


def test_summoning_lists_the_units_and_tells_them(
    tree, safety_office, county_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = conference(tree.city, safety_office, [tree.tongzhou, tree.rudong])
    rows = MeetingSummons.objects.filter(meeting=meeting).order_by("unit__path")
    assert [(s.unit.code, s.expected_attendee, s.attendance) for s in rows] == [
        ("NT-TZ", "分管局长、安全科科长", Attendance.PENDING),
        ("NT-RD", "分管局长、安全科科长", Attendance.PENDING),
    ]
    notice = Notification.objects.get(recipient=county_staff, kind=services.NOTICE_SUMMONED)
    assert notice.link == meeting.get_absolute_url() and "全市专项整治推进会" in notice.text
    assert AuditEntry.objects.filter(action="meeting.record").count() == 1


def test_only_a_city_or_county_summons_and_only_units_below(
    tree, safety_office, county_staff, school_officer
):
    with pytest.raises(ValidationError):
        conference(tree.tongzhou, county_staff, [tree.rd_school])  # not under 通州区
    with pytest.raises(ValidationError):
        conference(tree.tz_school, school_officer, [tree.tz_school2])  # a school summons no one
    with pytest.raises(PermissionDenied):
        conference(tree.city, county_staff, [tree.tongzhou])  # not the county's own meeting
    # A school records its own meeting (no one summoned).
    own = services.meeting_record(
        unit=tree.tz_school,
        kind=Meeting.Kind.QUARTERLY_ANALYSIS,
        title="第四季度安全分析研判会",
        held_on=dt.date(2019, 12, 20),
        actor=school_officer,
    )
    assert own.summonses.count() == 0
    assert not Meeting.objects.filter(title="全市专项整治推进会").exists()


def test_leave_asked_before_and_approved_is_on_leave(
    tree, safety_office, county_staff, django_capture_on_commit_callbacks
):
    meeting = conference(tree.city, safety_office, [tree.tongzhou, tree.rudong])
    with django_capture_on_commit_callbacks(execute=True):
        summons = services.leave_ask(
            summons=summons_of(meeting, tree.tongzhou),
            reason="分管局长参加省厅会议",
            actor=county_staff,
            now=BEFORE,
        )
    assert summons.leave == Leave.ASKED and summons.leave_asked_by == county_staff
    assert Notification.objects.filter(
        recipient=safety_office, kind=services.NOTICE_LEAVE_ASKED
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.leave_decide(summons=summons, approve=True, actor=safety_office, now=BEFORE)
    assert Notification.objects.filter(
        recipient=county_staff, kind=services.NOTICE_LEAVE_DECIDED
    ).exists()
    # No mark for either unit: 通州区 is on leave, 如东县 absent without leave.
    services.attendance_record(meeting=meeting, marks={}, actor=safety_office, now=AFTER)
    assert summons_of(meeting, tree.tongzhou).attendance == Attendance.ON_LEAVE
    assert summons_of(meeting, tree.rudong).attendance == Attendance.ABSENT
    assert not _entries(tree.tongzhou).exists()
    assert _entries(tree.rudong).count() == 1


def test_leave_is_asked_before_the_meeting_starts(tree, safety_office, county_staff):
    meeting = conference(tree.city, safety_office, [tree.tongzhou])
    with pytest.raises(ValidationError):
        services.leave_ask(
            summons=summons_of(meeting, tree.tongzhou),
            reason="临时有事",
            actor=county_staff,
            now=DURING,
        )
    assert summons_of(meeting, tree.tongzhou).leave == Leave.NONE


def test_only_the_summoned_unit_asks_and_only_the_holder_decides(
    tree, safety_office, county_staff, other_county_staff
):
    meeting = conference(tree.city, safety_office, [tree.tongzhou])
    summons = summons_of(meeting, tree.tongzhou)
    with pytest.raises(PermissionDenied):
        services.leave_ask(summons=summons, reason="x", actor=other_county_staff, now=BEFORE)
    with pytest.raises(PermissionDenied):
        services.leave_ask(summons=summons, reason="x", actor=safety_office, now=BEFORE)
    asked = services.leave_ask(summons=summons, reason="出差", actor=county_staff, now=BEFORE)
    with pytest.raises(PermissionDenied):
        services.leave_decide(summons=asked, approve=True, actor=county_staff, now=BEFORE)


def test_refused_leave_and_staying_away_is_absent_without_leave(tree, safety_office, county_staff):
    meeting = conference(tree.city, safety_office, [tree.tongzhou])
    summons = services.leave_ask(
        summons=summons_of(meeting, tree.tongzhou), reason="出差", actor=county_staff, now=BEFORE
    )
    services.leave_decide(summons=summons, approve=False, actor=safety_office, now=BEFORE)
    with pytest.raises(ValidationError):  # no approved leave: "on leave" is refused
        services.attendance_record(
            meeting=meeting,
            marks={summons.pk: (Attendance.ON_LEAVE, "")},
            actor=safety_office,
            now=AFTER,
        )
    assert summons_of(meeting, tree.tongzhou).attendance == Attendance.PENDING
    services.attendance_record(meeting=meeting, marks={}, actor=safety_office, now=AFTER)
    assert summons_of(meeting, tree.tongzhou).attendance == Attendance.ABSENT
    assert _entries(tree.tongzhou).count() == 1


def test_absent_without_leave_is_on_record_for_the_unit_and_the_city(
    tree, safety_office, city_staff, county_staff, other_county_staff
):
    meeting = conference(tree.city, safety_office, [tree.tongzhou, tree.rudong])
    attended = summons_of(meeting, tree.rudong)
    services.attendance_record(
        meeting=meeting,
        marks={attended.pk: (Attendance.ATTENDED, "王副局长")},
        actor=safety_office,
        now=AFTER,
    )
    entry = _entries(tree.tongzhou).get()
    assert entry.occurred_on == meeting.held_on
    assert entry.source == summons_of(meeting, tree.tongzhou)
    # The unit and the city see it, with the meeting it missed; the other county does not.
    for user in (county_staff, city_staff, safety_office):
        listed = accountability_selectors.with_sources(
            accountability_selectors.entry_list(user, kind=ABSENT)
        )
        assert [(e.unit.code, e.source_text) for e in listed] == [("NT-TZ", "全市专项整治推进会")]
        assert listed[0].source_url == meeting.get_absolute_url()
    assert not accountability_selectors.entry_list(other_county_staff, kind=ABSENT).exists()
    assert summons_of(meeting, tree.rudong).attendee == "王副局长"
    # Recording the same sheet again changes nothing and records nothing twice.
    assert (
        services.attendance_record(
            meeting=meeting,
            marks={attended.pk: (Attendance.ATTENDED, "王副局长")},
            actor=safety_office,
            now=AFTER,
        )
        == 0
    )
    assert _entries(tree.tongzhou).count() == 1


def test_a_corrected_attendance_takes_the_entry_off_the_record_audited(
    tree, safety_office, county_staff
):
    meeting = conference(tree.city, safety_office, [tree.tongzhou])
    services.attendance_record(meeting=meeting, marks={}, actor=safety_office, now=AFTER)
    entry = _entries(tree.tongzhou).get()
    summons = summons_of(meeting, tree.tongzhou)
    services.attendance_record(
        meeting=meeting,
        marks={summons.pk: (Attendance.ATTENDED, "李科长")},
        actor=safety_office,
        now=AFTER,
    )
    assert summons_of(meeting, tree.tongzhou).attendance == Attendance.ATTENDED
    assert not _entries(tree.tongzhou).exists()
    correction = AuditEntry.objects.get(action="meeting.attendance_correct")
    assert correction.actor == safety_office
    assert correction.detail["previous"] == Attendance.ABSENT
    assert correction.detail["attendance"] == Attendance.ATTENDED
    withdrawn = AuditEntry.objects.get(action="accountability.withdraw")
    assert withdrawn.detail["entry"] == entry.pk


def test_attendance_is_recorded_from_the_day_of_the_meeting_by_the_holder(
    tree, safety_office, county_staff
):
    meeting = conference(tree.city, safety_office, [tree.tongzhou])
    with pytest.raises(ValidationError):
        services.attendance_record(meeting=meeting, marks={}, actor=safety_office, now=BEFORE)
    with pytest.raises(PermissionDenied):
        services.attendance_record(meeting=meeting, marks={}, actor=county_staff, now=AFTER)
    assert not AccountabilityEntry.objects.exists()


def test_a_summoned_unit_sees_its_own_row_only(tree, safety_office, county_staff):
    meeting = conference(tree.city, safety_office, [tree.tongzhou, tree.rudong])
    rows = selectors.attendance(county_staff, meeting)["rows"]
    assert [s.unit.code for s in rows] == ["NT-TZ"]
    assert len(selectors.attendance(safety_office, meeting)["rows"]) == 2


def test_minutes_are_written_by_the_holder_and_audited(tree, safety_office, county_staff):
    meeting = conference(tree.city, safety_office, [tree.tongzhou])
    services.meeting_minutes(
        meeting=meeting,
        minutes="通报进展",
        decisions="周一召开专题研究会",
        attendees="",
        actor=safety_office,
    )
    services.meeting_minutes(
        meeting=meeting, minutes="通报进展（更正）", decisions="", attendees="", actor=safety_office
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "通报进展（更正）"
    last = AuditEntry.objects.filter(action="meeting.minutes").order_by("-id").first()
    assert last.detail["previous"]["minutes"] == "通报进展"
    with pytest.raises(PermissionDenied):
        services.meeting_minutes(
            meeting=meeting, minutes="x", decisions="", attendees="", actor=county_staff
        )
