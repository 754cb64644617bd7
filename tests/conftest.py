"""Shared fixtures: a small Nantong-like tree and one persona per role (STYLE §9).

``tree``: 南通市 (NT) with 通州区 (NT-TZ, two schools), 如东县 (NT-RD, one school) and one
city-direct school. Personas hold their role at the unit their name says; ``outsider`` has none.
"""

import pytest
from django.conf import settings
from django.test import Client

from campaign.models import OrgUnit
from campaign.roles import Role
from tests.factories import CityFactory, CountyFactory, SchoolFactory, UserFactory, grant


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The production hasher takes about a second per password on these machines.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Put back the rows data migrations seed, for tests that use the database.

    Transactional tests (browser, worker, concurrency) end with a flush that removes them too,
    and every test after would see an empty category taxonomy.
    """
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
    from hazards import taxonomy
    from hazards.models import HazardCategory

    if not HazardCategory.objects.exists():
        taxonomy.seed(HazardCategory)


class Tree:
    pass


@pytest.fixture
def tree(db):
    t = Tree()
    t.city = CityFactory(name="南通市", code="NT")
    t.tongzhou = CountyFactory(name="通州区", code="NT-TZ", parent=t.city)
    t.rudong = CountyFactory(name="如东县", code="NT-RD", parent=t.city)
    t.tz_school = SchoolFactory(name="通州区实验小学", code="NT-TZ-0001", parent=t.tongzhou)
    t.tz_school2 = SchoolFactory(
        name="通州区金沙幼儿园",
        code="NT-TZ-0002",
        parent=t.tongzhou,
        category=OrgUnit.Category.KINDERGARTEN,
        ownership=OrgUnit.Ownership.PRIVATE,
    )
    t.rd_school = SchoolFactory(
        name="如东县掘港初级中学",
        code="NT-RD-0001",
        parent=t.rudong,
        category=OrgUnit.Category.JUNIOR,
    )
    t.city_school = SchoolFactory(
        name="南通中学", code="NT-0001", parent=t.city, category=OrgUnit.Category.SENIOR
    )
    return t


def _persona(username, role, unit, **extra):
    return grant(UserFactory(username=username, **extra), role, unit)


@pytest.fixture
def city_admin(tree):
    return _persona("admin", Role.CITY_ADMIN, tree.city, is_superuser=True, is_staff=True)


@pytest.fixture
def city_staff(tree):
    return _persona("city", Role.CITY_STAFF, tree.city)


@pytest.fixture
def safety_office(tree):
    return _persona("anwen", Role.SAFETY_OFFICE, tree.city)


@pytest.fixture
def county_staff(tree):
    return _persona("tongzhou", Role.COUNTY_STAFF, tree.tongzhou)


@pytest.fixture
def other_county_staff(tree):
    return _persona("rudong", Role.COUNTY_STAFF, tree.rudong)


@pytest.fixture
def school_officer(tree):
    return _persona("officer", Role.SCHOOL_OFFICER, tree.tz_school)


@pytest.fixture
def inspector(tree):
    return _persona("inspector", Role.INSPECTOR, tree.city)


@pytest.fixture
def leader(tree):
    return _persona("leader", Role.LEADER, tree.city)


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as that user."""

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def en_client_for(client_for):
    """A signed-in client that reads the pages in English (the msgids), whatever is translated."""

    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
