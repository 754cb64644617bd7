"""The calendar's pages: the month grid (and its list by day), the coming weeks, the workbench's
"due this week"; scoped, filtered, bad input answered with a message, query counts pinned."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SchoolFactory
from tests.reporting.calendar.conftest import report_of
from tests.reporting.weekly.test_review import submit

pytestmark = pytest.mark.django_db


def uids(response):
    return [item.uid for week in response.context["weeks"] for d in week for item in d["entries"]]


def test_the_month_shows_the_weeks_monday_to_sunday_with_the_users_entries(
    week, tree, client_for, county_staff
):
    response = client_for(county_staff).get(reverse("reporting:calendar_month_of", args=[2026, 12]))
    assert response.status_code == 200
    weeks = response.context["weeks"]
    assert weeks[0][0]["day"].isoweekday() == 1 and weeks[-1][-1]["day"].isoweekday() == 7
    assert f"weekly-schools-2026W49-u{tree.tongzhou.pk}" in uids(response)
    assert "weekly-county-2026W49-NT-TZ" in uids(response)
    assert "campaign-year-end-2026" in uids(response)
    body = response.content.decode()
    assert 'id="calendar-grid"' in body and 'id="calendar-days"' in body
    # Another county's staff never see 通州区's aggregated entry.
    assert not any(f"u{tree.rudong.pk}" in uid for uid in uids(response))


def test_the_officer_sees_the_schools_deadline_marked_done(week, tree, client_for, school_officer):
    submit(report_of(tree.tz_school), school_officer)
    response = client_for(school_officer).get(reverse("reporting:calendar_month"))
    (item,) = [
        i
        for w in response.context["weeks"]
        for d in w
        for i in d["entries"]
        if i.uid == "weekly-school-2026W49-NT-TZ-0001"
    ]
    assert item.state == "done" and tree.tz_school.name in item.title
    assert "cal-state-done" in response.content.decode()


def test_the_filter_keeps_the_chosen_kinds_and_the_month_links_keep_the_filter(
    week, client_for, city_staff
):
    url = reverse("reporting:calendar_month_of", args=[2026, 12])
    response = client_for(city_staff).get(url, {"kind": ["campaign", "nonsense"]})
    assert response.status_code == 200
    assert {i.kind for w in response.context["weeks"] for d in w for i in d["entries"]} == {
        "campaign"
    }
    assert response.context["previous_url"] == reverse(
        "reporting:calendar_month_of", args=[2026, 11]
    )
    assert response.context["next_url"] == reverse("reporting:calendar_month_of", args=[2027, 1])
    assert "?kind=campaign" in response.content.decode()


@pytest.mark.parametrize("args", [(2026, 13), (2026, 0), (1999, 5), (9999, 1)])
def test_a_month_that_is_not_one_is_answered_with_a_message(week, client_for, city_staff, args):
    client = client_for(city_staff)
    response = client.get(reverse("reporting:calendar_month_of", args=args))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:calendar_month")
    response = client.get(response["Location"])
    assert len(list(response.context["messages"])) == 1


def test_the_list_shows_the_next_weeks(week, tree, client_for, city_staff):
    client = client_for(city_staff)
    response = client.get(reverse("reporting:calendar_list"))
    assert response.status_code == 200 and response.context["n"] == 8
    first = response.context["weeks"][0]
    assert f"weekly-schools-2026W49-u{tree.city.pk}" in [e.uid for e in first["entries"]]
    assert client.get(reverse("reporting:calendar_list"), {"weeks": "x"}).context["n"] == 8
    assert client.get(reverse("reporting:calendar_list"), {"weeks": "400"}).context["n"] == 26


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("name", ["reporting:calendar_month", "reporting:calendar_list"])
def test_the_query_count_does_not_grow_with_the_schools(week, tree, client_for, city_staff, name):
    from reporting.weekly import opening

    client = client_for(city_staff)
    url = reverse(name)
    few = _count(client, url)
    for i in range(12):
        SchoolFactory(code=f"NT-TZ-02{i:02d}", parent=tree.tongzhou)
    opening.week_open(week=week)
    # 17 today: session, user, grants, the two weekly aggregates, the monthly counties and
    # confirmations, the year's hazards, the key periods, the directives' deadlines, the
    # meetings (held and summoned to), the feed token, messages… none of them per school or
    # per entry.
    assert _count(client, url) == few <= 17


def test_the_workbench_lists_what_is_due_this_week(week, tree, client_for, county_staff):
    response = client_for(county_staff).get(reverse("campaign:workbench"))
    body = response.content.decode()
    assert 'id="wb-calendar"' in body
    assert reverse("reporting:week_review_week", args=["2026-W49"]) in body


def test_the_workbench_has_no_section_for_an_outsider(week, client_for, outsider):
    body = client_for(outsider).get(reverse("campaign:workbench")).content.decode()
    assert 'id="wb-calendar"' not in body
