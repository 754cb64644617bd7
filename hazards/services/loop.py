"""The closed loop (DESIGN §5, S15): start, submit for acceptance, accept, reject, reopen.

``planned`` is reached by completing the five implementations (``register.py``), not by a
button. Each transition is one service that checks who may act (``hazards.policy``), locks the
row, checks the from-state, writes an immutable event and queues notifications on commit. Two
people acting at once: the second finds the state changed and gets a ``HazardConflict`` with a
message for the user.

Refusals come in a fixed order, each with its own code: out of sight (``OutOfScope``), not
permitted (``NotPermitted``), the wrong level (``level``), a missing reason or opinion
(``required``), the state changed (``conflict``), then what the locked row lacks (``evidence``,
``rectifier``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.roles import Perm
from core.db import retry_on_conflict
from hazards import policy
from hazards.models import Evidence
from hazards.services.base import Status, _lock, _move, _require


def _required(text, message):
    if not text.strip():
        raise ValidationError({"note": ValidationError(message, code="required")})


@retry_on_conflict
@transaction.atomic
def hazard_start_rectification(*, hazard, actor, note=""):
    """planned → rectifying: the five implementations are in place and work begins."""
    _require(actor, Perm.MANAGE_HAZARD, hazard)
    locked = _lock(hazard, (Status.PLANNED,))
    _move(locked, actor=actor, to=Status.RECTIFYING, note=note)
    return locked


@retry_on_conflict
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
            _("Add an after-photo or a document that shows the rectification first."),
            code="evidence",
        )
    _move(
        locked,
        actor=actor,
        to=Status.AWAITING_ACCEPTANCE,
        note=note,
        rectified_by=actor,
        submitted_at=timezone.now(),
    )
    return locked


@retry_on_conflict
@transaction.atomic
def hazard_accept(*, hazard, actor, opinion):
    """awaiting acceptance → closed (验收, 销号), with the acceptor's opinion (验收意见).

    The acceptance is recorded on the hazard: who, when, at which level, with what opinion.
    """
    policy.require_acceptor(actor, hazard)
    if not opinion.strip():
        raise ValidationError(
            {"opinion": ValidationError(_("Give the acceptance opinion."), code="required")}
        )
    locked = _lock(hazard, (Status.AWAITING_ACCEPTANCE,))
    level = policy.require_acceptor(actor, locked)  # the grade on the locked row decides
    policy.require_not_rectifier(actor, locked)
    _move(
        locked,
        actor=actor,
        to=Status.CLOSED,
        note=opinion,
        accepted_by=actor,
        accepted_level=level,
        acceptance_opinion=opinion,
        closed_at=timezone.now(),
    )
    return locked


@retry_on_conflict
@transaction.atomic
def hazard_reject(*, hazard, actor, note):
    """awaiting acceptance → rectifying, with the reason."""
    policy.require_acceptor(actor, hazard)
    _required(note, _("Give the reason for sending it back."))
    locked = _lock(hazard, (Status.AWAITING_ACCEPTANCE,))
    _move(locked, actor=actor, to=Status.RECTIFYING, note=note)
    return locked


@retry_on_conflict
@transaction.atomic
def hazard_reopen(*, hazard, actor, note):
    """closed → rectifying: a re-inspection found it again. The reason is required; the
    acceptance is cleared from the hazard (its events keep it)."""
    policy.require_acceptor(actor, hazard)
    _required(note, _("Give the reason for reopening it."))
    locked = _lock(hazard, (Status.CLOSED,))
    _move(
        locked,
        actor=actor,
        to=Status.RECTIFYING,
        note=note,
        accepted_by=None,
        accepted_level="",
        acceptance_opinion="",
        closed_at=None,
    )
    return locked


TRANSITIONS = {
    "start": hazard_start_rectification,
    "submit": hazard_submit_for_acceptance,
    "accept": hazard_accept,
    "reject": hazard_reject,
    "reopen": hazard_reopen,
}
