"""The inspections' section of the workbench (registered in ``InspectionsConfig.ready``).

- an inspector on a plan's team: today's and this week's visits (``selectors.team_visits``);
- city supervisors: the plans under way (sealed or in progress);
- a school or a county: the findings of its finished visits and its rectification notices with
  their deadlines.

Secrecy: what a school or county sees comes only from finished visits (their findings are
hazards in the register) and published notices, so a sealed plan changes nothing on their
workbench, not even a number.
"""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from campaign.workbench import register_section
from hazards.models import Hazard
from hazards.selectors import hazards_for_user
from inspections import selectors
from inspections.models import InspectionPlan, Visit

ROWS = 5
FINDING_DAYS = 30  # findings this recent are "new"
State = InspectionPlan.State


def _supervised(user):
    """The plans the user supervises (a city-level grant), without a query for the grants."""
    if access.is_unrestricted(user):
        return InspectionPlan.objects.all()
    granted = access.granted_units(user, Perm.VIEW_INSPECTIONS)
    if not granted:
        return None
    if all(kind == OrgUnit.Kind.CITY for _pk, kind, _path in granted):
        return InspectionPlan.objects.filter(city_id__in=[pk for pk, _k, _p in granted])
    return InspectionPlan.objects.filter(city_id__in=selectors.supervised_city_ids(user))


def _team(user, today):
    week_end = today + dt.timedelta(days=6 - today.weekday())
    visits = list(
        selectors.team_visits(user, since=today, until=week_end).exclude(
            state=Visit.State.FINISHED
        )[:50]
    )
    today_rows, week_rows = [], []
    for visit in visits:
        plan = visit.plan
        if visit.state == Visit.State.STARTED or visit.planned_on == today:
            today_rows.append(visit)
        elif visit.planned_on is None and plan.period_start <= today <= plan.period_end:
            today_rows.append(visit)
        else:
            week_rows.append(visit)
    return {"today": today_rows[:10], "week": week_rows[:10], "week_end": week_end}


def section_context(user):
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    context = {}
    team = _team(user, today)
    if team["today"] or team["week"]:
        context["team"] = team
    supervised = _supervised(user)
    if supervised is not None:
        context["plans"] = list(
            supervised.filter(state__in=(State.SEALED, State.IN_PROGRESS))
            .annotate(
                n_visits=Count("visits", distinct=True),
                n_finished=Count(
                    "visits", filter=Q(visits__finished_at__isnull=False), distinct=True
                ),
            )
            .order_by("period_start", "id")[:ROWS]
        )
        context["may_plan"] = True
    elif access.granted_paths(user).get(Perm.VIEW):
        # A school, a county: only what has happened — findings of finished visits, notices.
        since = today - dt.timedelta(days=FINDING_DAYS)
        findings = list(
            hazards_for_user(user)
            .filter(source=Hazard.Source.INSPECTION, finding__isnull=False, found_on__gte=since)
            .select_related("school", "category")
            .order_by("-found_on", "-id")[: ROWS + 1]
        )
        notices = list(
            selectors.notices_for(user)
            .filter(deadline__gte=today - dt.timedelta(days=FINDING_DAYS))
            .select_related("school", "circular")
            .order_by("deadline", "id")[:ROWS]
        )
        if findings:
            context["findings"] = findings[:ROWS]
            context["more_findings"] = len(findings) > ROWS
            context["findings_url"] = (
                f"{reverse('hazards:hazard_list')}?"
                f"{urlencode({'source': Hazard.Source.INSPECTION.value, 'sort': 'deadline'})}"
            )
        if notices:
            context["notices"] = notices
        context["today"] = today
    if not (context.keys() - {"today"}):
        return None
    return context


def register():
    register_section(
        "inspections/_workbench.html",
        section_context,
        links_template="inspections/_workbench_links.html",
        order=20,
    )
