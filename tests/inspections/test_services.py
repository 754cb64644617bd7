"""The plan → draw → seal → visit → finish path through the services."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import Conflict, NotPermitted, OutOfScope
from hazards.models import Evidence, Hazard
from inspections import scoring, services
from inspections.models import Answer, InspectionPlan, PlanCountyResult, VisitResult
from tests.hazards.conftest import png_upload
from tests.inspections.conftest import answer_all

pytestmark = pytest.mark.django_db


def test_sealing_pins_the_version_and_makes_one_visit_per_target(sealed_plan, visit, checklist):
    sealed_plan.refresh_from_db()
    assert sealed_plan.state == InspectionPlan.State.SEALED
    assert sealed_plan.version == checklist.current_version()
    assert sealed_plan.version.used_at is not None
    assert visit.version == sealed_plan.version
    assert visit.state == "scheduled" and visit.started_at is None


def test_only_the_team_conducts(visit, school_officer, county_staff, city_staff):
    with pytest.raises(OutOfScope):
        services.visit_start(visit=visit, actor=school_officer)
    with pytest.raises(OutOfScope):
        services.visit_start(visit=visit, actor=county_staff)
    with pytest.raises(NotPermitted):  # a supervisor sees it but is not on the team
        services.visit_start(visit=visit, actor=city_staff)


def test_a_visit_finished_makes_hazards_with_photos_and_a_score(visit, inspector, tree):
    services.visit_start(visit=visit, actor=inspector, latitude="32.1", longitude="121.0")
    answers = answer_all(visit, inspector, fail=("gate-register", "video-clock"))
    photo = services.photo_add(
        visit=visit,
        answer=answers["gate-register"],
        upload=png_upload(),
        client_id="p-1",
        actor=inspector,
    )
    again = services.photo_add(
        visit=visit,
        answer=answers["gate-register"],
        upload=png_upload(),
        client_id="p-1",
        actor=inspector,
    )
    assert again.pk == photo.pk and len(photo.sha256) == 64
    services.visit_finish(visit=visit, actor=inspector)
    visit.refresh_from_db()
    assert visit.state == "finished" and len(visit.sealed_digest) == 64
    assert services.verify_seal(visit)
    failed = Answer.objects.filter(visit=visit, result="fail").select_related("hazard", "item")
    assert {a.item.code for a in failed} == {"gate-register", "video-clock"}
    for answer in failed:
        hazard = answer.hazard
        assert hazard.source == Hazard.Source.INSPECTION
        assert hazard.school == tree.tz_school
        assert hazard.category == answer.item.category
        assert hazard.finding == answer  # linked both ways
        assert hazard.deadline is not None
    gate = failed.get(item__code="gate-register").hazard
    assert Evidence.objects.filter(hazard=gate, kind="before").count() == 1
    result = VisitResult.objects.get(visit=visit)
    # weights: gate-register 2 (failed), guards 1, video-clock 1 (failed), alarm 1 → 2 of 5
    assert (result.items_checked, result.items_failed, result.critical_failed) == (4, 2, 1)
    assert result.score == 40
    assert result.sections_failed == 1


def test_a_sealed_answer_is_amended_not_changed(visit, inspector, city_staff):
    services.visit_start(visit=visit, actor=inspector)
    answers = answer_all(visit, inspector, fail=("video-clock",))
    services.visit_finish(visit=visit, actor=inspector)
    with pytest.raises(Conflict):
        services.answer_save(visit=visit, actor=inspector, item=answers["guards"].item, value=0)
    made = services.answer_amend(
        answer=answers["video-clock"], actor=inspector, reason="误读时钟", note="复核为3分钟"
    )
    assert made[0].old == "现场记录" and made[0].new == "复核为3分钟"
    answers["video-clock"].refresh_from_db()
    assert answers["video-clock"].note == "现场记录"  # the original is kept
    assert services.verify_seal(visit)


def test_finishing_needs_every_answer(visit, inspector):
    services.visit_start(visit=visit, actor=inspector)
    with pytest.raises(ValidationError):
        services.visit_finish(visit=visit, actor=inspector)


def test_a_failed_recheck_reopens_the_hazard(tree, draft_plan, city_staff, inspector):
    from hazards import services as hz
    from tests.inspections.conftest import close_hazard

    hazard = close_hazard(tree.tz_school)
    services.recheck_add(plan=draft_plan, hazard=hazard, actor=city_staff)
    services.team_set(plan=draft_plan, members=[inspector], leader=inspector, actor=city_staff)
    services.plan_seal(plan=draft_plan, actor=city_staff)
    visit = draft_plan.visits.get()
    services.visit_start(visit=visit, actor=inspector)
    answer_all(visit, inspector)
    recheck = draft_plan.rechecks.get()
    services.answer_save(
        visit=visit, actor=inspector, recheck=recheck, result="fail", note="围墙仍有缺口"
    )
    services.visit_finish(visit=visit, actor=inspector)
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.RECTIFYING
    assert "围墙仍有缺口" in hazard.events.order_by("-pk").first().note
    assert hz  # the register's own services did the work


def test_plan_finish_rolls_up_per_county(visit, inspector, city_staff, sealed_plan):
    services.visit_start(visit=visit, actor=inspector)
    answer_all(visit, inspector, fail=("alarm-live",))
    services.visit_finish(visit=visit, actor=inspector)
    services.plan_finish(plan=sealed_plan, actor=city_staff)
    row = PlanCountyResult.objects.get(plan=sealed_plan)
    assert row.county == visit.county and row.schools == 1 and row.critical_failed == 1


def test_guards_required_grows_with_the_school(tree):
    school = tree.tz_school
    school.students = 2200
    assert scoring.guards_required(school) == 5
    school.students = 600
    assert scoring.guards_required(school) == 2
