"""A large register export as a job run: the scope it records, what its file holds, and who
sees it when people's grants change (docs/decisions.md, "Who sees a job run and its file")."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaign import services as campaign_services
from campaign.models import RoleGrant
from campaign.roles import Role
from core import services as core_services
from core.models import JobRun
from hazards import excel
from tests.factories import UserFactory, grant


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def register(tree, make_hazard, county_staff, other_county_staff, city_staff):
    """Hazards at a 通州区 school, a 如东县 school and the city-direct school."""
    make_hazard(school=tree.tz_school, actor=county_staff)
    make_hazard(school=tree.tz_school2, actor=county_staff)
    make_hazard(school=tree.rd_school, actor=other_county_staff)
    make_hazard(school=tree.city_school, actor=city_staff)


@pytest.fixture
def both_counties(tree):
    """County staff in 通州区 and in 如东县."""
    user = grant(UserFactory(username="tz-rd"), Role.COUNTY_STAFF, tree.tongzhou)
    return grant(user, Role.COUNTY_STAFF, tree.rudong)


@pytest.fixture
def city_admin_role(tree):
    return grant(UserFactory(username="nt-admin"), Role.CITY_ADMIN, tree.city)


def run_it(run):
    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    return run


def schools_in(run):
    with run.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).worksheets[0]
        return sorted({row[1] for row in sheet.iter_rows(min_row=2, values_only=True)})


def test_an_export_records_the_requesters_view_units(register, tree, both_counties):
    run = run_it(excel.export_request(actor=both_counties, querystring="sort=code"))
    assert run.scope_units() == [tree.tongzhou, tree.rudong]
    assert run.unit == tree.tongzhou  # where it is filed says nothing about who sees it
    assert schools_in(run) == ["NT-RD-0001", "NT-TZ-0001", "NT-TZ-0002"]


def test_the_county_filter_narrows_the_scope(register, tree, city_staff, county_staff, client_for):
    run = run_it(excel.export_request(actor=city_staff, querystring="county=NT-TZ"))
    assert run.scope_units() == [tree.tongzhou]
    assert schools_in(run) == ["NT-TZ-0001", "NT-TZ-0002"]
    # All of it is 通州区's: its county staff may have it.
    response = client_for(county_staff).get(reverse("campaign:job_file", args=[run.pk]))
    assert response.status_code == 200


def test_a_city_export_is_not_for_a_county(register, tree, city_staff, county_staff, client_for):
    run = run_it(excel.export_request(actor=city_staff, querystring=""))
    assert run.scope_units() == [tree.city]
    assert "NT-0001" in schools_in(run)
    client = client_for(county_staff)
    assert client.get(reverse("campaign:job_file", args=[run.pk])).status_code == 404
    assert client.get(reverse("campaign:job_detail", args=[run.pk])).status_code == 404


def test_the_file_never_holds_more_than_the_requester_still_sees(register, both_counties):
    run = excel.export_request(actor=both_counties, querystring="")
    campaign_services.role_revoke(
        grant=RoleGrant.objects.get(user=both_counties, unit__code="NT-RD"), actor=None
    )
    run = run_it(run)
    assert run.state == JobRun.State.SUCCEEDED, run.error
    assert schools_in(run) == ["NT-TZ-0001", "NT-TZ-0002"]


def test_a_requester_whose_grants_shrank_keeps_the_run_but_not_the_file(
    register, both_counties, client_for
):
    run = run_it(excel.export_request(actor=both_counties, querystring=""))
    client = client_for(both_counties)
    assert client.get(reverse("campaign:job_file", args=[run.pk])).status_code == 200
    campaign_services.role_revoke(
        grant=RoleGrant.objects.get(user=both_counties, unit__code="NT-RD"), actor=None
    )
    client = client_for(both_counties)
    assert client.get(reverse("campaign:job_file", args=[run.pk])).status_code == 403
    detail = client.get(reverse("campaign:job_detail", args=[run.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "You no longer see everything this file holds" in text
    assert reverse("campaign:job_file", args=[run.pk]) not in text
    listed = client.get(reverse("campaign:job_list")).content.decode()
    assert reverse("campaign:job_detail", args=[run.pk]) in listed
    assert reverse("campaign:job_file", args=[run.pk]) not in listed


def test_an_export_whose_requester_left_fails_with_a_reason(
    register, county_staff, city_admin, client_for
):
    run = excel.export_request(actor=county_staff, querystring="")
    county_staff.is_active = False
    county_staff.save(update_fields=["is_active"])
    run = run_it(run)
    assert (run.state, run.reason) == (JobRun.State.FAILED, "requester_gone")
    assert not run.file
    text = client_for(city_admin).get(reverse("campaign:job_detail", args=[run.pk])).content
    assert b"no longer has an active account" in text


def test_a_rerun_by_a_city_admin_keeps_the_requesters_scope(
    register, tree, county_staff, city_admin_role, client_for
):
    """Re-run by someone who sees the whole city, the file still holds 通州区 only."""
    run = excel.export_request(actor=county_staff, querystring="sort=code")
    county_staff.is_active = False
    county_staff.save(update_fields=["is_active"])
    assert run_it(run).state == JobRun.State.FAILED
    county_staff.is_active = True
    county_staff.save(update_fields=["is_active"])

    response = client_for(city_admin_role).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 302
    run = run_it(run)
    assert run.state == JobRun.State.SUCCEEDED, run.error
    assert run.requested_by == county_staff
    assert run.scope_units() == [tree.tongzhou]
    assert schools_in(run) == ["NT-TZ-0001", "NT-TZ-0002"]
    response = client_for(county_staff).get(reverse("campaign:job_file", args=[run.pk]))
    assert response.status_code == 200
