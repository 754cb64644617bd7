"""Registration and edits: register a hazard, change its facts or five implementations, set
its time limit (the register's bulk action)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access
from campaign.roles import Perm
from core import dates
from core.db import retry_on_conflict
from core.errors import NotPermitted, OutOfScope
from hazards import policy
from hazards.models import FIVE_IMPLEMENTATIONS, Hazard, HazardEvent
from hazards.services.base import (
    Kind,
    Status,
    _event,
    _hazard_code,
    _key,
    _lock,
    _planned_event,
    _refresh_five,
    _require,
    _units_of,
    default_deadline,
)
from hazards.services.tally import _tally

EDITABLE_FIELDS = (
    "category",
    "level",
    "source",
    "location",
    "description",
    "found_on",
    "provincial_ref",
    "ledger_ref",  # the number in the county's ledger, corrected by an import of the export
) + FIVE_IMPLEMENTATIONS


@retry_on_conflict
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
        raise OutOfScope
    if not access.has_perm_at(actor, Perm.REGISTER_HAZARD, school):
        raise NotPermitted
    dates.check_plausible(found_on, field="found_on")
    dates.check_plausible(deadline, field="deadline")
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
        if field not in FIVE_IMPLEMENTATIONS:
            raise TypeError(f"{field} is not one of the five implementations")
        setattr(hazard, field, value)
    hazard.code = _hazard_code(city=city, year=found_on.year)
    planned = _refresh_five(hazard)  # registered with the five complete: planned at once
    # The rules above speak to the user; the table's constraints are the last guard (checking
    # them here too would cost a query each).
    hazard.full_clean(validate_constraints=False)
    hazard.save()
    _tally(hazard, None, _key(hazard))
    _event(hazard, kind=HazardEvent.Kind.REGISTERED, actor=actor, to_status=Status.REPORTED)
    if planned:
        _planned_event(hazard, actor=actor)
    return hazard


@retry_on_conflict
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
    for name in ("found_on", "deadline"):
        if name in changes:
            dates.check_plausible(getattr(locked, name), field=name)
    if "deadline" in changes and not policy.may_set_deadline(actor, locked):
        raise ValidationError(
            {
                "deadline": ValidationError(
                    _("Only the county or city may change the time limit."), code="deadline"
                )
            }
        )
    planned = _refresh_five(locked)
    if locked.status != Status.REPORTED and not locked.five_complete:
        raise ValidationError(
            _("The five implementations must stay complete once the plan is in place."),
            code="five_incomplete",
        )
    locked.full_clean(validate_constraints=False)
    locked.updated_at = timezone.now()
    locked.save()
    _tally(locked, before, _key(locked))  # once, with the net change (an edit and its step)
    _event(locked, kind=HazardEvent.Kind.EDIT, actor=actor, changes=changes)
    if planned:
        _planned_event(locked, actor=actor)
    return locked


@retry_on_conflict
@transaction.atomic
def hazard_set_deadline(*, hazard, actor, deadline, note=""):
    """The supervising level sets a new time limit (also a bulk action on the register).

    Fast path, a compare-and-set: while the hazard is open and still has the time limit the
    caller loaded, one conditional UPDATE locks, checks and changes the row, and the five
    implementations cannot change (a time limit replaces a time limit). Otherwise the locking
    path below decides, with its conflict message.
    """
    _require(actor, Perm.ACCEPT_HAZARD, hazard)
    if deadline is None:
        raise ValidationError({"deadline": _("Give the new deadline as a date.")})
    dates.check_plausible(deadline, field="deadline")
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
    planned = _refresh_five(locked)  # a time limit can be the last of the five to arrive
    locked.updated_at = timezone.now()
    locked.save(update_fields=["deadline", "five_complete", "status", "updated_at"])
    _tally(locked, before, _key(locked))
    _event(locked, kind=HazardEvent.Kind.EDIT, actor=actor, changes=changes, note=note)
    if planned:
        _planned_event(locked, actor=actor)
    return locked
