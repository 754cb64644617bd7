"""The inspections' benchmark (issue 8, figures 1 and 3), run by ``make bench`` beside the
register's; not in ``make test``.

Needs PostgreSQL (DATABASE_URL). Migrates the database and builds (or reuses) the province-sized
data exactly as ``bench_register.py`` does (``seed_scale --prefix JS --hazards N --reset``, kept
for the next run), adds what the draw weighs that the scale data lacks (an earlier round's
results for a third of the schools of the cities measured) and an 80-item checklist, then
prints one line per figure (name, value, same-run baseline, ratio, target, ok/MISS) in the
register benchmark's format, writes its own block of docs/benchmarks.md and exits non-zero when
a target is missed.

(1) The draw of 200 targets for a whole city, and for the largest city: ``draw_candidates``
   (the risk features of every school in scope) + ``weight_of`` + ``sample``, against one
   hand-written SQL statement that computes the same features for the same schools + the same
   Python weighting and sampling. The script checks that both give the same candidates, the
   same features and the same 200 targets. Measured as of 20 December of the scale data's year
   (its hazards are found in that year). Target ≤ 2×.
(3) Finishing a visit of 80 answered items with 10 failures through ``services.visit_finish``
   (lock, checks, seal digest, 10 hazards registered with their codes, tally cells and events,
   answers linked, visit and section results, audit entry), against bare SQL writing the same
   rows from the same stored answers (one lock, one read, then INSERT/UPDATE statements). The
   script checks that the rows are the same (hazards, events, links, results, the seal verifies,
   the tally still equals the register). Target ≤ 3×.

    python tests/benchmarks/bench_inspections.py [--hazards 2000000] [--runs 7] [--no-doc]
        [--only draw|finish]
"""

import datetime as dt
import json
import random
import statistics
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402
from tests.benchmarks.report import median_ms  # noqa: E402

# A broker and queue of the benchmark's own, as in bench_register.py: nothing it queues reaches
# a worker of another database; both are emptied and removed at the end.
BROKER_TMP = report.bootstrap(broker="broker")
BENCH_QUEUE = report.private_queue("inspections")

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from campaign.models import OrgUnit, RoleGrant  # noqa: E402
from campaign.roles import Role  # noqa: E402
from hazards.demo import DEMO_YEAR  # noqa: E402
from hazards.models import Hazard, HazardCategory, HazardEvent, HazardTally  # noqa: E402
from hazards.services import hazard_tally_rebuild  # noqa: E402
from inspections import scoring, services  # noqa: E402
from inspections.models import (  # noqa: E402
    Answer,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
    InspectionPlan,
    SectionResult,
    Target,
    Visit,
    VisitResult,
)
from inspections.services.visits import sealed_digest  # noqa: E402
from portal.celery import app  # noqa: E402

PREFIX = "JS"
DRAW_SIZE = 200
ITEMS, SECTIONS, FAILURES = 80, 8, 10
CHECKLIST_CODE = "bench-80"
HISTORY_TITLE = f"基准测试：上一轮督查（{DEMO_YEAR}）"
# The scale hazards are found in DEMO_YEAR (March to December): the draw is measured as of the
# end of that year, so that the zero-data list, the overdue and the major open hazards are what
# a real draw would weigh (as of today, every school would be on the zero-data list).
DRAW_DAY = dt.date(DEMO_YEAR, 12, 20)
DRAW_TITLE = "基准测试：全市抽取200所"
FINISH_TITLE = "基准测试：完成检查"
Status = Hazard.Status


@contextmanager
def counted_queries():
    """CaptureQueriesContext counts how much the query log grew, but the log keeps the last
    9000 queries only: after building the data every count read 0. Empty it first."""
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


def interleaved_medians_ms(fn, baseline, runs):
    """Medians of ``fn`` and ``baseline`` timed in turns (one warm-up each), so that a slow
    patch of a noisy machine weighs on both sides alike."""
    fn()
    baseline()
    times, base_times = [], []
    for _run in range(runs):
        for f, into in ((fn, times), (baseline, base_times)):
            start = time.perf_counter()
            f()
            into.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.median(base_times)


# --- Data ------------------------------------------------------------------------------------


def ensure_data(hazards, log):
    """The province-sized data, as bench_register.py builds and reuses it."""
    root = OrgUnit.objects.filter(code=PREFIX, parent__isnull=True).first()
    have = Hazard.objects.filter(city__parent=root).count() if root else 0
    if root is not None and have >= hazards:
        log(f"data present: {have} hazards under {PREFIX}")
        if not HazardTally.objects.exists():
            hazard_tally_rebuild()
        return root
    log(f"building {PREFIX} with {hazards} hazards (seed_scale --reset)…")
    start = time.monotonic()
    call_command("seed_scale", f"--prefix={PREFIX}", f"--hazards={hazards}", "--reset")
    log(f"built in {time.monotonic() - start:.0f}s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE hazards_hazard")
        cursor.execute("ANALYZE")
    return OrgUnit.objects.get(code=PREFIX, parent__isnull=True)


def cities_measured(root):
    """The first city by code and the city with the most schools (may be the same)."""
    cities = list(OrgUnit.objects.filter(parent=root, kind=OrgUnit.Kind.CITY).order_by("code"))
    sizes = {
        c.pk: OrgUnit.objects.filter(path__startswith=c.path, kind=OrgUnit.Kind.SCHOOL).count()
        for c in cities
    }
    largest = max(cities, key=lambda c: (sizes[c.pk], -c.pk))
    return [(cities[0], sizes[cities[0].pk], "first city")] + (
        [(largest, sizes[largest.pk], "largest city")] if largest != cities[0] else []
    )


def staff_of(city):
    grant = (
        RoleGrant.objects.filter(role=Role.CITY_STAFF, unit=city)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert grant is not None, f"no city staff user at {city.code}"
    return grant.user


def checklist_80(city):
    """An 80-item checklist of the city: 8 sections of 10 items (a guards count, a clock error
    with a maximum, eight pass/fail; every fifth critical; weights 1–3)."""
    code = f"{CHECKLIST_CODE}-{city.code}".lower()[:40]
    template = ChecklistTemplate.objects.filter(code=code).first()
    if template:
        return template
    categories = list(
        HazardCategory.objects.filter(parent__isnull=False).order_by("parent__order", "order")
    )
    with transaction.atomic():
        template = ChecklistTemplate.objects.create(
            code=code, name="基准测试检查表（80项）", city=city
        )
        version = ChecklistVersion.objects.create(template=template, number=1)
        n = 0
        for s in range(SECTIONS):
            section = ChecklistSection.objects.create(
                version=version,
                order=s + 1,
                code=f"s{s + 1}",
                name=f"第{s + 1}部分",
                defence=["human", "physical", "technical", "area"][s % 4],
            )
            for i in range(ITEMS // SECTIONS):
                n += 1
                kind = {0: "min_number", 1: "max_number"}.get(i, "pass_fail")
                ChecklistItem.objects.create(
                    version=version,
                    section=section,
                    order=i + 1,
                    code=f"item-{n:02d}",
                    text=f"检查项目第{n}项：现场查看并记录",
                    answer_type=kind,
                    threshold=Decimal(5) if kind == "max_number" else None,
                    threshold_rule="guards_required" if kind == "min_number" else "fixed",
                    unit_label={"min_number": "人", "max_number": "分钟"}.get(kind, ""),
                    weight=1 + n % 3,
                    critical=n % 5 == 0,
                    category=categories[n % len(categories)],
                    level="general",
                )
    return template


def ensure_history(city, checklist, log):
    """An earlier, finished round with results for every third school of the city (the draw's
    last score and days since), written as rows: the scale data has no inspections."""
    earlier = InspectionPlan.objects.filter(city=city, title__startswith="基准测试：上一轮督查")
    if earlier.filter(title=HISTORY_TITLE).exists():
        return
    earlier.delete()  # made by an earlier version of this script
    rng = random.Random(f"bench-history-{city.code}")
    today = DRAW_DAY
    version = checklist.current_version()
    now = timezone.now()
    schools = list(
        OrgUnit.objects.filter(path__startswith=city.path, kind=OrgUnit.Kind.SCHOOL, is_active=True)
        .order_by("pk")
        .values_list("pk", "path")
    )[::3]
    kinds = dict(
        OrgUnit.objects.filter(path__startswith=city.path, kind=OrgUnit.Kind.COUNTY).values_list(
            "pk", "kind"
        )
    )
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            city=city,
            title=HISTORY_TITLE,
            round="基准测试",
            period_start=today - dt.timedelta(days=700),
            period_end=today - dt.timedelta(days=10),
            checklist=checklist,
            version=version,
            draw_size=len(schools),
            state=InspectionPlan.State.FINISHED,
            sealed_at=now,
            finished_at=now,
        )
        targets = Target.objects.bulk_create(
            Target(plan=plan, school_id=pk, origin=Target.Origin.DRAWN, rank=n)
            for n, (pk, _path) in enumerate(schools, 1)
        )
        visits, results = [], []
        for target, (pk, path) in zip(targets, schools, strict=True):
            county = next((int(x) for x in path.strip("/").split("/") if int(x) in kinds), None)
            day = today - dt.timedelta(days=rng.randint(10, 700))
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
            visits.append(
                Visit(
                    plan=plan,
                    target=target,
                    school_id=pk,
                    county_id=county,
                    city=city,
                    version=version,
                    state=Visit.State.FINISHED,
                    started_at=at,
                    finished_at=at + dt.timedelta(hours=2),
                )
            )
        Visit.objects.bulk_create(visits, batch_size=1000)
        for visit in visits:
            score = Decimal(rng.randint(300, 1000)) / 10
            results.append(
                VisitResult(
                    visit=visit,
                    plan=plan,
                    school_id=visit.school_id,
                    county_id=visit.county_id,
                    city=city,
                    finished_on=timezone.localtime(visit.finished_at).date(),
                    items_checked=ITEMS,
                    items_failed=0,
                    critical_failed=0,
                    weight_applicable=100,
                    weight_passed=int(score),
                    score=score,
                )
            )
        VisitResult.objects.bulk_create(results, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inspections_visitresult")
    log(f"{city.code}: an earlier round's results for {len(results)} schools")


# --- (1) The draw ------------------------------------------------------------------------------

# The same candidates and features as ``draw_candidates``, in one statement: every active
# school of the city in id order; its hazards of the city found this year or still open
# (found this year, open and overdue, open and major), and its latest inspection result.
DRAW_SQL = """
WITH h AS (
    SELECT school_id,
           count(*) FILTER (WHERE found_on >= %(since)s) AS found,
           count(*) FILTER (WHERE status = ANY(%(open)s) AND deadline < %(today)s) AS overdue,
           count(*) FILTER (WHERE status = ANY(%(open)s) AND level = 'major') AS major
    FROM hazards_hazard
    WHERE city_id = %(city)s AND (status = ANY(%(open)s) OR found_on >= %(since)s)
    GROUP BY school_id
), v AS (
    SELECT DISTINCT ON (school_id) school_id, score, finished_on
    FROM inspections_visitresult WHERE city_id = %(city)s
    ORDER BY school_id, finished_on DESC, id DESC
)
SELECT s.id, coalesce(h.found, 0) = 0, coalesce(h.overdue, 0), coalesce(h.major, 0),
       v.score, %(today)s::date - v.finished_on
FROM campaign_orgunit s
LEFT JOIN h ON h.school_id = s.id
LEFT JOIN v ON v.school_id = s.id
WHERE s.kind = 'school' AND s.is_active AND s.path LIKE %(path)s
ORDER BY s.id
"""


def draw_by_service(plan, seed, today):
    weights = plan.effective_weights()
    candidates = [
        [pk, services.weight_of(features, weights), features]
        for pk, features in services.draw_candidates(plan, today=today)
    ]
    return candidates, services.sample(candidates, plan.draw_size, seed)


def draw_by_hand(city, size, weights, seed, today):
    with connection.cursor() as cur:
        cur.execute(
            DRAW_SQL,
            {
                "since": today.replace(month=1, day=1),
                "today": today,
                "open": [str(s) for s in Hazard.OPEN_STATUSES],
                "city": city.pk,
                "path": city.path + "%",
            },
        )
        rows = cur.fetchall()
    candidates = []
    for pk, zero, overdue, major, score, days in rows:
        features = {
            "zero_data": zero,
            "overdue": overdue,
            "major_open": major,
            "last_score": float(score) if score is not None else None,
            "days_since": days,
        }
        candidates.append([pk, services.weight_of(features, weights), features])
    return candidates, services.sample(candidates, size, seed)


def draw_plan(city, staff, checklist):
    plan = InspectionPlan.objects.filter(city=city, title=DRAW_TITLE).first()
    if plan is None:
        today = timezone.localdate()
        plan = services.plan_create(
            city=city,
            title=DRAW_TITLE,
            round="基准测试",
            period_start=today,
            period_end=today + dt.timedelta(days=14),
            checklist=checklist,
            draw_size=DRAW_SIZE,
            actor=staff,
        )
    return InspectionPlan.objects.get(pk=plan.pk)


def measure_draw(city, schools, label, staff, checklist, runs, log):
    plan = draw_plan(city, staff, checklist)
    today = DRAW_DAY
    seed = "bench-draw-seed"
    by_service = draw_by_service(plan, seed, today)
    by_hand = draw_by_hand(city, DRAW_SIZE, plan.effective_weights(), seed, today)
    assert by_service[0] == by_hand[0], f"{city.code}: the baseline's candidates differ"
    assert by_service[1] == by_hand[1] and len(by_service[1]) == DRAW_SIZE
    features = [c[2] for c in by_service[0]]
    log(
        f"{city.code} ({label}): {len(features)} candidates, "
        f"{sum(f['zero_data'] for f in features)} zero-data, "
        f"{sum(bool(f['overdue']) for f in features)} overdue, "
        f"{sum(bool(f['major_open']) for f in features)} major open, "
        f"{sum(f['days_since'] is not None for f in features)} inspected before; "
        f"same 200 targets by hand"
    )
    with counted_queries() as ctx:
        draw_by_service(plan, seed, today)
    queries = len(ctx.captured_queries)
    s_ms = median_ms(lambda: draw_by_service(plan, seed, today), runs)
    h_ms = median_ms(
        lambda: draw_by_hand(city, DRAW_SIZE, plan.effective_weights(), seed, today), runs
    )
    return (
        f"draw 200 of {schools} schools, {label} (ms)",
        s_ms,
        h_ms,
        2.0,
        f"{queries} q vs 1",
    )


# --- (3) Finishing a visit ---------------------------------------------------------------------


def failing_codes(version):
    """Ten items that fail: nine pass/fail (two critical) and one clock error over its limit."""
    items = list(version.items.order_by("code"))
    pass_fail = [i for i in items if i.answer_type == "pass_fail"]
    picked = [i for i in pass_fail if i.critical][:2]
    picked += [i for i in pass_fail if not i.critical][: FAILURES - 3]
    picked += [i for i in items if i.answer_type == "max_number"][:1]
    assert len(picked) == FAILURES
    return {i.code for i in picked}


def prepare_visits(city, staff, checklist, count, log):
    """``count`` started visits of a new sealed plan, every item answered (10 failures), as
    ``answer_save`` stores them (not measured)."""
    today = timezone.localdate()
    plan = services.plan_create(
        city=city,
        title=f"{FINISH_TITLE} {timezone.now():%Y-%m-%d %H:%M:%S}",
        round="基准测试",
        period_start=today,
        period_end=today + dt.timedelta(days=14),
        checklist=checklist,
        draw_size=count,
        actor=staff,
    )
    services.team_set(plan=plan, members=[staff], leader=staff, actor=staff)
    services.draw_run(plan=plan, actor=staff, seed=plan.code)
    plan = services.plan_seal(plan=plan, actor=staff)
    items = list(plan.version.items.all())
    fail = failing_codes(plan.version)
    visits = list(plan.visits.select_related("school").order_by("pk"))
    answers = []
    for visit in visits:
        services.visit_start(visit=visit, actor=staff)
        for item in items:
            failing = item.code in fail
            if item.answer_type == "pass_fail":
                value, result = None, "fail" if failing else "pass"
            elif item.answer_type == "min_number":
                value, result = Decimal(scoring.guards_required(visit.school)), None
            else:
                value, result = (Decimal(30) if failing else Decimal(1)), None
            result, limit = scoring.judge(item, value, visit.school, result=result)
            answers.append(
                Answer(
                    visit=visit,
                    item=item,
                    result=result,
                    value=value,
                    limit=limit,
                    note="现场记录" if failing else "",
                    answered_by=staff,
                    client_id=f"{visit.code}-{item.code}",
                )
            )
    Answer.objects.bulk_create(answers, batch_size=1000)
    log(f"{count} started visits of {plan.code}, {len(items)} answers each, {len(fail)} failing")
    return plan, [Visit.objects.get(pk=v.pk) for v in visits]


VISIT_LOCK = (
    "SELECT v.code, v.school_id, v.county_id, v.city_id, v.version_id, v.started_at, v.state, "
    "p.title, c.code, s.name FROM inspections_visit v "
    "JOIN inspections_inspectionplan p ON p.id = v.plan_id "
    "JOIN campaign_orgunit c ON c.id = v.city_id "
    "JOIN campaign_orgunit s ON s.id = v.school_id WHERE v.id = %s FOR UPDATE OF v"
)
ANSWERS = (
    "SELECT a.id, a.item_id, a.result, a.value, a.limit, a.note, a.category_id, a.level, "
    "i.code, i.text, i.weight, i.critical, i.section_id, i.category_id, i.level, s.name, "
    "k.days_general, k.days_major "
    "FROM inspections_answer a JOIN inspections_checklistitem i ON i.id = a.item_id "
    "JOIN inspections_checklistsection s ON s.id = i.section_id "
    "JOIN hazards_hazardcategory k ON k.id = coalesce(a.category_id, i.category_id) "
    "WHERE a.visit_id = %s ORDER BY a.id"
)
CODES = (
    "INSERT INTO hazards_hazardcodecounter (prefix, year, last) VALUES (%s, %s, %s) "
    "ON CONFLICT (prefix, year) DO UPDATE SET last = hazards_hazardcodecounter.last + "
    "EXCLUDED.last RETURNING last"
)
HAZARD_COLUMNS = (
    "code, status, level, source, location, description, found_on, responsible_unit, "
    "responsible_person, responsible_phone, measures, funds_source, deadline, contingency_plan, "
    "five_complete, provincial_ref, created_at, updated_at, city_id, county_id, found_by_id, "
    "school_id, category_id, acceptance_opinion, accepted_level, ledger_ref"
)
HAZARD_ROW = "(%s, %s, %s, %s, %s, %s, %s, '', '', '', '', '', %s, '', false, '', %s, %s, %s, %s, "
HAZARD_ROW += "%s, %s, %s, '', '', '')"
TALLY = (
    "INSERT INTO hazards_hazardtally (area_id, city_id, status, five_complete, count) "
    "VALUES (%s, %s, %s, false, %s) ON CONFLICT (area_id, status, five_complete) "
    "DO UPDATE SET count = hazards_hazardtally.count + EXCLUDED.count"
)
EVENT_ROW = "('registered', %s, '', %s, %s, '{}', %s, %s)"
LINK = (
    "UPDATE inspections_answer a SET hazard_id = x.h FROM (VALUES {rows}) AS x(a, h) "
    "WHERE a.id = x.a"
)
SEAL = (
    "UPDATE inspections_visit SET state = 'finished', finished_at = %s, finished_by_id = %s, "
    "sealed_digest = %s WHERE id = %s"
)
RESULT = (
    "INSERT INTO inspections_visitresult (finished_on, items_checked, items_failed, "
    "critical_failed, weight_applicable, weight_passed, score, sections_failed, city_id, "
    "county_id, plan_id, school_id, visit_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "%s, %s, %s) RETURNING id"
)
SECTION_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
AUDIT = (
    "INSERT INTO campaign_auditentry (action, detail, at, actor_id, unit_id) "
    "VALUES ('inspection.visit_finish', %s, %s, %s, %s)"
)


@transaction.atomic
def finish_by_hand(visit_id, plan_id, actor_id):
    """The rows ``visit_finish`` writes, from the stored answers, in bare SQL."""
    now = timezone.now()
    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute(VISIT_LOCK, [visit_id])
        code, school, county, city, version, started, state, title, city_code, _name = (
            cur.fetchone()
        )
        assert state == "started"
        cur.execute(ANSWERS, [visit_id])
        rows = cur.fetchall()
        failed = [r for r in rows if r[2] == "fail"]
        note = _("Found by the unannounced inspection “%(plan)s”.") % {"plan": title}
        hazards = []
        for r in failed:
            text = r[9]
            if r[3] is not None:
                text = _("%(item)s (found %(value)s, limit %(limit)s)") % {
                    "item": r[9],
                    "value": f"{r[3].normalize():f}",
                    "limit": f"{r[4].normalize():f}" if r[4] is not None else "—",
                }
            level = r[7] or r[14]
            days = r[17] if level == "major" else r[16]
            hazards.append(
                (
                    "reported",
                    level,
                    "inspection",
                    r[15][:200],
                    text if not r[5] else f"{text}\n{r[5]}",
                    today,
                    today + dt.timedelta(days=days),
                    r[6] or r[13],
                )
            )
        cur.execute(CODES, [city_code, today.year, len(hazards)])
        last = cur.fetchone()[0]
        codes = [
            f"{city_code}-{today.year}-{n:06d}" for n in range(last - len(hazards) + 1, last + 1)
        ]
        params = []
        for hazard_code, (status, level, source, location, desc, found, deadline, cat) in zip(
            codes, hazards, strict=True
        ):
            params += [hazard_code, status, level, source, location, desc, found, deadline]
            params += [now, now, city, county, actor_id, school, cat]
        cur.execute(
            f"INSERT INTO hazards_hazard ({HAZARD_COLUMNS}) VALUES "  # noqa: S608 (placeholders)
            + ", ".join([HAZARD_ROW] * len(hazards))
            + " RETURNING id",
            params,
        )
        hazard_ids = [row[0] for row in cur.fetchall()]
        cur.execute(TALLY, [county or city, city, "reported", len(hazards)])
        params = []
        for hazard_id in hazard_ids:
            params += [now, "reported", note, actor_id, hazard_id]
        cur.execute(
            "INSERT INTO hazards_hazardevent (kind, at, from_status, to_status, note, changes, "  # noqa: S608
            "actor_id, hazard_id) VALUES " + ", ".join([EVENT_ROW] * len(hazard_ids)),
            params,
        )
        cur.execute(
            LINK.format(rows=", ".join(["(%s::bigint, %s::bigint)"] * len(hazard_ids))),
            [x for pair in zip([r[0] for r in failed], hazard_ids, strict=True) for x in pair],
        )
        # The seal and the score, computed as the service computes them.
        visit = SimpleNamespace(
            code=code, school_id=school, version_id=version, started_at=started, finished_at=now
        )
        answers = [
            SimpleNamespace(
                pk=r[0],
                item_id=r[1],
                item=SimpleNamespace(code=r[8]),
                recheck_id=None,
                result=r[2],
                value=r[3],
                limit=r[4],
                note=r[5],
                category_id=r[6],
                level=r[7],
            )
            for r in rows
        ]
        digest = sealed_digest(visit, answers, [])
        cur.execute(SEAL, [now, actor_id, digest, visit_id])
        items = [
            SimpleNamespace(pk=r[1], section_id=r[12], weight=r[10], critical=r[11]) for r in rows
        ]
        total, sections = scoring.score({r[1]: r[2] for r in rows}, items)
        cur.execute(
            RESULT,
            [
                today, total["checked"], total["failed"], total["critical"], total["applicable"],
                total["passed"], total["score"], total["sections_failed"], city, county, plan_id,
                school, visit_id,
            ],
        )  # fmt: skip
        result_id = cur.fetchone()[0]
        params = []
        for section_id, s in sections.items():
            params += [s["checked"], s["failed"], s["critical"], s["applicable"], s["passed"]]
            params += [s["score"], s["section_failed"], section_id, result_id]
        cur.execute(
            "INSERT INTO inspections_sectionresult (items_checked, items_failed, critical_failed, "  # noqa: S608
            "weight_applicable, weight_passed, score, failed, section_id, visit_result_id) VALUES "
            + ", ".join([SECTION_ROW] * len(sections)),
            params,
        )
        cur.execute(
            AUDIT,
            [
                json.dumps({"visit": code, "digest": digest, "hazards": codes}),
                now,
                actor_id,
                school,
            ],
        )


def finished_rows(visit):
    """What finishing wrote for a visit, without ids, codes and times: to compare."""
    result = VisitResult.objects.get(visit=visit)
    answers = list(visit.answers.select_related("item", "hazard").order_by("item__code"))
    hazards = {}
    for a in answers:
        if a.hazard_id:
            h = a.hazard
            events = list(
                HazardEvent.objects.filter(hazard=h).values_list("kind", "to_status", "note")
            )
            hazards[a.item.code] = (
                h.status, h.level, h.source, h.category_id, h.location, h.description,
                (h.deadline - h.found_on).days, h.five_complete, h.school_id, h.county_id,
                h.city_id, h.found_by_id, events,
            )  # fmt: skip
    return {
        "result": (
            result.items_checked,
            result.items_failed,
            result.critical_failed,
            result.weight_applicable,
            result.weight_passed,
            result.score,
            result.sections_failed,
        ),  # fmt: skip
        "sections": sorted(
            SectionResult.objects.filter(visit_result=result).values_list(
                "section_id",
                "items_checked",
                "items_failed",
                "critical_failed",
                "weight_applicable",
                "weight_passed",
                "score",
                "failed",
            )
        ),  # fmt: skip
        "hazards": hazards,
        "sealed": services.verify_seal(visit),
    }


def tally_matches_register(area):
    live = {
        (s, f): n
        for s, f, n in Hazard.objects.filter(county=area)
        .order_by()
        .values("status", "five_complete")
        .annotate(n=Count("id"))
        .values_list("status", "five_complete", "n")
    }
    cells = {
        (s, f): n
        for s, f, n in HazardTally.objects.filter(area=area).values_list(
            "status", "five_complete", "count"
        )
        if n
    }
    return live == cells


def queued():
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(BENCH_QUEUE).message_count


def measure_finish(city, staff, checklist, runs, log):
    plan, visits = prepare_visits(city, staff, checklist, 2 * (runs + 1) + 2, log)
    service_visits, hand_visits = visits[: runs + 2], visits[runs + 2 :]
    # One each, checked against each other, and the queries counted.
    with counted_queries() as ctx:
        services.visit_finish(visit=service_visits.pop(), actor=staff)
    service_q = len(ctx.captured_queries)
    with counted_queries() as ctx:
        finish_by_hand(hand_visits[-1].pk, plan.pk, staff.pk)
    hand_q = len(ctx.captured_queries)
    checked_service = Visit.objects.get(pk=visits[runs + 1].pk)
    checked_hand = Visit.objects.get(pk=hand_visits.pop().pk)
    a, b = finished_rows(checked_service), finished_rows(checked_hand)
    assert a["sealed"] and b["sealed"], "a seal does not verify"
    for key in ("result", "sections", "hazards"):
        if key == "hazards":  # the same findings, each from its own school
            strip = {k: v[:8] + v[11:] for k, v in a[key].items()}
            assert strip == {k: v[:8] + v[11:] for k, v in b[key].items()}, (a[key], b[key])
        else:
            assert a[key] == b[key], (key, a[key], b[key])
    assert len(a["hazards"]) == FAILURES
    before = queued()

    pending = iter(service_visits)
    by_hand = iter(hand_visits)
    s_ms, h_ms = interleaved_medians_ms(
        lambda: services.visit_finish(visit=next(pending), actor=staff),
        lambda: finish_by_hand(next(by_hand).pk, plan.pk, staff.pk),
        runs,
    )
    assert queued() == before, "finishing queued notices (all findings are general)"
    areas = {v.county_id or v.city_id for v in visits}
    assert all(tally_matches_register(OrgUnit.objects.get(pk=pk)) for pk in areas if pk), (
        "the tally differs from the register"
    )
    made = Hazard.objects.filter(finding__visit__plan=plan).count()
    assert made == FAILURES * len(visits), made
    log(
        f"{len(visits)} visits finished ({made} hazards): service and bare SQL wrote the same "
        f"rows, every seal verifies, the tally still equals the register"
    )
    return (
        "finish a visit, 80 items, 10 hazards (ms)",
        s_ms,
        h_ms,
        3.0,
        f"{service_q} vs {hand_q} q",
    )


# --- Run -------------------------------------------------------------------------------------


def main():
    parser = report.arguments(runs=7, hazards=2_000_000)
    parser.add_argument(
        "--only", choices=("draw", "finish"), help="Measure one of the two figures (a quick rerun)."
    )
    args = parser.parse_args()
    if not report.needs_postgresql("bench_inspections"):
        return 2
    log = report.log
    call_command("migrate", "--noinput", verbosity=0)
    log("database migrated")
    try:
        return run(args, log)
    finally:
        report.broker_cleanup(BENCH_QUEUE, BROKER_TMP)


def run(args, log):
    root = ensure_data(args.hazards, log)
    total = Hazard.objects.filter(city__parent=root).count()
    figures = []
    measured = cities_measured(root)
    for city, _schools, _label in measured:
        ensure_history(city, checklist_80(city), log)
    for city, schools, label in measured if args.only != "finish" else ():
        staff = staff_of(city)
        figures.append(
            measure_draw(city, schools, label, staff, checklist_80(city), args.runs, log)
        )
    city = measured[0][0]
    if args.only != "draw":
        # Finishing takes tens of milliseconds: more runs, in turns with the baseline.
        figures.append(
            measure_finish(city, staff_of(city), checklist_80(city), 2 * args.runs + 1, log)
        )

    lines, missed = report.table(figures)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met on {total} hazards "
        f"(medians of {args.runs} runs; {2 * args.runs + 1} interleaved for finishing)"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        extra = f"{total} hazards, PostgreSQL {connection.pg_version // 10000}"
        report.write_doc("inspections", "inspections", lines, summary, extra)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
