"""Reporting rates per county and week, as DHIS2 counts them (S10).

expected: the week's school reports under the unit; submitted: those submitted at least once;
on time: first submitted by the deadline; empty: submitted but empty (S7). The rates are
shares of expected (0 when nothing was expected). One aggregate query for a whole city.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q

from reporting.models import WeeklyReport


class Rates:
    """What follows from expected / submitted / on time (shared by every line of rates)."""

    @property
    def missing(self):
        return self.expected - self.submitted

    @property
    def late(self):
        return self.submitted - self.on_time

    @property
    def reporting_rate(self):
        return self.submitted / self.expected if self.expected else 0.0

    @property
    def on_time_rate(self):
        return self.on_time / self.expected if self.expected else 0.0


@dataclass(frozen=True)
class Rate(Rates):
    unit_id: int  # the reviewing unit: a county, or the city for its city-direct schools
    expected: int
    submitted: int
    on_time: int
    empty: int


def school_rates(reports) -> dict[int, Rate]:
    """{reviewing unit id: Rate} of the school reports in ``reports`` (an already scoped
    queryset of one week, or of several: then the counts add up over the weeks)."""
    rows = (
        reports.filter(level=WeeklyReport.Level.SCHOOL)
        .values("review_unit_id")
        .annotate(
            expected=Count("id"),
            submitted=Count("id", filter=Q(first_submitted_at__isnull=False)),
            on_time=Count("id", filter=Q(first_submitted_at__lte=F("due_at"))),
            empty=Count("id", filter=Q(is_empty=True)),
        )
        .order_by()
    )
    return {
        row["review_unit_id"]: Rate(
            unit_id=row["review_unit_id"],
            expected=row["expected"],
            submitted=row["submitted"],
            on_time=row["on_time"],
            empty=row["empty"],
        )
        for row in rows
    }


def total(rates) -> Rate:
    """The sum of several units' rates (a city's line)."""
    rates = list(rates)
    return Rate(
        unit_id=0,
        expected=sum(r.expected for r in rates),
        submitted=sum(r.submitted for r in rates),
        on_time=sum(r.on_time for r in rates),
        empty=sum(r.empty for r in rates),
    )
