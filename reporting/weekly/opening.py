"""Opening a week (S10): a report row for every active school and county, once.

Run by beat on Monday morning (``reporting.weekly.tasks.week_open_task``) and safe to run again
at any time: rows are created with ``ignore_conflicts`` against the unique (unit, week)
constraint, so a second run, a second beat or a retry creates nothing twice. A school or county
that becomes active during the week gets its row at the next run (the task runs hourly too).
"""

from django.db import transaction
from django.utils import timezone

from campaign.models import OrgUnit
from reporting.models import WeeklyReport
from reporting.weekly import periods

BATCH = 2000


def week_rows(week, *, cities=None):
    """Unsaved WeeklyReport rows of ``week`` for every active school and county under the
    active ``cities`` (default: every active city)."""
    Kind = OrgUnit.Kind
    if cities is None:
        cities = OrgUnit.objects.filter(kind=Kind.CITY, is_active=True)
    school_due, county_due = periods.school_due(week), periods.county_due(week)
    rows = []
    for city in cities:
        units = (
            OrgUnit.objects.filter(
                path__startswith=city.path,
                kind__in=[Kind.SCHOOL, Kind.COUNTY],
                is_active=True,
                parent__is_active=True,
            )
            .values_list("id", "kind", "parent_id", "parent__kind")
            .order_by("path")
        )
        for unit_id, kind, parent_id, parent_kind in units:
            if kind == Kind.COUNTY:
                if parent_id != city.pk:
                    continue  # a county's parent is its city; anything else is not ours
                rows.append(
                    WeeklyReport(
                        unit_id=unit_id,
                        level=WeeklyReport.Level.COUNTY,
                        week=week,
                        review_unit_id=city.pk,
                        city_id=city.pk,
                        due_at=county_due,
                    )
                )
            elif parent_kind in (Kind.COUNTY, Kind.CITY):
                rows.append(
                    WeeklyReport(
                        unit_id=unit_id,
                        level=WeeklyReport.Level.SCHOOL,
                        week=week,
                        review_unit_id=parent_id,
                        city_id=city.pk,
                        due_at=school_due,
                    )
                )
    return rows


def week_open(*, week=None, cities=None):
    """Create the missing report rows of ``week`` (default: this week); returns how many
    rows the week has now (a count of what one run inserted would race with another run)."""
    week = periods.monday_of(week) if week is not None else periods.this_week()
    rows = week_rows(week, cities=cities)
    now = timezone.now()
    for row in rows:
        row.updated_at = now
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            WeeklyReport.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)
    return WeeklyReport.objects.filter(week=week).count()
