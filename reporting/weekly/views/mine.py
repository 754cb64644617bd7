"""The officer's (and the county clerk's) own weekly reports: this week first, then the
weeks before, with what needs doing."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaign import access
from campaign.roles import Perm
from reporting.models import WeeklyReport
from reporting.weekly import periods, policy, selectors

WEEKS_SHOWN = 12


def own_reports(user, *, since):
    """The reports the user fills (their own unit's, not those they review), newest first."""
    # A grant's own unit: county staff hold SUBMIT_REPORTS over their schools too, but the
    # schools' reports are not theirs to fill (policy.may_fill).
    reports = (
        selectors.weekly_reports_for_user(user, Perm.SUBMIT_REPORTS)
        .filter(week__gte=since, unit__in=access.top_units(user, Perm.SUBMIT_REPORTS))
        .select_related("unit", "review_unit")
        .order_by("-week", "unit__path")
    )
    return [r for r in reports if policy.may_fill(user, r)]


@login_required
@require_GET
def week_mine(request):
    this_week = periods.this_week()
    reports = own_reports(request.user, since=this_week - dt.timedelta(weeks=WEEKS_SHOWN - 1))
    now = timezone.now()
    for r in reports:
        r.label = periods.label(r.week)
        r.title = periods.title(r.week)
        r.overdue = not r.is_submitted and r.due_at < now
        r.needs_me = r.status in policy.EDITABLE and r.locked_at is None
    current = [r for r in reports if r.week == this_week]
    returned = [r for r in reports if r.status == WeeklyReport.Status.RETURNED and r.needs_me]
    missing = [r for r in reports if r.overdue and r.week != this_week and r.needs_me]
    may_review = bool(
        access.is_unrestricted(request.user) or access.top_units(request.user, Perm.REVIEW_REPORTS)
    )
    return render(
        request,
        "reporting/weekly/week_mine.html",
        {
            "this_week": this_week,
            "this_title": periods.title(this_week),
            "current": current,
            "returned": returned,
            "missing": missing,
            "history": [r for r in reports if r.week != this_week],
            "may_review": may_review,
        },
    )
