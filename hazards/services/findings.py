"""Hazards that arrive from an unannounced inspection (DESIGN §3: a higher app plugs in through
a service the register offers, never by writing its tables).

The inspections app has already checked its own rule — the actor is on the plan's team, which
is a grant on the plan, not on the school — so these services take ``authorised_by`` (a short
reason recorded in the event) instead of the register's unit permissions. Everything else is
the register's: numbers, the tally, events, notices and the closed loop that follows.
"""

from django.db import transaction

from hazards.models import Evidence, Hazard
from hazards.services.base import Status, _lock, _move
from hazards.services.imports import LedgerItem, register_batch


def hazards_register_findings(findings, *, actor, authorised_by):
    """Register one hazard per finding, all or none, source "unannounced inspection".

    ``findings``: dicts with ``school`` and the hazard's fields (category, level, location,
    description, found_on) and ``note`` for the registration event. Returns the hazards in
    order. Atomic: the batch registration it calls is one transaction.
    """
    items = [
        LedgerItem(
            school=f["school"],
            fields={
                "category": f["category"],
                "level": f["level"],
                "source": Hazard.Source.INSPECTION,
                "location": f["location"],
                "description": f["description"],
                "found_on": f["found_on"],
            },
            history=None,
            note=f.get("note") or authorised_by,
            county_id=f.get("county_id"),
            city_id=f.get("city_id"),
        )
        for f in findings
    ]
    if not items:
        return []
    # One transaction with the caller's (a visit's finishing): no savepoint of its own.
    with transaction.atomic(savepoint=False):
        return register_batch(items, actor=actor, scope_checked_by=authorised_by)


def evidence_link(*, hazard, actor, kind, stored_name, original_name, content_type, size, at):
    """An evidence row for a file already stored elsewhere (a finding's photo): the same file,
    served through the hazard's own permission check."""
    return Evidence(
        hazard=hazard,
        kind=kind,
        file=stored_name,
        original_name=original_name[:200],
        content_type=content_type,
        size=size,
        uploaded_by=actor,
        uploaded_at=at,
    )


def evidence_link_many(rows):
    Evidence.objects.bulk_create(rows, batch_size=500)


@transaction.atomic
def hazard_reopen_by_recheck(*, hazard, actor, note, authorised_by):
    """closed → rectifying because a re-inspection (复查) found the rectification not real.

    The finding is the reason; the acceptance is cleared from the hazard (its events keep it).
    """
    locked = _lock(hazard, (Status.CLOSED,))
    _move(
        locked,
        actor=actor,
        to=Status.RECTIFYING,
        note=f"{note}\n{authorised_by}" if authorised_by else note,
        accepted_by=None,
        accepted_level="",
        acceptance_opinion="",
        closed_at=None,
    )
    return locked
