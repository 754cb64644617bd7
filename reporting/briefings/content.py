"""The briefing sections the briefings part itself writes from live data (JSON-able snapshots)."""

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from hazards.models import Hazard


def county_progress(city, since, until):
    """Per county of ``city`` (and its city-direct schools): the hazards found this year,
    closed, overdue, and the share of the open ones with five implementations complete. One
    grouped query."""
    today = timezone.localdate(until) if until else timezone.localdate()
    open_q = Q(status__in=Hazard.OPEN_STATUSES)
    rows = (
        Hazard.objects.filter(city=city, found_on__gte=date(today.year, 1, 1), found_on__lte=today)
        .values("county_id", "county__name", "county__code")
        .annotate(
            found=Count("id"),
            closed=Count("id", filter=Q(status=Hazard.Status.CLOSED)),
            open=Count("id", filter=open_q),
            overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
            five=Count("id", filter=open_q & Q(five_complete=True)),
        )
        .order_by("county__code")
    )
    out = []
    for row in rows:
        out.append(
            {
                "name": row["county__name"] or city.name,
                "found": row["found"],
                "closed": row["closed"],
                "overdue": row["overdue"],
                "closed_pct": round(100 * row["closed"] / row["found"], 1) if row["found"] else 0,
                "five_pct": round(100 * row["five"] / row["open"], 1) if row["open"] else 100.0,
            }
        )
    return {"year": today.year, "rows": out}
