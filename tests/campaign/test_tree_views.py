"""The organisation-tree pages: tree, county page, school list, school profile and its edit."""

import pytest
from django.urls import reverse

from campaign import services
from campaign.models import OrgUnit
from core.models import AuditEntry

Kind = OrgUnit.Kind


def add_schools(tree, total):
    """Bring the tree to ``total`` schools, spread over both counties and the city (bulk)."""
    parents = [tree.tongzhou, tree.rudong, tree.city]
    categories = OrgUnit.Category.values
    existing = OrgUnit.objects.filter(kind=Kind.SCHOOL).count()
    created = OrgUnit.objects.bulk_create(
        OrgUnit(
            kind=Kind.SCHOOL,
            name=f"批量学校{i:04d}",
            code=f"BULK-{i:04d}",
            parent=parents[i % len(parents)],
            category=categories[i % len(categories)],
            ownership=OrgUnit.Ownership.PUBLIC if i % 4 else OrgUnit.Ownership.PRIVATE,
            students=500,
            staff=40,
        )
        for i in range(total - existing)
    )
    for unit in created:
        services.orgunit_set_path(unit)
    OrgUnit.objects.bulk_update(created, ["path", "depth"])


def html(response):
    return response.content.decode()


# --- The tree -------------------------------------------------------------------------------


def test_tree_shows_city_counties_and_city_direct_schools(tree, city_staff, en_client_for):
    page = html(en_client_for(city_staff).get(reverse("campaign:org_tree")))
    assert "南通市" in page
    assert reverse("campaign:county_detail", args=["NT-TZ"]) in page
    assert reverse("campaign:county_detail", args=["NT-RD"]) in page
    assert "City-direct schools" in page
    assert f"{reverse('campaign:school_list')}?county=NT" in page


def test_tree_counts_schools_by_category(tree, city_staff, client_for):
    response = client_for(city_staff).get(reverse("campaign:org_tree"))
    rows = {row["label"]: row for row in response.context["rows"]}
    categories = OrgUnit.Category.values
    tongzhou = rows["通州区"]
    assert tongzhou["schools"] == 2
    assert tongzhou["students"] == 1600
    assert tongzhou["by_category"][categories.index("kindergarten")] == 1
    assert tongzhou["by_category"][categories.index("primary")] == 1
    assert rows["南通市"]["schools"] == 4


def test_county_staff_see_their_county_only(tree, county_staff, client_for):
    page = html(client_for(county_staff).get(reverse("campaign:org_tree")))
    assert "通州区" in page
    assert "如东县" not in page
    assert reverse("campaign:county_detail", args=["NT-RD"]) not in page


def test_school_officer_sees_their_school(tree, school_officer, client_for):
    page = html(client_for(school_officer).get(reverse("campaign:org_tree")))
    assert "通州区实验小学" in page
    assert reverse("campaign:school_detail", args=["NT-TZ-0001"]) in page
    assert "通州区金沙幼儿园" not in page


def test_outsider_is_told_they_have_no_role(tree, outsider, en_client_for):
    page = html(en_client_for(outsider).get(reverse("campaign:org_tree")))
    assert "You have no role in the organisation tree yet" in page
    assert "南通市" not in page


def test_tree_needs_sign_in(tree, client):
    response = client.get(reverse("campaign:org_tree"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("total", [10, 500])
def test_tree_query_count_does_not_grow(
    tree, city_staff, client_for, django_assert_num_queries, total
):
    add_schools(tree, total)
    client = client_for(city_staff)
    # Session, user and grants; units, school counts, granted schools; session save (3).
    with django_assert_num_queries(9):
        response = client.get(reverse("campaign:org_tree"))
    assert response.context["rows"][0]["schools"] == total


# --- County page ----------------------------------------------------------------------------


def test_county_page_lists_its_schools_with_counts(tree, county_staff, en_client_for):
    response = en_client_for(county_staff).get(reverse("campaign:county_detail", args=["NT-TZ"]))
    page = html(response)
    assert response.status_code == 200
    assert "通州区实验小学" in page
    assert "通州区金沙幼儿园" in page
    assert "如东县掘港初级中学" not in page
    assert response.context["counts"]["schools"] == 2
    assert [n for _label, n in response.context["by_ownership"]] == [1, 1]


def test_out_of_scope_county_is_404(tree, county_staff, client_for):
    client = client_for(county_staff)
    assert client.get(reverse("campaign:county_detail", args=["NT-RD"])).status_code == 404
    assert client.get(reverse("campaign:county_detail", args=["NO-SUCH"])).status_code == 404
    # A school's code is not a county.
    assert client.get(reverse("campaign:county_detail", args=["NT-TZ-0001"])).status_code == 404


def test_county_page_search_and_filters(tree, county_staff, client_for):
    client = client_for(county_staff)
    url = reverse("campaign:county_detail", args=["NT-TZ"])
    page = html(client.get(url, {"q": "幼儿园"}))
    assert "通州区金沙幼儿园" in page
    assert "通州区实验小学" not in page
    page = html(client.get(url, {"category": "primary"}))
    assert "通州区实验小学" in page
    assert "通州区金沙幼儿园" not in page
    page = html(client.get(url, {"ownership": "private"}))
    assert "通州区金沙幼儿园" in page
    assert "通州区实验小学" not in page


def test_county_page_bad_filter_values_do_not_fail(tree, county_staff, client_for):
    response = client_for(county_staff).get(
        reverse("campaign:county_detail", args=["NT-TZ"]), {"category": "castle", "page": "x"}
    )
    assert response.status_code == 200
    assert "通州区实验小学" in html(response)


@pytest.mark.parametrize("total", [10, 500])
def test_county_page_query_count_does_not_grow(
    tree, county_staff, client_for, django_assert_num_queries, total
):
    add_schools(tree, total)
    client = client_for(county_staff)
    # Session, user and grants; county, counts, count, page; session save (3).
    with django_assert_num_queries(10):
        response = client.get(reverse("campaign:county_detail", args=["NT-TZ"]), {"page": 2})
    assert response.context["page"].number == (2 if total == 500 else 1)


# --- School list ----------------------------------------------------------------------------


def test_school_list_is_scoped(tree, county_staff, client_for):
    page = html(client_for(county_staff).get(reverse("campaign:school_list")))
    assert "通州区实验小学" in page
    assert "通州区金沙幼儿园" in page
    assert "如东县掘港初级中学" not in page
    assert "南通中学" not in page


def test_school_list_county_filter_offers_only_counties_in_scope(
    tree, city_staff, county_staff, client_for
):
    response = client_for(county_staff).get(reverse("campaign:school_list"))
    choices = [code for code, _label in response.context["filter"].form.fields["county"].choices]
    assert "NT-TZ" in choices
    assert "NT-RD" not in choices
    assert "NT" not in choices

    response = client_for(city_staff).get(reverse("campaign:school_list"))
    choices = [code for code, _label in response.context["filter"].form.fields["county"].choices]
    assert {"NT", "NT-TZ", "NT-RD"} <= set(choices)


def test_school_list_county_filter(tree, city_staff, client_for):
    client = client_for(city_staff)
    page = html(client.get(reverse("campaign:school_list"), {"county": "NT-RD"}))
    assert "如东县掘港初级中学" in page
    assert "通州区实验小学" not in page
    # The city stands for its city-direct schools.
    page = html(client.get(reverse("campaign:school_list"), {"county": "NT"}))
    assert "南通中学" in page
    assert "如东县掘港初级中学" not in page


def test_school_list_out_of_scope_county_filter_shows_nothing_more(tree, county_staff, client_for):
    response = client_for(county_staff).get(reverse("campaign:school_list"), {"county": "NT-RD"})
    assert response.status_code == 200
    assert "如东县掘港初级中学" not in html(response)


def test_school_list_paginates(tree, city_staff, client_for):
    add_schools(tree, 60)
    client = client_for(city_staff)
    first = client.get(reverse("campaign:school_list"))
    assert len(first.context["page"].object_list) == 25
    assert "?page=2" in html(first)
    last = client.get(reverse("campaign:school_list"), {"page": 999})
    assert last.context["page"].number == 3
    assert len(last.context["page"].object_list) == 10


@pytest.mark.parametrize("total", [10, 500])
def test_school_list_query_count_does_not_grow(
    tree, city_staff, client_for, django_assert_num_queries, total
):
    add_schools(tree, total)
    client = client_for(city_staff)
    # Session, user and grants; units for the county filter, count, page; session save (3).
    with django_assert_num_queries(9):
        response = client.get(reverse("campaign:school_list"), {"page": 2, "ownership": "public"})
    assert response.context["page"].number == (2 if total == 500 else 1)


# --- School profile -------------------------------------------------------------------------


def test_school_profile_shows_the_school(tree, county_staff, en_client_for):
    response = en_client_for(county_staff).get(
        reverse("campaign:school_detail", args=["NT-TZ-0001"])
    )
    page = html(response)
    assert response.status_code == 200
    assert "通州区实验小学" in page
    assert 'href="tel:0513-80000000"' in page
    assert 'href="tel:13800000000"' in page
    assert "张校长" in page
    # Breadcrumbs: the city (not in this user's scope: no link) and the county (linked).
    assert "南通市" in page
    assert reverse("campaign:county_detail", args=["NT-TZ"]) in page
    # County staff may not manage units: no edit button.
    assert reverse("campaign:school_edit", args=["NT-TZ-0001"]) not in page


def test_school_officer_sees_own_school_only(tree, school_officer, client_for):
    client = client_for(school_officer)
    assert client.get(reverse("campaign:school_detail", args=["NT-TZ-0001"])).status_code == 200
    assert client.get(reverse("campaign:school_detail", args=["NT-TZ-0002"])).status_code == 404


def test_out_of_scope_school_is_404(tree, county_staff, outsider, client_for):
    client = client_for(county_staff)
    assert client.get(reverse("campaign:school_detail", args=["NT-RD-0001"])).status_code == 404
    assert (
        client.get(reverse("campaign:school_detail", args=["NT-TZ"])).status_code == 404
    )  # a county
    assert client.get(reverse("campaign:school_detail", args=["NO-SUCH"])).status_code == 404
    outsider_client = client_for(outsider)
    assert (
        outsider_client.get(reverse("campaign:school_detail", args=["NT-TZ-0001"])).status_code
        == 404
    )


def test_city_admin_sees_the_edit_button(tree, city_admin, client_for):
    page = html(client_for(city_admin).get(reverse("campaign:school_detail", args=["NT-TZ-0001"])))
    assert reverse("campaign:school_edit", args=["NT-TZ-0001"]) in page


# --- School edit ----------------------------------------------------------------------------


def edit_data(**changes):
    data = {
        "name": "通州区实验小学",
        "category": "primary",
        "ownership": "public",
        "students": "800",
        "staff": "60",
        "address": "南通市某路1号",
        "principal_name": "张校长",
        "principal_phone": "0513-80000000",
        "safety_officer_name": "李安全",
        "safety_officer_phone": "13800000000",
    }
    data.update(changes)
    return data


def test_county_staff_may_not_edit_a_school(tree, county_staff, client_for):
    client = client_for(county_staff)
    url = reverse("campaign:school_edit", args=["NT-TZ-0001"])
    assert client.get(url).status_code == 403
    assert client.post(url, edit_data(students="1")).status_code == 403
    assert OrgUnit.objects.get(code="NT-TZ-0001").students == 800


def test_out_of_scope_school_edit_is_404(tree, other_county_staff, client_for):
    client = client_for(other_county_staff)
    url = reverse("campaign:school_edit", args=["NT-TZ-0001"])
    assert client.get(url).status_code == 404
    assert client.post(url, edit_data()).status_code == 404


def test_city_admin_edits_a_school(tree, city_admin, client_for):
    client = client_for(city_admin)
    url = reverse("campaign:school_edit", args=["NT-TZ-0001"])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="通州区实验小学"' in html(form)

    response = client.post(
        url, edit_data(students="1234", safety_officer_phone="13911112222"), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("campaign:school_detail", args=["NT-TZ-0001"])
    page = html(response)
    assert "1,234" in page or "1234" in page
    assert 'href="tel:13911112222"' in page
    school = OrgUnit.objects.get(code="NT-TZ-0001")
    assert school.students == 1234
    assert AuditEntry.objects.filter(action="school.update", unit=school).exists()


def test_invalid_edit_changes_nothing(tree, city_admin, en_client_for):
    client = en_client_for(city_admin)
    url = reverse("campaign:school_edit", args=["NT-TZ-0001"])
    response = client.post(url, edit_data(students="-5", name="新名字"))
    assert response.status_code == 200
    page = html(response)
    assert "Ensure this value is greater than or equal to 0." in page
    assert "The school profile was not saved" in page
    school = OrgUnit.objects.get(code="NT-TZ-0001")
    assert school.students == 800
    assert school.name == "通州区实验小学"
    assert not AuditEntry.objects.filter(action="school.update").exists()


def test_edit_refuses_an_unknown_category(tree, city_admin, client_for):
    response = client_for(city_admin).post(
        reverse("campaign:school_edit", args=["NT-TZ-0001"]), edit_data(category="castle")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["category"]
    assert OrgUnit.objects.get(code="NT-TZ-0001").category == "primary"
