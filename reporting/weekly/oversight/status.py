"""The week's reporting status as the rates page shows it: a line per county of the user's
scope (expected / submitted / on time / late / missing / empty / the two rates, and the county
report's own status), a line 市直属学校 per city (its review unit is the city), a city total;
and, for one chosen county (or a city's direct schools), the list of its schools.

Every read is scoped (reporting.weekly.selectors, campaign.access). The number of queries is
fixed: the units, one aggregate for the rates (reporting.weekly.rates), the county reports,
and one query for the chosen unit's schools — none per school or per county.
"""

from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from reporting.models import FIGURES, WeeklyReport
from reporting.weekly import rates, review, selectors

EMPTY_RATE = rates.Rate(unit_id=0, expected=0, submitted=0, on_time=0, empty=0)


@dataclass
class Line:
    unit: OrgUnit  # the county, or the city for its direct schools / its total
    rate: rates.Rate
    kind: str  # "county", "direct" or "total"
    report: WeeklyReport | None = None  # the county's own report (county lines only)

    @property
    def reporting_pct(self):
        return percent(self.rate.reporting_rate)

    @property
    def on_time_pct(self):
        return percent(self.rate.on_time_rate)


def percent(share):
    """``97.5%`` (UI.md)."""
    return f"{share * 100:.1f}%"


@dataclass
class CityBlock:
    city: OrgUnit
    lines: list = field(default_factory=list)  # counties, then 市直属学校
    total: Line | None = None


def school_reports_for_user(user, perm=Perm.VIEW):
    """The *school* reports in the user's scope, filtered on the report's own columns.

    The same rows as ``selectors.weekly_reports_for_user(user).filter(level="school")``: a
    school report's ``unit`` is the school, its ``review_unit`` the school's parent (the county,
    or the city for a city-direct school) and ``city`` its city, so a grant at a school, a
    county or a city matches one indexed id column instead of a join on the unit's path — the
    rates of a whole province are one aggregate over the report table (tests/benchmarks).
    """
    q = access.scope_q_by_level(user, perm, school="unit", county="review_unit", city="city")
    return WeeklyReport.objects.filter(q, level=WeeklyReport.Level.SCHOOL)


def _cities_and_counties(user):
    """The active cities and counties the user may view, in tree order (one query)."""
    Kind = OrgUnit.Kind
    units = list(
        access.units_where(user)
        .filter(kind__in=[Kind.CITY, Kind.COUNTY])
        .order_by("path")
        .only("id", "name", "code", "path", "kind", "parent_id")
    )
    cities = [u for u in units if u.kind == Kind.CITY]
    counties = [u for u in units if u.kind == Kind.COUNTY]
    return cities, counties


def city_blocks(user, week):
    """[CityBlock] of ``week`` for what ``user`` may view: a city seen whole gets every county,
    its direct schools and its total; a county seen alone gets its own line."""
    cities, counties = _cities_and_counties(user)
    reports = selectors.weekly_reports_for_user(user).filter(week=week)
    by_unit = rates.school_rates(school_reports_for_user(user).filter(week=week))
    county_reports = {
        r.unit_id: r
        for r in reports.filter(level=WeeklyReport.Level.COUNTY, unit__in=[c.pk for c in counties])
        .only("id", "unit_id", "status", "first_submitted_at", "due_at", "is_empty", "locked_at")
        .order_by()
    }
    now = timezone.now()
    for r in county_reports.values():
        r.is_missing = r.first_submitted_at is None and r.due_at < now
    city_ids = {c.pk for c in cities}
    blocks = {c.pk: CityBlock(city=c) for c in cities}
    lonely = []  # counties whose city the user does not see whole
    for county in counties:
        line = Line(
            unit=county,
            rate=by_unit.get(county.pk, EMPTY_RATE),
            kind="county",
            report=county_reports.get(county.pk),
        )
        if county.parent_id in city_ids:
            blocks[county.parent_id].lines.append(line)
        else:
            lonely.append(line)
    for block in blocks.values():
        direct = Line(unit=block.city, rate=by_unit.get(block.city.pk, EMPTY_RATE), kind="direct")
        block.lines.append(direct)
        block.total = Line(
            unit=block.city, rate=rates.total(line.rate for line in block.lines), kind="total"
        )
    result = list(blocks.values())
    if lonely:
        result.append(CityBlock(city=None, lines=lonely, total=None))
    return result


def chosen_unit(user, blocks, code):
    """The unit whose schools are listed: ``code`` (a county, or a city for its direct
    schools; 404 when not in scope), else the user's only county, else None."""
    if code:
        unit = access.unit_for_user(user, code)
        if unit.kind not in (OrgUnit.Kind.COUNTY, OrgUnit.Kind.CITY):
            raise Http404
        return unit
    lines = [line for block in blocks for line in block.lines if line.kind == "county"]
    if len(lines) == 1 and all(block.city is None for block in blocks):
        return lines[0].unit
    return None


# Missing first (the reason for the page), then late, empty, the rest; by tree order within.
_ORDER = Case(
    When(first_submitted_at__isnull=True, then=Value(0)),
    When(first_submitted_at__gt=F("due_at"), then=Value(1)),
    When(is_empty=True, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def school_reports(user, week, unit):
    """The school reports of ``week`` reviewed by ``unit`` (a county; a city: its direct
    schools) that the user may view, missing first: one query."""
    now = timezone.now()
    names = [name for name, _label in FIGURES]
    rows = list(
        school_reports_for_user(user)
        .filter(week=week, review_unit=unit)
        .select_related("unit")
        # What the list shows: not the texts, not the unit's address and the like (a county's
        # list read every column of both, half the page's time at 242 schools).
        .only(
            "unit__code",
            "unit__name",
            "unit__path",
            "week",
            "level",
            "status",
            "due_at",
            "first_submitted_at",
            "is_empty",
            *names,
        )
        .annotate(order=_ORDER)
        .order_by("order", "unit__path")
    )
    for r in rows:
        r.cells = [getattr(r, n) for n in names]
        r.link = review.report_link(r)
        r.is_missing = r.first_submitted_at is None and r.due_at < now
    return rows
