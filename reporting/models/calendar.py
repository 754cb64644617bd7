"""The calendar's personal iCalendar feed: one secret token per user (reporting.calendar).

A calendar program fetches the feed without a session, so the URL itself is the credential:
a random token (not derived from anything the user or an admin could read elsewhere), stored
so that rotating it makes the old URL answer 404 at once. One row per user, made on first use.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["CalendarFeedToken", "new_feed_token"]


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
