"""The hazard register's benchmark (issue 3), run by ``make bench``; not part of ``make test``.

Needs PostgreSQL (DATABASE_URL); builds its data once with ``seed_scale --hazards`` under the
prefix JS (kept for the next run). Prints one line per figure (name, value, same-run
baseline, ratio, target, ok/MISS) and a summary, writes the table to docs/benchmarks.md and
exits non-zero when a target is missed.

    python tests/benchmarks/bench_register.py [--hazards 2000000] [--runs 7] [--no-doc]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaign.models import OrgUnit, RoleGrant  # noqa: E402
from campaign.roles import Role  # noqa: E402
from hazards import services  # noqa: E402
from hazards.models import Hazard, HazardEvent, HazardTally  # noqa: E402

PREFIX = "JS"
PAGE_ROWS = 50
OPEN = tuple(Hazard.OPEN_STATUSES)


def median_ms(fn, runs):
    fn()  # warm-up: caches, plans
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


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
    return OrgUnit.objects.get(code=PREFIX, parent__isnull=True)


def user_with(role, kind, root):
    grant = (
        RoleGrant.objects.filter(role=role, unit__kind=kind, unit__path__startswith=root.path)
        .select_related("user", "unit")
        .order_by("unit__code", "pk")
        .first()
    )
    return grant.user, grant.unit


def page_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("hazards:hazard_list"))
    assert response.status_code == 200, response.status_code
    # Django shows the SQL with its parameters inlined; re-run as such (no parameters).
    return [(q["sql"], None) for q in ctx.captured_queries]


def rerun(sqls):
    def run():
        with connection.cursor() as cursor:
            for sql, params in sqls:
                cursor.execute(sql, params)
                if cursor.description:
                    cursor.fetchall()

    return run


def baseline_sql(city_ids, user_id):
    """Hand-written SQL returning what the page shows: the user's grants, counts by status,
    open/complete per county, and the first page of rows with their names."""
    ids, open_ = list(city_ids), list(OPEN)
    return [
        (
            "SELECT p.codename, u.path, u.kind FROM campaign_orgunituserpermission g "
            "JOIN auth_permission p ON p.id = g.permission_id "
            "JOIN campaign_orgunit u ON u.id = g.content_object_id WHERE g.user_id = %s",
            [user_id],
        ),
        (
            "SELECT status, count(*) FROM hazards_hazard WHERE city_id = ANY(%s) GROUP BY status",
            [ids],
        ),
        (
            "SELECT h.county_id, c.name, count(*), count(*) FILTER (WHERE h.five_complete) "
            "FROM hazards_hazard h LEFT JOIN campaign_orgunit c ON c.id = h.county_id "
            "WHERE h.city_id = ANY(%s) AND h.status = ANY(%s) GROUP BY 1, 2 ORDER BY 2",
            [ids, open_],
        ),
        (
            "SELECT h.*, s.name, s.code, c.name, k.name, kp.name FROM hazards_hazard h "
            "JOIN campaign_orgunit s ON s.id = h.school_id "
            "LEFT JOIN campaign_orgunit c ON c.id = h.county_id "
            "JOIN hazards_hazardcategory k ON k.id = h.category_id "
            "LEFT JOIN hazards_hazardcategory kp ON kp.id = k.parent_id "
            "WHERE h.city_id = ANY(%s) ORDER BY h.found_on DESC, h.id DESC LIMIT %s",
            [ids, PAGE_ROWS],
        ),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print(
            "The benchmark needs PostgreSQL: set DATABASE_URL=postgres://… (a database of its "
            f"own, e.g. …/portal_bench). This run would use {connection.vendor}; nothing done."
        )
        return 2

    def log(message):
        print(f"# {message}", flush=True)

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False
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

    figures = []  # (name, value, baseline, ratio, target, ok, note)

    # (1) The page's database work against hand-written SQL.
    sqls = page_queries(clients["city"])
    page_db = median_ms(rerun(sqls), args.runs)
    cities = list(OrgUnit.objects.filter(parent=root).values_list("pk", flat=True))
    base_db = median_ms(rerun(baseline_sql(cities, city_user.pk)), args.runs)
    figures.append(("list page SQL, city user (ms)", page_db, base_db, 1.5, f"{len(sqls)} q"))

    # (2) The whole page: city user against one county user.
    def get(client):
        return lambda: client.get(reverse("hazards:hazard_list"))

    city_ms = median_ms(get(clients["city"]), args.runs)
    county_ms = median_ms(get(clients["county"]), args.runs)
    figures.append(("list page, city vs county user (ms)", city_ms, county_ms, 2.0, ""))

    # (3) Query counts: city, county, school officer (a page of 50 rows vs a handful).
    counts = {name: len(page_queries(c)) for name, c in clients.items()}
    same = len(set(counts.values())) == 1
    figures.append(
        (
            "list page query count city/county/school",
            counts["city"],
            counts["county"],
            None if same else float("inf"),
            "/".join(str(v) for v in counts.values()),
        )
    )

    # (4) One transition (set the time limit) against a bare UPDATE + INSERT.
    services._queue_notify = lambda event_id: None  # the notice is queued after commit
    hazard = Hazard.objects.filter(county=county, status__in=OPEN).order_by("pk").first()
    step = iter(range(1, 10_000))

    def transition():
        deadline = timezone.localdate() + timezone.timedelta(days=next(step))
        services.hazard_set_deadline(hazard=hazard, actor=county_user, deadline=deadline)

    def bare():
        n = next(step)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE hazards_hazard SET deadline = %s, updated_at = now() WHERE id = %s",
                [timezone.localdate() + timezone.timedelta(days=n), hazard.pk],
            )
            cursor.execute(
                "INSERT INTO hazards_hazardevent (hazard_id, kind, actor_id, at, from_status, "
                "to_status, note, changes) VALUES (%s, 'edit', %s, now(), '', '', '', '{}')",
                [hazard.pk, county_user.pk],
            )

    runs = max(args.runs * 3, 15)
    events_before = HazardEvent.objects.filter(hazard=hazard).count()
    t_ms = median_ms(transition, runs)
    b_ms = median_ms(bare, runs)
    figures.append(("one transition vs UPDATE+INSERT (ms)", t_ms, b_ms, 3.0, ""))
    written = HazardEvent.objects.filter(hazard=hazard).count() - events_before
    log(f"{written} events written on {hazard.code} by the transitions")

    lines = [
        f"{'figure':<44} {'value':>10} {'baseline':>10} {'ratio':>7} {'target':>7}  result",
    ]
    missed = 0
    for name, value, baseline, target, note in figures:
        if name.startswith("list page query count"):
            ok = target is None
            lines.append(f"{name:<44} {note:>21} {'':>7} {'equal':>7}  {'ok' if ok else 'MISS'}")
        else:
            ratio = value / baseline if baseline else float("inf")
            ok = ratio <= target
            lines.append(
                f"{name:<44} {value:>10.1f} {baseline:>10.1f} {ratio:>6.2f}x {target:>6.1f}x  "
                f"{'ok' if ok else 'MISS'}" + (f"  ({note})" if note else "")
            )
        missed += not ok
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met on {total} hazards "
        f"(medians of {args.runs} runs)"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        write_doc(lines, summary, total, args)
    return 1 if missed else 0


def write_doc(lines, summary, total, args):
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    marker = "<!-- latest register benchmark -->"
    head = text.split(marker)[0].rstrip() if marker in text else text.rstrip()
    block = (
        f"{marker}\n## Latest run: hazard register ({timezone.now():%Y-%m-%d %H:%M} UTC, "
        f"{total} hazards, PostgreSQL {connection.pg_version // 10000})\n\n```\n"
        + "\n".join(lines)
        + f"\n{summary}\n```\n"
    )
    path.write_text((head + "\n\n" if head else "") + block, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
