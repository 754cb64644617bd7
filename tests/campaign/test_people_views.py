"""People pages: who may manage whom, creating people, granting, revoking, deactivating."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign import access
from campaign.models import RoleGrant, User
from campaign.roles import Role
from core.models import AuditEntry
from tests.factories import PASSWORD, UserFactory, grant

NEW_PASSWORD = "Tongzhou-officer-2019"


@pytest.fixture(autouse=True)
def english(settings):
    # These tests read the messages' English wording; the Chinese pages are covered by
    # tests/test_auth.py and the browser tests.
    settings.LANGUAGE_CODE = "en"


def add_people(count, *grants_at, prefix="p"):
    """Many people at once (bulk rows: the list reads grants, not guardian permissions)."""
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"{prefix}{start + n:04d}", full_name=f"人员{n}", password="!")
        for n in range(count)
    )
    RoleGrant.objects.bulk_create(
        RoleGrant(user=user, role=role, unit=unit) for user in users for role, unit in grants_at
    )
    return users


def sign_in(username, password):
    """Sign in through the login page, as a person would; returns the client or None."""
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return client if SESSION_KEY in client.session else None


def listed(response):
    """The user names in the people table, as the page shows them."""
    assert response.status_code == 200
    table = response.content.decode().split('id="people-table"', 1)[-1].split("</table>")[0]
    return set(re.findall(r'<a href="/people/\d+/">([^<]+)</a>', table))


def new_person(client, **overrides):
    data = {
        "username": "zhangsan",
        "full_name": "张三",
        "phone": "13900000001",
        "email": "zhangsan@example.org",
        "role": Role.SCHOOL_OFFICER.value,
        "unit": "NT-TZ-0002",
        "password": NEW_PASSWORD,
    }
    data.update(overrides)
    return client.post(reverse("campaign:user_new"), data)


# --- Who may use the pages ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "school_officer", "city_staff", "inspector"])
def test_people_pages_are_403_for_those_who_manage_nobody(request, client_for, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("campaign:user_list")).status_code == 403
    assert client.get(reverse("campaign:user_new")).status_code == 403
    assert client.get(reverse("campaign:user_detail", args=[user.pk])).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(tree):
    response = Client().get(reverse("campaign:user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_county_staff_list_their_county_only(
    client_for, county_staff, school_officer, other_county_staff, leader
):
    response = client_for(county_staff).get(reverse("campaign:user_list"))
    assert listed(response) == {"tongzhou", "officer"}
    assert "通州区实验小学" in response.content.decode()


def test_search_and_filters(client_for, city_admin, school_officer, county_staff, leader):
    client = client_for(city_admin)
    url = reverse("campaign:user_list")
    assert listed(client.get(url, {"q": "offi"})) == {"officer"}
    assert listed(client.get(url, {"q": school_officer.full_name})) == {"officer"}
    assert listed(client.get(url, {"role": Role.COUNTY_STAFF.value})) == {"tongzhou"}
    assert listed(client.get(url, {"kind": "school"})) == {"officer"}
    assert listed(client.get(url, {"kind": "city"})) == {"admin", "leader"}
    # A made-up filter value is shown as an error and ignored, never a 500.
    assert listed(client.get(url, {"kind": "planet", "page": "x"})) == {
        "admin",
        "officer",
        "tongzhou",
        "leader",
    }


def test_list_is_paginated_by_25(tree, client_for, city_admin):
    add_people(30, (Role.SCHOOL_OFFICER, tree.tz_school))
    client = client_for(city_admin)
    assert len(listed(client.get(reverse("campaign:user_list")))) == 25
    assert len(listed(client.get(reverse("campaign:user_list"), {"page": 2}))) == 6


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("campaign:user_list")).status_code == 200
    return len(ctx)


def test_list_query_count_does_not_grow_with_people(tree, city_admin, client_for):
    client = client_for(city_admin)
    add_people(10, (Role.SCHOOL_OFFICER, tree.tz_school))
    few = _list_queries(client)
    add_people(190, (Role.SCHOOL_OFFICER, tree.rd_school), (Role.LEADER, tree.rudong), prefix="q")
    assert User.objects.count() > 200
    many = _list_queries(client)
    assert few == many


# --- Creating a person ----------------------------------------------------------------------


def test_county_staff_create_a_school_officer_who_sees_that_school_only(tree, county_staff):
    client = sign_in("tongzhou", PASSWORD)
    assert client.get(reverse("campaign:user_new")).status_code == 200
    response = new_person(client)
    person = User.objects.get(username="zhangsan")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:user_detail", args=[person.pk])
    page = client.get(response["Location"]).content.decode()
    assert "张三" in page and "通州区金沙幼儿园" in page
    assert AuditEntry.objects.filter(action="user.create", target_user=person).exists()

    officer = sign_in("zhangsan", NEW_PASSWORD)
    assert officer is not None
    assert list(access.units_where(person)) == [tree.tz_school2]
    schools = officer.get(reverse("campaign:school_list")).content.decode()
    assert "通州区金沙幼儿园" in schools
    assert "通州区实验小学" not in schools and "如东县" not in schools


def test_county_staff_cannot_grant_at_another_countys_school(tree, county_staff, client_for):
    response = new_person(client_for(county_staff), unit="NT-RD-0001")
    assert response.status_code == 200
    assert "There is no unit with the code NT-RD-0001 in your part of the tree." in (
        response.content.decode()
    )
    assert not User.objects.filter(username="zhangsan").exists()


def test_county_staff_cannot_create_city_roles(tree, county_staff, client_for):
    response = new_person(client_for(county_staff), role=Role.CITY_STAFF.value, unit="NT-TZ")
    assert response.status_code == 200
    assert not User.objects.filter(username="zhangsan").exists()


def test_role_unit_mismatch_is_a_form_error_and_saves_nothing(tree, county_staff, client_for):
    # A school officer belongs at a school, not at the county: the service says no.
    response = new_person(client_for(county_staff), unit="NT-TZ")
    assert response.status_code == 200
    assert "You may not grant the role" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_taken_username_and_weak_password_are_form_errors(tree, county_staff, client_for):
    client = client_for(county_staff)
    response = new_person(client, username="tongzhou")
    assert response.status_code == 200
    assert "already taken" in response.content.decode()
    response = new_person(client, password="123")
    assert response.status_code == 200
    assert not User.objects.filter(username="zhangsan").exists()


def test_person_without_a_password_cannot_sign_in_until_reset(tree, county_staff, client_for):
    new_person(client_for(county_staff), password="")
    assert not User.objects.get(username="zhangsan").has_usable_password()


# --- A person's page ------------------------------------------------------------------------


def test_person_out_of_scope_is_404(client_for, county_staff, other_county_staff):
    client = client_for(county_staff)
    pk = other_county_staff.pk
    assert client.get(reverse("campaign:user_detail", args=[pk])).status_code == 404
    assert (
        client.post(reverse("campaign:user_active", args=[pk]), {"active": "0"}).status_code == 404
    )
    other_county_staff.refresh_from_db()
    assert other_county_staff.is_active
    assert client.get(reverse("campaign:user_detail", args=[999999])).status_code == 404


def test_profile_edit(client_for, county_staff, school_officer):
    client = client_for(county_staff)
    url = reverse("campaign:user_detail", args=[school_officer.pk])
    response = client.post(url, {"full_name": "李四", "email": "", "phone": "0513-1"})
    assert response.status_code == 302
    school_officer.refresh_from_db()
    assert school_officer.full_name == "李四"
    response = client.post(url, {"full_name": "", "email": "not-an-address", "phone": ""})
    assert response.status_code == 200
    school_officer.refresh_from_db()
    assert school_officer.full_name == "李四"


def test_post_only_endpoints_answer_405_to_get(client_for, city_admin, school_officer):
    client = client_for(city_admin)
    grant_pk = RoleGrant.objects.get(user=school_officer).pk
    for url in (
        reverse("campaign:user_grant", args=[school_officer.pk]),
        reverse("campaign:grant_revoke", args=[school_officer.pk, grant_pk]),
        reverse("campaign:user_active", args=[school_officer.pk]),
    ):
        assert client.get(url).status_code == 405


def test_city_admin_deactivates_a_person_who_then_cannot_sign_in(
    client_for, city_admin, school_officer
):
    assert sign_in("officer", PASSWORD) is not None
    client = client_for(city_admin)
    response = client.post(
        reverse("campaign:user_active", args=[school_officer.pk]), {"active": "0"}, follow=True
    )
    assert "was deactivated and can no longer sign in" in response.content.decode()
    assert sign_in("officer", PASSWORD) is None
    client.post(reverse("campaign:user_active", args=[school_officer.pk]), {"active": "1"})
    assert sign_in("officer", PASSWORD) is not None


def test_no_one_deactivates_themselves(client_for, county_staff):
    client = client_for(county_staff)
    response = client.post(
        reverse("campaign:user_active", args=[county_staff.pk]), {"active": "0"}, follow=True
    )
    assert "You cannot deactivate yourself." in response.content.decode()
    county_staff.refresh_from_db()
    assert county_staff.is_active


def test_grant_and_revoke(tree, client_for, county_staff, school_officer):
    client = client_for(county_staff)
    response = client.post(
        reverse("campaign:user_grant", args=[school_officer.pk]),
        {"role": Role.SCHOOL_OFFICER.value, "unit": "NT-TZ-0002"},
        follow=True,
    )
    assert "now holds the role" in response.content.decode()
    access.forget(school_officer)
    assert set(access.units_where(school_officer)) == {tree.tz_school, tree.tz_school2}

    grant_row = RoleGrant.objects.get(user=school_officer, unit=tree.tz_school)
    response = client.post(
        reverse("campaign:grant_revoke", args=[school_officer.pk, grant_row.pk]), follow=True
    )
    assert "was taken from" in response.content.decode()
    access.forget(school_officer)
    assert list(access.units_where(school_officer)) == [tree.tz_school2]


def test_grant_out_of_scope_is_a_form_error(tree, client_for, county_staff, school_officer):
    response = client_for(county_staff).post(
        reverse("campaign:user_grant", args=[school_officer.pk]),
        {"role": Role.SCHOOL_OFFICER.value, "unit": "NT-RD-0001"},
    )
    assert response.status_code == 200
    assert "There is no unit with the code NT-RD-0001" in response.content.decode()
    assert not RoleGrant.objects.filter(user=school_officer, unit=tree.rd_school).exists()


def test_grant_elsewhere_cannot_be_revoked_by_county_staff(tree, client_for, county_staff):
    person = grant(UserFactory(), Role.SCHOOL_OFFICER, tree.tz_school)
    grant(person, Role.SCHOOL_OFFICER, tree.rd_school)
    rudong_grant = RoleGrant.objects.get(user=person, unit=tree.rd_school)
    client = client_for(county_staff)
    response = client.post(reverse("campaign:grant_revoke", args=[person.pk, rudong_grant.pk]))
    assert response.status_code == 404
    assert RoleGrant.objects.filter(pk=rudong_grant.pk).exists()
