"""Every write of the hazard register: registration, edits, the closed loop, files, meetings.

The closed loop (DESIGN §5, S15):
``reported → planned → rectifying → awaiting_acceptance → closed``, with reject
(awaiting_acceptance → rectifying) and reopen (closed → rectifying). ``planned`` is reached by
completing the five implementations, not by a button. Each transition is one service that locks
the row, checks the from-state and the actor's permission, writes an immutable event and queues
notifications on commit. Two people acting at once: the second finds the state changed and gets
a ``HazardConflict`` with a message for the user.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import Meeting, OrgUnit
from campaign.roles import Perm
from hazards.models import Evidence, Hazard, HazardCodeCounter, HazardEvent, HazardTally

Status = Hazard.Status
Kind = OrgUnit.Kind

FIVE_FIELDS = (
    "responsible_unit",
    "responsible_person",
    "responsible_phone",
    "measures",
    "funds_amount",
    "funds_source",
    "funds_secured",
    "deadline",
    "contingency_plan",
)
EDITABLE_FIELDS = (
    "category",
    "level",
    "source",
    "location",
    "description",
    "found_on",
    "provincial_ref",
) + FIVE_FIELDS


class HazardConflict(ValidationError):
    """The hazard is not (any more) in a state that allows the action."""


def five_implementations_missing(hazard, *, has_plan_file=None):
    """The labels of the five implementations that are not yet in place."""
    missing = []
    if not (hazard.responsible_unit and hazard.responsible_person and hazard.responsible_phone):
        missing.append(_("responsibility"))
    if not hazard.measures.strip():
        missing.append(_("measures"))
    if hazard.funds_amount is None or hazard.funds_secured is None or not hazard.funds_source:
        missing.append(_("funds"))
    if hazard.deadline is None:
        missing.append(_("time limit"))
    if not hazard.contingency_plan.strip():
        # Only look for a plan file when there is no plan text (saves a query per change).
        if has_plan_file is None:
            has_plan_file = (
                hazard.pk is not None and hazard.evidence.filter(kind=Evidence.Kind.PLAN).exists()
            )
        if not has_plan_file:
            missing.append(_("contingency plan"))
    return missing


def default_deadline(*, category, level, found_on):
    days = category.days_major if level == Hazard.Level.MAJOR else category.days_general
    return found_on + timedelta(days=days)


def _hazard_code(*, city, year):
    """The next number for the city and year, e.g. NT-2019-000123; never handed out twice."""
    counter, _created = HazardCodeCounter.objects.get_or_create(prefix=city.code, year=year)
    HazardCodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{city.code}-{year}-{counter.last:06d}"


def _units_of(school):
    """(county or None, city) above a school, from its path."""
    ancestors = {u.pk: u for u in OrgUnit.objects.filter(pk__in=school.ancestor_ids()[:-1])}
    county = city = None
    for unit in ancestors.values():
        if unit.kind == Kind.COUNTY:
            county = unit
        elif unit.kind == Kind.CITY:
            city = unit
    return county, city


def _event(hazard, *, kind, actor, note="", from_status="", to_status="", changes=None):
    event = HazardEvent.objects.create(
        hazard=hazard,
        kind=kind,
        actor=actor,
        note=note,
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
    )
    transaction.on_commit(lambda: _queue_notify(event.pk))
    return event


def _queue_notify(event_id):
    from hazards.tasks import hazard_event_notify_task

    hazard_event_notify_task.delay(event_id)


def _require(actor, perm, hazard):
    """404 when the hazard is out of the actor's sight, 403 when they may not do ``perm``."""
    if not access.has_perm_at(actor, Perm.VIEW, hazard.school):
        from django.http import Http404

        raise Http404
    if not access.has_perm_at(actor, perm, hazard.school):
        raise PermissionDenied


def _lock(hazard, allowed_from):
    locked = Hazard.objects.select_for_update().get(pk=hazard.pk)
    locked.school = hazard.school  # loaded with the hazard; the lock needs only its own row
    if locked.status not in allowed_from:
        raise HazardConflict(
            _(
                "Hazard %(code)s is now “%(status)s”: someone else has acted on it meanwhile. "
                "Nothing was changed; please look at it again."
            )
            % {"code": locked.code, "status": locked.get_status_display()},
            code="conflict",
        )
    return locked


def _refresh_five(hazard):
    hazard.five_complete = not five_implementations_missing(hazard)


def _tally(hazard, old, new):
    """Move one hazard between the tally's cells; ``old``/``new`` are (status, five_complete)
    or None (not counted). Called in the transaction of the change it counts."""
    if old == new:
        return
    area_id = hazard.county_id or hazard.city_id
    if old is not None:
        HazardTally.objects.filter(area_id=area_id, status=old[0], five_complete=old[1]).update(
            count=F("count") - 1
        )
    if new is not None:
        cell = HazardTally.objects.filter(area_id=area_id, status=new[0], five_complete=new[1])
        if not cell.update(count=F("count") + 1):
            with transaction.atomic():  # two first hazards of a cell at once: one creates it
                HazardTally.objects.get_or_create(
                    area_id=area_id,
                    status=new[0],
                    five_complete=new[1],
                    defaults={"city_id": hazard.city_id},
                )
            cell.update(count=F("count") + 1)


def _key(hazard):
    return (hazard.status, hazard.five_complete)


def hazard_tally_rebuild():
    """Recount the tally from the register (after bulk loads such as seed_demo/seed_scale)."""
    from django.db.models import Count

    with transaction.atomic():
        HazardTally.objects.all().delete()
        rows = (
            Hazard.objects.order_by()
            .values("county_id", "city_id", "status", "five_complete")
            .annotate(n=Count("id"))
        )
        HazardTally.objects.bulk_create(
            HazardTally(
                area_id=row["county_id"] or row["city_id"],
                city_id=row["city_id"],
                status=row["status"],
                five_complete=row["five_complete"],
                count=row["n"],
            )
            for row in rows
        )


# --- Registration and edits -----------------------------------------------------------------


@transaction.atomic
def hazard_register(
    *,
    school,
    category,
    level,
    source,
    location,
    description,
    found_on,
    actor,
    deadline=None,
    provincial_ref="",
    **five,
):
    """Register a hazard found at ``school``. The time limit defaults by grade and category.

    ``provincial_ref`` is for hazards that arrive from the provincial system with a number.
    """
    if school.kind != Kind.SCHOOL:
        raise ValidationError(_("Hazards are registered at a school."))
    if not access.has_perm_at(actor, Perm.VIEW, school):
        from django.http import Http404

        raise Http404
    if not access.has_perm_at(actor, Perm.REGISTER_HAZARD, school):
        raise PermissionDenied
    if found_on > timezone.localdate():
        raise ValidationError(_("The date found cannot be in the future."))
    county, city = _units_of(school)
    hazard = Hazard(
        school=school,
        county=county,
        city=city,
        category=category,
        level=level,
        source=source,
        location=location,
        description=description,
        found_on=found_on,
        found_by=actor,
        deadline=deadline or default_deadline(category=category, level=level, found_on=found_on),
        provincial_ref=provincial_ref,
    )
    for field, value in five.items():
        if field not in FIVE_FIELDS:
            raise TypeError(f"{field} is not one of the five implementations")
        setattr(hazard, field, value)
    hazard.code = _hazard_code(city=city, year=found_on.year)
    _refresh_five(hazard)
    hazard.full_clean()
    hazard.save()
    _tally(hazard, None, _key(hazard))
    _event(hazard, kind=HazardEvent.Kind.REGISTERED, actor=actor, to_status=Status.REPORTED)
    if hazard.five_complete:
        _move(hazard, actor=actor, to=Status.PLANNED, note="")
    return hazard


def _move(hazard, *, actor, to, note, **fields):
    from_status = hazard.status
    before = _key(hazard)
    hazard.status = to
    for name, value in fields.items():
        setattr(hazard, name, value)
    hazard.updated_at = timezone.now()
    hazard.save()
    _tally(hazard, before, _key(hazard))
    return _event(
        hazard,
        kind=HazardEvent.Kind.TRANSITION,
        actor=actor,
        from_status=from_status,
        to_status=to,
        note=note,
    )


@transaction.atomic
def hazard_update(*, hazard, actor, **fields):
    """Change registered fields or the five implementations; every change is recorded.

    Completing the five implementations moves a registered hazard to ``planned``. Once
    rectification is under way they must stay complete. Changing the time limit after
    registration is for the supervising level (accept permission).
    """
    _require(actor, Perm.MANAGE_HAZARD, hazard)
    locked = _lock(hazard, (Status.REPORTED, Status.PLANNED, Status.RECTIFYING))
    before = _key(locked)
    changes = {}
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"{name} cannot be edited")
        old = getattr(locked, name)
        if old != value:
            changes[name] = ["" if old is None else str(old), "" if value is None else str(value)]
            setattr(locked, name, value)
    if not changes:
        return locked
    if "deadline" in changes and not access.has_perm_at(actor, Perm.ACCEPT_HAZARD, locked.school):
        raise ValidationError({"deadline": _("Only the county or city may change the time limit.")})
    _refresh_five(locked)
    if locked.status != Status.REPORTED and not locked.five_complete:
        raise ValidationError(
            _("The five implementations must stay complete once the plan is in place.")
        )
    locked.full_clean()
    locked.updated_at = timezone.now()
    locked.save()
    _tally(locked, before, _key(locked))
    _event(locked, kind=HazardEvent.Kind.EDIT, actor=actor, changes=changes)
    if locked.status == Status.REPORTED and locked.five_complete:
        _move(locked, actor=actor, to=Status.PLANNED, note="")
    return locked


@transaction.atomic
def hazard_set_deadline(*, hazard, actor, deadline, note=""):
    """The supervising level sets a new time limit (also a bulk action on the register).

    Fast path, a compare-and-set: while the hazard is open and still has the time limit the
    caller loaded, one conditional UPDATE locks, checks and changes the row, and the five
    implementations cannot change (a time limit replaces a time limit). Otherwise the locking
    path below decides, with its conflict message.
    """
    _require(actor, Perm.ACCEPT_HAZARD, hazard)
    seen = hazard.deadline
    if seen is not None and deadline is not None and seen != deadline:
        now = timezone.now()
        changed = Hazard.objects.filter(
            pk=hazard.pk, status__in=Hazard.OPEN_STATUSES, deadline=seen
        ).update(deadline=deadline, updated_at=now)
        if changed:
            hazard.deadline, hazard.updated_at = deadline, now
            _event(
                hazard,
                kind=HazardEvent.Kind.EDIT,
                actor=actor,
                changes={"deadline": [str(seen), str(deadline)]},
                note=note,
            )
            return hazard
    locked = _lock(hazard, Hazard.OPEN_STATUSES)
    if locked.deadline == deadline:
        return locked
    changes = {"deadline": [str(locked.deadline or ""), str(deadline)]}
    before = _key(locked)
    locked.deadline = deadline
    _refresh_five(locked)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["deadline", "five_complete", "updated_at"])
    _tally(locked, before, _key(locked))
    _event(locked, kind=HazardEvent.Kind.EDIT, actor=actor, changes=changes, note=note)
    if locked.status == Status.REPORTED and locked.five_complete:
        _move(locked, actor=actor, to=Status.PLANNED, note="")
    return locked


# --- The closed loop ------------------------------------------------------------------------


@transaction.atomic
def hazard_start_rectification(*, hazard, actor, note=""):
    """planned → rectifying: the five implementations are in place and work begins."""
    _require(actor, Perm.MANAGE_HAZARD, hazard)
    locked = _lock(hazard, (Status.PLANNED,))
    if not locked.five_complete:  # belt and braces; the database refuses it too
        raise ValidationError(_("Complete the five implementations first."))
    _move(locked, actor=actor, to=Status.RECTIFYING, note=note)
    return locked


@transaction.atomic
def hazard_submit_for_acceptance(*, hazard, actor, note=""):
    """rectifying → awaiting acceptance; needs evidence of the rectification."""
    _require(actor, Perm.MANAGE_HAZARD, hazard)
    locked = _lock(hazard, (Status.RECTIFYING,))
    has_evidence = locked.evidence.filter(
        kind__in=[Evidence.Kind.AFTER, Evidence.Kind.DOCUMENT]
    ).exists()
    if not has_evidence:
        raise ValidationError(
            _("Add an after-photo or a document that shows the rectification first.")
        )
    _move(locked, actor=actor, to=Status.AWAITING_ACCEPTANCE, note=note, rectified_by=actor)
    return locked


def _require_acceptor(actor, hazard):
    """County level or above for general hazards, city level for major ones; never the person
    who rectified it."""
    _require(actor, Perm.ACCEPT_HAZARD, hazard)
    levels = access.levels_at(actor, Perm.ACCEPT_HAZARD, hazard.school)
    needed = (
        {Kind.CITY, Kind.PROVINCE}
        if hazard.level == Hazard.Level.MAJOR
        else {Kind.COUNTY, Kind.CITY, Kind.PROVINCE}
    )
    if not levels & needed:
        if hazard.level == Hazard.Level.MAJOR:
            raise ValidationError(_("A major hazard is accepted by the city."))
        raise ValidationError(_("A hazard is accepted by the county or the city."))


@transaction.atomic
def hazard_accept(*, hazard, actor, note=""):
    """awaiting acceptance → closed (销号)."""
    _require_acceptor(actor, hazard)
    locked = _lock(hazard, (Status.AWAITING_ACCEPTANCE,))
    if locked.rectified_by_id == actor.pk:
        raise ValidationError(_("The person who rectified a hazard cannot also accept it."))
    _move(
        locked,
        actor=actor,
        to=Status.CLOSED,
        note=note,
        accepted_by=actor,
        closed_at=timezone.now(),
    )
    return locked


@transaction.atomic
def hazard_reject(*, hazard, actor, note):
    """awaiting acceptance → rectifying, with the reason."""
    if not note.strip():
        raise ValidationError({"note": _("Give the reason for sending it back.")})
    _require_acceptor(actor, hazard)
    locked = _lock(hazard, (Status.AWAITING_ACCEPTANCE,))
    _move(locked, actor=actor, to=Status.RECTIFYING, note=note)
    return locked


@transaction.atomic
def hazard_reopen(*, hazard, actor, note):
    """closed → rectifying: a re-inspection found it again. The reason is required."""
    if not note.strip():
        raise ValidationError({"note": _("Give the reason for reopening it.")})
    _require_acceptor(actor, hazard)
    locked = _lock(hazard, (Status.CLOSED,))
    _move(locked, actor=actor, to=Status.RECTIFYING, note=note, accepted_by=None, closed_at=None)
    return locked


TRANSITIONS = {
    "start": hazard_start_rectification,
    "submit": hazard_submit_for_acceptance,
    "accept": hazard_accept,
    "reject": hazard_reject,
    "reopen": hazard_reopen,
}


# --- Comments, files, meetings --------------------------------------------------------------


@transaction.atomic
def hazard_comment(*, hazard, actor, note):
    if not note.strip():
        raise ValidationError({"note": _("Write a comment first.")})
    _require(actor, Perm.VIEW, hazard)
    return _event(hazard, kind=HazardEvent.Kind.COMMENT, actor=actor, note=note)


@transaction.atomic
def hazard_attach(*, hazard, actor, kind, upload):
    """Attach a checked upload (see hazards.files.check_upload) to the hazard."""
    from hazards.files import check_upload

    perm = Perm.REGISTER_HAZARD if kind == Evidence.Kind.BEFORE else Perm.MANAGE_HAZARD
    _require(actor, perm, hazard)
    # Locked, so a file cannot slip onto a hazard someone has just closed.
    hazard = _lock(hazard, Hazard.OPEN_STATUSES)
    content_type = check_upload(upload)
    event = _event(hazard, kind=HazardEvent.Kind.FILE, actor=actor, note=upload.name[:200])
    evidence = Evidence(
        hazard=hazard,
        event=event,
        kind=kind,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    evidence.file.save(upload.name[-100:], upload, save=False)
    evidence.save()
    if kind == Evidence.Kind.PLAN:
        # A plan file can be the last of the five implementations to arrive.
        before = _key(hazard)
        hazard.five_complete = not five_implementations_missing(hazard, has_plan_file=True)
        hazard.save(update_fields=["five_complete"])
        _tally(hazard, before, _key(hazard))
        if hazard.status == Status.REPORTED and hazard.five_complete:
            _move(hazard, actor=actor, to=Status.PLANNED, note="")
    return evidence


@transaction.atomic
def consultation_meeting_record(
    *,
    hazard,
    actor,
    held_on,
    attendees,
    opinions,
    measures,
    deadline,
    responsible_department,
    title="",
):
    """Record the consultation meeting a major hazard calls for (S12) and link it."""
    _require(actor, Perm.ACCEPT_HAZARD, hazard)
    unit = hazard.county or hazard.city
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.CONSULTATION,
        unit=unit,
        title=title or _("Consultation meeting on hazard %(code)s") % {"code": hazard.code},
        held_on=held_on,
        attendees=attendees,
        opinions=opinions,
        measures=measures,
        deadline=deadline,
        responsible_department=responsible_department,
        recorded_by=actor,
    )
    Hazard.objects.filter(pk=hazard.pk).update(consultation_meeting=meeting)
    hazard.consultation_meeting = meeting
    _event(hazard, kind=HazardEvent.Kind.MEETING, actor=actor, note=meeting.title)
    return meeting


# --- Notifications --------------------------------------------------------------------------


def hazard_event_notify(*, event_id):
    """Tell the people concerned about one event (called by a task after the commit)."""
    from django.conf import settings
    from django.utils import translation

    from campaign.selectors import people_with_perm_at
    from campaign.services import notify

    event = HazardEvent.objects.select_related("hazard", "hazard__school").filter(pk=event_id)
    event = event.first()
    if event is None:
        return 0
    hazard = event.hazard
    acceptor_units = (
        [hazard.city_id]
        if hazard.is_major
        else [u for u in (hazard.county_id, hazard.city_id) if u]
    )
    recipients = []
    with translation.override(settings.LANGUAGE_CODE):
        if event.kind == HazardEvent.Kind.REGISTERED:
            recipients = people_with_perm_at([hazard.school_id], Perm.MANAGE_HAZARD)
            if hazard.is_major:
                recipients += people_with_perm_at(acceptor_units, Perm.ACCEPT_HAZARD)
            text = _("New hazard %(code)s at %(school)s: %(location)s") % {
                "code": hazard.code,
                "school": hazard.school.name,
                "location": hazard.location,
            }
        elif event.to_status == Status.AWAITING_ACCEPTANCE:
            recipients = people_with_perm_at(acceptor_units, Perm.ACCEPT_HAZARD)
            text = _("Hazard %(code)s at %(school)s awaits your acceptance.") % {
                "code": hazard.code,
                "school": hazard.school.name,
            }
        elif (
            event.kind == HazardEvent.Kind.TRANSITION
            and event.to_status
            in (
                Status.CLOSED,
                Status.RECTIFYING,
            )
            and event.from_status in (Status.AWAITING_ACCEPTANCE, Status.CLOSED)
        ):
            recipients = people_with_perm_at([hazard.school_id], Perm.MANAGE_HAZARD)
            text = _("Hazard %(code)s is now “%(status)s”.") % {
                "code": hazard.code,
                "status": Status(event.to_status).label,
            }
        else:
            return 0
    recipients = [u for u in {u.pk: u for u in recipients}.values() if u.pk != event.actor_id]
    return notify(
        recipients=recipients,
        kind=f"hazard.{event.kind}",
        text=text,
        link=hazard.get_absolute_url(),
        unit=hazard.school,
        dedupe_key=f"hazard-event:{event.pk}",
    )
