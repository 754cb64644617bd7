"""Who sees a plan and its visits, at the selector level (the pages' walk is in
test_secrecy.py)."""

import pytest
from django.http import Http404

from campaign.roles import Role
from inspections import selectors, services
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_inspector(tree):
    return grant(UserFactory(username="tz-inspector"), Role.INSPECTOR, tree.tongzhou)


@pytest.fixture
def county_leader(tree):
    return grant(UserFactory(username="tz-leader"), Role.LEADER, tree.tongzhou)


BELOW_CITY = ("school_officer", "county_staff", "county_inspector", "county_leader", "outsider")
CITY = ("city_admin", "city_staff", "safety_office", "leader", "inspector")


@pytest.mark.parametrize("persona", BELOW_CITY)
def test_a_sealed_plan_is_invisible_below_the_city(request, persona, sealed_plan, visit):
    user = request.getfixturevalue(persona)
    assert not selectors.plans_for(user).exists()
    assert not selectors.visits_for(user).exists()
    with pytest.raises(Http404):
        selectors.plan_get(user, sealed_plan.code)
    with pytest.raises(Http404):
        selectors.visit_get(user, visit.code)


@pytest.mark.parametrize("persona", CITY)
def test_the_team_and_the_city_supervisors_see_it(request, persona, sealed_plan, visit):
    user = request.getfixturevalue(persona)
    assert selectors.plan_get(user, sealed_plan.code) == sealed_plan
    assert selectors.visit_get(user, visit.code) == visit


def test_a_city_inspector_not_on_the_team_sees_nothing(tree, sealed_plan, visit):
    other = grant(UserFactory(username="other-inspector"), Role.INSPECTOR, tree.city)
    assert not selectors.plans_for(other).exists()
    with pytest.raises(Http404):
        selectors.visit_get(other, visit.code)


def test_a_started_visit_is_revealed_to_its_school_and_county_only(
    request, visit, inspector, school_officer, county_staff, other_county_staff, sealed_plan
):
    services.visit_start(visit=visit, actor=inspector)
    for user in (school_officer, county_staff):
        assert selectors.visit_get(user, visit.code) == visit
        with pytest.raises(Http404):  # the plan and its other targets stay the team's
            selectors.plan_get(user, sealed_plan.code)
    with pytest.raises(Http404):
        selectors.visit_get(other_county_staff, visit.code)


def test_a_team_member_from_another_county_needs_no_school_grant(tree, draft_plan, city_staff):
    rd_inspector = grant(UserFactory(username="rd-inspector"), Role.INSPECTOR, tree.rudong)
    services.target_add(plan=draft_plan, school=tree.tz_school, reason="交叉检查", actor=city_staff)
    services.team_set(
        plan=draft_plan, members=[rd_inspector], leader=rd_inspector, actor=city_staff
    )
    services.plan_seal(plan=draft_plan, actor=city_staff)
    visit = selectors.visit_get(rd_inspector, draft_plan.visits.get().code)
    services.visit_start(visit=visit, actor=rd_inspector)
    from tests.inspections.conftest import answer_all

    answer_all(visit, rd_inspector, fail=("gate-register",))
    services.visit_finish(visit=visit, actor=rd_inspector)
    assert visit.answers.get(item__code="gate-register").hazard.school == tree.tz_school


def test_taking_someone_off_the_team_takes_their_sight(tree, sealed_plan, city_staff, inspector):
    other = grant(UserFactory(username="second"), Role.INSPECTOR, tree.city)
    services.team_set(plan=sealed_plan, members=[inspector, other], leader=other, actor=city_staff)
    assert selectors.plans_for(other).exists()
    services.team_set(plan=sealed_plan, members=[other], leader=other, actor=city_staff)
    inspector.refresh_from_db()
    fresh = type(inspector).objects.get(pk=inspector.pk)
    assert not selectors.plans_for(fresh).exists()
