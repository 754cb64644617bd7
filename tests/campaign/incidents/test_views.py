"""The incident pages as their users see them: report, list with filters, detail with the
time to report, follow-up, forward, close; bad input refused; other schools see nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.models import Incident
from tests.campaign.incidents.helpers import report

pytestmark = pytest.mark.django_db
LIST = reverse("campaign:incident_list")
NEW = reverse("campaign:incident_new")


def _form(school, **change):
    now = timezone.localtime()
    return {
        "unit": school.code,
        "occurred_at": (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "learned_at": (now - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "on_campus": "0",
        "place": "村口河塘",
        "category": "drowning",
        "description": "一名五年级男生落水。",
        "deaths": "1",
        "serious_injuries": "0",
        "minor_injuries": "0",
        "handling": "已报警并送医。",
        **change,
    }


def test_an_officer_reports_an_off_campus_drowning(tree, school_officer, safety_office, client_for):
    client = client_for(school_officer)
    page = client.get(NEW)
    assert "姓名" in page.content.decode()  # the help text warns against names
    response = client.post(NEW, _form(tree.tz_school))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert not incident.on_campus and incident.deaths == 1 and incident.is_serious
    assert not incident.late_to_county
    detail = client.get(response["Location"]).content.decode()
    assert "村口河塘" in detail and "校外" in detail


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"deaths": "-1"}, "0"),
        ({"deaths": "abc"}, "整数"),
        ({"occurred_at": "2019-13-45T10:00"}, "日期"),
        ({"learned_at": "2099-01-01T10:00"}, ""),
        ({"category": "<script>"}, ""),
        ({"unit": "NT-RD-0001"}, ""),
        ({"place": ""}, "必填"),
    ],
)
def test_bad_input_is_refused_with_a_message(tree, school_officer, client_for, change, text):
    response = client_for(school_officer).post(NEW, _form(tree.tz_school, **change))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert "portal-error-summary" in response.content.decode()
    assert not Incident.objects.exists()


def test_learned_before_it_happened_is_refused(tree, school_officer, en_client_for):
    now = timezone.localtime()
    change = {
        "occurred_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "learned_at": (now - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = en_client_for(school_officer).post(NEW, _form(tree.tz_school, **change))
    assert response.status_code == 400
    assert "before it happened" in response.content.decode()


def test_the_city_sees_the_time_to_report(
    tree, school_officer, county_staff, city_staff, en_client_for
):
    incident = report(tree.tz_school, school_officer, deaths=1, after=dt.timedelta(hours=3))
    from campaign.incidents import services

    services.incident_forward(
        incident=incident,
        actor=county_staff,
        now=incident.reported_to_county_at + dt.timedelta(minutes=20),
    )
    page = en_client_for(city_staff).get(incident.get_absolute_url()).content.decode()
    assert "（3 h）" in page and "20 min" in page and "3 h 20 min" in page
    assert page.count(">late<") == 1


def test_the_county_forwards_and_closes(tree, school_officer, county_staff, client_for):
    incident = report(tree.tz_school, school_officer)
    client = client_for(county_staff)
    assert client.post(reverse("campaign:incident_forward", args=[incident.pk])).status_code == 302
    again = client.post(reverse("campaign:incident_forward", args=[incident.pk]), follow=True)
    assert "已" in again.content.decode()  # already reported to the city: a message, no change
    incident.refresh_from_db()
    assert incident.reported_to_city_at is not None
    refused = client.post(reverse("campaign:incident_close", args=[incident.pk]), {"note": ""})
    assert refused.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN
    client.post(reverse("campaign:incident_close", args=[incident.pk]), {"note": "已结案。"})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED


def test_a_follow_up_is_added(tree, school_officer, client_for):
    incident = report(tree.tz_school, school_officer)
    url = reverse("campaign:incident_follow_up", args=[incident.pk])
    client = client_for(school_officer)
    assert (
        client.post(
            url, {"note": "", "deaths": "0", "serious_injuries": "0", "minor_injuries": "1"}
        ).status_code
        == 400
    )
    response = client.post(
        url, {"note": "伤者已出院。", "deaths": "0", "serious_injuries": "0", "minor_injuries": "1"}
    )
    assert response.status_code == 302
    assert "伤者已出院。" in client.get(incident.get_absolute_url()).content.decode()


def test_a_school_of_another_county_cannot_see_it(
    tree, school_officer, other_county_staff, client_for
):
    from campaign.roles import Role
    from tests.factories import UserFactory, grant

    incident = report(tree.tz_school, school_officer)
    rd_officer = grant(UserFactory(username="rd-officer"), Role.SCHOOL_OFFICER, tree.rd_school)
    sibling = grant(UserFactory(username="tz-officer2"), Role.SCHOOL_OFFICER, tree.tz_school2)
    for user in (rd_officer, other_county_staff, sibling):
        client = client_for(user)
        assert client.get(incident.get_absolute_url()).status_code == 404
        assert "校外河塘" not in client.get(LIST).content.decode()


def test_list_filters(tree, school_officer, county_staff, city_staff, client_for):
    late = report(tree.tz_school, school_officer, deaths=1, after=dt.timedelta(hours=5))
    on_time = report(tree.tongzhou, county_staff, on_campus=True, category="fall")
    client = client_for(city_staff)
    page = client.get(LIST, {"late": "late"}).content.decode()
    assert f"incident-{late.pk}" in page and f"incident-{on_time.pk}" not in page
    page = client.get(LIST, {"campus": "on"}).content.decode()
    assert f"incident-{late.pk}" not in page and f"incident-{on_time.pk}" in page
    page = client.get(LIST, {"county": "NT-RD"}).content.decode()
    assert "incident-list" not in page
    # A bad filter value shows everything with no error page.
    assert client.get(LIST, {"late": "<x>", "county": "\x00"}).status_code == 200


def test_the_list_query_count_does_not_grow(
    tree, school_officer, city_staff, client_for, django_assert_num_queries
):
    client = client_for(city_staff)
    report(tree.tz_school, school_officer)
    client.get(LIST)
    with django_assert_num_queries(10):
        client.get(LIST)
    for _ in range(5):
        report(tree.tz_school, school_officer)
    with django_assert_num_queries(10):
        client.get(LIST)


def test_the_demo_drowning_reads_in_chinese(tree, city_staff, client_for):
    from campaign.incidents import demo

    demo.seed(tree.city)
    incident = Incident.objects.get(category="drowning")
    page = client_for(city_staff).get(incident.get_absolute_url()).content.decode()
    assert "每一级须在1小时内上报" in page
    assert "15小时35分钟" in page and "从获知到市局接报：21小时5分钟" in page
    assert "2019-12-09 10:00" in page  # the follow-up keeps its own date
