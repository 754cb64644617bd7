"""The closed loop (DESIGN §5, S15): start, submit for acceptance, accept, reject, reopen.

``planned`` is reached by completing the five implementations (``register.py``), not by a
button. Each transition is one service that locks the row, checks the from-state and the
actor's permission, writes an immutable event and queues notifications on commit. Two people
acting at once: the second finds the state changed and gets a ``HazardConflict`` with a
message for the user.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access
from campaign.roles import Perm
from hazards.models import Evidence, Hazard
from hazards.services.base import Kind, Status, _lock, _move, _require


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
