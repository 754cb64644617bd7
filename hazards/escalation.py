"""The daily overdue and escalation run (issue 3, item 5; DESIGN §5).

For every open hazard with a time limit:
- due within ``DUE_SOON_DAYS`` days (and not overdue): the school (manage permission there);
- overdue: the county (accept permission; the city for a school directly under the city);
- overdue ``CITY_AFTER_DAYS`` days or more, or a major hazard overdue: also the city.

One in-app notification per person, hazard, level and day (``dedupe_key``), so a second run on
the same day writes nothing. A person reached at two levels (a city-direct school) gets the
higher one only. When e-mail is configured, each person with new notifications gets one
digest e-mail per run.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaign import selectors as campaign_selectors
from campaign import services as campaign_services
from campaign.models import Notification
from campaign.roles import Perm
from hazards.models import Hazard

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3
CITY_AFTER_DAYS = 15

DUE, COUNTY, CITY = "due", "overdue", "escalated"
KINDS = {DUE: "hazard.due", COUNTY: "hazard.overdue", CITY: "hazard.escalated"}
CONSOLE_BACKENDS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)


def digest_enabled():
    """E-mail digests go out when ``HAZARD_EMAIL_DIGEST`` says so or, when it is not set,
    when a real mail backend is configured (the development console backend is not)."""
    explicit = getattr(settings, "HAZARD_EMAIL_DIGEST", None)
    if explicit is not None:
        return bool(explicit)
    return settings.EMAIL_BACKEND not in CONSOLE_BACKENDS


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


def _text(level, hazard, today):
    days_late = (today - hazard.deadline).days
    values = {
        "code": hazard.code,
        "school": hazard.school.name,
        "deadline": hazard.deadline.isoformat(),
        "days": abs(days_late),
    }
    if level == DUE:
        if days_late == 0:
            return _("Hazard %(code)s at %(school)s is due today (%(deadline)s).") % values
        return (
            ngettext(
                "Hazard %(code)s at %(school)s is due in %(days)s day (%(deadline)s).",
                "Hazard %(code)s at %(school)s is due in %(days)s days (%(deadline)s).",
                values["days"],
            )
            % values
        )
    if level == CITY and hazard.level == Hazard.Level.MAJOR:
        return (
            ngettext(
                "Major hazard %(code)s at %(school)s is %(days)s day overdue "
                "(time limit %(deadline)s).",
                "Major hazard %(code)s at %(school)s is %(days)s days overdue "
                "(time limit %(deadline)s).",
                values["days"],
            )
            % values
        )
    if level == CITY:
        return (
            _(
                "Escalated to the city: hazard %(code)s at %(school)s is %(days)s days overdue "
                "(time limit %(deadline)s)."
            )
            % values
        )
    return (
        ngettext(
            "Hazard %(code)s at %(school)s is %(days)s day overdue (time limit %(deadline)s).",
            "Hazard %(code)s at %(school)s is %(days)s days overdue (time limit %(deadline)s).",
            values["days"],
        )
        % values
    )


def _notices(today):
    """Unsaved notifications for every open hazard that is due soon or overdue."""
    recipients = {}  # (unit id, perm) -> [user id]; each unit's people are read once

    def people(unit_id, perm):
        if (unit_id, perm) not in recipients:
            users = campaign_selectors.people_with_perm_at([unit_id], perm)
            recipients[unit_id, perm] = [u.pk for u in users]
        return recipients[unit_id, perm]

    # One URL pattern for all: reverse() per row would cost more than the rest of the loop.
    link_template = reverse("hazard_detail", args=["CODE"])
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
        )
        .order_by("deadline", "id")
    )
    for hazard in hazards.iterator(chunk_size=2000):
        reached = set()
        link = link_template.replace("CODE", hazard.code)
        for level, unit_id, perm in levels_for(hazard, today):
            text = _text(level, hazard, today)
            for user_id in people(unit_id, perm):
                if user_id in reached:
                    continue
                reached.add(user_id)
                yield Notification(
                    recipient_id=user_id,
                    unit_id=hazard.school_id,
                    kind=KINDS[level],
                    text=text[:300],
                    link=link,
                    dedupe_key=f"hazard:{hazard.pk}:{level}:{today.isoformat()}",
                )


def hazards_escalate(*, today=None):
    """Write today's due-soon, overdue and escalation notifications; safe to run twice.

    Returns ``{"notifications": n, "emails": m}``.
    """
    today = today or timezone.localdate()
    started = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        written = campaign_services.notify_many(notices=_notices(today))
        emails = digest_send(since=started - timedelta(days=1)) if digest_enabled() else 0
    log.info("hazard escalation %s: %s notifications, %s e-mails", today, written, emails)
    return {"notifications": written, "emails": emails}


def digest_send(*, since):
    """One e-mail per person listing their unread notifications since ``since`` that were not
    e-mailed yet; marks them e-mailed."""
    by_user = defaultdict(list)
    users = {}
    for notification in campaign_selectors.notifications_for_digest(since=since).iterator():
        by_user[notification.recipient_id].append(notification)
        users[notification.recipient_id] = notification.recipient
    if not by_user:
        return 0
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    messages = []
    for user_id, notices in by_user.items():
        subject = ngettext(
            "Campus safety: %(count)s new notification",
            "Campus safety: %(count)s new notifications",
            len(notices),
        ) % {"count": len(notices)}
        lines = [f"- {n.text}" + (f"\n  {base}{n.link}" if n.link else "") for n in notices]
        body = "\n".join(lines)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [users[user_id].email]))
    sent = mail.send_mass_mail(messages, fail_silently=False)
    campaign_services.notification_digest_mark_emailed(
        notification_ids=[n.pk for notices in by_user.values() for n in notices]
    )
    return sent
