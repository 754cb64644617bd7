"""The quarterly analysis duty (S12): every county and every school holds at least one
analysis meeting (分析研判会) a quarter.

- ``status``: for the units under a unit that the user sees, how many held one in a quarter
  and which did not (one aggregate, one page of rows, whatever the number of units);
- ``reminders_send``: two weeks before a quarter ends, the people of each unit that has not
  held one yet are reminded in the portal (once per unit and quarter);
- ``missing_record``: once the quarter is over, each unit that held none is put on the
  accountability record (``quarterly_meeting_missing``, source = the unit, period "2019Q4").

The daily task runs both for the day; each is safe to run again.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.access import scope_q
from campaign.accountability import services as accountability
from campaign.models import AccountabilityEntry, Meeting, OrgUnit, Role
from campaign.roles import Perm
from core import notices
from core.services.notifications import notification_build, notify_many

NOTICE_REMINDER = "quarterly_meeting_reminder"
REMIND_DAYS_BEFORE = 14
PAGE_SIZE = 50
DUTY_KINDS = (OrgUnit.Kind.COUNTY, OrgUnit.Kind.SCHOOL)
UNIT_ROLES = (Role.COUNTY_STAFF, Role.SCHOOL_OFFICER)
MISSING = AccountabilityEntry.Kind.QUARTERLY_MEETING_MISSING


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


def _held(year, quarter):
    start, end = bounds(year, quarter)
    return Exists(
        Meeting.objects.filter(
            unit=OuterRef("pk"),
            kind=Meeting.Kind.QUARTERLY_ANALYSIS,
            held_on__gte=start,
            held_on__lte=end,
        )
    )


def _duty_units(root=None):
    qs = OrgUnit.objects.filter(kind__in=DUTY_KINDS, is_active=True)
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    return qs


def status(user, root, year, quarter, *, show="missing", page=1):
    """The units under ``root`` in the user's view that owe the duty: totals (one aggregate)
    and a page of rows, those that have not held one by default."""
    units = _duty_units(root).filter(scope_q(user, Perm.VIEW)).annotate(held=_held(year, quarter))
    summary = units.aggregate(
        total=Count("pk"),
        held_count=Count("pk", filter=Q(held=True)),
        counties=Count("pk", filter=Q(kind=OrgUnit.Kind.COUNTY)),
        counties_held=Count("pk", filter=Q(kind=OrgUnit.Kind.COUNTY, held=True)),
    )
    summary["missing"] = summary["total"] - summary["held_count"]
    rows = units.select_related("parent").only(
        "code", "name", "kind", "path", "parent__name", "parent__kind"
    )
    count = summary["total"]
    if show == "missing":
        rows = rows.filter(held=False)
        count = summary["missing"]
    paginator = Paginator(rows.order_by("path"), PAGE_SIZE)
    paginator.count = count  # known from the summary: no second COUNT(*)
    return {"summary": summary, "page": paginator.get_page(page)}


def _render_reminder(params):
    return (
        _(
            "Reminder: %(unit)s has not yet held its quarterly analysis meeting for %(quarter)s; "
            "the quarter ends on %(end)s."
        )
        % params
    )


def register_notices():
    notices.register(NOTICE_REMINDER, _render_reminder)


def reminders_send(*, today=None):
    """Two weeks before the quarter ends, remind each unit that has not held its meeting
    (once per unit and quarter). Returns how many people were reminded."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    _start, end = bounds(year, quarter)
    if (end - today).days != REMIND_DAYS_BEFORE:
        return 0
    missing = _duty_units().annotate(held=_held(year, quarter)).filter(held=False)
    holders = (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_grants__unit__in=missing,
            role_grants__role__in=UNIT_ROLES,
        )
        .values_list("pk", "role_grants__unit_id", "role_grants__unit__name")
        .distinct()
    )
    period = label(year, quarter)
    return notify_many(
        notices=(
            notification_build(
                recipient_id=user_id,
                kind=NOTICE_REMINDER,
                params={"unit": unit_name, "quarter": period, "end": end.isoformat()},
                link="",
                unit_id=unit_id,
                dedupe_key=f"quarterly:{period}:{unit_id}",
            )
            for user_id, unit_id, unit_name in holders.iterator()
        )
    )


def missing_record(year, quarter, *, today=None, actor=None):
    """Put on record each unit that held no analysis meeting in a quarter that is over.
    Returns how many were recorded (0 if the quarter is not over yet)."""
    today = today or timezone.localdate()
    _start, end = bounds(year, quarter)
    if today <= end:
        return 0
    period = label(year, quarter)
    missing = _duty_units().annotate(held=_held(year, quarter)).filter(held=False).order_by("path")
    on_record = AccountabilityEntry.objects.filter(kind=MISSING, period=period)
    before = on_record.count()
    for unit in missing.iterator(chunk_size=500):
        with transaction.atomic():
            accountability.entry_record(
                unit=unit, kind=MISSING, source=unit, occurred_on=end, period=period, actor=actor
            )
    return on_record.count() - before


def daily(*, today=None):
    """The daily job: the reminders of the day, and the record of the quarter just over."""
    today = today or timezone.localdate()
    reminded = reminders_send(today=today)
    recorded = 0
    if today.day == 1 and today.month in (1, 4, 7, 10):
        recorded = missing_record(*previous(*quarter_of(today)), today=today)
    return reminded, recorded
