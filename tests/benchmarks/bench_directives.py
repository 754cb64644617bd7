"""The directive progress benchmark (issue 10, S2), run by ``make bench``; not in ``make test``.

Needs PostgreSQL (DATABASE_URL); runs in a test database of its own. Builds with
``seed_scale`` one city of 95 county-level units and 15,600 schools (prefix DR) and one of 5
counties and 100 schools (prefix DS). In each, the city issues one directive to all its
counties and city-direct schools (``directive_issue``) and every county passes it on to all
its schools (child directives and their receipts written in bulk, as ``directive_pass_on``
would leave them); most receipts are confirmed, some late, the rest not yet.

Figures (medians of paired runs, ``report.paired_median_ms``):

- the progress page of the 15,600-school directive as the city user (its first page: the
  states' counts, 50 county rows with their schools' confirmed / total, the cascade's totals):
  the SQL the page ran, run again, against hand-written SQL for the same counts and rows
  (target 1.5×). What the page does besides (the session, the signed-in user) is left out of
  both sides. Both sides' numbers are checked to agree.
- the same page filtered to the units not yet confirmed, the same comparison;
- the page's query count for 100 and for 15,600 schools: the same (a verdict, not a ratio).

The table goes to docs/benchmarks.md unless ``--no-doc``; the exit status is non-zero when a
target is missed.

    python tests/benchmarks/bench_directives.py [--runs 7] [--schools 15600] [--no-doc]
"""

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402
from tests.benchmarks.report import paired_median_ms, rerun  # noqa: E402

report.bootstrap(broker="directives")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

PAGE_TARGET = 1.5


# --- Data ------------------------------------------------------------------------------------


def _city_user(city):
    from campaign import services
    from campaign.models import Role, RoleGrant
    from tests.factories import UserFactory

    grant = RoleGrant.objects.filter(role=Role.CITY_STAFF, unit=city).select_related("user").first()
    if grant:
        return grant.user
    user = UserFactory(username=f"bench-city-{city.code.lower()}")
    services.role_grant(user=user, role=Role.CITY_STAFF, unit=city, actor=None)
    return user


def build_directive(prefix, counties, schools, log):
    """(the city user, the directive of the city to its counties, passed on to every school)."""
    from django.utils import timezone

    from campaign.demo.scale import seed_scale
    from campaign.directives import services
    from campaign.models import Directive, DirectiveReceipt, OrgUnit

    start = time.monotonic()
    seed_scale(prefix=prefix, cities=1, counties=counties, schools=schools, users=50)
    city = OrgUnit.objects.get(kind=OrgUnit.Kind.CITY, path__startswith=f"/{_root_id(prefix)}/")
    user = _city_user(city)
    directive = services.directive_issue(
        issuer=city,
        title="召开专题研究会议",
        text="请各县（市、区）及所属学校于周一召开专题研究会议并上传会议纪要。",
        done_when="召开专题研究会议并上传会议纪要",
        deadline=timezone.localdate() + dt.timedelta(days=3),
        # Its counties, which pass it on, and its city-direct schools: every school.
        receivers=services.receivers_for(city, "counties")
        + list(OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.SCHOOL)),
        actor=user,
    )
    now = timezone.now()
    county_receipts = list(
        DirectiveReceipt.objects.filter(
            directive=directive, unit__kind=OrgUnit.Kind.COUNTY
        ).select_related("unit")
    )
    children = Directive.objects.bulk_create(
        [
            Directive(
                issuer=r.unit,
                title=directive.title,
                text=directive.text,
                done_when=directive.done_when,
                deadline=directive.deadline,
                parent=directive,
                root=directive,
                source_receipt=r,
                issued_at=now,
            )
            for r in county_receipts
        ]
    )
    by_county = {c.issuer_id: c for c in children}
    rows = [
        DirectiveReceipt(directive=by_county[parent_id], unit_id=school_id)
        for school_id, parent_id in OrgUnit.objects.filter(
            kind=OrgUnit.Kind.SCHOOL, parent_id__in=list(by_county)
        ).values_list("pk", "parent_id")
    ]
    DirectiveReceipt.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        # Most confirmed in time, one in eight late, one in five not yet.
        cursor.execute(
            "UPDATE campaign_directivereceipt SET state = CASE WHEN id %% 8 = 1 THEN 'late' "
            "ELSE 'on_time' END, confirmed_at = now(), done_on = current_date, note = '已召开' "
            "WHERE id %% 5 <> 0 AND directive_id IN (SELECT id FROM campaign_directive "
            "WHERE id = %s OR parent_id = %s)",
            [directive.pk, directive.pk],
        )
        cursor.execute("ANALYZE campaign_directivereceipt")
        cursor.execute("ANALYZE campaign_directive")
    direct = directive.receipts.count() - len(county_receipts)
    log(
        f"{prefix}: {len(county_receipts)} counties passing it on to {len(rows):,} schools, "
        f"{direct} city-direct schools, in {time.monotonic() - start:.0f}s"
    )
    return user, directive, len(rows) + direct


def _root_id(prefix):
    from campaign.models import OrgUnit

    return OrgUnit.objects.get(code=prefix, parent__isnull=True).pk


# --- The page and its baseline ---------------------------------------------------------------


def page(client, directive, query=None):
    """(the page's SQL as run, its numbers) for the progress page."""
    setup_test_environment()
    try:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(directive.get_absolute_url(), query or {})
        assert response.status_code == 200, response.status_code
        numbers = numbers_of(response.context)
    finally:
        teardown_test_environment()
    sqls = [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" not in q["sql"]
        and 'FROM "campaign_user"' not in q["sql"]
        and "SAVEPOINT" not in q["sql"]
        and q["sql"] not in ("BEGIN", "COMMIT")  # around the session's save
    ]
    return sqls, numbers, len(ctx.captured_queries)


def numbers_of(context):
    summary = context["summary"]
    totals = context["cascade_totals"]
    rows = [
        (r.unit.code, r.state, r.cascade and (r.cascade["total"], r.cascade["on_time"],
                                              r.cascade["late"]))
        for r in context["page"]
    ]  # fmt: skip
    return (
        (summary["total"], summary["on_time"], summary["late"], summary["pending"]),
        (totals["total"], totals["on_time"], totals["late"]),
        rows,
    )


GRANTS = (
    "SELECT p.codename, u.path, u.kind FROM campaign_orgunituserpermission g "
    "JOIN auth_permission p ON p.id = g.permission_id "
    "JOIN campaign_orgunit u ON u.id = g.content_object_id WHERE g.user_id = %s AND u.is_active"
)
DIRECTIVE = (
    "SELECT d.id, d.title, d.text, d.done_when, d.deadline, d.issued_at, i.name, i.path "
    "FROM campaign_directive d JOIN campaign_orgunit i ON i.id = d.issuer_id "
    "LEFT JOIN campaign_directive p ON p.id = d.parent_id WHERE d.id = %s"
)
STATES = (
    "SELECT count(*), count(*) FILTER (WHERE state = 'on_time'), "
    "count(*) FILTER (WHERE state = 'late'), count(*) FILTER (WHERE state = 'pending') "
    "FROM campaign_directivereceipt WHERE directive_id = %s"
)
ROWS = (
    "SELECT r.id, r.state, r.done_on, r.note, r.confirmed_at, r.reminded_at, u.code, u.name, "
    "c.id, r.file, r.original_name, p.full_name, m.title, m.held_on "
    "FROM campaign_directivereceipt r JOIN campaign_orgunit u ON u.id = r.unit_id "
    "LEFT JOIN campaign_directive c ON c.source_receipt_id = r.id "
    "LEFT JOIN campaign_user p ON p.id = r.confirmed_by_id "
    "LEFT JOIN campaign_meeting m ON m.id = r.meeting_id "
    "WHERE r.directive_id = %s {state} ORDER BY u.path LIMIT 50"
)
CASCADE = (
    "SELECT c.source_receipt_id, count(*), count(*) FILTER (WHERE r.state = 'on_time'), "
    "count(*) FILTER (WHERE r.state = 'late') FROM campaign_directivereceipt r "
    "JOIN campaign_directive c ON c.id = r.directive_id WHERE c.source_receipt_id = ANY(%s) "
    "GROUP BY c.source_receipt_id"
)
TOTALS = (
    "SELECT count(*), count(*) FILTER (WHERE r.state = 'on_time'), "
    "count(*) FILTER (WHERE r.state = 'late') FROM campaign_directivereceipt r "
    "JOIN campaign_directive c ON c.id = r.directive_id WHERE c.parent_id = %s"
)
ATTACHMENTS = "SELECT id, original_name FROM campaign_directiveattachment WHERE directive_id = %s"


def baseline(user, directive, state=None):
    """The same numbers and rows in hand-written SQL; returns them as ``numbers_of`` does."""

    # The scope check (the issuer under the user's grants) is made on the grants read first,
    # as the page does.
    def run():
        with connection.cursor() as c:
            c.execute(GRANTS, [user.pk])
            c.fetchall()
            c.execute(DIRECTIVE, [directive.pk])
            c.fetchall()
            c.execute(STATES, [directive.pk])
            states = c.fetchone()
            extra, params = ("AND r.state = %s", [state]) if state else ("", [])
            c.execute(ROWS.format(state=extra), [directive.pk, *params])
            rows = c.fetchall()
            c.execute(CASCADE, [[r[0] for r in rows if r[8]]])
            cascade = {row[0]: row[1:] for row in c.fetchall()}
            c.execute(TOTALS, [directive.pk])
            totals = c.fetchone()
            c.execute(ATTACHMENTS, [directive.pk])
            c.fetchall()
        return (
            tuple(states),
            tuple(totals),
            [(r[6], r[1], cascade.get(r[0])) for r in rows],
        )

    return run


def run(args, log):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    big_user, big, big_schools = build_directive("DR", 95, args.schools, log)
    small_user, small, small_schools = build_directive("DS", 5, 100, log)
    figures = []
    counts = {}
    for user, directive, schools in (
        (small_user, small, small_schools),
        (big_user, big, big_schools),
    ):
        client = Client()
        client.force_login(user)
        page(client, directive)  # warm-up
        _sqls, _numbers, count = page(client, directive)
        counts[schools] = count
    client = Client()
    client.force_login(big_user)
    for label, state in (("first page", None), ("not yet confirmed", "pending")):
        query = {"state": state} if state else None
        sqls, numbers, _count = page(client, big, query)
        hand = baseline(big_user, big, state)
        expected = hand()
        assert numbers[0] == expected[0], (numbers[0], expected[0])
        assert numbers[1] == expected[1], (numbers[1], expected[1])
        assert numbers[2] == expected[2], (numbers[2][:3], expected[2][:3])
        ours, base = paired_median_ms(rerun(sqls), hand, args.runs)
        figures.append(
            (
                f"directive progress, {big_schools:,} schools, {label}: ms",
                ours,
                base,
                PAGE_TARGET,
                f"{len(sqls)} queries against hand-written SQL",
            )
        )
    same = len(set(counts.values())) == 1
    figures.append(
        (
            f"progress page queries, {small_schools} → {big_schools:,} schools",
            " → ".join(str(counts[k]) for k in sorted(counts)),
            None,
            report.Verdict("same", same),
            "",
        )
    )
    lines, missed = report.table(figures, width=55)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met "
        f"(medians of {args.runs} paired runs, {connection.vendor})"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        report.write_doc("directives", "directive progress", lines, summary)
    return 1 if missed else 0


def main():
    parser = report.arguments(runs=7)
    parser.add_argument("--schools", type=int, default=15600)
    args = parser.parse_args()
    if not report.needs_postgresql("bench_directives"):
        return 2
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-bench-directives-media-")
    with report.test_database():
        return run(args, report.log)


if __name__ == "__main__":
    sys.exit(main())
