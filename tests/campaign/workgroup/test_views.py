"""The working-group pages as their users see them: the overview, a group, its editing."""

import pytest
from django.urls import reverse

from campaign.models import Responsibility, WorkingGroupMember
from campaign.workgroup import services
from core.models import AuditEntry
from tests.campaign.test_tree_views import html


def url(name, *args):
    return reverse(f"campaign:{name}", args=args)


def name_first(tree, county_staff, name="吴建国"):
    return services.working_group_member_add(
        unit=tree.tongzhou,
        actor=county_staff,
        responsibility=Responsibility.FIRST,
        name=name,
        position="局长",
        phone="13912345678",
    )


def test_the_city_sees_which_counties_have_not_set_up_their_group(
    tree, city_staff, county_staff, client_for
):
    name_first(tree, county_staff)
    services.working_group_member_add(
        unit=tree.tongzhou,
        actor=county_staff,
        responsibility=Responsibility.IMPLEMENTER,
        name="徐志强",
    )
    page = html(client_for(city_staff).get(url("workgroup_overview")))
    assert "专项整治工作领导小组" in page
    assert "2个县（市、区）中1个已成立领导小组，1个尚未健全" in page
    assert "已成立" in page and "未健全" in page
    assert "未明确第一责任人" in page  # 如东县 has nobody
    assert "吴建国" in page


def test_overview_query_count_does_not_grow(
    tree, city_staff, client_for, django_assert_num_queries
):
    from campaign.services import orgunit_create

    for i in range(12):
        orgunit_create(kind="county", name=f"测试县{i:02d}", code=f"NT-X{i:02d}", parent=tree.city)
    client = client_for(city_staff)
    # Session, user, grants; the one list of units with their groups' status; session save (3).
    with django_assert_num_queries(7):
        response = client.get(url("workgroup_overview"))
    assert len(response.context["rows"]) == 15


def test_a_school_reads_its_countys_group_read_only(tree, county_staff, school_officer, client_for):
    name_first(tree, county_staff)
    client = client_for(school_officer)
    page = html(client.get(url("workgroup_detail", "NT-TZ")))
    assert "吴建国" in page and "第一责任人" in page
    assert url("workgroup_member_add", "NT-TZ") not in page
    assert client.get(url("workgroup_detail", "NT")).status_code == 200
    assert client.get(url("workgroup_detail", "NT-RD")).status_code == 404
    assert client.get(url("workgroup_member_add", "NT-TZ")).status_code == 403


def test_county_staff_add_a_liaison_contact(tree, county_staff, client_for):
    client = client_for(county_staff)
    response = client.post(
        url("workgroup_member_add", "NT-TZ"),
        {
            "responsibility": "liaison",
            "department": "fire",
            "name": "周立",
            "position": "通州区消防救援大队参谋",
            "phone": "0513-86512345",
        },
        follow=True,
    )
    page = html(response)
    assert "周立" in page and "0513-86512345" in page
    assert "消防" in page
    assert AuditEntry.objects.filter(action="workgroup.member_add").count() == 1


def test_a_bad_phone_is_refused_with_a_message_and_changes_nothing(tree, county_staff, client_for):
    member = name_first(tree, county_staff)
    client = client_for(county_staff)
    response = client.post(
        url("workgroup_member_edit", "NT-TZ", member.pk),
        {"responsibility": "first", "name": "吴建国", "phone": "8888"},
    )
    assert response.status_code == 200
    page = html(response)
    assert "请填写11位手机号码或带区号的固定电话" in page
    assert 'value="8888"' in page, "the refused input is kept"
    member.refresh_from_db()
    assert member.phone == "13912345678"
    assert not AuditEntry.objects.filter(action="workgroup.member_update").exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"responsibility": "boss", "name": "王"},
        {"responsibility": "member", "name": "  "},
        {"responsibility": "member", "name": "王" * 61},
        {"responsibility": "member", "name": "王\x00"},
        {"responsibility": "liaison", "name": "王", "department": "army", "phone": "13912345678"},
        {"responsibility": "first", "name": "李志强"},  # the group has one already
        {"responsibility": "member", "name": "王", "username": "nobody"},
    ],
)
def test_bad_input_changes_nothing(tree, county_staff, client_for, data):
    name_first(tree, county_staff)
    before = (WorkingGroupMember.objects.count(), AuditEntry.objects.count())
    response = client_for(county_staff).post(url("workgroup_member_add", "NT-TZ"), data)
    assert response.status_code == 200
    assert "未保存" in html(response)
    assert (WorkingGroupMember.objects.count(), AuditEntry.objects.count()) == before


def test_the_office_name_is_saved_and_shown(tree, safety_office, client_for):
    client = client_for(safety_office)
    response = client.post(
        url("workgroup_edit", "NT"), {"office_name": "安全保卫与维护稳定处（安稳处）"}, follow=True
    )
    assert "安全保卫与维护稳定处（安稳处）" in html(response)
    assert AuditEntry.objects.filter(action="workgroup.update", actor=safety_office).exists()


def test_removing_a_person(tree, county_staff, client_for):
    member = name_first(tree, county_staff)
    client = client_for(county_staff)
    response = client.post(url("workgroup_member_remove", "NT-TZ", member.pk), follow=True)
    assert "吴建国" in html(response)  # the message names who was removed
    assert not WorkingGroupMember.objects.exists()
    # A person of another county's group is not found through this county's address.
    assert client.post(url("workgroup_member_remove", "NT-TZ", 99999)).status_code == 404
