"""Every write of the meetings (S2, S3, S12): record a meeting (summoning lower units to it),
write its minutes, ask for and decide leave, and record attendance — which puts a unit absent
without leave on the accountability record and takes it off again when the attendance is
corrected.

The quarterly analysis duty's two writes are here too: the reminder two weeks before a
quarter ends (once per unit and quarter) and, once it is over, the record of each county or
school that held no analysis meeting (``quarterly_meeting_missing``, source = the unit,
period "2019Q4"). The daily task runs both; each is safe to run again.

Each service checks the actor through ``campaign.meetings.policy``, writes the audit row and
queues its notices on commit.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.accountability import services as accountability
from campaign.meetings import policy, quarterly
from campaign.models import (
    AccountabilityEntry,
    Meeting,
    MeetingAttachment,
    MeetingSummons,
    Role,
)
from campaign.services.notices import notify_unit_people
from core import notices
from core.files import check_upload, storage_name
from core.services.audit import audit
from core.services.notifications import notification_build, notify_many

NOTICE_SUMMONED = "meeting_summoned"
NOTICE_LEAVE_ASKED = "meeting_leave_asked"
NOTICE_LEAVE_DECIDED = "meeting_leave_decided"
NOTICE_QUARTERLY = "quarterly_meeting_reminder"
# Two weeks before a quarter ends, the units without their analysis meeting are reminded.
REMIND_DAYS_BEFORE = 14
QUARTERLY_ROLES = (Role.COUNTY_STAFF, Role.SCHOOL_OFFICER)
QUARTERLY_MISSING = AccountabilityEntry.Kind.QUARTERLY_MEETING_MISSING
TEXT_MAX = 20000
REASON_MAX = 2000
Attendance = MeetingSummons.Attendance
Leave = MeetingSummons.Leave
ABSENT = AccountabilityEntry.Kind.ABSENT_WITHOUT_LEAVE


def _render_summoned(params):
    return (
        _("%(holder)s summons you to %(title)s on %(day)s at %(place)s; expected: %(who)s.")
        % params
    )


def _render_leave_asked(params):
    return _("%(unit)s asks for leave from %(title)s on %(day)s.") % params


def _render_leave_decided(params):
    return _("Your request for leave from %(title)s on %(day)s: %(decision)s.") % params


def _render_quarterly(params):
    return (
        _(
            "Reminder: %(unit)s has not yet held its quarterly analysis meeting for %(quarter)s; "
            "the quarter ends on %(end)s."
        )
        % params
    )


def register_notices():
    notices.register(NOTICE_SUMMONED, _render_summoned)
    notices.register(NOTICE_LEAVE_ASKED, _render_leave_asked)
    notices.register(NOTICE_LEAVE_DECIDED, _render_leave_decided)
    notices.register(NOTICE_QUARTERLY, _render_quarterly)


def _notify(meeting, unit_ids, *, kind, params, dedupe):
    """One notice per person of each of ``unit_ids``, once per ``dedupe`` key."""
    return notify_unit_people(
        unit_ids=unit_ids,
        kind=kind,
        params={"title": meeting.title, "day": meeting.held_on.isoformat(), **params},
        link=meeting.get_absolute_url(),
        dedupe_key=f"meeting:{meeting.pk}:{dedupe}",
    )


def _check_text(value, label, *, required=False, limit=TEXT_MAX):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("Write the %(field)s.") % {"field": label})
    if len(value) > limit:
        raise ValidationError(
            _("The %(field)s is at most %(max)s characters long.") % {"field": label, "max": limit}
        )
    return value


def _attach(meeting, uploads, actor):
    for upload in uploads:
        content_type = check_upload(upload)
        attachment = MeetingAttachment(
            meeting=meeting,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(storage_name(upload.name), upload, save=False)
        attachment.save()


def _check_summoned(unit, summoned):
    for below in summoned:
        if below.pk == unit.pk or not below.is_in_subtree_of(unit) or not below.is_active:
            raise ValidationError(
                _("%(unit)s is not a unit under %(holder)s.")
                % {"unit": below.name, "holder": unit.name}
            )


@transaction.atomic
def meeting_record(
    *,
    unit,
    kind,
    title,
    held_on,
    actor,
    starts_at=None,
    place="",
    convenor="",
    agenda="",
    minutes="",
    decisions="",
    attendees="",
    summoned=(),
    expected_attendee="",
    uploads=(),
):
    """Record a meeting of ``unit``; with ``summoned`` units (a city's or a county's conference)
    each of them gets a summons to answer, and hears of it."""
    if unit.pk not in {u.pk for u in policy.units_holding_for(actor)}:
        raise PermissionDenied
    summoned = list(summoned)
    if kind not in Meeting.Kind.values:
        raise ValidationError(_("Choose the kind of meeting."))
    if summoned:
        if not policy.may_summon(actor, unit):
            raise ValidationError(_("Only a city or a county summons units to its meetings."))
        _check_summoned(unit, summoned)
        expected_attendee = _check_text(
            expected_attendee, _("expected attendee"), required=True, limit=100
        )
    meeting = Meeting.objects.create(
        unit=unit,
        kind=kind,
        title=_check_text(title, _("title"), required=True, limit=200),
        held_on=held_on,
        starts_at=starts_at,
        place=_check_text(place, _("place"), limit=200),
        convenor=_check_text(convenor, _("convenor"), limit=100),
        agenda=_check_text(agenda, _("agenda")),
        minutes=_check_text(minutes, _("minutes")),
        decisions=_check_text(decisions, _("decisions")),
        attendees=_check_text(attendees, _("attendees")),
        recorded_by=actor,
    )
    _attach(meeting, uploads, actor)
    MeetingSummons.objects.bulk_create(
        [
            MeetingSummons(meeting=meeting, unit=u, expected_attendee=expected_attendee)
            for u in summoned
        ],
        batch_size=2000,
    )
    audit(
        actor=actor,
        action="meeting.record",
        unit=unit,
        meeting=meeting.pk,
        kind=kind,
        summoned=len(summoned),
    )
    if summoned:
        params = {
            "holder": unit.name,
            "place": meeting.place or "—",
            "who": expected_attendee,
        }
        unit_ids = [u.pk for u in summoned]
        transaction.on_commit(
            lambda: _notify(
                meeting, unit_ids, kind=NOTICE_SUMMONED, params=params, dedupe="summoned"
            )
        )
    return meeting


@transaction.atomic
def meeting_minutes(*, meeting, minutes, decisions, attendees, uploads=(), actor):
    """Write (or correct) what the meeting decided, after it; the earlier text is audited."""
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    if not policy.may_edit(actor, meeting):
        raise PermissionDenied
    previous = {
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "attendees": meeting.attendees,
    }
    meeting.minutes = _check_text(minutes, _("minutes"))
    meeting.decisions = _check_text(decisions, _("decisions"))
    meeting.attendees = _check_text(attendees, _("attendees"))
    meeting.save(update_fields=["minutes", "decisions", "attendees"])
    _attach(meeting, uploads, actor)
    audit(
        actor=actor,
        action="meeting.minutes",
        unit=meeting.unit,
        meeting=meeting.pk,
        files=len(uploads),
        previous=previous,
    )
    return meeting


def _locked(summons):
    return (
        MeetingSummons.objects.select_for_update(of=("self",))
        .select_related("meeting", "meeting__unit", "unit")
        .get(pk=summons.pk)
    )


@transaction.atomic
def leave_ask(*, summons, reason, actor, now=None):
    """The summoned unit asks for leave, with its reason, before the meeting starts."""
    now = now or timezone.now()
    summons = _locked(summons)
    if not policy.may_ask_leave(actor, summons):
        raise PermissionDenied
    meeting = summons.meeting
    if now >= meeting.starts:
        raise ValidationError(_("Leave is asked before the meeting starts."))
    if summons.leave == Leave.APPROVED:
        raise ValidationError(_("Leave has already been approved."))
    summons.leave_reason = _check_text(
        reason, _("reason for leave"), required=True, limit=REASON_MAX
    )
    summons.leave = Leave.ASKED
    summons.leave_asked_by = actor
    summons.leave_asked_at = now
    summons.leave_decided_by = None
    summons.leave_decided_at = None
    summons.save(
        update_fields=[
            "leave",
            "leave_reason",
            "leave_asked_by",
            "leave_asked_at",
            "leave_decided_by",
            "leave_decided_at",
        ]
    )
    audit(actor=actor, action="meeting.leave_ask", unit=summons.unit, summons=summons.pk)
    params = {"unit": summons.unit.name}
    transaction.on_commit(
        lambda: _notify(
            meeting,
            [meeting.unit_id],
            kind=NOTICE_LEAVE_ASKED,
            params=params,
            dedupe=f"leave:{summons.pk}:{now.timestamp()}",
        )
    )
    return summons


@transaction.atomic
def leave_decide(*, summons, approve, actor, now=None):
    """The convening unit approves or refuses a request for leave (until attendance is
    recorded; a refused unit that stays away is absent without leave)."""
    now = now or timezone.now()
    summons = _locked(summons)
    if not policy.may_decide_leave(actor, summons):
        raise PermissionDenied
    if summons.leave != Leave.ASKED:
        raise ValidationError(_("There is no request for leave to decide."))
    if summons.attendance != Attendance.PENDING:
        raise ValidationError(_("Attendance has been recorded: correct it on the sheet."))
    summons.leave = Leave.APPROVED if approve else Leave.REFUSED
    summons.leave_decided_by = actor
    summons.leave_decided_at = now
    summons.save(update_fields=["leave", "leave_decided_by", "leave_decided_at"])
    audit(
        actor=actor,
        action="meeting.leave_decide",
        unit=summons.unit,
        summons=summons.pk,
        decision=summons.leave,
    )
    meeting = summons.meeting
    params = {"decision": str(summons.get_leave_display())}
    transaction.on_commit(
        lambda: _notify(
            meeting,
            [summons.unit_id],
            kind=NOTICE_LEAVE_DECIDED,
            params=params,
            dedupe=f"decided:{summons.pk}:{now.timestamp()}",
        )
    )
    return summons


def _resolved(summons, mark):
    """The attendance a mark on the sheet stands for: no mark is on leave for a unit whose
    leave was approved, absent without leave for any other."""
    if not mark:
        return Attendance.ON_LEAVE if summons.leave == Leave.APPROVED else Attendance.ABSENT
    if mark == Attendance.ON_LEAVE and summons.leave != Leave.APPROVED:
        raise ValidationError(
            _("%(unit)s has no approved leave: mark it attended or absent.")
            % {"unit": summons.unit.name}
        )
    if mark not in (Attendance.ATTENDED, Attendance.ON_LEAVE, Attendance.ABSENT):
        raise ValidationError(_("Choose attended, on leave or absent."))
    return mark


@transaction.atomic
def attendance_record(*, meeting, marks, actor, now=None):
    """Record the attendance of every summoned unit after the meeting (``marks``: summons id
    → (attendance, who attended)). A unit with no mark is absent without leave unless its
    leave was approved. Absent without leave goes on the accountability record; a corrected
    row comes off it, and each correction is audited with what it was before."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("unit").get(pk=meeting.pk)
    if not policy.may_record_attendance(actor, meeting):
        raise PermissionDenied
    if timezone.localdate(now) < meeting.held_on:
        raise ValidationError(_("Attendance is recorded on or after the day of the meeting."))
    rows = list(
        MeetingSummons.objects.select_for_update(of=("self",))
        .filter(meeting=meeting)
        .select_related("unit")
        .order_by("unit__path")
    )
    changed = []
    for summons in rows:
        mark, attendee = marks.get(summons.pk, ("", ""))
        state = _resolved(summons, mark)
        attendee = _check_text(attendee, _("who attended"), limit=100)
        if state == summons.attendance and attendee == summons.attendee:
            continue
        changed.append((summons, summons.attendance, state, attendee))
    for summons, previous, state, attendee in changed:
        summons.attendance = state
        summons.attendee = attendee if state == Attendance.ATTENDED else ""
        summons.recorded_by = actor
        summons.recorded_at = now
        if previous != Attendance.PENDING and previous != state:
            audit(
                actor=actor,
                action="meeting.attendance_correct",
                unit=summons.unit,
                summons=summons.pk,
                meeting=meeting.pk,
                previous=previous,
                attendance=state,
            )
        if state == Attendance.ABSENT:
            accountability.entry_record(
                unit=summons.unit,
                kind=ABSENT,
                source=summons,
                occurred_on=meeting.held_on,
                actor=actor,
            )
        elif previous == Attendance.ABSENT:
            accountability.entry_withdraw(
                unit=summons.unit,
                kind=ABSENT,
                source=summons,
                actor=actor,
                reason=_("attendance corrected"),
            )
    MeetingSummons.objects.bulk_update(
        [c[0] for c in changed], ["attendance", "attendee", "recorded_by", "recorded_at"]
    )
    audit(
        actor=actor,
        action="meeting.attendance",
        unit=meeting.unit,
        meeting=meeting.pk,
        changed=len(changed),
        absent=sum(1 for c in changed if c[2] == Attendance.ABSENT),
    )
    return len(changed)


# --- The quarterly analysis duty (S12) ----------------------------------------------------


def quarterly_reminders_send(*, today=None):
    """Two weeks before the quarter ends, remind each unit that has not held its meeting
    (once per unit and quarter). Returns how many people were reminded."""
    today = today or timezone.localdate()
    year, quarter = quarterly.quarter_of(today)
    _start, end = quarterly.bounds(year, quarter)
    if (end - today).days != REMIND_DAYS_BEFORE:
        return 0
    missing = quarterly.duty_units().annotate(held=quarterly.held(year, quarter)).filter(held=False)
    holders = (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_grants__unit__in=missing,
            role_grants__role__in=QUARTERLY_ROLES,
        )
        .values_list("pk", "role_grants__unit_id", "role_grants__unit__name")
        .distinct()
    )
    period = quarterly.label(year, quarter)
    return notify_many(
        notices=(
            notification_build(
                recipient_id=user_id,
                kind=NOTICE_QUARTERLY,
                params={"unit": unit_name, "quarter": period, "end": end.isoformat()},
                link="",
                unit_id=unit_id,
                dedupe_key=f"quarterly:{period}:{unit_id}",
            )
            for user_id, unit_id, unit_name in holders.iterator()
        )
    )


def quarterly_missing_record(year, quarter, *, today=None, actor=None):
    """Put on record each unit that held no analysis meeting in a quarter that is over.
    Returns how many were recorded (0 if the quarter is not over yet)."""
    today = today or timezone.localdate()
    _start, end = quarterly.bounds(year, quarter)
    if today <= end:
        return 0
    period = quarterly.label(year, quarter)
    missing = (
        quarterly.duty_units()
        .annotate(held=quarterly.held(year, quarter))
        .filter(held=False)
        .order_by("path")
    )
    on_record = AccountabilityEntry.objects.filter(kind=QUARTERLY_MISSING, period=period)
    before = on_record.count()
    for unit in missing.iterator(chunk_size=500):
        with transaction.atomic():
            accountability.entry_record(
                unit=unit,
                kind=QUARTERLY_MISSING,
                source=unit,
                occurred_on=end,
                period=period,
                actor=actor,
            )
    return on_record.count() - before


def quarterly_daily(*, today=None):
    """The daily job: the reminders of the day, and the record of the quarter just over."""
    today = today or timezone.localdate()
    reminded = quarterly_reminders_send(today=today)
    recorded = 0
    if today.day == 1 and today.month in (1, 4, 7, 10):
        recorded = quarterly_missing_record(
            *quarterly.previous(*quarterly.quarter_of(today)), today=today
        )
    return reminded, recorded
