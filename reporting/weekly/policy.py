"""Who may fill a weekly report, and whether it can be edited now.

A report is filled by its own unit: a holder of SUBMIT_REPORTS at the unit who does not review
it. County staff review their schools' reports and so do not fill them; city staff review the
counties' reports and do not fill those. The reviewer never writes the report they accept,
as the hazard loop never lets the rectifier accept their own work.
"""

from django.utils.translation import gettext as _

from campaign.access import has_perm_at
from campaign.roles import Perm
from reporting.models import WeeklyReport

EDITABLE = (WeeklyReport.Status.DRAFT, WeeklyReport.Status.RETURNED)


def may_fill(user, report) -> bool:
    return has_perm_at(user, Perm.SUBMIT_REPORTS, report.unit) and not has_perm_at(
        user, Perm.REVIEW_REPORTS, report.review_unit
    )


def why_not_editable(report) -> str:
    """ "" when the report can be edited and submitted now; else the reason, for the user."""
    if report.locked_at is not None:
        return _("This report is final: the county report above it has been received.")
    if report.status == WeeklyReport.Status.SUBMITTED:
        return _(
            "This report has been submitted and awaits review; "
            "it can be edited again if it is returned."
        )
    if report.status == WeeklyReport.Status.ACCEPTED:
        return _("This report has been accepted.")
    return ""


def can_edit(user, report) -> bool:
    return may_fill(user, report) and not why_not_editable(report)
