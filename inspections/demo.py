"""The inspections' part of ``seed_demo`` (registered in ``InspectionsConfig.ready``).

Two plans of the city, both made through the services as the city staff user would:

- a **finished round** of 30 schools across the counties: drawn with a recorded seed (29 drawn,
  the demo officer's school added by hand), sealed, every visit started, answered item by item
  and finished (findings → hazards, some critical), the round finished and, when the circulars
  service is there, its circular drafted and published (the PDF rendered, the rectification
  notices created). The services date everything today; the round is then moved into the past
  by setting its timestamps directly (period, seal, visits, answers, the hazards found and their
  events), and every visit's seal is computed again over the moved times, so that the record
  stays verifiable. The audit log keeps the moment the seed ran;
- a **sealed upcoming plan** of 通州区 that targets the demo officer's school, ``inspector``
  leading its team, from today for two weeks, not started: ``tongzhou`` and ``officer`` may
  look for it and must not find it.

Safe to run again: a plan is recognised by the seed its draw recorded, and nothing is added
when it is there.
"""

import datetime as dt
import logging
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from campaign.models import OrgUnit, User
from hazards.models import Hazard, HazardEvent
from inspections import services
from inspections.models import (
    Answer,
    Draw,
    InspectionPlan,
    Target,
    TeamMember,
    Visit,
    VisitResult,
)
from inspections.services import visits as visit_services

log = logging.getLogger(__name__)

ROUND_SEED = "nantong-demo-round"
UPCOMING_SEED = "nantong-demo-upcoming"
ROUND_SIZE = 30  # schools visited in the finished round (the officer's school among them)
UPCOMING_SIZE = 8
ROUND_DAYS_AGO = 35  # the finished round started this many days before today
ROUND_LENGTH = 14
# How many items a visit fails, and how likely each count is.
FAILURES = {0: 3, 1: 4, 2: 5, 3: 5, 4: 4, 5: 3, 6: 2, 8: 1}
BOARDING = {OrgUnit.Category.SENIOR, OrgUnit.Category.VOCATIONAL, OrgUnit.Category.SPECIAL}
NOTES = [
    "现场检查发现，已当场向学校指出。",
    "学校未能提供相关记录。",
    "现场测试不合格，责令立即整改。",
    "检查组拍照留存，学校分管领导在场确认。",
]
# The officer's school fails these (one critical), so that its workbench has findings to show.
OFFICER_FAILS = ("alarm-live-test", "food-samples", "fire-extinguishers")


def seed_demo_inspections(*, city):
    """Add the two demo plans of ``city`` when they are missing. Returns a summary line."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    if not {"city", "inspector"} <= set(users):
        return ""
    from campaign.demo import demo_officer_school

    tongzhou = OrgUnit.objects.filter(code="NT-TZ").first()
    officer_school = demo_officer_school(tongzhou) if tongzhou else None
    if officer_school is None:
        return ""
    checklist = _checklist(city, users.get("admin"))
    done = []
    if not Draw.objects.filter(plan__city=city, seed=ROUND_SEED).exists():
        plan = _finished_round(city=city, checklist=checklist, users=users, school=officer_school)
        done.append(
            f"a finished round of {plan.visits.count()} visits "
            f"({Answer.objects.filter(visit__plan=plan, hazard__isnull=False).count()} findings)"
        )
    plan = InspectionPlan.objects.filter(city=city, draw__seed=ROUND_SEED).first()
    if plan is not None and plan.state == InspectionPlan.State.FINISHED:
        circular = _circular(plan, users["city"])
        if circular:
            done.append(circular)
    if not Draw.objects.filter(plan__city=city, seed=UPCOMING_SEED).exists():
        _upcoming(
            city=city, county=tongzhou, checklist=checklist, users=users, school=officer_school
        )
        done.append("a sealed upcoming plan of 通州区")
    return f"Demo inspections: {', '.join(done)}." if done else ""


DEMO_USERS = ("admin", "city", "anwen", "inspector", "leader")


def _checklist(city, actor):
    from inspections.checklists.seed import checklist_seed

    return checklist_seed(city, actor=actor)


def _quarter(day):
    return f"{day.year}年第{'一二三四'[(day.month - 1) // 3]}季度"


# --- The finished round -------------------------------------------------------------------


@transaction.atomic
def _finished_round(*, city, checklist, users, school):
    staff, inspector = users["city"], users["inspector"]
    rng = random.Random(ROUND_SEED)
    today = timezone.localdate()
    start = today - dt.timedelta(days=ROUND_DAYS_AGO)
    end = start + dt.timedelta(days=ROUND_LENGTH - 1)
    # The services want the period to contain today while the visits are made; the period is
    # moved into the past once the round is done (``_backdate``).
    plan = services.plan_create(
        city=city,
        title=f"{_quarter(start)}全市校园安全“四不两直”专项督查",
        round=_quarter(start),
        period_start=today,
        period_end=today + dt.timedelta(days=ROUND_LENGTH - 1),
        checklist=checklist,
        draw_size=ROUND_SIZE - 1,
        actor=staff,
    )
    members = [u for u in (users.get("anwen"), inspector) if u]
    services.team_set(plan=plan, members=members, leader=inspector, actor=staff)
    services.target_add(
        plan=plan, school=school, reason="群众反映该校门卫管理松懈，列入本轮督查", actor=staff
    )
    services.draw_run(plan=plan, actor=staff, seed=ROUND_SEED, today=start)
    plan = services.plan_seal(plan=plan, actor=staff)

    visits = list(
        Visit.objects.filter(plan=plan).select_related("school", "version").order_by("school__code")
    )
    days = [start + dt.timedelta(days=d) for d in range(ROUND_LENGTH - 2) if d % 7 < 5]
    moments = {}
    for n, visit in enumerate(visits):
        day = days[n * len(days) // len(visits)]
        started = _local(day, rng.randint(8, 10), rng.randrange(60))
        moments[visit.pk] = (started, started + dt.timedelta(minutes=rng.randint(90, 180)))
        visit = services.visit_start(visit=visit, actor=inspector)
        _answer(visit, inspector, rng, officer=visit.school_id == school.pk)
        services.visit_finish(visit=visit, actor=inspector)
    _backdate(plan, moments, start=start, end=end)
    services.plan_finish(plan=plan, actor=staff)
    InspectionPlan.objects.filter(pk=plan.pk).update(
        finished_at=_local(end + dt.timedelta(days=1), 16, 30)
    )
    return plan


def _local(day, hour, minute):
    """A local wall time as the database gives it back (UTC), so that a seal computed over it
    is the seal ``verify_seal`` computes."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return moment.astimezone(dt.UTC)


def _answer(visit, actor, rng, *, officer):
    items = list(visit.version.items.select_related("section").order_by("section__order", "order"))
    na_sections = set()
    if rng.random() < 0.6:
        na_sections.add("school-bus")
    if visit.school.category not in BOARDING:
        na_sections.add("dormitory")
    applicable = [i for i in items if i.section.code not in na_sections]
    if officer:
        failing = {i.code for i in applicable if i.code in OFFICER_FAILS}
    else:
        count = rng.choices(list(FAILURES), weights=list(FAILURES.values()))[0]
        failing = {i.code for i in rng.sample(applicable, min(count, len(applicable)))}
    for item in items:
        fail = item.code in failing
        kwargs = {"note": rng.choice(NOTES) if fail else ""}
        if item.section.code in na_sections:
            kwargs["result"] = Answer.Result.NA
        elif item.answer_type == "pass_fail":
            kwargs["result"] = Answer.Result.FAIL if fail else Answer.Result.PASS
        elif item.answer_type == "min_number":
            from inspections.scoring import limit_for

            limit = limit_for(item, visit.school)
            kwargs["value"] = max(Decimal(0), limit - 1) if fail else limit + rng.randint(0, 1)
        else:
            limit = item.threshold
            kwargs["value"] = limit + rng.randint(3, 40) if fail else rng.randint(0, int(limit))
        services.answer_save(visit=visit, actor=actor, item=item, **kwargs)


def _backdate(plan, moments, *, start, end):
    """Move the round into the past: what the services dated today gets the day it would have
    had, and each visit's seal is computed again over its moved times."""
    sealed_at = _local(start - dt.timedelta(days=3), 15, 0)
    created_at = sealed_at - dt.timedelta(days=4)
    InspectionPlan.objects.filter(pk=plan.pk).update(
        period_start=start, period_end=end, created_at=created_at, sealed_at=sealed_at
    )
    Draw.objects.filter(plan=plan).update(drawn_at=sealed_at - dt.timedelta(hours=2))
    Target.objects.filter(plan=plan).update(added_at=sealed_at - dt.timedelta(hours=2))
    TeamMember.objects.filter(plan=plan).update(added_at=created_at)
    for visit in Visit.objects.filter(plan=plan).select_related("school"):
        started, finished = moments[visit.pk]
        day = timezone.localtime(started).date()
        visit.started_at, visit.finished_at = started, finished
        answers = list(visit.answers.select_related("item", "recheck__hazard").order_by("pk"))
        step = (finished - started) / (len(answers) + 1)
        for n, answer in enumerate(answers, 1):
            answer.answered_at = started + step * n
        Answer.objects.bulk_update(answers, ["answered_at"])
        visit.sealed_digest = visit_services.sealed_digest(visit, answers, list(visit.photos.all()))
        visit.save(update_fields=["started_at", "finished_at", "sealed_digest"])
        VisitResult.objects.filter(visit=visit).update(finished_on=day)
        hazard_ids = [a.hazard_id for a in answers if a.hazard_id]
        for hazard in Hazard.objects.filter(pk__in=hazard_ids):
            shift = hazard.found_on - day
            Hazard.objects.filter(pk=hazard.pk).update(
                found_on=day,
                deadline=hazard.deadline - shift if hazard.deadline else None,
                created_at=finished,
                updated_at=finished,
            )
        HazardEvent.objects.filter(hazard_id__in=hazard_ids).update(at=finished)


def _circular(plan, actor):
    """Draft and publish the round's circular when the circulars service exists (another
    helper's); the publication job runs here, so the demo has its PDF and notices."""
    try:
        from inspections.services.circulars import circular_draft, circular_publish
    except ImportError:
        return ""
    from core.services.jobs import job_run_execute
    from inspections.models import Circular

    circular = Circular.objects.filter(plan=plan).first()
    if circular is None:
        circular = circular_draft(plan=plan, actor=actor)
    if circular.state == Circular.State.DRAFT:
        run = circular_publish(circular=circular, actor=actor)
        job_run_execute(job_run_id=run.pk)
    circular.refresh_from_db()
    if circular.state != Circular.State.PUBLISHED:
        log.warning("the demo circular %s is %s", circular.code, circular.state)
    return f"circular {circular.doc_number} ({circular.get_state_display()})"


# --- The upcoming plan ----------------------------------------------------------------------


@transaction.atomic
def _upcoming(*, city, county, checklist, users, school):
    staff, inspector = users["city"], users["inspector"]
    today = timezone.localdate()
    plan = services.plan_create(
        city=city,
        title=f"{today.year}年{today.month}月{county.name}校园安全“四不两直”督查",
        round=_quarter(today),
        period_start=today,
        period_end=today + dt.timedelta(days=13),
        checklist=checklist,
        counties=[county],
        draw_size=UPCOMING_SIZE,
        actor=staff,
    )
    members = [u for u in (users.get("leader"), inspector) if u]
    services.team_set(plan=plan, members=members, leader=inspector, actor=staff)
    draw = services.draw_run(plan=plan, actor=staff, seed=UPCOMING_SEED)
    if not plan.targets.filter(school=school).exists():
        services.target_add(
            plan=plan,
            school=school,
            reason="上轮督查发现一键报警未通过现场测试，跟踪复查",
            actor=staff,
        )
    services.plan_seal(plan=plan, actor=staff)
    return draw


# --- The seed extensions ------------------------------------------------------------------


def _demo(city):
    return seed_demo_inspections(city=city)


def scale_reset(prefix, log):
    """Remove the inspections of the cities ``seed_scale`` built under ``prefix`` (the
    benchmark's plans, visits, results and checklists), so that the hazards, users and units of
    the tree can be removed after them. Returns how many plans were removed."""
    from inspections.models import (
        ChecklistTemplate,
        ChecklistVersion,
        Circular,
        RectificationNotice,
    )

    root = OrgUnit.objects.filter(code=prefix, parent__isnull=True).first()
    if root is None:
        return 0
    cities = OrgUnit.objects.filter(parent=root, kind=OrgUnit.Kind.CITY)
    plans = InspectionPlan.objects.filter(city__in=cities)
    with transaction.atomic():
        RectificationNotice.objects.filter(circular__plan__in=plans).delete()
        Circular.objects.filter(plan__in=plans).delete()
        count = plans.count()
        plans.delete()
        ChecklistVersion.objects.filter(template__city__in=cities).delete()
        ChecklistTemplate.objects.filter(city__in=cities).delete()
    if count:
        log(f"removed the {count} inspection plans of the earlier {prefix} tree")
    return count


def register():
    """Called from ``InspectionsConfig.ready``. The demo runs after the hazards' demo (whose
    register is skipped once the city has any hazard), so it is appended; the scale reset must
    run *before* the hazards' reset (an answer keeps its finding's hazard, a team member its
    user), so it goes first in the list: ``seed_scale --reset`` calls the resets in list order.
    """
    from campaign.seeding import SeedExtension, extensions, register

    register(SeedExtension(name="inspections", demo=_demo))
    if all(e.name != "inspections-reset" for e in extensions):
        extensions.insert(0, SeedExtension(name="inspections-reset", scale_reset=scale_reset))
