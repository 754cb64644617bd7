"""The per-county tally of the register (``HazardTally``), kept in the transaction of every
change so that the register's whole-scope counts read a few rows per county."""

from django.db import transaction
from django.db.models import F

from hazards.models import Hazard, HazardTally


def _tally(hazard, old, new):
    """Move one hazard between the tally's cells; ``old``/``new`` are (status, five_complete)
    or None (not counted). Called once per change, with its net effect, in the transaction of
    the change it counts.

    The cells are updated in one fixed order (by status, then five-implementations state),
    whatever the direction of the move: a submit (rectifying → awaiting) and a send-back
    (awaiting → rectifying) in the same county then lock the two cells in the same order and
    wait for each other instead of deadlocking.
    """
    if old == new:
        return
    area_id = hazard.county_id or hazard.city_id
    moves = {}
    if old is not None:
        moves[old] = -1
    if new is not None:
        moves[new] = +1
    for (status, five), delta in sorted(moves.items()):
        cell = HazardTally.objects.filter(area_id=area_id, status=status, five_complete=five)
        change = F("count") + 1 if delta > 0 else F("count") - 1
        if cell.update(count=change) or delta < 0:
            continue
        with transaction.atomic():  # two first hazards of a cell at once: one creates it
            HazardTally.objects.get_or_create(
                area_id=area_id,
                status=status,
                five_complete=five,
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
