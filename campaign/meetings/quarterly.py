"""The quarterly analysis duty's calendar (S12): every county and every school holds at least
one analysis meeting (分析研判会) a quarter. Quarters, their labels ("2019Q4") and the two
query parts the reads and the writes share: the units that owe the duty, and whether a unit
held one in a quarter. The page reads through ``selectors.quarterly_status``; the reminder and
the record are ``services.quarterly_*``.
"""

import datetime as dt

from django.db.models import Exists, OuterRef

from campaign.models import Meeting, OrgUnit

DUTY_KINDS = (OrgUnit.Kind.COUNTY, OrgUnit.Kind.SCHOOL)


def quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def bounds(year, quarter):
    """The first and the last day of the quarter."""
    start = dt.date(year, 3 * quarter - 2, 1)
    following = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, following - dt.timedelta(days=1)


def label(year, quarter):
    return f"{year}Q{quarter}"


def parse(text, *, latest):
    """(year, quarter) from "2019Q4", or None for anything else (years 2000 to ``latest``)."""
    year, sep, quarter = text.strip().upper().partition("Q")
    if not sep or not (year.isdigit() and quarter.isdigit()):
        return None
    year, quarter = int(year), int(quarter)
    if not (2000 <= year <= latest and 1 <= quarter <= 4):
        return None
    return year, quarter


def previous(year, quarter):
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def recent(year, quarter, *, count):
    """The ``count`` quarters up to this one, newest first."""
    found = [(year, quarter)]
    while len(found) < count:
        found.append(previous(*found[-1]))
    return found


def held(year, quarter):
    start, end = bounds(year, quarter)
    return Exists(
        Meeting.objects.filter(
            unit=OuterRef("pk"),
            kind=Meeting.Kind.QUARTERLY_ANALYSIS,
            held_on__gte=start,
            held_on__lte=end,
        )
    )


def duty_units(root=None):
    qs = OrgUnit.objects.filter(kind__in=DUTY_KINDS, is_active=True)
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    return qs
