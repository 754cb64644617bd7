"""Two more briefing sections written from live data: the key-supervision list (重点督办) and
the inspection results since the last issue. Both return JSON-able snapshots (or None when
there is nothing to say) and run a fixed number of grouped queries, however large the city.
"""

from datetime import date

from django.db.models import Count, Q, Window
from django.utils import timezone

from campaign.models import OrgUnit
from hazards.models import Hazard

# A briefing names at most this many units per list and gives the total beside it: a
# province-sized city's thousands of silent schools belong in the register, not in print.
LIST_MAX = 30


def _period(since, until):
    today = timezone.localdate(until) if until else timezone.localdate()
    start = timezone.localdate(since) if since else date(today.year, 1, 1)
    return start, today


def key_supervision(city, since, until):
    """The units the city should look at: schools that registered no hazard in the period
    (zero data), weekly reports submitted but empty (S7), and major hazards past their
    rectification deadline. Four or five queries."""
    from reporting.models import WeeklyReport

    start, today = _period(since, until)
    schools = OrgUnit.objects.filter(
        kind=OrgUnit.Kind.SCHOOL, is_active=True, path__startswith=city.path
    )
    found = Hazard.objects.filter(city=city, found_on__gte=start, found_on__lte=today)
    silent = schools.exclude(pk__in=found.values("school_id"))
    silent_rows = [
        {"name": name, "county": county or city.name}
        for name, county in silent.order_by("path").values_list("name", "parent__name")[:LIST_MAX]
    ]
    silent_count = silent.count() if len(silent_rows) == LIST_MAX else len(silent_rows)

    empty = (
        WeeklyReport.objects.filter(city=city, week__gte=start, week__lte=today, is_empty=True)
        .values("unit__name", "unit__parent__name")
        .annotate(weeks=Count("id"))
        .order_by("-weeks", "unit__path")
    )
    empty_rows = [
        {"name": r["unit__name"], "county": r["unit__parent__name"] or "", "weeks": r["weeks"]}
        for r in empty[:LIST_MAX]
    ]
    empty_count = empty.count() if len(empty_rows) == LIST_MAX else len(empty_rows)

    overdue = Hazard.objects.filter(
        Q(city=city, level=Hazard.Level.MAJOR, status__in=Hazard.OPEN_STATUSES)
        & Q(deadline__lt=today)
    )
    # The count rides on the list's one scan (a window over the filtered rows, taken before
    # the LIMIT): the filter reads every hazard of the city, so it should run once.
    listed = list(
        overdue.annotate(total=Window(Count("id")))
        .order_by("deadline", "code")
        .values_list("code", "school__name", "county__name", "deadline", "total")[:LIST_MAX]
    )
    major_rows = [
        {
            "code": code,
            "school": school,
            "county": county or city.name,
            "deadline": deadline.isoformat(),
            "days": (today - deadline).days,
        }
        for code, school, county, deadline, _total in listed
    ]
    major_count = listed[0][4] if listed else 0
    if not (silent_rows or empty_rows or major_rows):
        return None
    return {
        "from": start.isoformat(),
        "silent": {"count": silent_count, "rows": silent_rows},
        "empty": {"count": empty_count, "rows": empty_rows},
        "overdue_major": {"count": major_count, "rows": major_rows},
    }


def inspection_results(city, since, until):
    """The results of the inspection plans finished since the last issue, per plan and per
    county. Only finished plans (every visit done and sealed; circulated or about to be):
    a plan still sealed or under way says nothing here, so a briefing never reveals which
    schools are to be visited. Two queries."""
    from inspections.models import InspectionPlan, PlanCountyResult

    plans = InspectionPlan.objects.filter(
        city=city,
        state__in=(InspectionPlan.State.FINISHED, InspectionPlan.State.CIRCULATED),
        finished_at__isnull=False,
    )
    if since:
        plans = plans.filter(finished_at__gt=since)
    if until:
        plans = plans.filter(finished_at__lte=until)
    plans = list(plans.order_by("finished_at", "id").values("id", "title", "finished_at")[:20])
    if not plans:
        return None
    by_plan = {}
    for row in (
        PlanCountyResult.objects.filter(plan_id__in=[p["id"] for p in plans])
        .values_list(
            "plan_id", "county__name", "schools", "items_failed", "critical_failed", "score"
        )
        .order_by("county__code")
    ):
        plan_id, name, schools, failed, critical, score = row
        by_plan.setdefault(plan_id, []).append(
            {
                "name": name or city.name,
                "schools": schools,
                "items_failed": failed,
                "critical_failed": critical,
                "score": float(score),
            }
        )
    out = []
    for plan in plans:
        counties = by_plan.get(plan["id"], [])
        schools = sum(c["schools"] for c in counties)
        mean = (
            round(sum(c["score"] * c["schools"] for c in counties) / schools, 1)
            if schools
            else None
        )
        out.append(
            {
                "title": plan["title"],
                "finished_on": timezone.localdate(plan["finished_at"]).isoformat(),
                "schools": schools,
                "items_failed": sum(c["items_failed"] for c in counties),
                "critical_failed": sum(c["critical_failed"] for c in counties),
                "score": mean,
                "counties": counties,
            }
        )
    return {"plans": out}
