"""The briefing's sections from the campaign's governance (issue 10): student casualty
incidents and the units absent without leave since the last issue.

Like every section, each returns a JSON-able snapshot for the draft (names and labels in the
drafting language, as the briefing is written), or None when it has nothing to say. The
directives' progress is added by the directives part.
"""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from campaign.accountability import selectors as accountability_selectors
from campaign.models import AccountabilityEntry, Incident

ROWS_MAX = 50


def incidents(city, since, until):
    """The incidents reported in ``city`` since the last issue (all of them for the first
    issue): one row each, newest last, with the totals (one query for the totals, one for the
    rows, capped at ROWS_MAX)."""
    qs = Incident.objects.filter(city=city, reported_at__lte=until)
    if since:
        qs = qs.filter(reported_at__gt=since)
    totals = qs.aggregate(
        count=Count("id"),
        off_campus=Count("id", filter=Q(on_campus=False)),
        late=Count("id", filter=Q(late_to_county=True) | Q(late_to_city=True)),
        deaths=Sum("deaths"),
        serious=Sum("serious_injuries"),
        minor=Sum("minor_injuries"),
    )
    if not totals["count"]:
        return None
    rows = [
        {
            "day": timezone.localtime(i.occurred_at).date().isoformat(),
            "unit": i.unit.name,
            "county": i.county.name if i.county else "",
            "category": i.get_category_display(),
            "on_campus": i.on_campus,
            "deaths": i.deaths,
            "serious": i.serious_injuries,
            "minor": i.minor_injuries,
            "late": i.is_late,
        }
        for i in qs.select_related("unit", "county").order_by("occurred_at", "id")[:ROWS_MAX]
    ]
    return {
        "rows": rows,
        **{k: v or 0 for k, v in totals.items()},
        "more": max(0, totals["count"] - len(rows)),
    }


def absent_without_leave(city, since, until):
    """The units put on record as absent without leave since the last issue, with the meeting
    each one missed."""
    qs = AccountabilityEntry.objects.filter(
        unit__path__startswith=city.path,
        kind=AccountabilityEntry.Kind.ABSENT_WITHOUT_LEAVE,
        recorded_at__lte=until,
    )
    if since:
        qs = qs.filter(recorded_at__gt=since)
    entries = list(
        qs.select_related("unit", "source_type").order_by("occurred_on", "unit__path")[:ROWS_MAX]
    )
    if not entries:
        return None
    accountability_selectors.with_sources(entries)
    return {
        "rows": [
            {
                "day": e.occurred_on.isoformat(),
                "unit": e.unit.name,
                "meeting": e.source_text,
                "explained": bool(e.explanation),
            }
            for e in entries
        ]
    }
