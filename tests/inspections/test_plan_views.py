"""The plan pages through the views: create, edit, draw, add and remove targets, re-checks, the
team, sealing, the audit; refused input keeps what was typed and changes nothing; the plan
list's queries are pinned."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import Draw, InspectionPlan, Recheck, Target, TeamMember, Visit
from tests.inspections.conftest import close_hazard, small_checklist

pytestmark = pytest.mark.django_db


def url(name, plan):
    return reverse(f"inspections:{name}", args=[plan.code])


def plan_data(checklist, **extra):
    today = timezone.localdate()
    data = {
        "title": "2019年冬季校园安全督查",
        "round": "2019年第四季度",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=10)).isoformat(),
        "checklist": checklist.pk,
        "draw_size": "2",
        "weight_base": "1",
        "weight_zero_data": "3",
        "weight_overdue": "2",
        "weight_major_open": "3",
        "weight_bad_score": "2",
        "weight_not_inspected": "2",
    }
    data.update(extra)
    return data


def test_create_a_plan_with_scope_focus_and_weights(client_for, city_staff, tree, checklist):
    from hazards.models import HazardCategory

    area = HazardCategory.objects.filter(parent__isnull=True).first()
    client = client_for(city_staff)
    assert client.get(reverse("inspections:plan_new")).status_code == 200
    data = plan_data(checklist, counties=[tree.tongzhou.pk], focus_areas=[area.pk])
    data["weight_zero_data"] = "5"
    response = client.post(reverse("inspections:plan_new"), data)
    plan = InspectionPlan.objects.get(title="2019年冬季校园安全督查")
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    assert list(plan.counties.all()) == [tree.tongzhou]
    assert list(plan.focus_areas.all()) == [area]
    assert plan.weights == {"zero_data": 5.0}  # only what differs from the defaults
    page = client.get(response["Location"]).content.decode()
    assert "督查方案“2019年冬季校园安全督查”已创建" in page or "2019年冬季校园安全督查" in page


def test_a_refused_plan_keeps_what_was_typed_and_creates_nothing(client_for, city_staff, checklist):
    client = client_for(city_staff)
    today = timezone.localdate()
    data = plan_data(
        checklist,
        period_end=(today - dt.timedelta(days=3)).isoformat(),
        draw_size="0",
        weight_base="0",
    )
    data["round"] = "保留的轮次文字"
    response = client.post(reverse("inspections:plan_new"), data)
    assert response.status_code == 200
    assert not InspectionPlan.objects.exists()
    page = response.content.decode()
    assert "保留的轮次文字" in page
    form = response.context["form"]
    assert set(form.errors) >= {"period_end", "draw_size", "weight_base"}


def test_the_form_offers_only_the_citys_checklists_and_counties(
    client_for, city_staff, tree, checklist
):
    from tests.factories import CityFactory, CountyFactory

    other = CityFactory(name="苏州市", code="SZ")
    CountyFactory(name="姑苏区", code="SZ-GS", parent=other)
    foreign = small_checklist(other, code="sz-list")
    form = client_for(city_staff).get(reverse("inspections:plan_new")).context["form"]
    assert list(form.fields["checklist"].queryset) == [checklist]
    assert {c.code for c in form.fields["counties"].queryset} == {"NT-TZ", "NT-RD"}
    # A checklist of another city, forced into the POST, is refused by the form.
    response = client_for(city_staff).post(
        reverse("inspections:plan_new"),
        {**plan_data(checklist), "checklist": foreign.pk},
    )
    assert response.status_code == 200
    assert "checklist" in response.context["form"].errors
    assert not InspectionPlan.objects.exists()


def test_new_plan_is_403_for_who_may_not_manage(client_for, county_staff, leader, inspector):
    for user in (county_staff, leader, inspector):
        assert client_for(user).get(reverse("inspections:plan_new")).status_code == 403


def test_edit_a_draft_and_a_new_scope_drops_the_draw(client_for, city_staff, draft_plan, tree):
    client = client_for(city_staff)
    assert client.post(url("plan_draw", draft_plan)).status_code == 302
    assert Draw.objects.filter(plan=draft_plan).exists()
    response = client.get(url("plan_edit", draft_plan))
    assert response.context["form"]["title"].value() == draft_plan.title
    data = plan_data(draft_plan.checklist, counties=[tree.rudong.pk])
    data["title"] = "改名后的督查"
    response = client.post(url("plan_edit", draft_plan), data)
    assert response.status_code == 302
    draft_plan.refresh_from_db()
    assert draft_plan.title == "改名后的督查"
    assert not Draw.objects.filter(plan=draft_plan).exists()
    assert not draft_plan.targets.filter(origin="drawn").exists()


def test_a_refused_edit_changes_nothing(client_for, city_staff, draft_plan):
    client = client_for(city_staff)
    data = plan_data(draft_plan.checklist, title="", draw_size="abc")
    response = client.post(url("plan_edit", draft_plan), data)
    assert response.status_code == 200
    assert response.context["form"]["draw_size"].value() == "abc"
    draft_plan.refresh_from_db()
    assert draft_plan.title == "2019年第四季度校园安全四不两直督查"
    assert draft_plan.draw_size == 1


def test_a_sealed_plan_is_not_edited(client_for, city_staff, sealed_plan):
    response = client_for(city_staff).get(url("plan_edit", sealed_plan))
    assert response.status_code == 302
    assert response["Location"] == sealed_plan.get_absolute_url()


def test_draw_page_lists_candidates_heaviest_first(client_for, city_staff, draft_plan, tree):
    client = client_for(city_staff)
    response = client.get(url("plan_draw", draft_plan))
    assert response.status_code == 200
    weights = [c["weight"] for c in response.context["candidates"]]
    assert weights == sorted(weights, reverse=True)
    assert response.context["total"] == 4  # every school of the city
    client.post(url("plan_draw", draft_plan))
    draw = Draw.objects.get(plan=draft_plan)
    page = client.get(url("plan_draw", draft_plan)).content.decode()
    assert draw.seed in page and draw.candidates_digest in page
    detail = client.get(url("plan_detail", draft_plan)).content.decode()
    assert draw.seed in detail and draw.candidates_digest in detail


def test_the_audit_reruns_the_draw(client_for, city_staff, leader, inspector, draft_plan):
    client = client_for(city_staff)
    client.post(url("plan_draw", draft_plan))
    response = client.get(url("plan_audit", draft_plan))
    assert response.status_code == 200
    assert response.context["result"]["ok"]
    assert "候选名单未被改动" in response.content.decode() or response.context["result"]["ok"]
    # A supervisor who may not manage reads the audit too; an inspector off the team does not.
    assert client_for(leader).get(url("plan_audit", draft_plan)).status_code == 200
    assert client_for(inspector).get(url("plan_audit", draft_plan)).status_code == 404


def test_the_audit_notices_a_changed_candidate_list(client_for, city_staff, draft_plan):
    client = client_for(city_staff)
    client.post(url("plan_draw", draft_plan))
    draw = Draw.objects.get(plan=draft_plan)
    draw.candidates[0][1] = 99
    draw.save()
    result = client.get(url("plan_audit", draft_plan)).context["result"]
    assert not result["digest_ok"] and not result["ok"]


def test_add_and_remove_a_target_by_hand(client_for, city_staff, draft_plan, tree):
    client = client_for(city_staff)
    response = client.post(
        url("plan_targets", draft_plan),
        {"action": "add", "school": "nt-rd-0001", "reason": "群众举报"},
    )
    assert response.status_code == 302
    target = Target.objects.get(plan=draft_plan, school=tree.rd_school)
    assert target.origin == "added" and target.reason == "群众举报"
    assert target.added_by == city_staff
    response = client.post(
        url("plan_targets", draft_plan),
        {"action": "remove", "school": "NT-RD-0001", "reason": "本月已检查"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.removed and target.removed_reason == "本月已检查"
    page = client.get(url("plan_detail", draft_plan)).content.decode()
    assert "<del>如东县掘港初级中学</del>" in page
    assert "本月已检查" in page


def test_a_refused_addition_keeps_what_was_typed(client_for, city_staff, draft_plan):
    client = client_for(city_staff)
    response = client.post(
        url("plan_targets", draft_plan),
        {"action": "add", "school": "NT-XX-9999", "reason": "理由保留"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "理由保留" in page and "NT-XX-9999" in page
    assert response.context["open_form"] == "target"
    assert not Target.objects.filter(plan=draft_plan).exists()
    # No reason: refused too.
    response = client.post(
        url("plan_targets", draft_plan), {"action": "add", "school": "NT-TZ-0001", "reason": ""}
    )
    assert response.status_code == 200
    assert "reason" in response.context["target_form"].errors
    assert not Target.objects.filter(plan=draft_plan).exists()


def test_a_school_of_another_county_is_outside_a_county_scope(
    client_for, city_staff, draft_plan, tree
):
    services.plan_update(plan=draft_plan, actor=city_staff, counties=[tree.tongzhou])
    response = client_for(city_staff).post(
        url("plan_targets", draft_plan),
        {"action": "add", "school": "NT-RD-0001", "reason": "想查"},
    )
    assert response.status_code == 200
    assert not Target.objects.filter(plan=draft_plan).exists()


def test_a_recheck_by_hazard_code(client_for, city_staff, draft_plan, tree):
    hazard = close_hazard(tree.tz_school)
    client = client_for(city_staff)
    response = client.post(url("plan_rechecks", draft_plan), {"hazard": hazard.code.lower()})
    assert response.status_code == 302
    assert Recheck.objects.filter(plan=draft_plan, hazard=hazard).exists()
    assert Target.objects.get(plan=draft_plan, school=tree.tz_school).origin == "recheck"
    # Twice: refused, what was typed kept.
    response = client.post(url("plan_rechecks", draft_plan), {"hazard": hazard.code})
    assert response.status_code == 200
    assert hazard.code in response.content.decode()
    assert Recheck.objects.filter(plan=draft_plan).count() == 1


def test_a_recheck_of_an_unknown_hazard_is_refused(client_for, city_staff, draft_plan):
    response = client_for(city_staff).post(url("plan_rechecks", draft_plan), {"hazard": "NT-1"})
    assert response.status_code == 200
    assert "hazard" in response.context["recheck_form"].errors
    assert not Recheck.objects.exists()


def test_set_the_team_and_search(client_for, city_staff, inspector, draft_plan, tree):
    from campaign.roles import Role
    from tests.factories import UserFactory, grant

    other = grant(UserFactory(username="zhang", full_name="张督查"), Role.INSPECTOR, tree.rudong)
    client = client_for(city_staff)
    page = client.get(url("plan_team", draft_plan), {"q": "张"})
    assert [r["user"] for r in page.context["rows"]] == [other]
    response = client.post(
        url("plan_team", draft_plan), {"members": [inspector.pk, other.pk], "leader": other.pk}
    )
    assert response.status_code == 302
    team = {m.user: m.is_leader for m in TeamMember.objects.filter(plan=draft_plan)}
    assert team == {inspector: False, other: True}
    assert other.has_perm("inspections.view_inspectionplan", draft_plan)
    # The current members stay on the page whatever the search.
    rows = client.get(url("plan_team", draft_plan), {"q": "nobody-matches"}).context["rows"]
    assert {r["user"] for r in rows} == {inspector, other}
    assert all(r["chosen"] for r in rows)


def test_a_team_without_a_leader_is_refused(client_for, city_staff, inspector, draft_plan):
    response = client_for(city_staff).post(
        url("plan_team", draft_plan), {"members": [inspector.pk]}
    )
    assert response.status_code == 200
    assert "leader" in response.context["form"].errors
    assert response.context["rows"][0]["chosen"]  # what was ticked stays ticked
    assert not TeamMember.objects.filter(plan=draft_plan).exists()


def test_seal_needs_the_confirmation(client_for, city_staff, inspector, draft_plan, tree):
    services.target_add(plan=draft_plan, school=tree.tz_school, reason="抽查", actor=city_staff)
    services.team_set(plan=draft_plan, members=[inspector], leader=inspector, actor=city_staff)
    client = client_for(city_staff)
    response = client.post(url("plan_seal", draft_plan), {})
    assert response.status_code == 200
    assert "confirm" in response.context["seal_form"].errors
    draft_plan.refresh_from_db()
    assert draft_plan.state == "draft"
    response = client.post(url("plan_seal", draft_plan), {"confirm": "on"})
    assert response.status_code == 302
    draft_plan.refresh_from_db()
    assert draft_plan.state == "sealed" and draft_plan.version.number == 1
    assert Visit.objects.filter(plan=draft_plan).count() == 1
    page = client.get(url("plan_detail", draft_plan)).content.decode()
    assert "plan-secret" in page  # the dark 密 badge
    # The list is frozen: adding is refused with a message, nothing changes.
    response = client.post(
        url("plan_targets", draft_plan), {"action": "add", "school": "NT-RD-0001", "reason": "x"}
    )
    assert response.status_code == 302
    assert Target.objects.filter(plan=draft_plan).count() == 1


def test_seal_without_a_team_says_why(client_for, city_staff, draft_plan, tree):
    services.target_add(plan=draft_plan, school=tree.tz_school, reason="抽查", actor=city_staff)
    response = client_for(city_staff).post(url("plan_seal", draft_plan), {"confirm": "on"})
    assert response.status_code == 200
    assert any("组长" in str(m) or "leader" in str(m) for m in response.context["messages"])
    draft_plan.refresh_from_db()
    assert draft_plan.state == "draft"


def test_a_leader_reads_but_may_not_change(client_for, leader, draft_plan):
    client = client_for(leader)
    assert client.get(url("plan_detail", draft_plan)).status_code == 200
    assert client.post(url("plan_draw", draft_plan)).status_code == 403
    assert client.get(url("plan_team", draft_plan)).status_code == 403
    assert client.post(url("plan_seal", draft_plan), {"confirm": "on"}).status_code == 403
    assert not Draw.objects.exists()


def test_the_team_sees_the_plan_without_managing_it(client_for, inspector, sealed_plan):
    client = client_for(inspector)
    assert client.get(url("plan_detail", sealed_plan)).status_code == 200
    assert client.get(url("plan_audit", sealed_plan)).status_code == 200
    assert client.post(url("plan_finish", sealed_plan)).status_code == 403


def test_finish_before_any_visit_says_why(client_for, city_staff, sealed_plan):
    response = client_for(city_staff).post(url("plan_finish", sealed_plan), follow=True)
    assert response.status_code == 200
    sealed_plan.refresh_from_db()
    assert sealed_plan.state == "sealed"
    assert [str(m) for m in response.context["messages"]]


def _plans(tree, checklist, actor, n):
    today = timezone.localdate()
    for i in range(n):
        plan = services.plan_create(
            city=tree.city,
            title=f"督查{i}",
            round="2019年第四季度",
            period_start=today,
            period_end=today + dt.timedelta(days=3),
            checklist=checklist,
            draw_size=2,
            actor=actor,
        )
        services.draw_run(plan=plan, actor=actor, seed=f"s{i}")


def test_plan_list_queries_do_not_grow_with_the_plans(client_for, city_staff, tree, checklist):
    client = client_for(city_staff)
    _plans(tree, checklist, city_staff, 2)
    client.get(reverse("inspections:plan_list"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("inspections:plan_list"))
    assert len(response.context["plans"]) == 2
    _plans(tree, checklist, city_staff, 8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("inspections:plan_list"))
    assert len(response.context["plans"]) == 10
    assert len(many) == len(few)
    assert len(many) <= 12, [q["sql"] for q in many.captured_queries]


def test_plan_list_shows_the_sealed_badge(client_for, city_staff, sealed_plan):
    page = client_for(city_staff).get(reverse("inspections:plan_list")).content.decode()
    assert sealed_plan.title in page and "plan-secret" in page


def test_plan_list_for_a_school_is_empty_and_the_same_with_a_plan(
    client_for, school_officer, tree, checklist, city_staff, inspector
):
    client = client_for(school_officer)
    before = client.get(reverse("inspections:plan_list")).content.decode()
    plan = services.plan_create(
        city=tree.city,
        title="绝密督查",
        round="2019年第四季度",
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        checklist=checklist,
        draw_size=1,
        actor=city_staff,
    )
    services.target_add(plan=plan, school=tree.tz_school, reason="x", actor=city_staff)
    services.team_set(plan=plan, members=[inspector], leader=inspector, actor=city_staff)
    services.plan_seal(plan=plan, actor=city_staff)
    after = client.get(reverse("inspections:plan_list")).content.decode()

    def strip(page):
        import re

        return re.sub(r"[A-Za-z0-9]{64}", "", page)  # the CSRF tokens

    assert strip(before) == strip(after)
    assert client.get(url("plan_detail", plan)).status_code == 404


def test_a_findings_hazard_page_links_its_visit(client_for, visit, inspector, school_officer):
    from tests.inspections.conftest import answer_all

    services.visit_start(visit=visit, actor=inspector)
    answers = answer_all(visit, inspector, fail=("alarm-live",))
    services.visit_finish(visit=visit, actor=inspector)
    hazard = type(answers["alarm-live"]).objects.get(pk=answers["alarm-live"].pk).hazard
    page = client_for(school_officer).get(hazard.get_absolute_url()).content.decode()
    assert visit.get_absolute_url() in page
    assert "hz-other-link" in page
