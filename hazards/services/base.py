"""What every write of the register shares: the five implementations, numbers, events, the
row lock and the permission check."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import OrgUnit
from core.errors import Conflict
from hazards import policy
from hazards.models import Evidence, Hazard, HazardCodeCounter, HazardEvent
from hazards.services.tally import _key, _tally

Status = Hazard.Status
Kind = OrgUnit.Kind


class HazardConflict(Conflict):
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
    """``OutOfScope`` when the hazard is out of the actor's sight, ``NotPermitted`` when they
    may not do ``perm`` (404 and 403 to the views)."""
    policy.require_perm(actor, perm, hazard)


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


def _refresh_five(hazard, *, has_plan_file=None):
    """Recompute the five-implementations flag; a registered hazard whose five are now complete
    is planned (the status follows the data, and the database insists). Returns whether it
    moved, so that the caller records the step after saving."""
    hazard.five_complete = not five_implementations_missing(hazard, has_plan_file=has_plan_file)
    if hazard.status == Status.REPORTED and hazard.five_complete:
        hazard.status = Status.PLANNED
        return True
    return False


def _planned_event(hazard, *, actor):
    """The step to ``planned`` that completing the five implementations made."""
    return _event(
        hazard,
        kind=HazardEvent.Kind.TRANSITION,
        actor=actor,
        from_status=Status.REPORTED,
        to_status=Status.PLANNED,
    )


def _move(hazard, *, actor, to, note, **fields):
    """One step of the loop on a locked hazard: save it, count the net move in the tally once,
    record the event."""
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
