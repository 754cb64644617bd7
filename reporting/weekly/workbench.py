"""The weekly reports' section of the workbench (registered in reporting.weekly.setup).

- whoever fills a report (a school's officer, a county's staff): this week's own report, its
  status and deadline, with the one button to fill or correct it, and any returned report;
- whoever reviews (county, city): how many reports await their review, this week and before.
Two queries at most, whatever the number of reports.
"""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from campaign import access
from campaign.roles import Perm
from campaign.workbench import register_section
from reporting.models import WeeklyReport
from reporting.weekly import periods, policy, selectors

LOOK_BACK_WEEKS = 4


def section_context(user):
    this_week = periods.this_week()
    since = this_week - dt.timedelta(weeks=LOOK_BACK_WEEKS)
    own_units = access.top_units(user, Perm.SUBMIT_REPORTS)
    own = [
        r
        for r in selectors.weekly_reports_for_user(user, Perm.SUBMIT_REPORTS)
        .filter(week__gte=since, unit__in=own_units)
        .select_related("unit", "review_unit")
        .order_by("-week", "unit__path")
        if policy.may_fill(user, r)
    ]
    now = timezone.now()
    for r in own:
        r.link = reverse("reporting:week_report", args=[r.unit.code, periods.label(r.week)])
        r.overdue = not r.is_submitted and r.due_at < now
        r.needs_me = r.status in policy.EDITABLE and r.locked_at is None
    current = [r for r in own if r.week == this_week]
    returned = [r for r in own if r.week != this_week and r.status == WeeklyReport.Status.RETURNED]

    awaiting = None
    unrestricted = access.is_unrestricted(user)
    if unrestricted or access.granted_paths(user).get(Perm.REVIEW_REPORTS):
        reports = selectors.weekly_reports_for_user(user, Perm.REVIEW_REPORTS).filter(
            week__gte=since, status=WeeklyReport.Status.SUBMITTED, locked_at__isnull=True
        )
        if not unrestricted:
            # Those they review directly, as their inbox lists them (not their schools' own
            # county's work for a city user).
            reports = reports.filter(review_unit__in=access.top_units(user, Perm.REVIEW_REPORTS))
        awaiting = reports.aggregate(
            this_week=Count("id", filter=Q(week=this_week)),
            before=Count("id", filter=Q(week__lt=this_week)),
        )
    if not own and awaiting is None:
        return None
    return {
        "current": current,
        "returned": returned,
        "awaiting": awaiting,
        "week_title": periods.title(this_week),
        "label": periods.label(this_week),
    }


def register():
    register_section(
        "reporting/weekly/_workbench.html",
        section_context,
        links_template="reporting/weekly/_workbench_links.html",
        order=15,
    )
