"""The year-end target (S6) and the zero-data list (S7) as the personas see them.

The clock stands on 2026-02-10 (time-machine): the register's hazards were found on New Year's
Day, six weeks before, so every test asserts the same things whatever the day it runs on.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from hazards.models import Hazard
from tests.factories import SchoolFactory

Status = Hazard.Status
TODAY = dt.date(2026, 2, 10)
NEW_YEAR = TODAY.replace(month=1, day=1)


@pytest.fixture(autouse=True)
def on_today(time_machine):
    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(9), ZoneInfo("Asia/Shanghai")))


def _set(hazard, **fields):
    """Put a registered hazard into a later state directly (the loop is tested elsewhere)."""
    if fields.get("status", Status.REPORTED) != Status.REPORTED:
        fields.setdefault("five_complete", True)
    if fields.get("status") == Status.CLOSED:
        fields.setdefault("closed_at", timezone.now())
        fields.setdefault("accepted_level", Hazard.AcceptanceLevel.CITY)
        fields.setdefault("acceptance_opinion", "经复查整改到位，同意销号")
    Hazard.objects.filter(pk=hazard.pk).update(**fields)


@pytest.fixture
def register(tree, make_hazard, city_admin):
    """Hazards of this year: 通州区 3 (1 closed, 1 major overdue, 1 uploaded), 如东县 1 closed,
    a city-direct school 1 open; and one of last year at 通州区."""
    today = TODAY
    found = NEW_YEAR
    h = make_hazard(found_on=found)
    _set(h, status=Status.CLOSED)
    h = make_hazard(found_on=found, level=Hazard.Level.MAJOR)
    _set(h, deadline=today - dt.timedelta(days=3))
    h = make_hazard(found_on=found)
    _set(h, uploaded_month=found, deadline=today + dt.timedelta(days=30))
    h = make_hazard(found_on=found, school=tree.rd_school, actor=city_admin)
    _set(h, status=Status.CLOSED)
    h = make_hazard(found_on=found, school=tree.city_school, actor=city_admin)
    _set(h, deadline=today + dt.timedelta(days=30))
    make_hazard(found_on=found - dt.timedelta(days=1))
    return tree


def _rows(response):
    """Rows by county code ("" for city-direct schools, the city's name for its total)."""
    return {row["code"]: row for block in response.context["blocks"] for row in block["rows"]} | {
        block["city"]: block["total"] for block in response.context["blocks"]
    }


def test_year_end_per_county_and_city(register, client_for, city_staff):
    response = client_for(city_staff).get(reverse("hazards:hazard_year_end"))
    assert response.status_code == 200
    rows = _rows(response)
    tz = rows["NT-TZ"]
    assert (tz["found"], tz["closed"], tz["open"]) == (3, 1, 2)
    assert tz["share"] == pytest.approx(33.3)
    assert (tz["major_open"], tz["overdue"], tz["uploaded_open"]) == (1, 1, 1)
    assert rows["NT-RD"]["share"] == 100
    assert rows[""]["open"] == 1
    total = rows["南通市"]
    assert (total["found"], total["closed"], total["open"]) == (5, 2, 3)
    content = response.content.decode()
    assert "通州区" in content and "33.3%" in content
    assert "county=NT-TZ" in content  # the row links to the register, filtered
    listed = client_for(city_staff).get(tz["url"])
    assert listed.status_code == 200
    assert listed.context["total"] == tz["open"]


def test_year_end_county_sees_only_its_county(register, client_for, county_staff):
    rows = _rows(client_for(county_staff).get(reverse("hazards:hazard_year_end")))
    assert "NT-TZ" in rows and "NT-RD" not in rows and "" not in rows


def test_year_end_last_year_has_no_days_left(register, client_for, city_staff):
    last_year = TODAY.year - 1
    response = client_for(city_staff).get(reverse("hazards:hazard_year_end"), {"year": last_year})
    assert response.context["year"] == last_year
    assert response.context["days_left"] == 0
    assert _rows(response)["NT-TZ"]["found"] == 1


def test_year_end_bad_year_falls_back_to_this_year(register, client_for, city_staff):
    for year in ("abc", "1900", "\x00"):
        response = client_for(city_staff).get(reverse("hazards:hazard_year_end"), {"year": year})
        assert response.status_code == 200
        assert response.context["year"] == TODAY.year


def test_year_end_outsider_sees_nothing(register, client_for, outsider):
    response = client_for(outsider).get(reverse("hazards:hazard_year_end"))
    assert response.status_code == 200
    assert response.context["blocks"] == []


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, data or {}).status_code == 200
    return len(ctx)


def test_year_end_query_count_does_not_grow(register, client_for, city_staff, make_hazard):
    client = client_for(city_staff)
    url = reverse("hazards:hazard_year_end")
    before = _queries(client, url)
    for _ in range(5):
        make_hazard(found_on=NEW_YEAR)
    assert _queries(client, url) == before


def test_zero_data_lists_schools_without_recent_hazards(register, client_for, city_staff):
    response = client_for(city_staff).get(reverse("hazards:hazard_zero_data"))
    assert response.status_code == 200
    names = {s.name for s in response.context["page"].object_list}
    # 通州区金沙幼儿园 never registered a hazard; the others did six weeks ago, within the
    # default eight weeks.
    assert "通州区金沙幼儿园" in names
    assert "通州区实验小学" not in names
    assert "如东县掘港初级中学" not in names and "南通中学" not in names
    content = response.content.decode()
    with translation.override("zh-hans"):
        assert gettext("never") in content


def test_zero_data_as_of_and_last_hazard(register, client_for, city_staff, settings):
    settings.ZERO_DATA_WEEKS = 2
    as_of = NEW_YEAR + dt.timedelta(days=10)
    response = client_for(city_staff).get(reverse("hazards:hazard_zero_data"), {"as_of": as_of})
    schools = {s.name: s for s in response.context["page"].object_list}
    assert "通州区实验小学" not in schools  # found within the two weeks before as_of
    assert schools["通州区金沙幼儿园"].last_found is None
    counties = {c.name for c in response.context["counties"]}
    assert counties == set()  # both counties registered hazards in the window


def test_zero_data_counties_and_scope(register, client_for, county_staff, settings, tree):
    settings.ZERO_DATA_WEEKS = 1
    quiet = SchoolFactory(name="通州区新建小学", code="NT-TZ-0099", parent=tree.tongzhou)
    as_of = NEW_YEAR + dt.timedelta(days=30)
    response = client_for(county_staff).get(reverse("hazards:hazard_zero_data"), {"as_of": as_of})
    names = {s.name for s in response.context["page"].object_list}
    assert quiet.name in names and "如东县掘港初级中学" not in names
    assert [c.name for c in response.context["counties"]] == ["通州区"]
    assert response.context["counties"][0].last_found is not None


def test_zero_data_bad_date_is_a_message(register, client_for, city_staff):
    response = client_for(city_staff).get(
        reverse("hazards:hazard_zero_data"), {"as_of": "31.12.2019"}
    )
    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode()


def test_zero_data_query_count_pinned(register, client_for, city_staff, tree):
    client = client_for(city_staff)
    url = reverse("hazards:hazard_zero_data")
    before = _queries(client, url)
    for i in range(10):
        SchoolFactory(code=f"NT-TZ-05{i:02d}", parent=tree.tongzhou)
    assert _queries(client, url) == before
