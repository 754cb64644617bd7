"""Every read of the key periods and their daily safety reports, scoped to the user.

A key period is in view where the user may view its declaring unit, or where it covers one of
the user's units (a school officer sees the city's New Year period). The counts and the list
of units missing a report only ever cover the units in the user's own view scope, and are
aggregated in SQL: their query count does not grow with the units or the days.
"""

import datetime as dt

from django.db.models import Case, Count, Exists, F, OuterRef, Q, When
from django.http import Http404

from campaign import access
from campaign.keyperiods import policy
from campaign.models import DailyReport, KeyPeriod, OrgUnit
from campaign.roles import Perm

_TODAY_ATTR = "_keyperiods_today"
_RUNNING_ATTR = "_keyperiods_running"


def _covering_q(user):
    """Periods declared at one of the user's units or above them."""
    ancestor_ids = set()
    for path in access.granted_paths(user).get(Perm.VIEW, ()):
        ancestor_ids.update(int(p) for p in path.strip("/").split("/") if p)
    return Q(unit_id__in=ancestor_ids)


def periods_for_user(user):
    if access.is_unrestricted(user):
        return KeyPeriod.objects.all()
    if not access.granted_paths(user).get(Perm.VIEW):
        return KeyPeriod.objects.none()
    return KeyPeriod.objects.filter(
        access.scope_q(user, Perm.VIEW, path_field="unit__path") | _covering_q(user)
    )


def period_for_user(user, pk):
    period = periods_for_user(user).select_related("unit", "created_by").filter(pk=pk).first()
    if period is None:
        raise Http404
    return period


def period_list(user):
    return periods_for_user(user).select_related("unit").order_by("-starts_on", "id")


def periods_between(user, start, end):
    """The periods the user sees that overlap ``start`` … ``end`` (both included)."""
    return list(
        periods_for_user(user)
        .filter(starts_on__lte=end, ends_on__gte=start)
        .select_related("unit")
        .order_by("starts_on", "id")
    )


def expected_units(period, user):
    """The counties and schools that file daily reports in ``period``, as far as ``user``
    sees them."""
    return OrgUnit.objects.filter(
        access.scope_q(user, Perm.VIEW),
        path__startswith=period.unit.path,
        kind__in=policy.REPORTING_KINDS,
        is_active=True,
    )


def _group(prefix=""):
    """The county a unit's report counts under: a county itself, a school its parent (the
    city, for a city-direct school)."""
    return Case(
        When(**{f"{prefix}kind": OrgUnit.Kind.COUNTY}, then=F(f"{prefix}pk")),
        default=F(f"{prefix}parent_id"),
    )


def days_so_far(period, today):
    last = min(period.ends_on, today)
    return [
        period.starts_on + dt.timedelta(days=n) for n in range((last - period.starts_on).days + 1)
    ]


def day_table(period, user, today):
    """For each day of the period so far: filed / expected per county (the city's own schools
    are a row of their own). Three queries whatever the size."""
    days = days_so_far(period, today)
    if not days:
        return {"days": [], "rows": [], "totals": []}
    expected = dict(
        expected_units(period, user)
        .annotate(group=_group())
        .values_list("group")
        .annotate(n=Count("id"))
        .values_list("group", "n")
        .order_by()
    )
    filed = {}
    reports = (
        DailyReport.objects.filter(
            access.scope_q(user, Perm.VIEW, path_field="unit__path"),
            unit__path__startswith=period.unit.path,
            unit__kind__in=policy.REPORTING_KINDS,
            unit__is_active=True,
            day__range=(days[0], days[-1]),
        )
        .annotate(group=_group("unit__"))
        .values("group", "day")
        .annotate(n=Count("id"))
        .values_list("group", "day", "n")
        .order_by()
    )
    for group, day, n in reports:
        filed[(group, day)] = n
    groups = OrgUnit.objects.filter(pk__in=list(expected)).order_by("kind", "path")
    rows = []
    for group in groups:
        cells = [
            {"day": d, "filed": filed.get((group.pk, d), 0), "expected": expected[group.pk]}
            for d in days
        ]
        rows.append({"unit": group, "cells": cells, "expected": expected[group.pk]})
    # Counties first, the city's own schools last.
    rows.sort(key=lambda r: (r["unit"].kind != OrgUnit.Kind.COUNTY, r["unit"].path))
    total_expected = sum(expected.values())
    totals = [
        {
            "day": d,
            "filed": sum(filed.get((g, d), 0) for g in expected),
            "expected": total_expected,
        }
        for d in days
    ]
    return {"days": days, "rows": rows, "totals": totals}


def filed_q(day):
    return Exists(DailyReport.objects.filter(unit=OuterRef("pk"), day=day))


def missing_units(period, user, day, *, county=None):
    """The expected units without a report on ``day``, in tree order, ready to list."""
    qs = expected_units(period, user).exclude(filed_q(day))
    if county is not None:
        qs = qs.filter(Q(pk=county.pk) | Q(parent=county))
    return qs.select_related("parent").order_by("path")


def report_groups(period, user):
    """The counties (and the city, for its own schools) a missing list can be filtered by."""
    ids = expected_units(period, user).annotate(group=_group()).values("group")
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("kind", "path"))


def reports_of_units(unit_ids):
    return (
        DailyReport.objects.filter(unit_id__in=list(unit_ids))
        .select_related("period", "unit", "incident")
        .order_by("-day", "unit__path")
    )


def running_today(user, today):
    """The periods the user sees that run ``today`` (one query, cached on the user for the
    request: the workbench section and the calendar source share it)."""
    cached = getattr(user, _RUNNING_ATTR, None)
    if cached is None or cached[0] != today:
        cached = (today, periods_between(user, today, today))
        setattr(user, _RUNNING_ATTR, cached)
    return cached[1]


def today_for_user(user, today):
    """The key periods running today that expect one of the user's reporting units, with
    each unit's report of today (or None). Cached on the user for the request: the workbench
    section and the calendar source share it. Two queries at most, none for a user with no
    reporting unit."""
    cached = getattr(user, _TODAY_ATTR, None)
    if cached is not None and cached[0] == today:
        return cached[1]
    found = []
    units = policy.reporting_unit_ids(user)
    if units:
        periods = [
            p
            for p in running_today(user, today)
            if any(path.startswith(p.unit.path) for path in units.values())
        ]
        if periods:
            unit_rows = {
                u.pk: u
                for u in OrgUnit.objects.filter(pk__in=list(units), is_active=True).order_by("path")
            }
            reports = {
                r.unit_id: r
                for r in DailyReport.objects.filter(unit_id__in=list(unit_rows), day=today)
            }
            for period in periods:
                for unit in unit_rows.values():
                    if policy.expects(period, unit):
                        found.append(
                            {"period": period, "unit": unit, "report": reports.get(unit.pk)}
                        )
            # A unit files one report a day, under whichever period comes first.
            seen, unique = set(), []
            for item in found:
                if item["unit"].pk not in seen:
                    seen.add(item["unit"].pk)
                    unique.append(item)
            found = unique
    setattr(user, _TODAY_ATTR, (today, found))
    return found


def forget_today(user):
    for attr in (_TODAY_ATTR, _RUNNING_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
