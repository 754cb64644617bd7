"""Meetings made for tests through the services, at fixed dates: the city's conference of
2019-12-13 at 09:00 with both counties summoned."""

import datetime as dt

from campaign.meetings import services
from campaign.models import Meeting, MeetingSummons

TZ = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2019, 12, 13)
BEFORE = dt.datetime(2019, 12, 12, 15, 0, tzinfo=TZ)
DURING = dt.datetime(2019, 12, 13, 9, 30, tzinfo=TZ)
AFTER = dt.datetime(2019, 12, 13, 17, 0, tzinfo=TZ)


def conference(holder, actor, summoned, *, held_on=DAY, title="全市专项整治推进会"):
    return services.meeting_record(
        unit=holder,
        kind=Meeting.Kind.CONFERENCE,
        title=title,
        held_on=held_on,
        starts_at=dt.time(9, 0),
        place="市教育局三楼会议室",
        summoned=summoned,
        expected_attendee="分管局长、安全科科长",
        actor=actor,
    )


def summons_of(meeting, unit):
    return MeetingSummons.objects.get(meeting=meeting, unit=unit)
