"""Every read of the weekly reports, already scoped to the user (DESIGN §4).

A report is in scope where the user holds the permission at its unit or above it: a school's
officer sees the school's reports, its county's staff every school's of the county and the
county's own, the city all of them. Out of scope is 404, exactly like a report that does not
exist.
"""

from django.http import Http404

from campaign.access import scope_q
from campaign.models import OrgUnit
from campaign.roles import Perm
from reporting.models import WeeklyReport
from reporting.weekly import periods


def weekly_reports_for_user(user, perm=Perm.VIEW):
    """The weekly reports whose unit is in the user's scope for ``perm``."""
    return WeeklyReport.objects.filter(scope_q(user, perm, path_field="unit__path"))


def weekly_report_for_user(user, unit_code, week_label, perm=Perm.VIEW):
    """The report of the unit ``unit_code`` for the ISO week ``week_label`` ("2026-W49");
    404 when the week is not a week, the unit does not exist or is out of scope."""
    week = periods.parse_label(week_label)
    if week is None or "\x00" in unit_code:
        raise Http404
    report = (
        weekly_reports_for_user(user, perm)
        .filter(unit__code=unit_code, week=week)
        .select_related("unit", "review_unit", "city")
        .first()
    )
    if report is None:
        raise Http404
    return report


def weeks_open_for(report, weeks):
    """Which of ``weeks`` the report's unit has a report for: a reader of one report may step
    to the same unit's next and previous (the unit is already in their scope)."""
    return set(
        WeeklyReport.objects.filter(unit=report.unit_id, week__in=weeks).values_list(
            "week", flat=True
        )
    )


def school_reports_of(county_report):
    """The week's school reports the county report rolls up (those its unit reviews). The
    county report is already in the reader's scope, and so is each of these: the schools a
    unit reviews are under it (a county's schools, or the city's direct schools)."""
    return WeeklyReport.objects.filter(
        level=WeeklyReport.Level.SCHOOL, week=county_report.week, review_unit=county_report.unit_id
    )


def unit_of_report(report) -> OrgUnit:
    return report.unit
