"""The daily overdue and escalation run (issue 3, item 5; DESIGN §5).

For every open hazard with a time limit:
- due within ``DUE_SOON_DAYS`` days (and not overdue): the school (manage permission there);
- overdue: the county (accept permission; the city for a school directly under the city);
- overdue ``CITY_AFTER_DAYS`` days or more, or a major hazard overdue: also the city.

One in-app notification per person, hazard, level and day (``dedupe_key``), so a second run on
the same day writes nothing. A person reached at two levels (a city-direct school) gets the
higher one only. When e-mail is configured, each person with new notifications gets one
digest e-mail per run.

The daily run is a job run (kind ``hazard_escalation``) per top unit (city or province) and
day, asked for by beat (``hazards.tasks.hazard_escalation_task``); its handler escalates that
unit's hazards and records the counts on the run, which those who see the whole unit read.
"""

import logging
from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import selectors as campaign_selectors
from campaign.models import OrgUnit
from campaign.roles import Perm
from core import services as core_services
from core.jobs import Outcome
from hazards import notices
from hazards.models import Hazard

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3
CITY_AFTER_DAYS = 15

DUE, COUNTY, CITY = "due", "overdue", "escalated"
KINDS = {DUE: notices.DUE, COUNTY: notices.OVERDUE, CITY: notices.ESCALATED}


def levels_for(hazard, today):
    """[(level, unit id, permission)] to notify about ``hazard`` today, highest level first."""
    days_late = (today - hazard.deadline).days
    if days_late <= 0:
        return [(DUE, hazard.school_id, Perm.MANAGE_HAZARD)] if -days_late <= DUE_SOON_DAYS else []
    levels = []
    if days_late >= CITY_AFTER_DAYS or hazard.level == Hazard.Level.MAJOR:
        levels.append((CITY, hazard.city_id, Perm.ACCEPT_HAZARD))
    levels.append((COUNTY, hazard.county_id or hazard.city_id, Perm.ACCEPT_HAZARD))
    return levels


def _notices(today, unit=None):
    """Unsaved notifications for every open hazard (under ``unit``, if given) that is due soon
    or overdue."""
    recipients = {}  # (unit id, perm) -> [user id]; each unit's people are read once

    def people(unit_id, perm):
        if (unit_id, perm) not in recipients:
            users = campaign_selectors.people_with_perm_at([unit_id], perm)
            recipients[unit_id, perm] = [u.pk for u in users]
        return recipients[unit_id, perm]

    # One URL pattern for all: reverse() per row would cost more than the rest of the loop.
    link_template = reverse("hazards:hazard_detail", args=["CODE"])
    hazards = (
        Hazard.objects.filter(
            status__in=Hazard.OPEN_STATUSES,
            deadline__isnull=False,
            deadline__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("school")
        .only(
            "id",
            "code",
            "level",
            "deadline",
            "school_id",
            "county_id",
            "city_id",
            "school__name",
            "location",
        )
        .order_by("deadline", "id")
    )
    if unit is not None:
        hazards = hazards.filter(_under(unit))
    for hazard in hazards.iterator(chunk_size=2000):
        reached = set()
        link = link_template.replace("CODE", hazard.code)
        params = {
            "code": hazard.code,
            "school": hazard.school.name,
            "location": hazard.location,
            "deadline": hazard.deadline.isoformat(),
            "days": abs((today - hazard.deadline).days),
            "major": hazard.level == Hazard.Level.MAJOR,
        }
        for level, unit_id, perm in levels_for(hazard, today):
            for user_id in people(unit_id, perm):
                if user_id in reached:
                    continue
                reached.add(user_id)
                yield core_services.notification_build(
                    recipient_id=user_id,
                    unit_id=hazard.school_id,
                    kind=KINDS[level],
                    params=params,
                    link=link,
                    dedupe_key=f"hazard:{hazard.pk}:{level}:{today.isoformat()}",
                )


def _under(unit):
    # The register's own keys: a city is one indexed column, a province its cities' paths.
    if unit.kind == OrgUnit.Kind.CITY:
        return Q(city_id=unit.pk)
    return Q(city__path__startswith=unit.path)


def hazards_escalate(*, today=None, unit=None):
    """Write today's due-soon, overdue and escalation notifications for the hazards under
    ``unit`` (a city or province; None: all); safe to run twice.

    Returns ``{"notifications": n, "emails": m}``.
    """
    today = today or timezone.localdate()
    started = timezone.now()
    written = core_services.notify_many(notices=_notices(today, unit))
    since = started - timedelta(days=1)
    emails = core_services.digest_send(since=since) if core_services.digest_enabled() else 0
    log.info("hazard escalation %s %s: %s notifications, %s e-mails", today, unit, written, emails)
    return {"notifications": written, "emails": emails}


# --- As a job run -------------------------------------------------------------------------

ESCALATION_JOB = "hazard_escalation"


def escalation_job(run, report_progress):
    """The JobRun handler: escalate the run's unit for the day it names (its period)."""
    report_progress(5)
    counts = hazards_escalate(today=date.fromisoformat(run.period), unit=run.unit)
    return Outcome(result=counts)


def escalation_describe(result):
    return _("Notifications written: %(notifications)s; e-mails sent: %(emails)s.") % {
        "notifications": result["notifications"],
        "emails": result["emails"],
    }


def hazards_escalation_request(*, today=None):
    """Ask for today's escalation: one job run per top unit (city or province) and day; asking
    again the same day returns the same runs (a failed one is queued again)."""
    from campaign import services as campaign_services

    today = today or timezone.localdate()
    tops = OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("path")
    return [
        campaign_services.job_run_request(
            kind=ESCALATION_JOB, unit=unit, period=today.isoformat(), actor=None
        )
        for unit in tops
    ]
