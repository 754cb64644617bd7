"""Finished plans for the circulars' tests and benchmark, built directly with the ORM.

The plan, its targets, finished visits, answers and the result rows (``VisitResult``,
``SectionResult``, ``PlanCountyResult``) are written as the visits' and plans' services will
write them; the hazards of the failed items go through ``hazards.services.hazard_register``
(source: unannounced inspection), so the notices show real hazards with a live status.

``make_checklist(city)`` makes a small checklist of its own (three sections, six items, three
of them critical); ``make_finished_plan(city=…, inspector=…, failures={school: [item codes]})``
the finished plan: every school in ``failures`` is visited, the items listed fail, the rest
pass.
"""

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from hazards import services as hazard_services
from hazards.models import Hazard, HazardCategory
from inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
    InspectionPlan,
    PlanCountyResult,
    SectionResult,
    Target,
    Visit,
    VisitResult,
)

# section code, name, defence, items: (code, text, category code, critical, weight)
SECTIONS = [
    (
        "human",
        "人防",
        ChecklistSection.Defence.HUMAN,
        [
            ("guards", "专职保安员在岗人数达到要求", "gate-registration", True, 3),
            ("gate-register", "门卫对进出人员车辆查验登记", "gate-registration", False, 1),
        ],
    ),
    (
        "physical",
        "物防",
        ChecklistSection.Defence.PHYSICAL,
        [
            ("hydrant-water", "消防栓有水（试压）", "fire-hydrant", True, 2),
            ("food-samples", "食堂按规定留存48小时食品留样", "food-samples", False, 1),
        ],
    ),
    (
        "technical",
        "技防",
        ChecklistSection.Defence.TECHNICAL,
        [
            ("video-black", "视频监控全覆盖、无黑屏", "video-black", True, 2),
            ("perimeter-alarm", "周界报警测试时能报警", "perimeter-silent", False, 1),
        ],
    ),
]
ITEM_CODES = [code for _s, _n, _d, items in SECTIONS for code, *_rest in items]
_codes = itertools.count(1)


def _category(code):
    category = HazardCategory.objects.filter(code=code).first()
    if category is None:  # a transactional test flushed the seeded taxonomy
        category = HazardCategory.objects.create(
            code=code, name=code, days_general=30, days_major=15
        )
    return category


def make_checklist(city):
    """A checklist template with one version, its sections and items; returns the version."""
    n = next(_codes)
    template = ChecklistTemplate.objects.create(
        code=f"circ-{n}", name=f"专项督查检查表{n}", city=city
    )
    version = ChecklistVersion.objects.create(template=template, number=1)
    for s_order, (s_code, s_name, defence, items) in enumerate(SECTIONS, start=1):
        section = ChecklistSection.objects.create(
            version=version, order=s_order, code=s_code, name=s_name, defence=defence
        )
        for i_order, (code, text, category, critical, weight) in enumerate(items, start=1):
            ChecklistItem.objects.create(
                version=version,
                section=section,
                order=i_order,
                code=code,
                text=text,
                weight=weight,
                critical=critical,
                category=_category(category),
                level=Hazard.Level.GENERAL,
            )
    return version


def _score(passed, applicable):
    if not applicable:
        return Decimal("100.0")
    return (Decimal(passed) * 100 / Decimal(applicable)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _county_of(school):
    parent = school.parent
    return parent if parent.kind == parent.Kind.COUNTY else None


def make_finished_plan(
    *,
    city,
    inspector,
    failures,
    title="2019年第四季度校园安全专项督查",
    round="2019年第四季度",
    version=None,
    finished_on=None,
    notes=True,
):
    """A finished plan that visited the schools of ``failures`` ({school: [item codes]})."""
    version = version or make_checklist(city)
    finished_on = finished_on or timezone.localdate()
    now = timezone.now()
    plan = InspectionPlan.objects.create(
        city=city,
        title=title,
        round=round,
        period_start=finished_on - dt.timedelta(days=7),
        period_end=finished_on,
        checklist=version.template,
        version=version,
        draw_size=len(failures),
        state=InspectionPlan.State.FINISHED,
        created_by=inspector,
        sealed_by=inspector,
        sealed_at=now - dt.timedelta(days=10),
        finished_at=now,
    )
    items = list(version.items.select_related("section", "category").order_by("section__order"))
    sections = list(version.sections.order_by("order"))
    county_rows = {}
    for rank, (school, failed_codes) in enumerate(failures.items(), start=1):
        county = _county_of(school)
        target = Target.objects.create(
            plan=plan, school=school, origin=Target.Origin.DRAWN, rank=rank, weight=1.0
        )
        visit = Visit.objects.create(
            plan=plan,
            target=target,
            school=school,
            county=county,
            city=city,
            version=version,
            planned_on=finished_on,
            state=Visit.State.FINISHED,
            started_at=now - dt.timedelta(hours=3),
            started_by=inspector,
            finished_at=now - dt.timedelta(hours=1),
            finished_by=inspector,
            sealed_digest="0" * 64,
        )
        per_section = {
            s.pk: {"checked": 0, "failed": 0, "critical": 0, "wa": 0, "wp": 0} for s in sections
        }
        for item in items:
            failed = item.code in failed_codes
            hazard = None
            if failed:
                hazard = hazard_services.hazard_register(
                    school=school,
                    category=item.category,
                    level=item.level,
                    source=Hazard.Source.INSPECTION,
                    location=item.section.name,
                    description=item.text,
                    found_on=finished_on,
                    actor=inspector,
                )
            Answer.objects.create(
                visit=visit,
                item=item,
                result=Answer.Result.FAIL if failed else Answer.Result.PASS,
                note=("现场检查发现：" + item.text[:6] + "不符合要求") if failed and notes else "",
                category=item.category if failed else None,
                level=item.level if failed else "",
                answered_by=inspector,
                hazard=hazard,
            )
            row = per_section[item.section_id]
            row["checked"] += 1
            row["wa"] += item.weight
            if failed:
                row["failed"] += 1
                row["critical"] += int(item.critical)
            else:
                row["wp"] += item.weight
        checked = sum(r["checked"] for r in per_section.values())
        failed_n = sum(r["failed"] for r in per_section.values())
        critical = sum(r["critical"] for r in per_section.values())
        wa = sum(r["wa"] for r in per_section.values())
        wp = sum(r["wp"] for r in per_section.values())
        result = VisitResult.objects.create(
            visit=visit,
            plan=plan,
            school=school,
            county=county,
            city=city,
            finished_on=finished_on,
            items_checked=checked,
            items_failed=failed_n,
            critical_failed=critical,
            weight_applicable=wa,
            weight_passed=wp,
            score=_score(wp, wa),
            sections_failed=sum(1 for r in per_section.values() if r["critical"]),
        )
        SectionResult.objects.bulk_create(
            SectionResult(
                visit_result=result,
                section_id=section_id,
                items_checked=r["checked"],
                items_failed=r["failed"],
                critical_failed=r["critical"],
                weight_applicable=r["wa"],
                weight_passed=r["wp"],
                score=_score(r["wp"], r["wa"]),
                failed=bool(r["critical"]),
            )
            for section_id, r in per_section.items()
        )
        agg = county_rows.setdefault(
            county.pk if county else None, {"county": county, "results": []}
        )
        agg["results"].append(result)
    for agg in county_rows.values():
        results = agg["results"]
        PlanCountyResult.objects.create(
            plan=plan,
            county=agg["county"],
            schools=len(results),
            items_checked=sum(r.items_checked for r in results),
            items_failed=sum(r.items_failed for r in results),
            critical_failed=sum(r.critical_failed for r in results),
            score=(sum(r.score for r in results) / len(results)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            ),
        )
    return plan
