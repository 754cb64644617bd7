"""Directive deadlines on the calendar (issued and received) and the workbench's directives
to confirm."""

import datetime as dt

import pytest
from django.urls import reverse

from campaign.directives import calendar
from tests.campaign.directives.helpers import DEADLINE, confirm, issue, media  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
WEEK = (dt.date(2019, 12, 16), dt.date(2019, 12, 22))


def test_the_calendar_shows_issued_and_received_deadlines(
    tree, city_staff, county_staff, other_county_staff, outsider
):
    directive = issue(tree.city, city_staff, [tree.tongzhou, tree.rudong])
    confirm(directive.receipts.get(unit=tree.tongzhou), county_staff)
    (issued,) = calendar.entries(city_staff, *WEEK)
    assert issued.day == DEADLINE and issued.done is False
    assert "2 个单位中 1 个已确认" in issued.detail
    (received,) = calendar.entries(county_staff, *WEEK)
    assert received.done is True and received.url == directive.get_absolute_url()
    assert calendar.entries(other_county_staff, *WEEK)[0].done is False
    assert calendar.entries(outsider, *WEEK) == []
    assert calendar.entries(city_staff, dt.date(2020, 1, 1), dt.date(2020, 1, 31)) == []


def test_the_workbench_lists_the_directives_to_confirm(
    tree, city_staff, county_staff, school_officer, client_for
):
    directive = issue(tree.city, city_staff, [tree.tongzhou])
    page = client_for(county_staff).get(reverse("campaign:workbench")).content.decode()
    assert "1 项交办事项待确认" in page and directive.title in page
    assert "交办事项待确认" not in (
        client_for(school_officer).get(reverse("campaign:workbench")).content.decode()
    )
    confirm(directive.receipts.get(), county_staff)
    page = client_for(county_staff).get(reverse("campaign:workbench")).content.decode()
    assert "交办事项待确认" not in page
