"""The access module: grants hold for the whole subtree and nowhere else."""

import pytest
from django.http import Http404

from campaign import access, services
from campaign.models import RoleGrant
from campaign.roles import Perm, Role


def test_county_staff_see_their_county_and_its_schools_only(tree, county_staff):
    codes = set(access.units_where(county_staff).values_list("code", flat=True))
    assert codes == {"NT-TZ", "NT-TZ-0001", "NT-TZ-0002"}


def test_city_staff_see_the_whole_city(tree, city_staff):
    assert access.units_where(city_staff).count() == 7


def test_school_officer_sees_own_school_only(tree, school_officer):
    assert list(access.units_where(school_officer)) == [tree.tz_school]


def test_outsider_sees_nothing(tree, outsider):
    assert not access.units_where(outsider).exists()


def test_out_of_scope_unit_is_404_whether_or_not_it_exists(tree, county_staff):
    with pytest.raises(Http404):
        access.unit_for_user(county_staff, "NT-RD")
    with pytest.raises(Http404):
        access.unit_for_user(county_staff, "NO-SUCH-UNIT")


def test_revoke_removes_the_permissions(tree, county_staff):
    grant = RoleGrant.objects.get(user=county_staff)
    services.role_revoke(grant=grant, actor=None)
    assert not access.units_where(county_staff).exists()
    assert not access.has_perm_at(county_staff, Perm.MANAGE_USERS, tree.tz_school)


def test_deactivated_user_sees_nothing(tree, county_staff):
    county_staff.is_active = False
    county_staff.save()
    access.forget(county_staff)
    assert not access.units_where(county_staff).exists()


def test_county_staff_cannot_grant_city_roles(tree, county_staff, outsider):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.role_grant(user=outsider, role=Role.CITY_STAFF, unit=tree.city, actor=county_staff)
    with pytest.raises(ValidationError):
        services.role_grant(
            user=outsider, role=Role.SCHOOL_OFFICER, unit=tree.rd_school, actor=county_staff
        )
    services.role_grant(
        user=outsider, role=Role.SCHOOL_OFFICER, unit=tree.tz_school2, actor=county_staff
    )
    assert list(access.units_where(outsider)) == [tree.tz_school2]


def test_role_constraint_matches_the_roles():
    # The check constraint lists the role values by hand; it must follow campaign.roles.Role.
    constraint = next(c for c in RoleGrant._meta.constraints if c.name == "rolegrant_known_role")
    assert sorted(constraint.condition.children[0][1]) == sorted(r.value for r in Role)


def test_county_cannot_deactivate_someone_who_also_holds_a_city_role(tree, county_staff, outsider):
    from django.core.exceptions import ValidationError

    services.role_grant(user=outsider, role=Role.SCHOOL_OFFICER, unit=tree.tz_school, actor=None)
    services.role_grant(user=outsider, role=Role.CITY_STAFF, unit=tree.city, actor=None)
    with pytest.raises(ValidationError):
        services.user_set_active(user=outsider, active=False, actor=county_staff)
