"""The personal iCalendar feed (RFC 5545): the user's calendar entries for a calendar program.

The program fetches ``calendar/feed/<token>.ics`` without a session: the token (a random
secret, reporting.models.CalendarFeedToken) names the user, and a wrong or rotated token is
404, like every URL that names nothing. The window is 8 weeks back and 26 ahead; UIDs are the
entries' own stable keys with the portal's host, so that a refetch updates events in place.
A deadline with a time is a zero-length event at that time in Asia/Shanghai (with its
VTIMEZONE); an entry without one is an all-day event.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from core import calendar
from core.services.audit import audit
from reporting.models import CalendarFeedToken, new_feed_token

WEEKS_BACK = 8
WEEKS_AHEAD = 26


def url_of(token):
    return reverse("reporting:calendar_feed", args=[token])


@transaction.atomic
def rotate(user):
    """Give ``user`` a new feed token (the first, or instead of the old one)."""
    row, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
    if not created:
        row.token = new_feed_token()
        row.created_at = timezone.now()
        row.save(update_fields=["token", "created_at"])
    audit(actor=user, action="calendar.feed_rotate", first=created)
    return row


def _user_for(token):
    if not token or len(token) > 64 or "\x00" in token:
        return None
    row = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    return row.user if row else None


def build(user, *, host, today=None):
    """The feed of ``user`` as bytes."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(weeks=WEEKS_BACK)
    end = today + dt.timedelta(weeks=WEEKS_AHEAD)
    zone = ZoneInfo(settings.TIME_ZONE)
    # DTSTAMP is required; the start of the UTC day rather than this instant, so that two
    # fetches of an unchanged calendar are byte-identical (a program re-reads the whole feed
    # anyway, and the access walks compare pages fetched twice).
    stamp = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//campaign portal//calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Campaign calendar"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for entry in calendar.entries(user, start, end):
        event = Event()
        event.add("uid", f"{entry.uid}@{host}")
        event.add("dtstamp", stamp)
        summary = entry.title
        if entry.done:
            summary = f"✓ {summary}"
        event.add("summary", summary)
        if entry.time is not None:
            at = dt.datetime.combine(entry.day, entry.time, tzinfo=zone)
            event.add("dtstart", at)
            event.add("dtend", at)
        else:
            event.add("dtstart", entry.day)
            event.add("dtend", entry.day + dt.timedelta(days=entry.days))
        if entry.detail:
            event.add("description", entry.detail)
        if entry.url:
            event.add("url", f"https://{host}{entry.url}")
        event.add("categories", [entry.kind])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


@require_GET
def calendar_feed(request, token):
    user = _user_for(token)
    if user is None:
        raise Http404
    response = HttpResponse(
        build(user, host=request.get_host()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
