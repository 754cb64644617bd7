"""Opening a week (S10): a report row for every active school and county, once.

Run by beat on Monday morning (``reporting.weekly.tasks.week_open_task``) and safe to run again
at any time: rows are inserted with ``ON CONFLICT (unit, week) DO NOTHING`` against the unique
constraint, so a second run, a second beat or a retry creates nothing twice. A school or county
that becomes active during the week gets its row at the next run (the task runs hourly too).

The rows are written by the database itself, one ``INSERT … SELECT`` from the org tree per city:
at province size (15,600 schools) building model instances for ``bulk_create`` cost more than
the INSERT (docs/benchmarks.md, "week opening"). The statement is plain SQL that PostgreSQL and
SQLite (≥ 3.24, the embedded default) both run; the values go in as parameters.
"""

from django.db import connection, transaction
from django.utils import timezone

from campaign.models import OrgUnit
from reporting.models import WeeklyReport
from reporting.weekly import periods

# The NOT NULL columns a row starts with besides its unit, reviewer, week and due; they get the
# model's defaults (draft, zero figures, empty texts). The nullable ones stay NULL until filled.
_BLANK = ("status", "found", "started", "closed", "still_open", "overdue", "major_open",
          "work_done", "problems", "next_week", "is_empty", "version")  # fmt: skip


def _city_rows(city, week, now):
    """The ``INSERT … SELECT`` of ``city``'s rows of ``week``, and its parameters."""
    Kind, Level = OrgUnit.Kind, WeeklyReport.Level
    report, units = WeeklyReport._meta, OrgUnit._meta
    ops = connection.ops
    county_due = ops.adapt_datetimefield_value(periods.county_due(week))
    school_due = ops.adapt_datetimefield_value(periods.school_due(week))
    # (column, the SELECT's expression for it, its parameters), in the table's words.
    values = [
        ("unit", "u.id", []),
        ("level", "CASE WHEN u.kind = %s THEN %s ELSE %s END",
         [Kind.COUNTY, Level.COUNTY, Level.SCHOOL]),
        ("week", "%s", [ops.adapt_datefield_value(week)]),
        # A county is reviewed by its city; a school by its parent (its county, or the city
        # for a city-direct school).
        ("review_unit", "CASE WHEN u.kind = %s THEN %s ELSE u.parent_id END",
         [Kind.COUNTY, city.pk]),
        ("city", "%s", [city.pk]),
        ("due_at", "CASE WHEN u.kind = %s THEN %s ELSE %s END",
         [Kind.COUNTY, county_due, school_due]),
        *((name, "%s", [report.get_field(name).get_default()]) for name in _BLANK),
        ("updated_at", "%s", [ops.adapt_datetimefield_value(now)]),
    ]  # fmt: skip
    columns = ", ".join(report.get_field(name).column for name, _, _ in values)
    select = ", ".join(expression for _, expression, _ in values)
    on = ", ".join(report.get_field(name).column for name in ("unit", "week"))
    # Only the models' own table and column names are written in; every value is a parameter.
    sql = (
        f"INSERT INTO {report.db_table} ({columns}) SELECT {select} "  # noqa: S608
        f"FROM {units.db_table} u JOIN {units.db_table} p ON p.id = u.parent_id "
        "WHERE u.path LIKE %s AND u.is_active AND p.is_active AND ("
        # A county's parent is its city; anything else is not ours.
        "(u.kind = %s AND u.parent_id = %s) OR (u.kind = %s AND p.kind IN (%s, %s))) "
        f"ON CONFLICT ({on}) DO NOTHING"
    )
    params = [value for _, _, some in values for value in some] + [
        _like_prefix(city.path), Kind.COUNTY, city.pk, Kind.SCHOOL, Kind.COUNTY, Kind.CITY,
    ]  # fmt: skip
    return sql, params


def _like_prefix(path):
    """``path`` as a LIKE prefix. Paths are ``/<id>/…/``, digits and slashes with nothing to
    escape; the check keeps that true rather than trusting it."""
    if not path or not all(ch.isdigit() or ch == "/" for ch in path):
        raise ValueError(f"unexpected org path {path!r}")
    return path + "%"


def week_open(*, week=None, cities=None):
    """Create the missing report rows of ``week`` (default: this week) for every active school
    and county under the active ``cities`` (default: every active city); returns how many rows
    the week has now (a count of what one run inserted would race with another run)."""
    week = periods.monday_of(week) if week is not None else periods.this_week()
    if cities is None:
        cities = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, is_active=True)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        for city in cities:
            cursor.execute(*_city_rows(city, week, now))
    return WeeklyReport.objects.filter(week=week).count()
