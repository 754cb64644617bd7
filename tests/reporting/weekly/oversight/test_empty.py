"""The key-supervision list: submitted-but-empty reports and missing ones past their deadline,
in scope, each linked to its report."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import OrgUnit
from reporting.weekly import opening, periods
from tests.factories import SchoolFactory
from tests.reporting.weekly.oversight.conftest import LABEL, WEEK, mark

URL = reverse("reporting:week_empty", args=[LABEL])


def codes(response):
    return [(r.unit.code, r.is_missing) for r in response.context["rows"]]


@pytest.mark.django_db
def test_city_sees_empty_and_missing_everywhere(week, tree, city_staff, client_for):
    mark(tree.tz_school, empty=True)
    mark(tree.tz_school2)
    mark(tree.rd_school, late=True, empty=True)
    mark(tree.tongzhou)
    response = client_for(city_staff).get(URL)
    assert response.status_code == 200
    # Missing first (如东县's county report, then the city-direct school), then the empty ones.
    assert codes(response) == [
        ("NT-RD", True),
        ("NT-0001", True),
        ("NT-TZ-0001", False),
        ("NT-RD-0001", False),
    ]


@pytest.mark.django_db
def test_county_sees_only_its_own(week, tree, county_staff, client_for):
    mark(tree.rd_school, empty=True)
    response = client_for(county_staff).get(URL)
    # Its two schools missing and its own report missing; nothing of 如东县 or the city.
    assert {c for c, _m in codes(response)} == {"NT-TZ", "NT-TZ-0001", "NT-TZ-0002"}
    assert "如东县" not in response.content.decode()


@pytest.mark.django_db
def test_before_the_deadline_not_submitted_is_not_listed(tree, city_staff, client_for):
    later = dt.date(2030, 1, 7)
    opening.week_open(week=later)
    url = reverse("reporting:week_empty", args=[periods.label(later)])
    assert client_for(city_staff).get(url).context["rows"] == []


@pytest.mark.django_db
def test_each_row_links_to_its_report(week, tree, city_staff, client_for):
    from reporting.weekly import review

    mark(tree.tz_school, empty=True)
    response = client_for(city_staff).get(URL)
    row = next(r for r in response.context["rows"] if r.unit.code == "NT-TZ-0001")
    assert row.link == review.report_link(row)
    if row.link:
        assert f'href="{row.link}"' in response.content.decode()


@pytest.mark.django_db
def test_query_count_does_not_grow(week, tree, city_staff, client_for):
    client = client_for(city_staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(3, 13):
        SchoolFactory(code=f"NT-TZ-{n:04d}", parent=tree.tongzhou)
    opening.week_open(week=WEEK)
    mark(OrgUnit.objects.get(code="NT-TZ-0005"), empty=True)
    assert count() == before
