"""Every read of the core app. Notifications are each person's own: no one reads another's.

Job runs are read through ``campaign.selectors``, which applies who may see them.
"""

from datetime import timedelta

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from core.models import Notification, WorkerHeartbeat


def worker_last_seen():
    """When any worker last answered, or None."""
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
    return latest.first()


def worker_alive():
    seen = worker_last_seen()
    return seen is not None and timezone.now() - seen < timedelta(
        seconds=settings.WORKER_STALE_SECONDS
    )


def notifications_for_user(user):
    """The user's own notifications, newest first (nobody reads another's)."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def notification_for_user(user, pk):
    """One of the user's notifications; 404 for another's or one that does not exist."""
    notification = notifications_for_user(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def notifications_unread_count(user):
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notifications_for_digest(*, since):
    """Unread notifications not yet e-mailed, created since ``since``, with their recipient
    (who has an e-mail address and wants the digest), grouped by the caller."""
    return (
        Notification.objects.filter(
            created_at__gte=since,
            read_at__isnull=True,
            emailed_at__isnull=True,
            recipient__is_active=True,
            recipient__email_digest=True,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "id")
    )
