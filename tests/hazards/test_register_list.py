"""The register list: scope, filters, search, counts, pagination, pinned query count, bulk."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hazards.models import Hazard, HazardCategory
from hazards.services import hazard_tally_rebuild
from tests.hazards.conftest import local

# A fixed day near New Year: some hazards of the fixture were found last year.
TODAY = dt.date(2026, 1, 20)


@pytest.fixture(autouse=True)
def on_today(time_machine):
    time_machine.move_to(local(TODAY, 9))


def codes_on(response):
    return [h.code for h in response.context["rows"]]


def bulk_hazards(tree, n, *, school=None, prefix="BK", **extra):
    """n hazards by bulk_create (fast; the fields the list reads kept consistent)."""
    school = school or tree.tz_school
    county = tree.tongzhou if school.parent_id == tree.tongzhou.pk else tree.rudong
    category = HazardCategory.objects.get(code="fire-hydrant")
    statuses = [Hazard.Status.REPORTED, Hazard.Status.PLANNED, Hazard.Status.RECTIFYING]
    rows = []
    for i in range(n):
        status = extra.get("status", statuses[i % 3])
        rows.append(
            Hazard(
                code=f"{prefix}-{school.pk}-{i:06d}",
                school=school,
                county=county,
                city=tree.city,
                category=category,
                source=Hazard.Source.SELF_CHECK,
                location="操场",
                description="围栏破损",
                found_on=TODAY - dt.timedelta(days=i % 30),
                deadline=TODAY + dt.timedelta(days=10 - i % 20),
                status=status,
                five_complete=status != Hazard.Status.REPORTED,  # the status follows the five
            )
        )
    Hazard.objects.bulk_create(rows)
    hazard_tally_rebuild()  # bulk rows bypass the services that keep the tally


@pytest.fixture
def mixed(tree, make_hazard, make_planned_hazard, county_staff, other_county_staff):
    cat_food = HazardCategory.objects.get(code="food-samples")
    return {
        "tz_old": make_hazard(found_on=TODAY - dt.timedelta(days=40), location="东门岗亭"),
        "tz_major": make_planned_hazard(level=Hazard.Level.MAJOR, description="食堂燃气泄漏"),
        "tz2": make_hazard(school=tree.tz_school2, category=cat_food, actor=county_staff),
        "rd": make_hazard(school=tree.rd_school, actor=other_county_staff),
    }


def test_county_staff_sees_only_their_county(mixed, client_for, county_staff):
    response = client_for(county_staff).get(reverse("hazards:hazard_list"))
    assert response.status_code == 200
    codes = codes_on(response)
    assert mixed["rd"].code not in codes
    assert set(codes) == {mixed[k].code for k in ("tz_old", "tz_major", "tz2")}
    assert "通州区" in response.content.decode()


def test_city_sees_all_and_counts_match_rows(mixed, client_for, city_staff):
    response = client_for(city_staff).get(reverse("hazards:hazard_list"))
    assert len(codes_on(response)) == 4 == response.context["total"]
    counts = {c["value"]: c["count"] for c in response.context["status_counts"]}
    assert counts["reported"] == 3 and counts["planned"] == 1
    assert "挂牌督办" in response.content.decode() or "hz-major" in response.content.decode()
    shares = {s["name"]: s for s in response.context["shares"]}
    assert shares["通州区"]["open"] == 3 and shares["通州区"]["complete"] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"county": "NT-RD"}, {"rd"}),
        ({"school": "NT-TZ-0002"}, {"tz2"}),
        ({"category": "food"}, {"tz2"}),
        ({"grade": "major"}, {"tz_major"}),
        ({"status": ["planned"]}, {"tz_major"}),
        ({"status": ["planned", "reported"]}, {"tz_old", "tz_major", "tz2", "rd"}),
        ({"source": "self_check"}, {"tz_old", "tz_major", "tz2", "rd"}),
        ({"five": "yes"}, {"tz_major"}),
        ({"five": "no"}, {"tz_old", "tz2", "rd"}),
        ({"found_to": str(TODAY - dt.timedelta(days=30))}, {"tz_old"}),
        ({"found_from": str(TODAY - dt.timedelta(days=5))}, {"tz_major", "tz2", "rd"}),
        ({"uploaded": "yes"}, set()),
        ({"q": "岗亭"}, {"tz_old"}),
        ({"q": "燃气"}, {"tz_major"}),
    ],
)
def test_filters_narrow(mixed, client_for, city_staff, query, expected):
    response = client_for(city_staff).get(reverse("hazards:hazard_list"), query)
    assert set(codes_on(response)) == {mixed[k].code for k in expected}
    assert response.context["total"] == len(expected)


def test_search_by_code_prefix_and_overdue(mixed, client_for, city_staff):
    code = mixed["tz2"].code
    client = client_for(city_staff)
    assert codes_on(client.get(reverse("hazards:hazard_list"), {"q": code})) == [code]
    Hazard.objects.filter(pk=mixed["tz_old"].pk).update(deadline=TODAY - dt.timedelta(days=1))
    response = client.get(reverse("hazards:hazard_list"), {"overdue": "yes"})
    assert codes_on(response) == [mixed["tz_old"].code]
    assert "hz-overdue" in response.content.decode()
    assert mixed["tz_old"].code not in codes_on(
        client.get(reverse("hazards:hazard_list"), {"overdue": "no"})
    )


def test_year_open_and_sorting(mixed, client_for, city_staff):
    client = client_for(city_staff)
    response = client.get(reverse("hazards:hazard_list"), {"year_open": "on"})
    expected = {h.code for h in mixed.values() if h.found_on.year == TODAY.year}
    assert set(codes_on(response)) == expected
    codes = codes_on(client.get(reverse("hazards:hazard_list"), {"sort": "code"}))
    assert codes == sorted(codes)
    codes = codes_on(client.get(reverse("hazards:hazard_list"), {"sort": "-code"}))
    assert codes == sorted(codes, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "password"},
        {"found_from": "not-a-date"},
        {"county": "NOPE"},
        {"status": ["bogus"]},
        {"page": "x"},
        {"page": "999"},
        {"q": "a\x00b"},
        {"school": "\x00"},
    ],
)
def test_bad_values_are_ignored_with_a_note(mixed, client_for, city_staff, query):
    response = client_for(city_staff).get(reverse("hazards:hazard_list"), query)
    assert response.status_code == 200
    if set(query) - {"page", "q", "school"}:
        assert response.context["bad_fields"]
        assert 'id="filter-note"' in response.content.decode()


def test_pagination_is_sliced_from_the_counts(tree, client_for, city_staff):
    bulk_hazards(tree, 120)
    client = client_for(city_staff)
    first = client.get(reverse("hazards:hazard_list"))
    assert first.context["total"] == 120 and len(codes_on(first)) == 50
    last = client.get(reverse("hazards:hazard_list"), {"page": 3})
    assert len(codes_on(last)) == 20
    assert not set(codes_on(first)) & set(codes_on(last))


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("hazards:hazard_list"), {"status": ["reported", "planned"]})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_pinned(tree, client_for, city_staff, county_staff):
    bulk_hazards(tree, 10, prefix="A")
    city, county = client_for(city_staff), client_for(county_staff)
    small = (_queries(city), _queries(county))
    bulk_hazards(tree, 490, prefix="B")
    bulk_hazards(tree, 500, prefix="C", school=tree.rd_school)
    large = (_queries(city), _queries(county))
    assert small[0] == small[1] == large[0] == large[1], (small, large)


def test_bulk_set_deadline_by_county_staff(mixed, client_for, county_staff):
    new = TODAY + dt.timedelta(days=45)
    codes = [mixed["tz_old"].code, mixed["tz2"].code, mixed["rd"].code]
    client = client_for(county_staff)
    response = client.post(
        reverse("hazards:hazard_bulk"),
        {"action": "set_deadline", "deadline": str(new), "code": codes, "next": "grade=general"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?grade=general")
    assert Hazard.objects.get(pk=mixed["tz_old"].pk).deadline == new
    assert Hazard.objects.get(pk=mixed["tz2"].pk).deadline == new
    assert Hazard.objects.get(pk=mixed["rd"].pk).deadline != new  # out of scope: untouched
    page = client.get(response["Location"])
    assert "2" in " ".join(str(m) for m in page.context["messages"])


def test_bulk_set_deadline_by_school_officer_is_refused(mixed, client_for, school_officer):
    old = mixed["tz_old"].deadline
    response = client_for(school_officer).post(
        reverse("hazards:hazard_bulk"),
        {"action": "set_deadline", "deadline": str(TODAY + dt.timedelta(days=9)),
         "code": [mixed["tz_old"].code]},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert Hazard.objects.get(pk=mixed["tz_old"].pk).deadline == old
    text = " ".join(str(m) for m in response.context["messages"])
    assert "1" in text


def test_bulk_bad_input_changes_nothing(mixed, client_for, county_staff):
    client = client_for(county_staff)
    for data in (
        {"action": "nope", "code": [mixed["tz_old"].code]},
        {"action": "set_deadline", "deadline": "soon", "code": [mixed["tz_old"].code]},
        {"action": "set_deadline", "deadline": str(TODAY)},
    ):
        assert client.post(reverse("hazards:hazard_bulk"), data).status_code == 302
    assert Hazard.objects.get(pk=mixed["tz_old"].pk).deadline == mixed["tz_old"].deadline
