"""The weekly oversight's benchmark (issue 9): the rates page and the city summary workbook, run
by ``make bench``; not in ``make test``.

Builds, in a test database of its own (created and dropped by the run, on DATABASE_URL), a
province-sized tree with ``seed_scale`` (13 cities, 95 counties, 15,600 schools) plus two
single-city trees (15,600 and 1,000 schools) for the workbook, opens one week for all of them
and marks a realistic mix of reports submitted, late and empty with one UPDATE. Then prints one
line per figure (name, value, same-run baseline, ratio, target, ok/MISS), as the other
benchmarks do:

- the rates page as the province's city staff see it (13 cities, 95 counties, 15,600 schools:
  the page's SQL as run) against hand-written SQL computing the same numbers from the same
  table (checked equal); a few milliseconds each, so the two run in turn, 3 × --runs times,
  and a burst of load on this shared machine falls on both;
- the same for a county's staff with its schools' list (the typical path);
- the city summary workbook of a city of 15,600 schools (``compile.workbook``) against bare
  openpyxl write-only writing the same rows, read with one raw query, in the same run;
- its peak memory (tracemalloc) under 200 MB, and flat: the 15,600-school workbook's peak
  against the 1,000-school one's (target 1.2×);
- opening a week for the province (15,600 school rows + 95 county rows, ``opening.week_open``,
  an ``INSERT … SELECT`` per city, on a week without rows) against a bare bulk INSERT of the
  same rows: the units read with one
  raw query, the rows built as tuples, multi-row ``INSERT … VALUES … ON CONFLICT DO NOTHING``
  of literals in batches of 2,000 in one transaction (target 2×; the week's rows deleted
  between runs, untimed, and checked equal after every run of both). The same INSERT with
  ``%s`` parameters is shown beside it: psycopg's client-side binding makes it slower than
  the opening itself.

    python tests/benchmarks/bench_weekly.py [--runs 5] [--no-doc]
"""

import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402
from tests.benchmarks.report import median_ms, median_ms_prepared, paired_median_ms, rerun  # noqa: E402

report.bootstrap(broker="weekly")

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

PAGE_TARGET = 2.0
WORKBOOK_TARGET = 1.3
MEMORY_MB = 200
FLAT_TARGET = 1.2
WEEK_LABEL = "2026-W48"
OPEN_TARGET = 2.0
BARE_BATCH = 2000  # rows per multi-row INSERT of the bare opening
OPEN_WEEK_LABEL = "2026-W49"  # a week without rows: opened, deleted, opened again


# --- Data ------------------------------------------------------------------------------------


def build(log):
    from campaign.demo.scale import seed_scale
    from campaign.models import OrgUnit
    from reporting.weekly import opening, periods

    start = time.monotonic()
    seed_scale(prefix="JW", users=20000)
    seed_scale(prefix="BIG", cities=1, counties=95, schools=15600, users=100)
    seed_scale(prefix="SMALL", cities=1, counties=10, schools=1000, users=50)
    log(f"trees built in {time.monotonic() - start:.0f}s")
    week = periods.parse_label(WEEK_LABEL)
    rows = opening.week_open(week=week)
    # A realistic week: most on time, some late, some empty, the rest missing.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reporting_weeklyreport SET status = 'submitted', "
            "first_submitted_at = due_at - interval '1 hour' + (id %% 3) * interval '50 minutes', "
            "submitted_at = due_at, is_empty = (id %% 11 = 0), found = id %% 7, closed = id %% 5, "
            "still_open = id %% 4, overdue = id %% 3 WHERE week = %s AND id %% 10 <> 0",
            [week],
        )
        cursor.execute("ANALYZE")
    log(f"week {WEEK_LABEL} opened: {rows} reports")
    return {
        code: OrgUnit.objects.get(code=code, parent__isnull=True) for code in ("JW", "BIG", "SMALL")
    }


def user_at(root, role, kind):
    from campaign.models import RoleGrant

    grant = (
        RoleGrant.objects.filter(role=role, unit__kind=kind, unit__path__startswith=root.path)
        .select_related("user", "unit")
        .order_by("unit__path", "pk")
        .first()
    )
    return grant.user, grant.unit


# --- The page and its baseline ---------------------------------------------------------------

# The same numbers from the same table: the user's grants, the units they see, the rates per
# reviewing unit and the county reports' status; (county path) the chosen unit's schools.
GRANTS = (
    "SELECT p.codename, u.path FROM campaign_orgunituserpermission g "
    "JOIN auth_permission p ON p.id = g.permission_id "
    "JOIN campaign_orgunit u ON u.id = g.content_object_id WHERE g.user_id = %s AND u.is_active"
)
UNITS = (
    "SELECT id, code, name, path, kind, parent_id FROM campaign_orgunit "
    "WHERE path LIKE %s AND is_active AND kind IN ('city', 'county') ORDER BY path"
)
RATES = (
    "SELECT r.review_unit_id, count(*), count(r.first_submitted_at), "
    "count(*) FILTER (WHERE r.first_submitted_at <= r.due_at), count(*) FILTER (WHERE r.is_empty) "
    "FROM reporting_weeklyreport r WHERE r.week = %s AND r.level = 'school' "
    "AND r.city_id = ANY(%s) {county} GROUP BY r.review_unit_id"
)
COUNTY_REPORTS = (
    "SELECT unit_id, status, first_submitted_at FROM reporting_weeklyreport "
    "WHERE week = %s AND level = 'county' AND unit_id = ANY(%s)"
)
SCHOOLS = (
    "SELECT r.id, u.code, u.name, r.status, r.first_submitted_at, r.due_at, r.is_empty, "
    "r.found, r.started, r.closed, r.still_open, r.overdue, r.major_open "
    "FROM reporting_weeklyreport r JOIN campaign_orgunit u ON u.id = r.unit_id "
    "WHERE r.week = %s AND r.level = 'school' AND r.review_unit_id = %s "
    "ORDER BY CASE WHEN r.first_submitted_at IS NULL THEN 0 "
    "WHEN r.first_submitted_at > r.due_at THEN 1 WHEN r.is_empty THEN 2 ELSE 3 END, u.path"
)


def baseline(user, scope_unit, week, county=None):
    def run():
        with connection.cursor() as c:
            c.execute(GRANTS, [user.pk])
            c.fetchall()
            c.execute(UNITS, [scope_unit.path + "%"])
            units = c.fetchall()
            cities = [u[0] for u in units if u[4] == "city"] or [scope_unit.parent_id]
            counties = [u[0] for u in units if u[4] == "county"]
            extra = "AND r.review_unit_id = %s" if county else ""
            c.execute(RATES.format(county=extra), [week, cities] + ([county.pk] if county else []))
            rates = {row[0]: row[1:] for row in c.fetchall()}
            c.execute(COUNTY_REPORTS, [week, counties])
            c.fetchall()
            if county:
                c.execute(SCHOOLS, [week, county.pk])
                c.fetchall()
        return rates

    return run


def page(client, url, query=None):
    """(the page's SQL as run, its rates {unit id: (expected, submitted, on time, empty)})."""
    setup_test_environment()
    try:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, query or {})
        assert response.status_code == 200, response.status_code
        rates = {
            line.unit.pk: (
                line.rate.expected,
                line.rate.submitted,
                line.rate.on_time,
                line.rate.empty,
            )
            for block in response.context["blocks"]
            for line in block.lines
            if line.rate.expected
        }
    finally:
        teardown_test_environment()
    # Like bench_register: what the page does besides (the session, the signed-in user) is
    # left out of both sides.
    sqls = [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" not in q["sql"] and 'FROM "campaign_user"' not in q["sql"]
    ]
    return sqls, rates


# --- The workbook and its baseline -------------------------------------------------------------

BARE_ROWS = (
    "SELECT r.review_unit_id, u.code, u.name, r.status, r.first_submitted_at, r.due_at, "
    "r.is_empty, r.found, r.started, r.closed, r.still_open, r.overdue, r.major_open "
    "FROM reporting_weeklyreport r JOIN campaign_orgunit u ON u.id = r.unit_id "
    "JOIN campaign_orgunit ru ON ru.id = r.review_unit_id "
    "WHERE r.city_id = %s AND r.week = %s AND r.level = 'school' "
    "ORDER BY (r.review_unit_id = %s), ru.path, u.path"
)
BARE_SUMMARY = (
    "SELECT r.review_unit_id, count(*), count(r.first_submitted_at), "
    "count(*) FILTER (WHERE r.first_submitted_at <= r.due_at), count(*) FILTER (WHERE r.is_empty), "
    "sum(r.found) FILTER (WHERE r.first_submitted_at IS NOT NULL), "
    "sum(r.started) FILTER (WHERE r.first_submitted_at IS NOT NULL), "
    "sum(r.closed) FILTER (WHERE r.first_submitted_at IS NOT NULL), "
    "sum(r.still_open) FILTER (WHERE r.first_submitted_at IS NOT NULL), "
    "sum(r.overdue) FILTER (WHERE r.first_submitted_at IS NOT NULL), "
    "sum(r.major_open) FILTER (WHERE r.first_submitted_at IS NOT NULL) "
    "FROM reporting_weeklyreport r WHERE r.city_id = %s AND r.week = %s AND r.level = 'school' "
    "GROUP BY r.review_unit_id"
)


def bare_workbook(city, week):
    """The same sheets and rows with bare openpyxl write-only and two raw queries."""
    from openpyxl import Workbook

    from campaign.models import OrgUnit

    names = dict(OrgUnit.objects.filter(parent=city).values_list("id", "name"))
    names[city.pk] = "City-direct schools"
    book = Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    summary.append(["Unit", "Expected", "Submitted", "On time", "Late", "Missing", "Empty"])
    with connection.cursor() as c:
        c.execute(BARE_SUMMARY, [city.pk, week])
        for unit_id, expected, submitted, on_time, empty, *sums in c.fetchall():
            summary.append(
                [names.get(unit_id), expected, submitted, on_time, submitted - on_time,
                 expected - submitted, empty, *sums]
            )  # fmt: skip
    tz = timezone.get_current_timezone()
    with connection.cursor() as c:
        c.execute(BARE_ROWS, [city.pk, week, city.pk])
        current, sheet = None, None
        while rows := c.fetchmany(2000):
            for unit_id, code, name, status, first, due, empty, *figures in rows:
                if unit_id != current:
                    current = unit_id
                    sheet = book.create_sheet(str(names.get(unit_id, unit_id))[:31])
                    sheet.append(["code", "school", "status", "submitted", "late", "empty"])
                sheet.append(
                    [code, name, status if first else "missing",
                     first.astimezone(tz).replace(tzinfo=None) if first else None,
                     ("yes" if first > due else "no") if first else None,
                     "yes" if empty else "no", *figures]
                )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Opening a week and its baseline -------------------------------------------------------

# The active schools and counties under the active cities of a tree (the path), each with its
# parent's kind and its city, whose path is the unit's prefix: a county's parent, a school's
# parent or grandparent.
BARE_UNITS = (
    "SELECT u.id, u.kind, u.parent_id, p.kind, c.id FROM campaign_orgunit u "
    "JOIN campaign_orgunit p ON p.id = u.parent_id "
    "JOIN campaign_orgunit c ON c.id = CASE WHEN p.kind = 'city' THEN p.id ELSE p.parent_id END "
    "WHERE u.kind IN ('school', 'county') AND u.is_active AND p.is_active "
    "AND c.kind = 'city' AND c.is_active AND c.path LIKE %s AND u.path LIKE c.path || '%%' "
    "ORDER BY u.path"
)
# Every NOT NULL column but the id (checked against the table), nullable ones left NULL.
BARE_COLUMNS = (
    "unit_id", "level", "week", "review_unit_id", "city_id", "due_at", "status",
    "found", "started", "closed", "still_open", "overdue", "major_open",
    "work_done", "problems", "next_week", "is_empty", "version", "updated_at",
)  # fmt: skip
BARE_INSERT = (
    "INSERT INTO reporting_weeklyreport (unit_id, level, week, review_unit_id, city_id, due_at, "
    "status, found, started, closed, still_open, overdue, major_open, work_done, problems, "
    "next_week, is_empty, version, updated_at) VALUES "
)
BARE_ROW = "(" + ", ".join(["%s"] * len(BARE_COLUMNS)) + ")"
# What both must leave in the table for the week: every row, a few columns.
OPENED = (
    "SELECT unit_id, level, review_unit_id, city_id, due_at, status, "
    "found + started + closed + still_open + overdue + major_open, work_done || problems || "
    "next_week, is_empty, version, updated_at IS NOT NULL, first_submitted_at, submitted_by_id, "
    "locked_at FROM reporting_weeklyreport WHERE week = %s ORDER BY unit_id"
)


def not_null_columns():
    with connection.cursor() as c:
        c.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'reporting_weeklyreport' AND is_nullable = 'NO' AND column_name <> 'id'"
        )
        return {row[0] for row in c.fetchall()}


def sql_literal(value):
    """A value of the bare rows (numbers, booleans, our own strings, dates) as SQL."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return f"'{value.isoformat()}'"  # a date or an aware datetime


def bare_open(root, week, *, parameters=False):
    """The rows ``opening.week_open`` creates for ``root``'s cities, with one raw query and
    multi-row INSERTs of 2,000 rows in one transaction; returns the week's count, as it does.

    The values are written into the statement as literals: passed as ``%s`` parameters
    (``parameters=True``), psycopg's client-side binding splits a 38,000-placeholder statement
    in Python, which costs more than the whole INSERT (the figure's note shows it)."""
    from reporting.weekly import periods

    school_due, county_due = periods.school_due(week), periods.county_due(week)
    with connection.cursor() as c:
        c.execute(BARE_UNITS, [root.path + "%"])
        units = c.fetchall()
    now = timezone.now()
    rows = []
    for unit_id, kind, parent_id, parent_kind, city_id in units:
        if kind == "county":
            if parent_id == city_id:
                rows.append((unit_id, "county", week, city_id, city_id, county_due, "draft",
                             0, 0, 0, 0, 0, 0, "", "", "", False, 0, now))  # fmt: skip
        elif parent_kind in ("county", "city"):
            rows.append((unit_id, "school", week, parent_id, city_id, school_due, "draft",
                         0, 0, 0, 0, 0, 0, "", "", "", False, 0, now))  # fmt: skip
    with transaction.atomic(), connection.cursor() as c:
        for start in range(0, len(rows), BARE_BATCH):
            batch = rows[start : start + BARE_BATCH]
            if parameters:
                c.execute(
                    BARE_INSERT + ", ".join([BARE_ROW] * len(batch)) + " ON CONFLICT DO NOTHING",
                    [value for row in batch for value in row],
                )
            else:
                values = ", ".join("(" + ", ".join(map(sql_literal, row)) + ")" for row in batch)
                c.execute(BARE_INSERT + values + " ON CONFLICT DO NOTHING")
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM reporting_weeklyreport WHERE week = %s", [week])
        return c.fetchone()[0]


def opened(week):
    with connection.cursor() as c:
        c.execute(OPENED, [week])
        return c.fetchall()


def unopen(week):
    """Delete the week's rows and vacuum, so that every run starts from the same table."""
    with connection.cursor() as c:
        c.execute("DELETE FROM reporting_weeklyreport WHERE week = %s", [week])
        c.execute("VACUUM reporting_weeklyreport")


CHILD = "--workbook-child"


def child_main(city_id, label):
    """In a fresh process on the benchmark's database: compile one workbook, print the
    process's peak resident memory in MB (what a worker compiling it needs)."""
    import resource

    from campaign.models import OrgUnit
    from reporting.weekly import periods
    from reporting.weekly.oversight import compile as summary_compile

    summary_compile.workbook(OrgUnit.objects.get(pk=city_id), periods.parse_label(label))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return 0


def child_peak_mb(city):
    import subprocess

    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or ''}{(':' + db['PASSWORD']) if db['PASSWORD'] else ''}"
        f"@{db['HOST'] or 'localhost'}{(':' + str(db['PORT'])) if db['PORT'] else ''}/{db['NAME']}"
    )
    out = subprocess.run(
        [sys.executable, __file__, CHILD, str(city.pk), WEEK_LABEL],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def peak_mb(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def sheet_rows(content):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return [sum(1 for _ in sheet.iter_rows()) for sheet in book.worksheets]


# --- The run ---------------------------------------------------------------------------------


def run(args, log):
    from campaign.roles import Role
    from reporting.weekly import periods
    from reporting.weekly.oversight import compile as summary_compile

    roots = build(log)
    week = periods.parse_label(WEEK_LABEL)
    url = reverse("reporting:week_status_week", args=[WEEK_LABEL])
    figures = []

    staff, province = user_at(roots["JW"], Role.CITY_STAFF, "province")
    client = Client()
    client.force_login(staff)
    sqls, shown = page(client, url)
    expected = baseline(staff, province, week)()
    assert shown == {k: tuple(v) for k, v in expected.items()}, "the baseline differs"
    log(f"province page: {len(sqls)} queries, {len(shown)} lines")
    # Milliseconds each: run in turn, three times as often as the other figures.
    ours_ms, bare_ms = paired_median_ms(rerun(sqls), baseline(staff, province, week), 3 * args.runs)
    figures.append(
        (
            f"rates page, province ({sum(v[0] for v in shown.values()):,} schools): ms",
            ours_ms,
            bare_ms,
            PAGE_TARGET,
            f"{len(sqls)} queries",
        )
    )

    county_staff, county = user_at(roots["JW"], Role.COUNTY_STAFF, "county")
    client = Client()
    client.force_login(county_staff)
    sqls, shown = page(client, url, {"unit": county.code})
    expected = baseline(county_staff, county, week, county=county)()
    assert shown == {k: tuple(v) for k, v in expected.items()}, "the county baseline differs"
    ours_ms, bare_ms = paired_median_ms(
        rerun(sqls), baseline(county_staff, county, week, county=county), 3 * args.runs
    )
    figures.append(
        (
            f"rates page, a county with its {shown[county.pk][0]} schools: ms",
            ours_ms,
            bare_ms,
            PAGE_TARGET,
            f"{len(sqls)} queries",
        )
    )

    big = roots["BIG"].children.get()
    small = roots["SMALL"].children.get()
    ours = summary_compile.workbook(big, week)
    bare = bare_workbook(big, week)
    # The same school sheets, row for row (the summary sheets differ by the total line).
    assert sheet_rows(ours)[1:] == sheet_rows(bare)[1:], "the bare workbook has other rows"
    schools = sheet_rows(ours)
    log(f"workbook: {len(schools)} sheets, {sum(schools[1:]) - len(schools) + 1:,} school rows")
    figures.append(
        (
            "summary workbook, 15,600 schools: ms",
            median_ms(lambda: summary_compile.workbook(big, week), args.runs),
            median_ms(lambda: bare_workbook(big, week), args.runs),
            WORKBOOK_TARGET,
            f"{len(ours) / 2**20:.1f} MB file",
        )
    )
    # Peak resident memory of a process that compiles one workbook (Django and all), and of
    # the Python objects alone while it compiles (tracemalloc), at 15,600 and 1,000 schools.
    rss_big, rss_small = child_peak_mb(big), child_peak_mb(small)
    heap_big = peak_mb(lambda: summary_compile.workbook(big, week))
    heap_small = peak_mb(lambda: summary_compile.workbook(small, week))
    figures.append(
        (
            "summary workbook, 15,600 schools: peak RSS MB",
            rss_big,
            MEMORY_MB,
            1.0,
            f"vs 200 MB; Python heap {heap_big:.1f} MB",
        )
    )
    figures.append(
        (
            "peak RSS, 15,600 vs 1,000 schools: MB",
            rss_big,
            rss_small,
            FLAT_TARGET,
            f"heap {heap_big:.1f} vs {heap_small:.1f} MB",
        )
    )

    # Opening a week for the province's tree (its cities only: the other trees are the
    # workbook's), against the bare INSERT of the same rows, checked equal after every run.
    from campaign.models import OrgUnit
    from reporting.weekly import opening

    assert set(BARE_COLUMNS) == not_null_columns(), "the bare INSERT misses a NOT NULL column"
    assert f"({', '.join(BARE_COLUMNS)})" in BARE_INSERT, "the bare INSERT names other columns"
    open_week = periods.parse_label(OPEN_WEEK_LABEL)

    def ours_open():
        # A fresh queryset each run (one iterated keeps its cities), as the beat's run has.
        province_cities = OrgUnit.objects.filter(
            kind=OrgUnit.Kind.CITY, is_active=True, path__startswith=roots["JW"].path
        )
        return opening.week_open(week=open_week, cities=province_cities)

    unopen(open_week)
    count = ours_open()
    reference = opened(open_week)
    levels = [row[1] for row in reference]
    assert count == len(reference) > 0, "the opening left another count"
    unopen(open_week)
    assert bare_open(roots["JW"], open_week) == count, "the bare INSERT left another count"
    assert opened(open_week) == reference, "the bare INSERT made other rows"
    unopen(open_week)
    assert bare_open(roots["JW"], open_week, parameters=True) == count, "another count"
    assert opened(open_week) == reference, "the parameterised bare INSERT made other rows"

    def same_rows():
        assert opened(open_week) == reference, "a run left other rows"

    with_parameters = median_ms_prepared(
        lambda: bare_open(roots["JW"], open_week, parameters=True),
        args.runs,
        lambda: unopen(open_week),
        same_rows,
    )
    log(f"week {OPEN_WEEK_LABEL}: {levels.count('school'):,} school + "
        f"{levels.count('county')} county rows")  # fmt: skip
    figures.append(
        (
            f"week opening, {levels.count('school'):,} + {levels.count('county')} rows: ms",
            median_ms_prepared(ours_open, args.runs, lambda: unopen(open_week), same_rows),
            median_ms_prepared(
                lambda: bare_open(roots["JW"], open_week),
                args.runs,
                lambda: unopen(open_week),
                same_rows,
            ),
            OPEN_TARGET,
            f"bare INSERT of literals, batches of {BARE_BATCH:,}; with %s parameters "
            f"{with_parameters:.0f} ms",
        )
    )
    unopen(open_week)

    lines, missed = report.table(figures, width=55)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met "
        f"(medians of {args.runs} runs, {connection.vendor})"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        report.write_doc("weekly", "weekly oversight", lines, summary)
    return 1 if missed else 0


def main():
    args = report.arguments(runs=5).parse_args()
    if not report.needs_postgresql("bench_weekly"):
        return 2
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-bench-weekly-media-")
    with report.test_database():
        return run(args, report.log)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == CHILD:
        sys.exit(child_main(int(sys.argv[2]), sys.argv[3]))
    sys.exit(main())
