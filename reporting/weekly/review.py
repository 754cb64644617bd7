"""Reviewing weekly reports: the county accepts or returns its schools' reports, the city its
counties' (and its city-direct schools'); receiving a county report locks the school reports
under it.

``panel(user, report)`` is the context of the review panel shown on the report page
(templates/reporting/weekly/_review_panel.html): what the user may do with this report there.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.access import has_perm_at, require_perm_at
from campaign.roles import Perm
from core import notices
from core.services.notifications import notify
from reporting.models import WeeklyReport
from reporting.weekly import periods

NOTICE_ACCEPTED = "weekly_accepted"
NOTICE_RETURNED = "weekly_returned"
REASON_MAX = 2000


def _render_accepted(params):
    return _("Your weekly report for %(week)s was accepted.") % params


def _render_returned(params):
    return _("Your weekly report for %(week)s was returned: %(reason)s") % params


def register_notices():
    notices.register(NOTICE_ACCEPTED, _render_accepted)
    notices.register(NOTICE_RETURNED, _render_returned)


def _locked_report(user, report):
    """The report's row, locked, re-read; 403 where the user may not review it; a clear
    ValidationError where it cannot be reviewed now."""
    require_perm_at(user, Perm.REVIEW_REPORTS, report.review_unit)
    locked = (
        WeeklyReport.objects.select_for_update(of=("self",))
        .select_related("unit", "review_unit")
        .get(pk=report.pk)
    )
    if locked.locked_at is not None:
        raise ValidationError(
            _("This report is locked: the county report above it has been received.")
        )
    if locked.status != WeeklyReport.Status.SUBMITTED:
        raise ValidationError(_("Only a report awaiting review can be accepted or returned."))
    current = locked.rounds.order_by("-number").first()
    if current is None or current.accepted_at or current.returned_at:
        raise ValidationError(_("Only a report awaiting review can be accepted or returned."))
    return locked, current


def report_link(report):
    """The report page's URL ("" while that page is not there)."""
    try:
        return reverse("reporting:week_report", args=[report.unit.code, periods_label(report.week)])
    except NoReverseMatch:
        return ""


def periods_label(week):
    return periods.label(week)


def _notify_submitter(report, current, kind, **params):
    who = current.submitted_by_id or report.submitted_by_id
    if who is None:
        return
    from django.contrib.auth import get_user_model

    params = {"week": periods_label(report.week), "unit": report.unit.name, **params}
    notify(
        recipients=[get_user_model()(pk=who)],
        kind=kind,
        params=params,
        link=report_link(report),
        unit=report.unit,
        dedupe_key=f"{kind}:{current.pk}",
    )


def accept(user, report):
    """Accept (for a county report: receive) the submitted ``report``; receiving a county
    report locks every school report under that county for the week."""
    with transaction.atomic():
        locked, current = _locked_report(user, report)
        now = timezone.now()
        current.accepted_at = now
        current.reviewed_by = user
        current.save(update_fields=["accepted_at", "reviewed_by"])
        locked.status = WeeklyReport.Status.ACCEPTED
        locked.reviewed_at = now
        locked.reviewed_by = user
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by"])
        if locked.level == WeeklyReport.Level.COUNTY:
            WeeklyReport.objects.filter(
                level=WeeklyReport.Level.SCHOOL,
                week=locked.week,
                review_unit=locked.unit,
                locked_at__isnull=True,
            ).update(locked_at=now)
        _notify_submitter(locked, current, NOTICE_ACCEPTED)
    return locked


def return_report(user, report, reason):
    """Return the submitted ``report`` to its unit with ``reason`` (required)."""
    reason = (reason or "").strip()
    require_perm_at(user, Perm.REVIEW_REPORTS, report.review_unit)
    if not reason:
        raise ValidationError(_("Give the reason for returning the report."))
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long (at most %(n)d characters).") % {"n": REASON_MAX}
        )
    with transaction.atomic():
        locked, current = _locked_report(user, report)
        now = timezone.now()
        current.returned_at = now
        current.return_reason = reason
        current.reviewed_by = user
        current.save(update_fields=["returned_at", "return_reason", "reviewed_by"])
        locked.status = WeeklyReport.Status.RETURNED
        locked.reviewed_at = now
        locked.reviewed_by = user
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by"])
        _notify_submitter(locked, current, NOTICE_RETURNED, reason=reason[:200])
    return locked


def _url(name, report):
    try:
        return reverse(f"reporting:{name}", args=[report.unit.code, periods_label(report.week)])
    except NoReverseMatch:
        return ""


def panel(user, report) -> dict:
    """The review panel's context for ``user`` on ``report`` (empty: nothing to show)."""
    may_review = has_perm_at(user, Perm.REVIEW_REPORTS, report.review_unit)
    if not may_review and report.locked_at is None:
        return {}
    latest = report.rounds.order_by("-number").first()
    can_act = (
        may_review
        and report.locked_at is None
        and report.status == WeeklyReport.Status.SUBMITTED
        and latest is not None
        and not latest.accepted_at
        and not latest.returned_at
    )
    return {
        "report": report,
        "may_review": may_review,
        "can_act": can_act,
        "is_county": report.level == WeeklyReport.Level.COUNTY,
        "accept_url": _url("week_accept", report) if can_act else "",
        "return_url": _url("week_return", report) if can_act else "",
        "latest": latest,
        "locked_at": report.locked_at,
        "reason_max": REASON_MAX,
    }
