"""The reviewer's pages of the weekly reports: the week's inbox, and accept / return (POST).

Reads go through ``reporting.weekly.selectors`` (out of scope: 404, like missing); the
services in ``reporting.weekly.review`` have the final word on permission (403) and state
(a clear message, nothing changed).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from reporting.models import FIGURES, WeeklyReport
from reporting.weekly import periods, review, selectors, weekpage

Status = WeeklyReport.Status
ORDER = Case(
    When(status=Status.SUBMITTED, then=Value(0)),
    When(status=Status.RETURNED, then=Value(1)),
    When(status=Status.ACCEPTED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def _review_units(user):
    """The units whose inbox the user keeps: where they hold REVIEW_REPORTS directly (every
    city for an unrestricted user)."""
    if access.is_unrestricted(user):
        return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, is_active=True))
    return [u for u in access.top_units(user, Perm.REVIEW_REPORTS) if u.kind != OrgUnit.Kind.SCHOOL]


@login_required
@require_GET
def week_review(request, week_label=None):
    week, bad = weekpage.week_or_redirect(request, week_label, "reporting:week_review")
    if bad:
        return bad
    units = _review_units(request.user)
    inbox = list(
        selectors.weekly_reports_for_user(request.user, Perm.REVIEW_REPORTS)
        .filter(week=week, review_unit__in=units)
        .select_related("unit")
        .annotate(order=ORDER)
        .order_by("order", "level", "unit__path")
    )
    own = list(
        selectors.weekly_reports_for_user(request.user)
        .filter(week=week, unit__in=units)
        .select_related("unit")
        .order_by("unit__path")
    )
    names = [name for name, _label in FIGURES]
    for r in inbox + own:
        r.cells = [getattr(r, n) for n in names]
        r.link = review.report_link(r)
    counts = {s: sum(1 for r in inbox if r.status == s) for s in Status.values}
    return render(
        request,
        "reporting/weekly/week_review.html",
        {
            **weekpage.week_context(week),
            "inbox": inbox,
            "own": own,
            "counts": counts,
            "figures": FIGURES,
            "units": units,
        },
    )


def _back(request, report_week):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if report_week is None:
        return redirect("reporting:week_review")
    return redirect(reverse("reporting:week_review_week", args=[periods.label(report_week)]))


def _act(request, unit_code, week_label, action):
    week = periods.parse_label(week_label)
    if week is None:
        messages.error(request, _("“%(label)s” is not a week.") % {"label": week_label[:20]})
        return _back(request, None)
    report = selectors.weekly_report_for_user(request.user, unit_code, week_label)
    try:
        message = action(report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return _back(request, week)


@login_required
@require_POST
def week_accept(request, unit_code, week_label):
    def action(report):
        review.accept(request.user, report)
        if report.level == WeeklyReport.Level.COUNTY:
            return _("%(unit)s's report received; its schools' reports are now final.") % {
                "unit": report.unit.name
            }
        return _("%(unit)s's report accepted.") % {"unit": report.unit.name}

    return _act(request, unit_code, week_label, action)


@login_required
@require_POST
def week_return(request, unit_code, week_label):
    def action(report):
        review.return_report(request.user, report, request.POST.get("reason", ""))
        return _("%(unit)s's report returned with your reason.") % {"unit": report.unit.name}

    return _act(request, unit_code, week_label, action)
