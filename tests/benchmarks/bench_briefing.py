"""The briefing drafting benchmark (issue 9, S13), run by ``make bench``; not in ``make test``.

Needs PostgreSQL (DATABASE_URL). Migrates the database and builds its data once under the
prefix JB (kept for the next run): ``seed_scale`` (13 cities, 95 counties, 15,600 schools,
``--hazards``) and six weeks of weekly report rows (``week_open``), a share of them submitted,
late or empty. Then it drafts a briefing for every city of the province — every registered
section's ``collect`` as ``briefing_draft`` calls it — against a baseline of raw SQL that
computes the same section numbers (per county: found, closed, overdue, five implementations
share; per reviewing unit: expected, submitted, on time, empty; the key-supervision lists'
first 30 rows and their counts),
checks that both agree, and prints one line per figure (name, value, same-run baseline,
ratio, target, ok/MISS) as the other benchmarks do:

- drafting the 13 cities' briefings against the raw SQL for the same numbers (target 1.5×:
  the sections are grouped ORM queries, the price is Python building the rows);
- the largest city alone, the same comparison.

The table goes to docs/benchmarks.md unless ``--no-doc``; the exit status is non-zero when a
target is missed.

    python tests/benchmarks/bench_briefing.py [--hazards 300000] [--runs 5] [--no-doc]
"""

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402
from tests.benchmarks.report import median_ms  # noqa: E402

report.bootstrap(broker="briefing")

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

PREFIX = "JB"
WEEKS = 6
TARGET = 1.5


# --- Data ------------------------------------------------------------------------------------


def ensure_data(hazards, log):
    from campaign.models import OrgUnit
    from hazards.models import Hazard

    root = OrgUnit.objects.filter(code=PREFIX, parent__isnull=True).first()
    have = Hazard.objects.filter(city__parent=root).count() if root else 0
    if root is None or have < hazards:
        log(f"building {PREFIX} with {hazards} hazards (seed_scale --reset)…")
        start = time.monotonic()
        call_command(
            "seed_scale", f"--prefix={PREFIX}", f"--hazards={hazards}", "--users=2000", "--reset"
        )
        log(f"built in {time.monotonic() - start:.0f}s")
        root = OrgUnit.objects.get(code=PREFIX, parent__isnull=True)
    else:
        log(f"data present: {have} hazards under {PREFIX}")
    ensure_weeks(root, log)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return root


def ensure_weeks(root, log):
    """Six weeks of report rows for the province; about 80% submitted (a tenth of them late),
    5% empty: set directly, the review workflow is not what is measured here."""
    from campaign.models import OrgUnit
    from reporting.models import WeeklyReport
    from reporting.weekly import opening, periods

    cities = list(OrgUnit.objects.filter(parent=root, kind=OrgUnit.Kind.CITY))
    monday = periods.this_week()
    weeks = [monday - dt.timedelta(weeks=n) for n in range(WEEKS)]
    existing = WeeklyReport.objects.filter(city__in=cities, week__in=weeks).count()
    if existing and existing % WEEKS == 0 and existing >= WEEKS * 15000:
        return
    start = time.monotonic()
    for week in weeks:
        opening.week_open(week=week, cities=cities)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE reporting_weeklyreport SET
              first_submitted_at = CASE WHEN id %% 10 = 9 THEN due_at + interval '1 day'
                                        ELSE due_at - interval '1 hour' END,
              submitted_at = due_at,
              is_empty = (id %% 20 = 3)
            WHERE city_id = ANY(%s) AND id %% 5 <> 0 AND first_submitted_at IS NULL
            """,
            [[c.pk for c in cities]],
        )
    log(
        f"weekly rows: {WeeklyReport.objects.filter(city__in=cities).count()} "
        f"in {time.monotonic() - start:.0f}s"
    )


# --- What is measured ------------------------------------------------------------------------


def draft(cities, until):
    """Every section of every city's briefing, as ``briefing_draft`` collects them."""
    from reporting.briefings import services

    return {city.pk: services.collect_snapshot(city, None, until) for city in cities}


def baseline(cities, until):
    """The same section numbers straight from SQL (one statement per section and city)."""
    today = timezone.localdate(until)
    start = dt.date(today.year, 1, 1)
    out = {}
    with connection.cursor() as cursor:
        for city in cities:
            cursor.execute(
                """
                SELECT h.county_id,
                       count(*),
                       count(*) FILTER (WHERE h.status = 'closed'),
                       count(*) FILTER (WHERE h.status = ANY(%s) AND h.deadline < %s),
                       count(*) FILTER (WHERE h.status = ANY(%s)),
                       count(*) FILTER (WHERE h.status = ANY(%s) AND h.five_complete)
                FROM hazards_hazard h
                WHERE h.city_id = %s AND h.found_on >= %s AND h.found_on <= %s
                GROUP BY h.county_id
                """,
                [OPEN, today, OPEN, OPEN, city.pk, start, today],
            )
            progress = cursor.fetchall()
            cursor.execute(
                """
                SELECT review_unit_id, count(*),
                       count(*) FILTER (WHERE first_submitted_at IS NOT NULL),
                       count(*) FILTER (WHERE first_submitted_at <= due_at),
                       count(*) FILTER (WHERE is_empty)
                FROM reporting_weeklyreport
                WHERE city_id = %s AND week >= %s AND week <= %s AND level = 'school'
                GROUP BY review_unit_id
                """,
                [city.pk, start, today],
            )
            rates = cursor.fetchall()
            # The key-supervision lists: each list's first 30 rows and its full count.
            cursor.execute(
                """
                SELECT u.name, count(*) OVER ()
                FROM campaign_orgunit u
                WHERE u.kind = 'school' AND u.is_active AND u.path LIKE %s
                  AND NOT EXISTS (SELECT 1 FROM hazards_hazard h WHERE h.school_id = u.id
                                  AND h.city_id = %s AND h.found_on >= %s AND h.found_on <= %s)
                ORDER BY u.path LIMIT 30
                """,
                [city.path + "%", city.pk, start, today],
            )
            silent = cursor.fetchall()
            cursor.execute(
                """
                SELECT u.name, count(*), count(*) OVER ()
                FROM reporting_weeklyreport r JOIN campaign_orgunit u ON u.id = r.unit_id
                WHERE r.city_id = %s AND r.week >= %s AND r.week <= %s AND r.is_empty
                GROUP BY u.id, u.name, u.path ORDER BY count(*) DESC, u.path LIMIT 30
                """,
                [city.pk, start, today],
            )
            empty = cursor.fetchall()
            cursor.execute(
                """
                SELECT h.code, s.name, c.name, h.deadline, count(*) OVER ()
                FROM hazards_hazard h JOIN campaign_orgunit s ON s.id = h.school_id
                LEFT JOIN campaign_orgunit c ON c.id = h.county_id
                WHERE h.city_id = %s AND h.level = 'major' AND h.status = ANY(%s)
                  AND h.deadline < %s
                ORDER BY h.deadline, h.code LIMIT 30
                """,
                [city.pk, OPEN, today],
            )
            majors = cursor.fetchall()
            supervision = (silent, empty, majors)
            out[city.pk] = (progress, rates, supervision)
    return out


def check(drafted, raw):
    """Both computed the same numbers (else the comparison means nothing)."""
    for city_id, (progress, rates, (silent, empty, majors)) in raw.items():
        snap = drafted[city_id]
        rows = snap["county_progress"]["rows"]
        assert sorted((r["found"], r["closed"], r["overdue"]) for r in rows) == sorted(
            (found, closed, overdue) for _c, found, closed, overdue, _o, _f in progress
        ), city_id
        if rates:
            weekly = snap["weekly_rates"]["total"]
            assert weekly["expected"] == sum(r[1] for r in rates), city_id
            assert weekly["submitted"] == sum(r[2] for r in rates), city_id
        ks = snap.get("key_supervision")
        if ks:
            for key, rows, count_at in (
                ("silent", silent, 1),
                ("empty", empty, 2),
                ("overdue_major", majors, 4),
            ):
                assert ks[key]["count"] == (rows[0][count_at] if rows else 0), (city_id, key)
                assert [r.get("name") or r.get("code") for r in ks[key]["rows"]] == [
                    r[0] for r in rows
                ], (city_id, key)


OPEN = ()


def run(args, log):
    global OPEN
    from campaign.models import OrgUnit
    from hazards.models import Hazard

    OPEN = [str(s) for s in Hazard.OPEN_STATUSES]
    root = ensure_data(args.hazards, log)
    cities = list(OrgUnit.objects.filter(parent=root, kind=OrgUnit.Kind.CITY).order_by("code"))
    until = timezone.now()
    check(draft(cities, until), baseline(cities, until))
    log("the drafted sections and the raw SQL agree")
    sizes = dict(
        Hazard.objects.filter(city__in=cities)
        .values("city_id")
        .annotate(n=django.db.models.Count("id"))
        .values_list("city_id", "n")
    )
    largest = max(cities, key=lambda c: sizes.get(c.pk, 0))
    figures = []
    for name, subset in (
        (f"draft {len(cities)} cities' briefings: ms", cities),
        (f"draft {largest.name} ({sizes.get(largest.pk, 0)} hazards): ms", [largest]),
    ):
        ours = median_ms(lambda s=subset: draft(s, until), args.runs)
        raw = median_ms(lambda s=subset: baseline(s, until), args.runs)
        figures.append((name, ours, raw, TARGET, ""))
    lines, missed = report.table(figures)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met "
        f"(medians of {args.runs} runs, {connection.vendor})"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        report.write_doc("briefing", "briefing drafting", lines, summary)
    return 1 if missed else 0


def main():
    args = report.arguments(runs=5, hazards=300_000).parse_args()
    if not report.needs_postgresql("bench_briefing"):
        return 2
    call_command("migrate", "--noinput", verbosity=0)
    return run(args, report.log)


if __name__ == "__main__":
    sys.exit(main())
