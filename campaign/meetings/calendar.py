"""Meetings as a calendar source: those the user's own units hold and those their units are
summoned to (two queries, whatever the window)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.meetings import selectors
from core.calendar import Entry

NAME = "meetings"
LABEL = gettext_lazy("Meetings")


def entries(user, start, end):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    held, summoned = selectors.calendar_meetings(user, start, end)
    found = [
        Entry(
            uid=f"meeting-{m.pk}",
            day=m.held_on,
            time=m.starts_at,
            title=m.title,
            kind=NAME,
            url=m.get_absolute_url(),
            detail=(
                _("%(unit)s · %(count)s units summoned")
                % {"unit": m.unit.name, "count": m.summoned}
                if m.summoned
                else m.unit.name
            ),
        )
        for m in held
    ]
    seen = {m.pk for m in held}
    found += [
        Entry(
            uid=f"meeting-{s.meeting_id}-{s.unit.code}",
            day=s.meeting.held_on,
            time=s.meeting.starts_at,
            title=_("Summoned: %(title)s") % {"title": s.meeting.title},
            kind=NAME,
            url=s.meeting.get_absolute_url(),
            detail=f"{s.meeting.unit.name} → {s.unit.name} · {s.expected_attendee}",
        )
        for s in summoned
        if s.meeting_id not in seen
    ]
    return found
