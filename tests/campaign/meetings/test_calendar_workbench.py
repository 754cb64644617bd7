"""Meetings on the calendar (held and summoned to) and on the workbench: the meetings a unit
is summoned to, with the leave state, and the requests for leave awaiting the office."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.meetings import calendar, services
from tests.campaign.meetings.helpers import DAY, conference, summons_of

pytestmark = pytest.mark.django_db
WEEK = (dt.date(2019, 12, 9), dt.date(2019, 12, 15))


def test_the_calendar_shows_held_and_summoned_meetings(
    tree, safety_office, county_staff, other_county_staff, outsider
):
    meeting = conference(tree.city, safety_office, [tree.tongzhou])
    (held,) = calendar.entries(safety_office, *WEEK)
    assert held.day == DAY and held.time == dt.time(9, 0) and "1 个单位参会" in held.detail
    (summoned,) = calendar.entries(county_staff, *WEEK)
    assert summoned.url == meeting.get_absolute_url() and "参会通知" in summoned.title
    assert calendar.entries(other_county_staff, *WEEK) == []
    assert calendar.entries(outsider, *WEEK) == []
    assert calendar.entries(safety_office, dt.date(2020, 1, 1), dt.date(2020, 1, 31)) == []


def test_the_workbench_lists_summonses_and_leave_to_decide(
    tree, safety_office, county_staff, other_county_staff, client_for
):
    soon = timezone.localdate() + dt.timedelta(days=2)
    meeting = conference(tree.city, safety_office, [tree.tongzhou], held_on=soon)
    page = client_for(county_staff).get(reverse("campaign:workbench")).content.decode()
    assert 'id="wb-meetings"' in page and "参会通知：全市专项整治推进会" in page
    other = client_for(other_county_staff).get(reverse("campaign:workbench")).content.decode()
    assert 'id="wb-meetings"' not in other
    services.leave_ask(
        summons=summons_of(meeting, tree.tongzhou),
        reason="出差",
        actor=county_staff,
        now=timezone.now(),  # two days before the meeting
    )
    office = client_for(safety_office).get(reverse("campaign:workbench")).content.decode()
    assert "通州区 申请请假" in office
