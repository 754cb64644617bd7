"""The demo and scale seeds: what they build, that the demo is repeatable, who sees what."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaign import access
from campaign.models import OrgUnit, OrgUnitUserPermission, RoleGrant, User
from campaign.roles import ROLE_PERMS, Perm, Role
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

DEMO_LOGINS = ["admin", "city", "anwen", "tongzhou", "rudong", "officer", "inspector", "leader"]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (OrgUnit, User, RoleGrant, OrgUnitUserPermission, AuditEntry)
    }


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


def subtree(code):
    unit = OrgUnit.objects.get(code=code)
    return set(OrgUnit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))


def visible(username, perm=Perm.VIEW):
    user = User.objects.get(username=username)
    return set(access.units_where(user, perm).values_list("code", flat=True))


def test_seed_demo_twice_changes_nothing():
    seed_demo()
    first = counts()
    names = dict(OrgUnit.objects.values_list("code", "name"))
    seed_demo()
    assert counts() == first
    assert dict(OrgUnit.objects.values_list("code", "name")) == names


def test_seed_demo_builds_nantong_with_about_1200_schools():
    seed_demo()
    city = OrgUnit.objects.get(code="NT")
    assert city.name == "南通市" and city.kind == OrgUnit.Kind.CITY
    counties = OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY)
    assert {"崇川区", "港闸区", "通州区", "海门市", "如东县", "启东市", "如皋市", "海安市"} <= set(
        counties.values_list("name", flat=True)
    )
    schools = OrgUnit.objects.filter(kind=OrgUnit.Kind.SCHOOL)
    assert 1150 <= schools.count() <= 1300
    assert set(schools.values_list("category", flat=True)) == set(OrgUnit.Category.values)
    kindergartens = schools.filter(category=OrgUnit.Category.KINDERGARTEN)
    assert 0.35 <= kindergartens.count() / schools.count() <= 0.45
    private = kindergartens.filter(ownership=OrgUnit.Ownership.PRIVATE).count()
    assert 0.25 <= private / kindergartens.count() <= 0.45
    city_direct = schools.filter(parent=city)
    assert city_direct.count() >= 15
    assert city_direct.filter(name="南通大学附属中学").exists()
    # Bigger counties have more schools.
    assert (
        schools.filter(parent__code="NT-RG").count() > schools.filter(parent__code="NT-GZ").count()
    )
    school = schools.get(code="NT-TZ-0001")
    assert school.path == f"{school.parent.path}{school.pk}/" and school.depth == 3
    assert school.address.startswith("南通市通州区") and len(school.safety_officer_phone) == 11
    assert city.statistics.schools == schools.count()


def test_demo_users_see_their_part_of_the_tree():
    seed_demo()
    everything = subtree("NT")
    for username in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.check_password("demo-pass-2019"), username
        assert user.full_name and RoleGrant.objects.filter(user=user).exists(), username

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username in ("city", "anwen", "inspector", "leader"):
        assert visible(username) == everything, username
    assert visible("admin", Perm.MANAGE_USERS) == everything

    tongzhou = subtree("NT-TZ")
    assert len(tongzhou) > 100
    assert visible("tongzhou") == tongzhou
    assert visible("rudong") == subtree("NT-RD")
    assert not visible("rudong") & tongzhou

    officer = User.objects.get(username="officer")
    (code,) = visible("officer")
    school = OrgUnit.objects.get(code=code)
    assert school.parent.code == "NT-TZ" and school.category == OrgUnit.Category.PRIMARY
    assert school.safety_officer_name == officer.full_name
    assert school == (
        OrgUnit.objects.filter(parent__code="NT-TZ", category=OrgUnit.Category.PRIMARY)
        .order_by("code")
        .first()
    )
    assert not visible("officer", Perm.RUN_JOBS)


def seed_scale(*extra):
    call_command(
        "seed_scale",
        "--cities=2",
        "--counties=5",
        "--schools=50",
        "--users=80",
        *extra,
        stdout=io.StringIO(),
    )


def test_seed_scale_builds_a_consistent_tree():
    seed_scale()
    root = OrgUnit.objects.get(code="JS")
    assert root.kind == OrgUnit.Kind.PROVINCE and root.name == "江苏省" and root.parent is None
    units = OrgUnit.objects.filter(path__startswith=root.path).select_related("parent")
    by_kind = {kind: units.filter(kind=kind).count() for kind in OrgUnit.Kind.values}
    assert by_kind == {"province": 1, "city": 2, "county": 5, "school": 50}
    assert units.filter(kind=OrgUnit.Kind.SCHOOL, parent__kind=OrgUnit.Kind.CITY).exists()
    for unit in units:
        expected = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
        assert unit.path == expected, unit.code
        assert unit.depth == unit.path.count("/") - 1

    users = User.objects.filter(username__startswith="js-")
    assert users.count() == 80
    assert not users.filter(role_grants__isnull=True).exists()
    # One officer per school first; the 30 left over cover the county and city roles.
    officers = RoleGrant.objects.filter(role=Role.SCHOOL_OFFICER, user__in=users)
    assert officers.values("unit").distinct().count() == 50
    assert RoleGrant.objects.filter(role=Role.COUNTY_STAFF).count() >= 5
    assert RoleGrant.objects.filter(role=Role.CITY_STAFF).count() >= 2

    for grant in RoleGrant.objects.filter(user__in=users).select_related("user", "unit"):
        perms = set(
            OrgUnitUserPermission.objects.filter(
                user=grant.user, content_object=grant.unit
            ).values_list("permission__codename", flat=True)
        )
        assert perms == set(ROLE_PERMS[Role(grant.role)]), grant
    sample = users.order_by("?")[:10]
    for user in sample:
        seen = access.units_where(user)
        assert seen.exists()
        assert not seen.exclude(path__startswith=root.path).exists()
    county_user = RoleGrant.objects.filter(role=Role.COUNTY_STAFF).first().user
    assert set(access.units_where(county_user).values_list("code", flat=True)) == set(
        OrgUnit.objects.filter(
            path__startswith=RoleGrant.objects.get(user=county_user).unit.path
        ).values_list("code", flat=True)
    )
    assert root.statistics.schools == 50


def test_seed_scale_refuses_a_second_run_unless_reset():
    seed_scale()
    before = counts()
    with pytest.raises(CommandError, match="already exists"):
        seed_scale()
    assert counts() == before
    seed_scale("--reset")
    after = counts()
    assert after["OrgUnit"] == before["OrgUnit"]
    assert after["User"] == before["User"]
    assert after["OrgUnitUserPermission"] == before["OrgUnitUserPermission"]


def test_seed_scale_coexists_with_the_demo():
    seed_demo()
    seed_scale("--prefix=JS")
    assert visible("tongzhou") == subtree("NT-TZ")
    assert OrgUnit.objects.filter(parent__isnull=True).count() == 2


def test_seed_scale_rejects_bad_numbers():
    with pytest.raises(CommandError):
        call_command("seed_scale", "--cities=3", "--counties=2", "--schools=5", "--users=5")
    with pytest.raises(CommandError):
        call_command("seed_scale", "--prefix=no good", "--schools=5", "--users=5")
    assert not OrgUnit.objects.exists()
