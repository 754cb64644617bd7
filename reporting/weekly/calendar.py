"""The weekly reports' calendar source (core.calendar): each week's deadlines in the user's scope.

- a school's officer: the school's Friday deadline, done once the school has submitted;
- county staff: their schools' deadline as ONE entry per week ("12 of 40 submitted") and the
  county report's Monday deadline;
- the city: one entry per week for the schools and one for the counties.

Two aggregate queries whatever the window or the number of schools (no N+1): the report rows
counted per (week, level), and the active units in scope counted per kind for the weeks whose
rows are not opened yet. A week before this one with no rows at all (before the portal ran) is
not shown: nobody was asked for a report then.
"""

import datetime as dt
from functools import cached_property

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.calendar import Entry
from reporting.models import WeeklyReport
from reporting.weekly import periods, selectors

NAME = "weekly"
LABEL = gettext_lazy("Weekly reports")
Level = WeeklyReport.Level


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page of another part not there (yet)
        return ""


def _top(user):
    """(id, kind) of the outermost units of the user's view scope, read from the grants kept
    on the user (no query); every city for a superuser."""
    if access.is_unrestricted(user):
        return list(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, is_active=True).values_list("id", "kind")
        )
    return [(pk, kind) for pk, kind, _path in access.granted_units(user, Perm.VIEW)]


class _Lazy:
    """What only some weeks need, read once when first needed: the count of units in scope
    per kind (for weeks not opened yet) and the user's own unit (for its own deadline)."""

    def __init__(self, user, top):
        self.user, self.top = user, top

    @cached_property
    def units(self):
        return dict(
            access.units_where(self.user)
            .filter(kind__in=(OrgUnit.Kind.SCHOOL, OrgUnit.Kind.COUNTY))
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by()
        )

    @cached_property
    def own(self):
        return OrgUnit.objects.only("code", "name", "kind").get(pk=self.top[0][0])


def _weeks(start, end):
    """The Mondays of the weeks with a deadline from ``start`` to ``end`` (a county's deadline
    falls in the next week, so the week before ``start`` may have one)."""
    week = periods.monday_of(start) - dt.timedelta(days=7)
    while week <= end:
        yield week
        week += dt.timedelta(days=7)


def entries(user, start, end):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    top = _top(user)
    if not top:
        return []
    kinds = {kind for _pk, kind in top}
    levels = [Level.SCHOOL]
    if kinds - {OrgUnit.Kind.SCHOOL}:
        levels.append(Level.COUNTY)
    weeks = list(_weeks(start, end))
    counts = {
        (row["week"], row["level"]): row
        for row in selectors.weekly_reports_for_user(user)
        .filter(week__in=weeks)
        .values("week", "level")
        .annotate(
            expected=Count("id"),
            submitted=Count("id", filter=Q(first_submitted_at__isnull=False)),
        )
        .order_by()
    }
    lazy = _Lazy(user, top)
    this_week = periods.this_week()
    # The key a calendar program recognises this user's aggregated entries by: their scope,
    # by unit id (a code may be corrected; an id never changes).
    scope_key = "-".join(f"u{pk}" for pk in sorted(pk for pk, _kind in top))
    single_kind = top[0][1] if len(top) == 1 else None
    found = []
    for week in weeks:
        label = periods.label(week)
        for level in levels:
            due = (periods.school_due if level == Level.SCHOOL else periods.county_due)(week)
            local = timezone.localtime(due)
            if not start <= local.date() <= end:
                continue
            row = counts.get((week, level))
            if row is None:
                if week < this_week:
                    continue
                expected, submitted = lazy.units.get(level, 0), 0
            else:
                expected, submitted = row["expected"], row["submitted"]
            if not expected:
                continue
            found.append(
                _entry(level, week, label, local, expected, submitted, single_kind, lazy, scope_key)
            )
    return found


def _entry(level, week, label, local, expected, submitted, single_kind, lazy, scope_key):
    own = (level == Level.SCHOOL and single_kind == OrgUnit.Kind.SCHOOL) or (
        level == Level.COUNTY and single_kind == OrgUnit.Kind.COUNTY
    )
    common = {
        "day": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "kind": NAME,
        "done": expected > 0 and submitted >= expected,
    }
    if own:
        # The unit's own report: its page (the form), and no count of one.
        single = lazy.own
        return Entry(
            uid=f"weekly-{level}-{label.replace('-', '')}-{single.code}",
            title=_("Weekly report of %(unit)s due") % {"unit": single.name},
            # A county's own report is listed on its review page too; a school's only has
            # its own page.
            url=_url("reporting:week_report", single.code, label)
            or (_url("reporting:week_review_week", label) if level == Level.COUNTY else ""),
            **common,
        )
    title = (
        _("School weekly reports due") if level == Level.SCHOOL else _("County weekly reports due")
    )
    return Entry(
        uid=f"weekly-{level}s-{label.replace('-', '')}-{scope_key}",
        title=title,
        detail=_("%(submitted)s of %(expected)s submitted")
        % {"submitted": submitted, "expected": expected},
        url=_url("reporting:week_review_week", label),
        **common,
    )


def register():
    from core import calendar

    calendar.register(NAME, LABEL, entries, order=10)
