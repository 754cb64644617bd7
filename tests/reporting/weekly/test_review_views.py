"""The review pages: the week's inbox (pinned queries), accept / return by POST, bad input."""

import pytest
from django.urls import reverse

from reporting.models import WeeklyReport
from tests.reporting.weekly.test_review import LABEL, WEEK, report_of, submit


@pytest.fixture
def week(tree):
    from reporting.weekly import opening

    opening.week_open(week=WEEK)
    return WEEK


def inbox_url(label=LABEL):
    return reverse("reporting:week_review_week", args=[label])


@pytest.mark.django_db
def test_county_inbox_lists_its_schools_awaiting_first(
    week, tree, county_staff, school_officer, client_for, django_assert_num_queries
):
    submit(report_of(tree.tz_school2), school_officer, found=7)
    c = client_for(county_staff)
    c.get(inbox_url())  # warm the session and permission caches
    with django_assert_num_queries(9):
        response = c.get(inbox_url())
    html = response.content.decode()
    assert response.status_code == 200
    rows = [r.unit.code for r in response.context["inbox"]]
    assert rows == ["NT-TZ-0002", "NT-TZ-0001"]  # awaiting review first
    assert [r.unit.code for r in response.context["own"]] == ["NT-TZ"]
    assert "如东" not in html and "南通中学" not in html
    assert response.context["previous"] == "2026-W48" and response.context["next"] == "2026-W50"


@pytest.mark.django_db
def test_city_inbox_has_counties_and_city_direct_schools(week, tree, city_staff, client_for):
    response = client_for(city_staff).get(inbox_url())
    assert sorted(r.unit.code for r in response.context["inbox"]) == ["NT-0001", "NT-RD", "NT-TZ"]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_reports(
    week, tree, county_staff, school_officer, client_for, django_assert_num_queries
):
    from reporting.weekly import opening
    from tests.factories import SchoolFactory

    for i in range(5):
        SchoolFactory(name=f"学校{i}", code=f"NT-TZ-01{i:02d}", parent=tree.tongzhou)
    opening.week_open(week=WEEK)
    c = client_for(county_staff)
    c.get(inbox_url())
    with django_assert_num_queries(9):
        response = c.get(inbox_url())
    assert len(response.context["inbox"]) == 7


@pytest.mark.django_db
def test_return_and_accept_by_post(week, tree, county_staff, school_officer, client_for):
    report = submit(report_of(tree.tz_school), school_officer)
    c = client_for(county_staff)
    url = reverse("reporting:week_return", args=["NT-TZ-0001", LABEL])
    response = c.post(url, {"reason": ""}, follow=True)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert "退回理由" in " ".join(str(m) for m in response.context["messages"])
    response = c.post(url, {"reason": "数字不对", "next": "/reporting/weekly/review/"})
    assert response.status_code == 302 and response["Location"] == "/reporting/weekly/review/"
    assert report_of(tree.tz_school).status == WeeklyReport.Status.RETURNED
    # An unsafe next falls back to the week's inbox.
    submit(report, school_officer)
    response = c.post(
        reverse("reporting:week_accept", args=["NT-TZ-0001", LABEL]),
        {"next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == inbox_url()
    assert report_of(tree.tz_school).status == WeeklyReport.Status.ACCEPTED
    # Accepting again: a message, nothing changed.
    response = c.post(reverse("reporting:week_accept", args=["NT-TZ-0001", LABEL]), follow=True)
    assert response.status_code == 200
    assert "只有待审核的周报" in " ".join(str(m) for m in response.context["messages"])


@pytest.mark.django_db
def test_bad_input_and_access(
    week, tree, county_staff, other_county_staff, school_officer, client_for
):
    submit(report_of(tree.tz_school), school_officer)
    accept = reverse("reporting:week_accept", args=["NT-TZ-0001", "2026-W99"])
    response = client_for(county_staff).post(accept, follow=True)
    assert response.status_code == 200
    assert report_of(tree.tz_school).status == WeeklyReport.Status.SUBMITTED
    accept = reverse("reporting:week_accept", args=["NT-TZ-0001", LABEL])
    assert client_for(other_county_staff).post(accept).status_code == 404
    assert client_for(school_officer).post(accept).status_code == 403
    assert client_for(county_staff).get(accept).status_code == 405
    assert client_for(county_staff).get(inbox_url("not-a-week")).status_code == 302
    assert report_of(tree.tz_school).status == WeeklyReport.Status.SUBMITTED
