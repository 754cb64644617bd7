"""Notifications: write them (one or many, deduplicated), mark them read, e-mail a digest."""

import logging
from collections import defaultdict
from itertools import islice

from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import ngettext

from core import notices
from core.models import Notification

log = logging.getLogger(__name__)

TEXT_MAX = 300
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


def _stored_text(kind, params):
    """The text kept on the row: the rendering in the portal's language when written."""
    with translation.override(settings.LANGUAGE_CODE):
        return (notices.render_params(kind, params) or "")[:TEXT_MAX]


def notification_build(*, recipient_id, kind, params, link="", unit_id=None, dedupe_key=""):
    """An unsaved notification of ``kind`` (for ``notify_many``)."""
    return Notification(
        recipient_id=recipient_id,
        unit_id=unit_id,
        kind=kind,
        params=params,
        text=_stored_text(kind, params),
        link=link,
        dedupe_key=dedupe_key,
    )


def notify(*, recipients, kind, params, link="", unit=None, dedupe_key=""):
    """Write one in-app notification per recipient; a repeated ``dedupe_key`` is skipped.

    The text is rendered from ``kind`` and ``params`` when the notice is shown, in the reader's
    language (``core.notices``).
    """
    text = _stored_text(kind, params)
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            params=params,
            text=text,
            link=link,
            unit=unit,
            dedupe_key=dedupe_key,
        )
        for user in recipients
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    return len(rows)


def notify_many(*, notices, batch_size=1000):
    """Write many in-app notifications at once, skipping any (recipient, dedupe_key) already
    there, so that a daily job run twice writes nothing new. ``notices`` is an iterable of
    unsaved ``Notification`` rows (``notification_build``) with a ``dedupe_key``. Returns how
    many were written."""
    notices = iter(notices)
    written = 0
    while batch := list(islice(notices, batch_size)):
        existing = set(
            Notification.objects.filter(
                recipient_id__in={n.recipient_id for n in batch},
                dedupe_key__in={n.dedupe_key for n in batch},
            ).values_list("recipient_id", "dedupe_key")
        )
        new = {(n.recipient_id, n.dedupe_key): n for n in batch}
        new = [n for key, n in new.items() if key not in existing]
        # ignore_conflicts: a run racing this one must not fail the batch.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        written += len(new)
    return written


def notification_mark_read(*, user, notification_ids=None):
    """Mark the user's notifications (all, or the given ones) as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def notification_digest_mark_emailed(*, notification_ids):
    """Record that these notifications went out in an e-mail digest."""
    return Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


def digest_send(*, since):
    """One e-mail per person listing their unread notifications since ``since`` that were not
    e-mailed yet, in the portal's language; marks them e-mailed. Returns how many were sent."""
    from core.selectors import notifications_for_digest

    by_user = defaultdict(list)
    users = {}
    for notification in notifications_for_digest(since=since).iterator():
        by_user[notification.recipient_id].append(notification)
        users[notification.recipient_id] = notification.recipient
    if not by_user:
        return 0
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, items in by_user.items():
            subject = ngettext(
                "Campus safety: %(count)s new notification",
                "Campus safety: %(count)s new notifications",
                len(items),
            ) % {"count": len(items)}
            lines = [
                f"- {notices.render(n)}" + (f"\n  {base}{n.link}" if n.link else "") for n in items
            ]
            messages.append(
                (subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [users[user_id].email])
            )
    sent = mail.send_mass_mail(messages, fail_silently=False)
    notification_digest_mark_emailed(
        notification_ids=[n.pk for items in by_user.values() for n in items]
    )
    log.info("notification digest: %s e-mails", sent)
    return sent
