"""The key-supervision list and the inspection results: what they read, what they leave out."""

import datetime as dt

import pytest
from django.utils import timezone

from hazards.models import Hazard
from reporting.briefings import sections, services, supervision
from tests.inspections import conftest as inspection_fixtures
from tests.inspections.conftest import answer_all

pytestmark = pytest.mark.django_db

# The inspections' fixtures (a sealed plan with one visit to 通州区实验小学), used here too.
checklist = inspection_fixtures.checklist
draft_plan = inspection_fixtures.draft_plan
sealed_plan = inspection_fixtures.sealed_plan
visit = inspection_fixtures.visit


def _hazard(school, actor, *, level="general"):
    from hazards.services import hazard_register
    from tests.hazards.conftest import five_implementations, seeded_category

    return hazard_register(
        school=school,
        category=seeded_category(),
        level=level,
        source="self_check",
        location="实验楼",
        description="电线老化",
        found_on=timezone.localdate(),
        actor=actor,
        **five_implementations(),
    )


def test_the_registry_has_a_slot_for_the_monthly_upload():
    orders = {s.key: s.order for s in sections.sections()}
    assert "monthly_upload" not in orders or orders["monthly_upload"] == 25
    assert orders["weekly_rates"] < 25 < orders["inspection_results"] < orders["key_supervision"]


def test_key_supervision_names_silent_schools_empty_reports_and_overdue_majors(
    tree, city_staff, school_officer
):
    from reporting.models import WeeklyReport
    from reporting.weekly import opening

    _hazard(tree.tz_school, school_officer)
    major = _hazard(tree.rd_school, city_staff, level=Hazard.Level.MAJOR)
    today = timezone.localdate()
    Hazard.objects.filter(pk=major.pk).update(deadline=today - dt.timedelta(days=3))
    opening.week_open()  # this week's rows
    WeeklyReport.objects.filter(unit=tree.tz_school2).update(is_empty=True)

    data = supervision.key_supervision(tree.city, None, timezone.now())
    silent = {r["name"] for r in data["silent"]["rows"]}
    assert tree.tz_school.name not in silent and tree.rd_school.name not in silent
    assert {tree.tz_school2.name, tree.city_school.name} <= silent
    assert data["silent"]["count"] == len(silent)
    assert [r["name"] for r in data["empty"]["rows"]] == [tree.tz_school2.name]
    assert [r["code"] for r in data["overdue_major"]["rows"]] == [major.code]
    assert data["overdue_major"]["rows"][0]["days"] == 3
    # In the preview and the PDF alike.
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    content, _pages = services.briefing_pdf(briefing, number=1)
    assert content.startswith(b"%PDF") and "key_supervision" in briefing.snapshot


def test_key_supervision_caps_its_lists_and_keeps_the_count(tree, monkeypatch):
    monkeypatch.setattr(supervision, "LIST_MAX", 2)
    data = supervision.key_supervision(tree.city, None, timezone.now())
    assert len(data["silent"]["rows"]) == 2 and data["silent"]["count"] == 4


def test_inspection_results_wait_until_the_plan_is_finished(
    tree, city_staff, inspector, sealed_plan, visit
):
    from inspections import services as insp

    since = timezone.now() - dt.timedelta(days=1)
    # Sealed, then under way: nothing (a briefing must not reveal which school is visited).
    assert supervision.inspection_results(tree.city, since, timezone.now()) is None
    insp.visit_start(visit=visit, actor=inspector)
    answer_all(visit, inspector, fail=("alarm-live",))
    assert supervision.inspection_results(tree.city, since, timezone.now()) is None
    insp.visit_finish(visit=visit, actor=inspector)
    assert supervision.inspection_results(tree.city, since, timezone.now()) is None
    insp.plan_finish(plan=sealed_plan, actor=city_staff)
    data = supervision.inspection_results(tree.city, since, timezone.now())
    [plan] = data["plans"]
    assert plan["title"] == sealed_plan.title and plan["schools"] == 1
    assert plan["items_failed"] >= 1
    assert [c["name"] for c in plan["counties"]] == [tree.tongzhou.name]
    # Finished before the last issue: not again.
    assert supervision.inspection_results(tree.city, timezone.now(), timezone.now()) is None
