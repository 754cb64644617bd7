"""The figures of a weekly report: a school's read from the register, a county's rolled up
from its schools' submitted reports. Refreshed while the report is a draft (or returned);
submitting fixes them (reporting.weekly.filling)."""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from hazards.selectors import week_figures
from reporting.models import FIGURES, WeeklyReport
from reporting.weekly.selectors import school_reports_of

NAMES = tuple(name for name, _label in FIGURES)


def rollup(county_report) -> dict:
    """{figure: sum} over the county's submitted school reports, plus ``expected`` and
    ``submitted`` (how many of its schools have submitted). One query."""
    sums = school_reports_of(county_report).aggregate(
        expected=Count("id"),
        submitted=Count("id", filter=Q(first_submitted_at__isnull=False)),
        **{n: Sum(n, filter=Q(first_submitted_at__isnull=False)) for n in NAMES},
    )
    return {k: v or 0 for k, v in sums.items()}


def current(report) -> dict:
    """{figure: n} of ``report`` as of now."""
    if report.level == WeeklyReport.Level.COUNTY:
        sums = rollup(report)
        return {n: sums[n] for n in NAMES}
    return week_figures([report.unit_id], monday=report.week, today=timezone.localdate())[
        report.unit_id
    ]


def apply(report, figures, *, at=None):
    for name in NAMES:
        setattr(report, name, figures[name])
    report.figures_at = at or timezone.now()


def refresh(report):
    """Bring an editable report's figures up to date (saved, without touching its version:
    the version guards what the officer typed, not what the register says)."""
    if report.locked_at is not None or report.status not in (
        WeeklyReport.Status.DRAFT,
        WeeklyReport.Status.RETURNED,
    ):
        return report
    figures = current(report)
    if figures != report.figures() or report.figures_at is None:
        apply(report, figures)
        WeeklyReport.objects.filter(pk=report.pk, status=report.status).update(
            figures_at=report.figures_at, **figures
        )
    return report
