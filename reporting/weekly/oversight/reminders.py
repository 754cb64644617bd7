"""Reminding whoever has not submitted their weekly report (S10).

Two ways in: a reviewer's "remind all who are missing" button (``remind_missing``) and the
daily beat at 08:30 (``reminders_due``), which reminds on the day before a deadline and on the
morning of it. Both write the notice kind ``weekly_reminder`` to every active user holding
SUBMIT_REPORTS directly at the report's unit (a school's officers; a county's staff for the
county report), keyed ``weekly_reminder:<report>:<local date>``: nobody is reminded of the
same report twice on one day, whichever way in, however often pressed or run.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit, OrgUnitUserPermission
from campaign.roles import Perm
from core import notices
from core.services.audit import audit
from core.services.notifications import notification_build, notify_many
from reporting.models import WeeklyReport
from reporting.weekly import periods, review, selectors

NOTICE_REMINDER = "weekly_reminder"


def _render(params):
    return (
        _(
            "The weekly report of %(unit)s for %(week)s is due at %(due)s and has not been "
            "submitted yet."
        )
        % params
    )


def register_notices():
    notices.register(NOTICE_REMINDER, _render)


@dataclass(frozen=True)
class Sent:
    reports: int  # reports not submitted that were considered
    people: int  # notices written now
    skipped: int  # people already reminded of that report today
    nobody: int  # reports whose unit has nobody to remind


def dedupe_key(report_id, day):
    return f"{NOTICE_REMINDER}:{report_id}:{day.isoformat()}"


def _submitters(unit_ids):
    """{unit id: [user id]} of the active users holding SUBMIT_REPORTS directly at each unit
    (one query): a grant higher up (the city's staff) is not a submitter of a school."""
    holders = defaultdict(list)
    rows = (
        OrgUnitUserPermission.objects.filter(
            content_object_id__in=unit_ids,
            permission__codename=Perm.SUBMIT_REPORTS,
            user__is_active=True,
        )
        .values_list("content_object_id", "user_id")
        .order_by("content_object_id", "user_id")
        .distinct()
    )
    for unit_id, user_id in rows:
        holders[unit_id].append(user_id)
    return holders


def _remind(reports, *, now):
    """Write the reminders of ``reports`` (not submitted; ``unit`` selected) for today."""
    reports = list(reports)
    day = timezone.localdate(now)
    holders = _submitters({r.unit_id for r in reports})
    built, nobody = [], 0
    for report in reports:
        users = holders.get(report.unit_id, [])
        if not users:
            nobody += 1
        params = {
            "unit": report.unit.name,
            "week": periods.label(report.week),
            "due": timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        link = review.report_link(report)
        for user_id in users:
            built.append(
                notification_build(
                    recipient_id=user_id,
                    kind=NOTICE_REMINDER,
                    params=params,
                    link=link,
                    unit_id=report.unit_id,
                    dedupe_key=dedupe_key(report.pk, day),
                )
            )
    written = notify_many(notices=built)
    return Sent(reports=len(reports), people=written, skipped=len(built) - written, nobody=nobody)


def remind_missing(*, user, week, unit=None):
    """Remind, for ``week``, the units whose reports ``user`` reviews (in their REVIEW_REPORTS
    scope, reviewed at a unit there too) and that are not submitted; ``unit`` narrows it to
    one county's (its schools' and its own) or one city's. 403 without REVIEW_REPORTS (at
    ``unit``, when given)."""
    if unit is not None:
        access.require_perm_at(user, Perm.REVIEW_REPORTS, unit)
    elif not access.is_unrestricted(user) and not access.granted_paths(user).get(
        Perm.REVIEW_REPORTS
    ):
        raise PermissionDenied
    reports = (
        selectors.weekly_reports_for_user(user, Perm.REVIEW_REPORTS)
        .filter(
            access.scope_q(user, Perm.REVIEW_REPORTS, path_field="review_unit__path"),
            week=week,
            first_submitted_at__isnull=True,
        )
        .select_related("unit")
        .order_by("unit__path")
    )
    if unit is not None:
        reports = reports.filter(unit__path__startswith=unit.path)
        if unit.kind == OrgUnit.Kind.CITY:
            # The city's own line: its counties' reports and its direct schools'.
            reports = reports.filter(review_unit=unit)
    now = timezone.now()
    with transaction.atomic():
        sent = _remind(reports, now=now)
        audit(
            actor=user,
            action="weekly.remind",
            unit=unit,
            week=periods.label(week),
            reports=sent.reports,
            people=sent.people,
        )
    return sent


def reminders_due(*, now=None):
    """The daily run (08:30): remind every school and county whose report is due today (later
    than now) or tomorrow and not submitted. Idempotent through the dedupe key."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=2)
    reports = (
        WeeklyReport.objects.filter(
            first_submitted_at__isnull=True,
            due_at__gt=now,
            due_at__gte=start,
            due_at__lt=end,
            unit__is_active=True,
        )
        .select_related("unit")
        .order_by("unit__path")
    )
    return _remind(reports.iterator(chunk_size=2000), now=now)
