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


def weekly_rates(city, since, until):
    """Reporting and on-time rates of the school weekly reports per reviewing unit, over the
    weeks since the last issue (all weeks of the year for the first). Two queries."""
    from campaign.models import OrgUnit
    from reporting.models import WeeklyReport
    from reporting.weekly.rates import school_rates, total

    today = timezone.localdate(until) if until else timezone.localdate()
    start = timezone.localdate(since) if since else date(today.year, 1, 1)
    reports = WeeklyReport.objects.filter(city=city, week__gte=start, week__lte=today)
    rates = school_rates(reports)
    if not rates:
        return None
    names = dict(OrgUnit.objects.filter(pk__in=rates).values_list("pk", "name"))
    rows = [
        {
            "name": names.get(pk, ""),
            "expected": r.expected,
            "submitted": r.submitted,
            "on_time": r.on_time,
            "empty": r.empty,
            "reporting_pct": round(100 * r.reporting_rate, 1),
            "on_time_pct": round(100 * r.on_time_rate, 1),
        }
        for pk, r in sorted(rates.items(), key=lambda kv: names.get(kv[0], ""))
    ]
    t = total(rates.values())
    return {
        "from": start.isoformat(),
        "rows": rows,
        "total": {
            "expected": t.expected,
            "submitted": t.submitted,
            "reporting_pct": round(100 * t.reporting_rate, 1),
            "on_time_pct": round(100 * t.on_time_rate, 1),
        },
    }


def circulars(city, since, until):
    """The circulars published since the last issue (only published ones: never a plan that is
    sealed or not yet revealed)."""
    from inspections.models import Circular

    qs = Circular.objects.filter(city=city, state=Circular.State.PUBLISHED)
    if since:
        qs = qs.filter(published_at__gt=since)
    rows = [
        {"doc_number": c.doc_number, "title": c.title}
        for c in qs.order_by("issued_on", "number")[:50]
    ]
    return {"rows": rows} if rows else None


def county_progress_chart(data):
    """A pygal bar chart of the share of hazards closed per county, drawn from the snapshot."""
    import pygal

    from inspections.charts import style

    rows = data.get("rows") or []
    if not rows:
        return ""
    chart = pygal.Bar(
        style=style(),
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=640,
        height=300,
        margin=12,
        range=(0, 100),
        explicit_size=True,
    )
    chart.x_labels = [row["name"] for row in rows]
    chart.add("%", [row["closed_pct"] for row in rows])
    return chart.render(is_unicode=True)


CHARTS = {"county_progress": county_progress_chart}
