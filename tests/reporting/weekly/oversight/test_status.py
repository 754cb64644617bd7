"""The week's rates page: per county, 市直属学校, the city total, a county's schools; scoped;
its query count does not grow with the schools."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.weekly import opening
from reporting.weekly.oversight import status
from tests.factories import SchoolFactory
from tests.reporting.weekly.oversight.conftest import LABEL, WEEK, mark

URL = reverse("reporting:week_status_week", args=[LABEL])


def lines_of(blocks):
    return {(line.kind, line.unit.code): line for block in blocks for line in block.lines}


@pytest.mark.django_db
def test_city_sees_every_county_the_direct_schools_and_a_total(week, tree, city_staff):
    mark(tree.tz_school, found=2)
    mark(tree.tz_school2, late=True, empty=True)
    mark(tree.tongzhou)
    (block,) = status.city_blocks(city_staff, WEEK)
    lines = lines_of([block])
    tz = lines[("county", "NT-TZ")].rate
    assert (tz.expected, tz.submitted, tz.on_time, tz.late, tz.missing, tz.empty) == (
        2,
        2,
        1,
        1,
        0,
        1,
    )
    assert lines[("county", "NT-TZ")].report.status == "submitted"
    assert lines[("county", "NT-TZ")].reporting_pct == "100.0%"
    assert lines[("county", "NT-TZ")].on_time_pct == "50.0%"
    rd = lines[("county", "NT-RD")].rate
    assert (rd.expected, rd.missing) == (1, 1)
    direct = lines[("direct", "NT")].rate
    assert (direct.expected, direct.submitted) == (1, 0)
    assert (block.total.rate.expected, block.total.rate.submitted) == (4, 2)
    assert block.total.reporting_pct == "50.0%"


@pytest.mark.django_db
def test_county_sees_its_line_and_its_schools(week, tree, county_staff, client_for):
    mark(tree.tz_school, late=True)
    response = client_for(county_staff).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="line-county-NT-TZ"' in body
    assert "NT-RD" not in body and "如东县" not in body and 'id="line-direct-NT"' not in body
    # Its only county is chosen: the schools, missing first.
    schools = response.context["schools"]
    assert [r.unit.code for r in schools] == ["NT-TZ-0002", "NT-TZ-0001"]
    assert schools[0].is_missing and schools[1].is_late


@pytest.mark.django_db
def test_city_clicks_a_county_or_the_direct_schools(week, tree, city_staff, client_for):
    client = client_for(city_staff)
    response = client.get(URL, {"unit": "NT-RD"})
    assert [r.unit.code for r in response.context["schools"]] == ["NT-RD-0001"]
    response = client.get(URL, {"unit": "NT"})
    assert [r.unit.code for r in response.context["schools"]] == ["NT-0001"]
    assert client.get(URL).context["schools"] == []


@pytest.mark.django_db
def test_a_unit_out_of_scope_or_a_school_is_404(week, tree, county_staff, client_for):
    client = client_for(county_staff)
    assert client.get(URL, {"unit": "NT-RD"}).status_code == 404
    assert client.get(URL, {"unit": "NT-TZ-0001"}).status_code == 404
    assert client.get(URL, {"unit": "x\x00"}).status_code == 404


@pytest.mark.django_db
def test_not_a_week_redirects_with_a_message(tree, city_staff, en_client_for):
    url = reverse("reporting:week_status_week", args=["2026-W99"])
    response = en_client_for(city_staff).get(url, follow=True)
    assert response.status_code == 200
    assert "is not a week" in str(list(response.context["messages"])[0])


@pytest.mark.django_db
def test_this_week_and_the_links_to_the_weeks_around(week, tree, city_staff, client_for):
    response = client_for(city_staff).get(URL)
    assert response.context["previous"] == "2026-W47" and response.context["next"] == "2026-W49"
    assert client_for(city_staff).get(reverse("reporting:week_status")).status_code == 200


@pytest.mark.django_db
def test_a_school_officer_gets_no_rates(week, tree, school_officer, client_for):
    response = client_for(school_officer).get(URL)
    assert response.status_code == 200 and response.context["blocks"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["city_staff", "county_staff"])
def test_query_count_does_not_grow_with_schools(request, week, tree, who, client_for):
    user = request.getfixturevalue(who)
    client = client_for(user)
    query = {"unit": "NT-TZ"}

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, query).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(3, 15):
        SchoolFactory(code=f"NT-TZ-{n:04d}", parent=tree.tongzhou)
        SchoolFactory(code=f"NT-RD-{n:04d}", parent=tree.rudong)
    opening.week_open(week=WEEK)
    for n in range(3, 9):
        from campaign.models import OrgUnit

        mark(OrgUnit.objects.get(code=f"NT-TZ-{n:04d}"), late=n % 2 == 0)
    assert count() == before
    assert before <= 12


def test_the_oversight_urls_are_not_read_as_a_unit_and_a_week():
    """weekly/status/<week>/ and weekly/empty/<week>/ have the shape of the report page's
    weekly/<unit>/<week>/: the oversight patterns must be found first (reporting/urls.py)."""
    from django.urls import resolve

    assert resolve(URL).url_name == "week_status_week"
    assert resolve(reverse("reporting:week_empty", args=[LABEL])).url_name == "week_empty"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["city_admin", "city_staff", "county_staff", "school_officer", "inspector", "outsider"]
)
def test_school_reports_by_columns_are_the_selectors_rows(request, week, tree, who):
    from reporting.weekly import selectors

    user = request.getfixturevalue(who)
    by_path = selectors.weekly_reports_for_user(user).filter(level="school")
    assert set(status.school_reports_for_user(user).values_list("id", flat=True)) == set(
        by_path.values_list("id", flat=True)
    )
