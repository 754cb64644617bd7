"""The hazard register's benchmark (issue 3, issue 6), run by ``make bench``; not in ``make test``.

Needs PostgreSQL (DATABASE_URL). Migrates the database, builds its data once with
``seed_scale --hazards`` under the prefix JS (kept for the next run), then prints one line per
figure (name, value, same-run baseline, ratio, target, ok/MISS) and a summary, writes the
table to docs/benchmarks.md and exits non-zero when a target is missed.

A baseline computes the same output from the same stored data (docs/benchmarks.md): the
script checks that it does (counts, five shares, page row ids, tally cells, events and queued
notices) and stops with an AssertionError when it does not.

    python tests/benchmarks/bench_register.py [--hazards 2000000] [--runs 7] [--no-doc]
"""

import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402
from tests.benchmarks.report import Verdict, median_ms, rerun  # noqa: E402

# The URL names the benchmark requests, in one place.
REGISTER_URL = "hazards:hazard_list"

# The notices the transitions queue go to a broker of the benchmark's own: without
# CELERY_BROKER_URL the embedded filesystem broker in a private temporary folder, and always a
# private queue, so that no worker picks up a notice about this database's events. Both are
# emptied and removed at the end.
BROKER_TMP = report.bootstrap(broker="broker")
BENCH_QUEUE = report.private_queue("register")

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaign.models import OrgUnit, RoleGrant  # noqa: E402
from campaign.roles import Perm, Role  # noqa: E402
from hazards import services  # noqa: E402
from hazards.models import Evidence, Hazard, HazardCategory, HazardEvent, HazardTally  # noqa: E402
from hazards.tasks import hazard_event_notify_task  # noqa: E402
from portal.celery import app  # noqa: E402

PREFIX = "JS"
PAGE_ROWS = 50
OPEN = [str(s) for s in Hazard.OPEN_STATUSES]
Status = Hazard.Status
# A 1×1 transparent PNG: the after-photo that lets a hazard be submitted for acceptance.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63606060f80f0002870180eb47ba920000000049454e44ae426082"
)


# --- Data ------------------------------------------------------------------------------------


def ensure_data(hazards, log):
    root = OrgUnit.objects.filter(code=PREFIX, parent__isnull=True).first()
    have = Hazard.objects.filter(city__parent=root).count() if root else 0
    if root is not None and have >= hazards:
        log(f"data present: {have} hazards under {PREFIX}")
        if not HazardTally.objects.exists():  # data built before the tally existed
            services.hazard_tally_rebuild()
        return root
    log(f"building {PREFIX} with {hazards} hazards (seed_scale --reset)…")
    start = time.monotonic()
    call_command("seed_scale", f"--prefix={PREFIX}", f"--hazards={hazards}", "--reset")
    log(f"built in {time.monotonic() - start:.0f}s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE hazards_hazard")  # visibility map for index-only scans
        cursor.execute("ANALYZE")
    return OrgUnit.objects.get(code=PREFIX, parent__isnull=True)


def user_with(role, kind, root):
    grant = (
        RoleGrant.objects.filter(role=role, unit__kind=kind, unit__path__startswith=root.path)
        .select_related("user", "unit")
        .order_by("unit__code", "pk")
        .first()
    )
    return grant.user, grant.unit


# --- The page: its SQL and what it shows -----------------------------------------------------


@contextmanager
def recording_context():
    """The test client keeps ``response.context`` only while templates are instrumented; on
    for the checks, off for the timed requests."""
    setup_test_environment()
    try:
        yield
    finally:
        teardown_test_environment()


def page_url(query=None):
    url = reverse(REGISTER_URL)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def page_queries(client, query=None):
    """(the page's SQL as run, what the page shows) for one request."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page_url(query))
    assert response.status_code == 200, response.status_code
    shown = None
    if response.context is not None:
        c = response.context
        shown = {
            "counts": {s["value"]: s["count"] for s in c["status_counts"]},
            "total": c["total"],
            "shares": sorted((s["county_id"] or 0, s["open"], s["complete"]) for s in c["shares"]),
            "rows": [h.pk for h in c["rows"]],
        }
    # Django shows the SQL with its parameters inlined; re-run as such (no parameters).
    return [q["sql"] for q in ctx.captured_queries], shown


# --- Hand-written SQL for the same output ----------------------------------------------------
# Each baseline reads what the page shows from the same tables the page reads: the user's
# grants (its scope), the county and category choices of the filter form, the counts by status
# and the five-implementations share per county, and the page's 50 rows with the columns the
# table shows. It leaves out what the page does besides (session and user, the session save).

GRANTS = (
    "SELECT p.codename, u.id, u.path, u.kind FROM campaign_orgunituserpermission g "
    "JOIN auth_permission p ON p.id = g.permission_id "
    "JOIN campaign_orgunit u ON u.id = g.content_object_id "
    "WHERE g.user_id = %s AND u.is_active"
)
COUNTIES = (
    "SELECT id, code, name FROM campaign_orgunit "
    "WHERE path LIKE ANY(%s) AND is_active AND kind = 'county' ORDER BY path"
)
CATEGORIES = 'SELECT id, code, name, parent_id FROM hazards_hazardcategory ORDER BY "order", code'
ROWS = (
    "SELECT h.id, h.code, h.level, h.status, h.found_on, h.deadline, h.five_complete, "
    "h.uploaded_month, s.name, c.name, k.name, kp.name "
    "FROM hazards_hazard h JOIN campaign_orgunit s ON s.id = h.school_id "
    "LEFT JOIN campaign_orgunit c ON c.id = h.county_id "
    "JOIN hazards_hazardcategory k ON k.id = h.category_id "
    "LEFT JOIN hazards_hazardcategory kp ON kp.id = k.parent_id "
    "{join} WHERE {where} ORDER BY h.found_on DESC, h.id DESC LIMIT %s"
)
# Counts by status and open/complete per area from the tally, in one statement.
TALLY = (
    "SELECT t.status, t.area_id, a.kind, sum(t.count), "
    "sum(t.count) FILTER (WHERE t.status = ANY(%s)), "
    "sum(t.count) FILTER (WHERE t.status = ANY(%s) AND t.five_complete) "
    "FROM hazards_hazardtally t JOIN campaign_orgunit a ON a.id = t.area_id "
    "{join} WHERE {where} "
    "GROUP BY GROUPING SETS ((t.status), (t.area_id, a.kind, a.name)) ORDER BY a.name"
)
# The same, counted live over the filtered hazards: one GROUP BY.
LIVE = (
    "SELECT h.status, h.county_id, c.name, count(*), count(*) FILTER (WHERE h.five_complete) "
    "FROM hazards_hazard h LEFT JOIN campaign_orgunit c ON c.id = h.county_id "
    "{join} WHERE {where} GROUP BY 1, 2, 3"
)


def scope_of(grants):
    """The outermost units where the grants give VIEW: [(id, kind, path)]."""
    units = sorted(
        ((i, kind, path) for code, i, path, kind in grants if code == Perm.VIEW),
        key=lambda u: len(u[2]),
    )
    kept = []
    for unit in units:
        if not any(unit[2].startswith(k[2]) for k in kept):
            kept.append(unit)
    return kept


def scope_sql(units, *, county, city):
    """(JOIN, WHERE, params) keeping rows whose county/city columns are in scope."""
    terms, params, join = [], [], ""
    for unit_id, kind, path in units:
        if kind == OrgUnit.Kind.COUNTY:
            terms.append(f"{county} = %s")
            params.append(unit_id)
        elif kind == OrgUnit.Kind.CITY:
            terms.append(f"{city} = %s")
            params.append(unit_id)
        elif kind == OrgUnit.Kind.PROVINCE:
            join = f"JOIN campaign_orgunit cy ON cy.id = {city}"
            terms.append("cy.path LIKE %s")
            params.append(path + "%")
        else:
            raise ValueError("a school's register is not counted from the tally")
    return join, "(" + " OR ".join(terms or ["false"]) + ")", params


def baseline_unfiltered(user_id):
    """The unfiltered register by hand: counts from the tally, as the page reads them."""
    with connection.cursor() as cur:
        cur.execute(GRANTS, [user_id])
        units = scope_of(cur.fetchall())
        cur.execute(COUNTIES, [[path + "%" for _i, _k, path in units]])
        cur.fetchall()
        cur.execute(CATEGORIES)
        cur.fetchall()
        join, where, params = scope_sql(units, county="t.area_id", city="t.city_id")
        cur.execute(TALLY.format(join=join, where=where), [OPEN, OPEN, *params])
        tally = cur.fetchall()
        join, where, params = scope_sql(units, county="h.county_id", city="h.city_id")
        cur.execute(ROWS.format(join=join, where=where), [*params, PAGE_ROWS])
        return tally, cur.fetchall()


def shown_from_tally(result):
    tally, rows = result
    counts = dict.fromkeys(Status.values, 0)
    shares = []
    for status, area_id, kind, total, open_, complete in tally:
        if status is not None:
            counts[status] = int(total)
        elif open_:
            direct = kind != OrgUnit.Kind.COUNTY
            shares.append((0 if direct else area_id, int(open_), int(complete or 0)))
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "shares": sorted(shares),
        "rows": [r[0] for r in rows],
    }


def baseline_filtered(user_id, statuses, area_code):
    """The filtered register by hand: one GROUP BY for the counts, then the page of rows.

    The counts leave the statuses out (each status button counts its own hazards among the
    other filters, issue 7 B); the rows keep them."""
    with connection.cursor() as cur:
        cur.execute(GRANTS, [user_id])
        units = scope_of(cur.fetchall())
        cur.execute(COUNTIES, [[path + "%" for _i, _k, path in units]])
        cur.fetchall()
        cur.execute(CATEGORIES)
        categories = cur.fetchall()
        area = next(pk for pk, code, _n, parent in categories if code == area_code and not parent)
        ids = [pk for pk, _c, _n, parent in categories if pk == area or parent == area]
        join, where, params = scope_sql(units, county="h.county_id", city="h.city_id")
        counted = f"{where} AND h.category_id = ANY(%s)"
        cur.execute(LIVE.format(join=join, where=counted), [*params, ids])
        live = cur.fetchall()
        where = f"{counted} AND h.status = ANY(%s)"
        cur.execute(ROWS.format(join=join, where=where), [*params, ids, list(statuses), PAGE_ROWS])
        return live, cur.fetchall()


def shown_from_live(result, statuses=()):
    """What the page shows from the hand-made queries: every status counted, the total and
    the shares over the ticked statuses (all when none is)."""
    live, rows = result
    counts = dict.fromkeys(Status.values, 0)
    shares = {}
    for status, county_id, _name, n, complete in live:
        counts[status] += n
        if status in OPEN and (not statuses or status in statuses):
            share = shares.setdefault(county_id or 0, [0, 0])
            share[0] += n
            share[1] += complete
    return {
        "counts": counts,
        "total": sum(counts[s] for s in statuses) if statuses else sum(counts.values()),
        "shares": sorted((k, o, c) for k, (o, c) in shares.items()),
        "rows": [r[0] for r in rows],
    }


def assert_same(what, page, baseline):
    for key in ("counts", "total", "shares", "rows"):
        assert page[key] == baseline[key], (
            f"{what}: the baseline's {key} differ from the page's:\n"
            f"page     {page[key]!r:.600}\nbaseline {baseline[key]!r:.600}"
        )


# --- The broker ------------------------------------------------------------------------------


def queued():
    """Messages waiting in the benchmark's queue."""
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(BENCH_QUEUE).message_count


@contextmanager
def notices_not_queued():
    """The cheap figure leaves the post-commit notice out (the task is not published)."""
    task = hazard_event_notify_task._get_current_object()
    task.apply_async = lambda *args, **kwargs: None  # .delay() goes through apply_async
    try:
        yield
    finally:
        del task.apply_async


# --- Transitions by hand ---------------------------------------------------------------------

LOCK = (
    "SELECT status, five_complete, county_id, city_id FROM hazards_hazard WHERE id = %s FOR UPDATE"
)
EVIDENCE = "SELECT EXISTS (SELECT 1 FROM hazards_evidence WHERE hazard_id = %s AND kind = ANY(%s))"
TALLY_OUT = (
    "UPDATE hazards_hazardtally SET count = count - 1 "
    "WHERE area_id = %s AND status = %s AND five_complete = %s"
)
TALLY_IN = (
    "UPDATE hazards_hazardtally SET count = count + 1 "
    "WHERE area_id = %s AND status = %s AND five_complete = %s"
)
TALLY_NEW = (
    "INSERT INTO hazards_hazardtally (area_id, city_id, status, five_complete, count) "
    "VALUES (%s, %s, %s, %s, 1) ON CONFLICT (area_id, status, five_complete) "
    "DO UPDATE SET count = hazards_hazardtally.count + 1"
)
EVENT = (
    "INSERT INTO hazards_hazardevent (hazard_id, kind, actor_id, at, from_status, to_status, "
    "note, changes) VALUES (%s, 'transition', %s, now(), %s, %s, %s, '{}') RETURNING id"
)


def move_by_hand(hazard_id, actor_id, *, frm, to, note="", evidence=False, rectified=False):
    """One closed-loop transition as hand-written statements, then its notice queued."""
    frm, to = str(frm), str(to)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(LOCK, [hazard_id])
        status, five, county_id, city_id = cur.fetchone()
        if status != frm:
            raise RuntimeError(f"hazard {hazard_id} is {status}, not {frm}")
        if evidence:
            cur.execute(
                EVIDENCE, [hazard_id, [str(Evidence.Kind.AFTER), str(Evidence.Kind.DOCUMENT)]]
            )
            if not cur.fetchone()[0]:
                raise RuntimeError(f"hazard {hazard_id} has no after-photo")
        if rectified:
            cur.execute(
                "UPDATE hazards_hazard SET status = %s, rectified_by_id = %s, updated_at = now() "
                "WHERE id = %s",
                [to, actor_id, hazard_id],
            )
        else:
            cur.execute(
                "UPDATE hazards_hazard SET status = %s, updated_at = now() WHERE id = %s",
                [to, hazard_id],
            )
        area_id = county_id or city_id
        cur.execute(TALLY_OUT, [area_id, frm, five])
        cur.execute(TALLY_IN, [area_id, to, five])
        if not cur.rowcount:
            cur.execute(TALLY_NEW, [area_id, city_id, to, five])
        cur.execute(EVENT, [hazard_id, actor_id, frm, to, note])
        event_id = cur.fetchone()[0]
    app.send_task(hazard_event_notify_task.name, args=[event_id])  # after the commit


def transition_hazard(county, county_user, exclude):
    """A general, rectifying hazard of the county with an after-photo (attached once with
    hazard_attach; kept for the next run)."""
    hazards = Hazard.objects.filter(county=county, level=Hazard.Level.GENERAL).select_related(
        "school", "county", "city"
    )
    hazard = (
        hazards.filter(
            status__in=[Status.RECTIFYING, Status.AWAITING_ACCEPTANCE],
            evidence__kind=Evidence.Kind.AFTER,
        )
        .exclude(pk=exclude)
        .order_by("pk")
        .first()
    )
    if hazard is None:
        hazard = hazards.filter(status=Status.RECTIFYING).exclude(pk=exclude).order_by("pk")[0]
        upload = SimpleUploadedFile("after.png", PNG_1X1, content_type="image/png")
        services.hazard_attach(
            hazard=hazard, actor=county_user, kind=Evidence.Kind.AFTER, upload=upload
        )
    if hazard.status == Status.AWAITING_ACCEPTANCE:  # an earlier run stopped half-way
        services.hazard_reject(hazard=hazard, actor=county_user, note="benchmark")
    return hazard


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
    return live == cells, live, cells


# --- The run ---------------------------------------------------------------------------------


def main():
    args = report.arguments(runs=7, hazards=2_000_000).parse_args()
    if not report.needs_postgresql("bench_register"):
        return 2
    log = report.log
    call_command("migrate", "--noinput", verbosity=0)
    log("database migrated")
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
    try:
        return run(args, log)
    finally:
        report.broker_cleanup(BENCH_QUEUE, BROKER_TMP)


def run(args, log):
    root = ensure_data(args.hazards, log)
    total = Hazard.objects.filter(city__parent=root).count()
    city_user, _unit = user_with(Role.CITY_STAFF, OrgUnit.Kind.PROVINCE, root)
    county_user, county = user_with(Role.COUNTY_STAFF, OrgUnit.Kind.COUNTY, root)
    school_user, school = user_with(Role.SCHOOL_OFFICER, OrgUnit.Kind.SCHOOL, root)
    in_county = Hazard.objects.filter(county=county).count()
    in_school = Hazard.objects.filter(school=school).count()
    log(
        f"{total} hazards; city user {city_user.username} sees all, county user "
        f"{county_user.username} ({county.name}) {in_county}, school officer "
        f"{school_user.username} {in_school}"
    )
    clients = {}
    for name, user in (("city", city_user), ("county", county_user), ("school", school_user)):
        clients[name] = Client()
        clients[name].force_login(user)

    figures = []  # (name, value, baseline, target, note)

    # (1) The unfiltered page (counts from the tally) against the same by hand.
    with recording_context():
        sqls, shown = page_queries(clients["city"])
    assert any("hazards_hazardtally" in s for s in sqls), (
        "the unfiltered page did not use the tally"
    )
    assert_same("unfiltered register", shown, shown_from_tally(baseline_unfiltered(city_user.pk)))
    page_db = median_ms(rerun(sqls), args.runs)
    base_db = median_ms(lambda: baseline_unfiltered(city_user.pk), args.runs)
    figures.append(
        ("list SQL, city user, all: tally (ms)", page_db, base_db, 1.5, f"{len(sqls)} q vs 5")
    )

    # (2) A filtered page (two statuses and an area; counted live) against the same by hand.
    area = HazardCategory.objects.filter(parent__isnull=True).order_by("order", "code")[0]
    statuses = [Status.RECTIFYING, Status.AWAITING_ACCEPTANCE]
    query = {"status": [str(s) for s in statuses], "category": area.code}
    with recording_context():
        fsqls, fshown = page_queries(clients["city"], query)
    assert not any("hazards_hazardtally" in s for s in fsqls), "the filtered page used the tally"
    assert fshown["total"] > PAGE_ROWS, f"the filter leaves only {fshown['total']} hazards"
    fbase = shown_from_live(
        baseline_filtered(city_user.pk, query["status"], area.code), query["status"]
    )
    assert_same("filtered register", fshown, fbase)
    log(f"filter {urlencode(query, doseq=True)}: {fshown['total']} hazards")
    page_db = median_ms(rerun(fsqls), args.runs)
    base_db = median_ms(
        lambda: baseline_filtered(city_user.pk, query["status"], area.code), args.runs
    )
    figures.append(
        ("list SQL, city user, 2 statuses+area: live (ms)", page_db, base_db, 1.5,
         f"{len(fsqls)} q vs 5")
    )  # fmt: skip

    # (3) The whole page: city user against one county user.
    def get(client):
        return lambda: client.get(page_url())

    city_ms = median_ms(get(clients["city"]), args.runs)
    county_ms = median_ms(get(clients["county"]), args.runs)
    figures.append(("list page, city vs county user (ms)", city_ms, county_ms, 2.0, ""))

    # (4) Query counts: city, county, school officer (a page of 50 rows vs a handful).
    counts = {name: len(page_queries(c)[0]) for name, c in clients.items()}
    same = len(set(counts.values())) == 1
    figures.append(
        (
            "list page query count city/county/school",
            "/".join(str(v) for v in counts.values()),
            None,
            Verdict("equal", same),
            "",
        )
    )

    runs = max(args.runs * 3, 15)
    step = iter(range(1, 100_000))

    # (5) The cheap path: the bulk action's compare-and-set time limit, notice not queued,
    # against a bare UPDATE + INSERT in one transaction.
    cheap = (
        Hazard.objects.filter(county=county, status__in=OPEN)
        .select_related("school")
        .order_by("pk")
        .first()
    )

    def set_deadline():
        deadline = timezone.localdate() + timezone.timedelta(days=next(step))
        services.hazard_set_deadline(hazard=cheap, actor=county_user, deadline=deadline)

    def bare():
        n = next(step)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE hazards_hazard SET deadline = %s, updated_at = now() WHERE id = %s",
                [timezone.localdate() + timezone.timedelta(days=n), cheap.pk],
            )
            cursor.execute(
                "INSERT INTO hazards_hazardevent (hazard_id, kind, actor_id, at, from_status, "
                "to_status, note, changes) VALUES (%s, 'edit', %s, now(), '', '', '', '{}')",
                [cheap.pk, county_user.pk],
            )

    before = queued()
    with notices_not_queued():
        t_ms = median_ms(set_deadline, runs)
    b_ms = median_ms(bare, runs)
    assert queued() == before, "the cheap figure queued notices"
    figures.append(("bulk time-limit change (compare-and-set) (ms)", t_ms, b_ms, 3.0, "no notice"))

    # (6) The typical path: submit for acceptance and send back, alternately, on one hazard
    # (row lock, evidence check, tally cells, event, notice published after the commit),
    # against the same statements and the same task published by hand.
    hazard = transition_hazard(county, county_user, exclude=cheap.pk)
    note = "benchmark: sent back"

    def pair():
        services.hazard_submit_for_acceptance(hazard=hazard, actor=county_user)
        services.hazard_reject(hazard=hazard, actor=county_user, note=note)

    def pair_by_hand():
        move_by_hand(
            hazard.pk, county_user.pk, frm=Status.RECTIFYING, to=Status.AWAITING_ACCEPTANCE,
            evidence=True, rectified=True,
        )  # fmt: skip
        move_by_hand(
            hazard.pk, county_user.pk, frm=Status.AWAITING_ACCEPTANCE, to=Status.RECTIFYING,
            note=note,
        )  # fmt: skip

    pair()  # the grants cached on the actor, as within a request
    with CaptureQueriesContext(connection) as ctx:
        pair()
    service_q = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        pair_by_hand()
    hand_q = len(ctx.captured_queries)
    events_before = HazardEvent.objects.filter(hazard=hazard).count()
    before = queued()
    s_ms = median_ms(pair, runs)
    after_service = queued()
    h_ms = median_ms(pair_by_hand, runs)
    events = HazardEvent.objects.filter(hazard=hazard).count() - events_before
    published = queued() - before
    expected = 2 * 2 * (runs + 1)  # two transitions a pair, service and by hand, warm-up too
    assert after_service - before == 2 * (runs + 1), "the service did not queue every notice"
    assert events == expected and published == expected, (events, published, expected)
    ok, live, cells = tally_matches_register(county)
    assert ok, f"tally of {county.name} differs from its hazards: {cells} vs {live}"
    log(
        f"{hazard.code}: {events} events and {published} notices written, tally still equals "
        f"the register"
    )
    figures.append(
        (
            "submit + send back, notice queued (ms)",
            s_ms,
            h_ms,
            3.0,
            f"{service_q} vs {hand_q} q a pair",
        )
    )

    lines, missed = report.table(figures)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met on {total} hazards "
        f"(medians of {args.runs} runs, {runs} for the transitions)"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        extra = f"{total} hazards, PostgreSQL {connection.pg_version // 10000}"
        report.write_doc("register", "hazard register", lines, summary, extra)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
