"""The workbench (landing page) and the shell layout around every page."""

import re

import pytest
from django.conf import settings
from django.template import loader
from django.urls import reverse

from campaign.models import JobRun, OrgUnit
from tests.campaign.test_tree_views import add_schools


@pytest.fixture
def en_client_for(client_for):
    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def html(response):
    return response.content.decode()


def run(unit, period, state=JobRun.State.SUCCEEDED):
    return JobRun.objects.create(kind="org_statistics", unit=unit, period=period, state=state)


def test_login_lands_on_the_workbench(tree, county_staff, client):
    response = client.post(
        reverse("login"), {"username": "tongzhou", "password": "demo-pass-2019"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("workbench")


def test_workbench_needs_sign_in(tree, client):
    response = client.get(reverse("workbench"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_city_staff_see_the_city_numbers(tree, city_staff, en_client_for):
    response = en_client_for(city_staff).get(reverse("workbench"))
    page = html(response)
    assert "city bureau staff at 南通市" in page
    assert response.context["totals"] == {"counties": 2, "schools": 4, "students": 3200}
    assert 'id="total-counties"' in page
    assert "Hazards due and weekly reports" in page
    assert "once the hazard register is available" in page


def test_county_staff_see_their_county_numbers(tree, county_staff, en_client_for):
    response = en_client_for(county_staff).get(reverse("workbench"))
    assert "county bureau staff at 通州区" in html(response)
    assert response.context["totals"] == {"counties": 1, "schools": 2, "students": 1600}


def test_school_officer_sees_their_school(tree, school_officer, en_client_for):
    response = en_client_for(school_officer).get(reverse("workbench"))
    page = html(response)
    assert "school safety officer at 通州区实验小学" in page
    assert response.context["totals"]["schools"] == 1
    # No county card for someone whose scope holds no county.
    assert 'id="total-counties"' not in page


def test_outsider_is_told_to_ask_for_a_role(tree, outsider, en_client_for):
    page = html(en_client_for(outsider).get(reverse("workbench")))
    assert "You have no role yet" in page
    assert "Ask your administrator" in page
    assert "Recent job runs" not in page


def test_recent_job_runs_are_scoped_and_limited(tree, county_staff, en_client_for):
    for week in range(1, 8):
        run(tree.tongzhou, f"2019-W{week:02d}")
    failed = run(tree.tz_school, "2019-W50", state=JobRun.State.FAILED)
    hidden = run(tree.rudong, "2019-W51")
    response = en_client_for(county_staff).get(reverse("workbench"))
    runs = response.context["job_runs"]
    assert len(runs) == 5
    assert hidden not in runs
    assert runs[0] == failed
    page = html(response)
    assert "job-state-failed" in page
    assert reverse("job_detail", args=[hidden.pk]) not in page


def test_navigation_follows_the_role(tree, city_admin, county_staff, school_officer, client_for):
    people = reverse("user_list")
    assert people in html(client_for(city_admin).get(reverse("workbench")))
    assert people in html(client_for(county_staff).get(reverse("workbench")))
    page = html(client_for(school_officer).get(reverse("workbench")))
    assert people not in page
    assert reverse("org_tree") in page
    assert reverse("job_list") in page


def test_outsider_navigation_has_no_tree(tree, outsider, client_for):
    page = html(client_for(outsider).get(reverse("workbench")))
    assert reverse("org_tree") not in page
    assert reverse("school_list") not in page


def test_shell_has_sign_out_form_and_language_switch(tree, county_staff, client_for):
    page = html(client_for(county_staff).get(reverse("workbench")))
    assert f'<form method="post" action="{reverse("logout")}">' in page
    assert f'action="{reverse("set_language")}"' in page
    assert 'id="lang-en"' in page
    assert 'id="lang-zh-hans"' in page
    assert '<html lang="zh-hans">' in page


def test_language_switch_changes_the_page_language(tree, county_staff, client_for):
    client = client_for(county_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in html(client.get(reverse("workbench")))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in html(client.get(reverse("workbench")))


@pytest.mark.parametrize("name", ["workbench", "org_tree", "school_list"])
def test_pages_follow_the_content_security_policy(tree, city_admin, client_for, name):
    """No inline script or style: the CSP allows only our own files."""
    page = html(client_for(city_admin).get(reverse(name)))
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "//cdn" not in page


def test_anonymous_404_renders_the_shell(tree, client):
    response = client.get("/no-such-page/")
    page = html(response)
    assert response.status_code == 404
    assert 'id="lang-en"' in page
    assert reverse("org_tree") not in page


def test_500_page_needs_no_request():
    page = loader.get_template("errors/500.html").render({})
    assert "500" in page
    assert "bootstrap.min.css" in page


@pytest.mark.parametrize("total", [10, 500])
def test_workbench_query_count_does_not_grow(
    tree, city_staff, client_for, django_assert_num_queries, total
):
    add_schools(tree, total)
    for week in range(1, 11):
        run(tree.city if week % 2 else tree.tongzhou, f"2019-W{week:02d}")
    client = client_for(city_staff)
    # Session, user and grants; role grants, totals, job runs; session save (3).
    with django_assert_num_queries(9):
        response = client.get(reverse("workbench"))
    assert response.context["totals"]["schools"] == total
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL).count() == total
