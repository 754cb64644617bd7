"""The working groups' services: who may change a group, what they check, what they record."""

import pytest
from django.core.exceptions import ValidationError

from campaign.models import LiaisonDepartment, Responsibility, WorkingGroup, WorkingGroupMember
from campaign.roles import Role
from campaign.workgroup import policy, selectors, services
from core.errors import NotPermitted
from core.models import AuditEntry
from tests.factories import UserFactory, grant

FIRST = Responsibility.FIRST
IMPLEMENTER = Responsibility.IMPLEMENTER


def add(unit, actor, **fields):
    fields.setdefault("responsibility", Responsibility.MEMBER)
    fields.setdefault("name", "王建国")
    return services.working_group_member_add(unit=unit, actor=actor, **fields)


def test_a_county_names_its_first_responsible_person_and_implementer(tree, county_staff):
    assert not selectors.group_view(tree.tongzhou).is_set_up
    add(tree.tongzhou, county_staff, responsibility=FIRST, name="吴建国", position="局长")
    view = selectors.group_view(tree.tongzhou)
    assert view.missing == [str(IMPLEMENTER.label)]
    add(tree.tongzhou, county_staff, responsibility=IMPLEMENTER, name="徐志强", phone="13912345678")
    view = selectors.group_view(tree.tongzhou)
    assert view.is_set_up
    assert (view.first.name, view.implementer.name) == ("吴建国", "徐志强")
    group = WorkingGroup.objects.get(unit=tree.tongzhou)
    assert group.updated_by == county_staff
    actions = list(
        AuditEntry.objects.filter(unit=tree.tongzhou, action__startswith="workgroup.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["workgroup.member_add", "workgroup.member_add"]


def test_the_city_names_its_office_and_the_audit_says_what_changed(tree, safety_office):
    services.working_group_update(
        unit=tree.city, office_name="安全保卫与维护稳定处（安稳处）", actor=safety_office
    )
    entry = AuditEntry.objects.get(action="workgroup.update")
    assert entry.actor == safety_office
    assert entry.detail["changed"] == {"office_name": ["", "安全保卫与维护稳定处（安稳处）"]}
    # Saving the same name again records nothing.
    services.working_group_update(
        unit=tree.city, office_name="安全保卫与维护稳定处（安稳处）", actor=safety_office
    )
    assert AuditEntry.objects.filter(action="workgroup.update").count() == 1


def test_a_second_first_responsible_person_is_refused(tree, county_staff):
    add(tree.tongzhou, county_staff, responsibility=FIRST, name="吴建国")
    with pytest.raises(ValidationError) as error:
        add(tree.tongzhou, county_staff, responsibility=FIRST, name="李志强")
    assert "responsibility" in error.value.message_dict
    assert WorkingGroupMember.objects.filter(responsibility=FIRST).count() == 1


def test_a_liaison_needs_a_department_and_a_phone(tree, county_staff):
    with pytest.raises(ValidationError) as error:
        add(tree.tongzhou, county_staff, responsibility=Responsibility.LIAISON, name="陈警官")
    assert set(error.value.message_dict) == {"department", "phone"}
    assert not WorkingGroup.objects.exists(), "a refused first entry leaves no group behind"
    member = add(
        tree.tongzhou,
        county_staff,
        responsibility=Responsibility.LIAISON,
        department=LiaisonDepartment.POLICE,
        name="陈警官",
        phone="0513 8651 2345",
    )
    assert member.phone == "051386512345"  # spaces dropped


def test_a_bad_phone_changes_nothing(tree, county_staff):
    member = add(tree.tongzhou, county_staff, phone="13912345678")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.working_group_member_update(
            member=member,
            actor=county_staff,
            responsibility=Responsibility.MEMBER,
            name="王建国",
            phone="12345",
        )
    assert "phone" in error.value.message_dict
    member.refresh_from_db()
    assert member.phone == "13912345678"
    assert AuditEntry.objects.count() == before


def test_a_member_is_changed_and_removed_with_audit(tree, county_staff):
    member = add(tree.tongzhou, county_staff, name="王建国", position="科员")
    services.working_group_member_update(
        member=member,
        actor=county_staff,
        responsibility=IMPLEMENTER,
        name="王建国",
        position="副局长",
        phone="",
    )
    entry = AuditEntry.objects.get(action="workgroup.member_update")
    assert entry.detail["changed"] == {
        "responsibility": ["member", "implementer"],
        "position": ["科员", "副局长"],
    }
    services.working_group_member_remove(member=member, actor=county_staff)
    assert not WorkingGroupMember.objects.exists()
    removed = AuditEntry.objects.get(action="workgroup.member_remove")
    assert removed.detail["member"]["name"] == "王建国"


def test_only_the_units_own_managers_edit(
    tree, city_staff, safety_office, county_staff, other_county_staff, school_officer, leader
):
    for actor in (city_staff, safety_office, other_county_staff, school_officer, leader):
        with pytest.raises(NotPermitted):
            add(tree.tongzhou, actor)
    for actor in (city_staff, county_staff, school_officer, leader):
        with pytest.raises(NotPermitted):
            add(tree.city, actor)
    add(tree.city, safety_office)
    with pytest.raises(NotPermitted):
        add(tree.tz_school, county_staff)  # a school has no group
    assert AuditEntry.objects.filter(action="workgroup.member_add").count() == 1


def test_reading_follows_the_tree_both_ways(tree, county_staff, school_officer, city_staff):
    assert policy.may_read(county_staff, tree.city)
    assert policy.may_read(county_staff, tree.tongzhou)
    assert not policy.may_read(county_staff, tree.rudong)
    assert policy.may_read(school_officer, tree.city)
    assert policy.may_read(school_officer, tree.tongzhou)
    assert not policy.may_read(school_officer, tree.rudong)
    assert all(policy.may_read(city_staff, u) for u in (tree.city, tree.tongzhou, tree.rudong))


def test_a_user_is_linked_only_from_the_units_people(tree, county_staff, other_county_staff):
    colleague = grant(UserFactory(username="tz-clerk"), Role.COUNTY_STAFF, tree.tongzhou)
    member = add(tree.tongzhou, county_staff, username="TZ-Clerk")
    assert member.user == colleague
    with pytest.raises(ValidationError) as error:
        add(tree.tongzhou, county_staff, username=other_county_staff.username)
    assert "username" in error.value.message_dict


def test_overview_shows_each_countys_status(tree, city_staff, county_staff):
    add(tree.tongzhou, county_staff, responsibility=FIRST, name="吴建国")
    add(tree.tongzhou, county_staff, responsibility=IMPLEMENTER, name="徐志强")
    rows = {row["unit"].code: row for row in selectors.overview_for_user(city_staff)}
    assert list(rows)[0] == "NT"  # the city first, then its counties
    assert set(rows) == {"NT", "NT-RD", "NT-TZ"}
    assert rows["NT-TZ"]["is_set_up"]
    assert rows["NT-TZ"]["unit"].first_name == "吴建国"
    assert rows["NT-RD"]["missing"] == [str(FIRST.label), str(IMPLEMENTER.label)]
    assert selectors.overview_counts(list(rows.values())) == {
        "counties": 2,
        "set_up": 1,
        "incomplete": 1,
    }
    own = {row["unit"].code for row in selectors.overview_for_user(county_staff)}
    assert own == {"NT", "NT-TZ"}


def test_demo_fills_every_group_but_one(tree):
    from campaign.workgroup.demo import INCOMPLETE, seed_demo_workgroups

    assert seed_demo_workgroups(city=tree.city)
    assert seed_demo_workgroups(city=tree.city) == "", "safe to run again"
    admin = UserFactory(username="demo-reader", is_superuser=True)
    rows = {row["unit"].code: row for row in selectors.overview_for_user(admin)}
    assert not rows[INCOMPLETE]["is_set_up"]
    assert rows["NT"]["is_set_up"] and rows["NT-TZ"]["is_set_up"]
    assert rows["NT"]["unit"].office == "安全保卫与维护稳定处（安稳处）"
    assert rows["NT"]["unit"].liaison_count == 4
