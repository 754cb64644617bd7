"""ISO weeks in the portal's time zone and the weekly deadlines (settings.REPORTING_WEEKLY_*).

A week is named by its Monday (a ``date``); ``label`` writes it as 2026-W48.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def this_week(now=None) -> dt.date:
    return monday_of(timezone.localdate(now))


def label(week: dt.date) -> str:
    year, number, _weekday = week.isocalendar()
    return f"{year}-W{number:02d}"


def parse_label(text: str) -> dt.date | None:
    """The Monday of "2026-W48", or None for anything that is not an ISO week."""
    try:
        year, number = text.split("-W")
        return dt.date.fromisocalendar(int(year), int(number), 1)
    except (ValueError, TypeError):
        return None


def _due(week, setting):
    days, clock = setting
    hour, minute = (int(x) for x in clock.split(":"))
    day = week + dt.timedelta(days=days)
    return dt.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def school_due(week: dt.date) -> dt.datetime:
    """When a school's report for ``week`` is due (default: that Friday 17:00)."""
    return _due(week, settings.REPORTING_WEEKLY_SCHOOL_DUE)


def county_due(week: dt.date) -> dt.datetime:
    """When a county's report for ``week`` is due (default: the next Monday 12:00)."""
    return _due(week, settings.REPORTING_WEEKLY_COUNTY_DUE)


def title(week: dt.date) -> str:
    """The week as people write it: 2026年第49周（11月30日—12月6日）."""
    from django.utils.translation import gettext as _

    year, number, _weekday = week.isocalendar()
    sunday = week + dt.timedelta(days=6)
    return _("Week %(n)s of %(year)s (%(d1)s/%(m1)s – %(d2)s/%(m2)s)") % {
        "year": year,
        "n": number,
        "m1": week.month,
        "d1": week.day,
        "m2": sunday.month,
        "d2": sunday.day,
    }
