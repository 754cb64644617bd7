"""The briefing's sections from the campaign's governance (issue 10): student casualty
incidents, the units absent without leave and the directives' progress since the last issue.

Like every section, each returns a JSON-able snapshot for the draft (names and labels in the
drafting language, as the briefing is written), or None when it has nothing to say.
"""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from campaign.accountability import selectors as accountability_selectors
from campaign.directives import selectors as directive_selectors
from campaign.models import AccountabilityEntry, Directive, Incident

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


def directives(city, since, until):
    """The directives issued by units of ``city`` that were issued since the last issue or
    whose deadline fell in it (every directive for the first issue), the nearest deadline
    first: how many units have confirmed on time, late, or not yet (and of those, how many
    are past the deadline), the cascade to lower units counted in. Passed-on directives are
    counted in the chain they came from, not listed again. Two queries."""
    until_day = timezone.localdate(until)
    qs = Directive.objects.filter(
        issuer__path__startswith=city.path, root__isnull=True, issued_at__lte=until
    )
    if since:
        since_day = timezone.localdate(since)
        qs = qs.filter(Q(issued_at__gt=since) | Q(deadline__gt=since_day, deadline__lte=until_day))
    found = list(
        qs.select_related("issuer")
        .only("title", "deadline", "issuer__name")
        .order_by("deadline", "id")[:ROWS_MAX]
    )
    if not found:
        return None
    counts = directive_selectors.chain_counts([d.pk for d in found], on=until_day)
    empty = {"total": 0, "on_time": 0, "late": 0, "pending": 0, "overdue": 0, "direct": 0}
    rows = [
        {
            "title": d.title,
            "issuer": d.issuer.name,
            "deadline": d.deadline.isoformat(),
            **counts.get(d.pk, empty),
        }
        for d in found
    ]
    return {
        "rows": rows,
        "late": sum(r["late"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
    }
