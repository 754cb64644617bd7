"""Inspection fixtures on the small tree of ``tests/conftest.py``: a checklist of four items in
two sections, a draft plan of the city, and a sealed plan whose one target is 通州区实验小学
(NT-TZ-0001, the ``school_officer``'s school) with the ``inspector`` as its team leader."""

import datetime as dt

import pytest
from django.utils import timezone

from hazards.models import HazardCategory
from inspections import services
from inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
    Visit,
)


def small_checklist(city, *, code="small"):
    """Two sections, four items: a critical pass/fail, a guards count against the school's
    size, a video clock error with a maximum, and a plain pass/fail."""
    template = ChecklistTemplate.objects.create(code=code, name="小检查表", city=city)
    version = ChecklistVersion.objects.create(template=template, number=1)
    gate = ChecklistSection.objects.create(
        version=version, order=1, code="gate", name="门卫", defence="human"
    )
    tech = ChecklistSection.objects.create(
        version=version, order=2, code="tech", name="技防", defence="technical"
    )
    cat = {c.code: c for c in HazardCategory.objects.all()}
    ChecklistItem.objects.create(
        version=version,
        section=gate,
        order=1,
        code="gate-register",
        text="门卫对进出人员车辆查验登记",
        critical=True,
        weight=2,
        category=cat["gate-registration"],
    )
    ChecklistItem.objects.create(
        version=version,
        section=gate,
        order=2,
        code="guards",
        text="专职保安在岗人数",
        answer_type="min_number",
        threshold_rule="guards_required",
        unit_label="人",
        category=cat["gate-security"],
    )
    ChecklistItem.objects.create(
        version=version,
        section=tech,
        order=1,
        code="video-clock",
        text="视频监控时间误差",
        answer_type="max_number",
        threshold=5,
        unit_label="分钟",
        category=cat["video-clock"],
    )
    ChecklistItem.objects.create(
        version=version,
        section=tech,
        order=2,
        code="alarm-live",
        text="一键式紧急报警现场测试与公安联网",
        critical=True,
        level="major",
        category=cat["one-button-alarm"],
    )
    return template


@pytest.fixture
def checklist(tree):
    return small_checklist(tree.city)


@pytest.fixture
def draft_plan(tree, checklist, city_staff):
    today = timezone.localdate()
    return services.plan_create(
        city=tree.city,
        title="2019年第四季度校园安全四不两直督查",
        round="2019年第四季度",
        period_start=today,
        period_end=today + dt.timedelta(days=14),
        checklist=checklist,
        draw_size=1,
        actor=city_staff,
    )


@pytest.fixture
def sealed_plan(tree, draft_plan, city_staff, inspector):
    """Sealed, one target (通州区实验小学, added by hand), the ``inspector`` leads the team."""
    services.target_add(
        plan=draft_plan, school=tree.tz_school, reason="上次督查问题较多", actor=city_staff
    )
    services.team_set(plan=draft_plan, members=[inspector], leader=inspector, actor=city_staff)
    return services.plan_seal(plan=draft_plan, actor=city_staff)


@pytest.fixture
def visit(sealed_plan, tree):
    return Visit.objects.get(plan=sealed_plan, school=tree.tz_school)


def answer_all(visit, actor, *, fail=()):
    """Answer every item of the visit: pass, except the item codes in ``fail``."""
    answers = {}
    for item in visit.version.items.all():
        failing = item.code in fail
        if item.answer_type == "pass_fail":
            kwargs = {"result": "fail" if failing else "pass"}
        elif item.answer_type == "min_number":
            kwargs = {"value": 0 if failing else 99}
        else:
            kwargs = {"value": 30 if failing else 1}
        answers[item.code] = services.answer_save(
            visit=visit, actor=actor, item=item, note="现场记录" if failing else "", **kwargs
        )
    return answers


def close_hazard(school, *, description="围墙破损"):
    """A hazard at ``school`` taken through the whole loop to closed by two city-level users."""
    from campaign.roles import Role
    from hazards import services as hz
    from tests.factories import UserFactory, grant
    from tests.hazards.conftest import five_implementations, png_upload, seeded_category

    city = school.parent if school.parent.kind == "city" else school.parent.parent
    doer = grant(UserFactory(), Role.CITY_STAFF, city)
    acceptor = grant(UserFactory(), Role.CITY_STAFF, city)
    hazard = hz.hazard_register(
        school=school,
        category=seeded_category(),
        level="general",
        source="self_check",
        location="操场围墙",
        description=description,
        found_on=timezone.localdate() - dt.timedelta(days=20),
        actor=doer,
        **five_implementations(),
    )
    hz.hazard_start_rectification(hazard=hazard, actor=doer)
    hz.hazard_attach(hazard=hazard, actor=doer, kind="after", upload=png_upload("after.png"))
    hz.hazard_submit_for_acceptance(hazard=hazard, actor=doer)
    return hz.hazard_accept(hazard=hazard, actor=acceptor, opinion="整改到位，同意销号")
