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
- the largest city alone, the same comparison;
- the largest city's briefing as a PDF of about 40 pages (``services.briefing_pdf``, as the
  publication job renders it: the sections' tables, the county chart drawn by pygal, the
  chosen experience items with their text and photos, laid out by WeasyPrint) at ≥ 5 pages/s:
  its time per page against the 200 ms that 5 pages/s allows (target 1.0×), as
  ``bench_circular.py`` reports it;
- linear in the length: that PDF's time per page against a 10-page one's in the same run
  (target 1.1×, bench_circular's rule: within 10% of linear).

The two PDF briefings are drafted for the largest city through the services, as the city
staff would (``briefing_draft``, then ``briefing_update`` choosing experience items that its
counties submitted with ``item_submit``, every section given a text); their number of items is
calibrated to the page counts. They, their users and items are made in a transaction rolled
back at the end (the photos go to a temporary MEDIA_ROOT), so the kept data does not grow.

The table goes to docs/benchmarks.md unless ``--no-doc``; the exit status is non-zero when a
target is missed.

    python tests/benchmarks/bench_briefing.py [--hazards 300000] [--runs 5] [--pdf-runs 3]
        [--no-doc]
"""

import datetime as dt
import io
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402
from tests.benchmarks.report import median_ms  # noqa: E402

report.bootstrap(broker="briefing")

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

PREFIX = "JB"
WEEKS = 6
TARGET = 1.5
PAGE_BUDGET_MS = 200.0  # 5 pages/s
LINEAR_TARGET = 1.10
SHORT, LONG = 10, 40


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


# --- The briefing as a PDF -------------------------------------------------------------------

ITEM_TITLES = [
    "坚持每日安全晨检，隐患发现在早",
    "区校联动，隐患整改限时销号",
    "建立校园周边安全联防机制",
    "食堂食品安全全过程可追溯",
    "消防设施月检月报，责任到人",
    "校车安全管理“一车一档”",
    "心理健康排查与家校协同",
]
ITEM_SENTENCES = [
    "按照专项整治工作部署，我们成立了由主要负责同志任组长的工作专班，明确分管领导和责任科室，"
    "把隐患排查整治纳入年度目标考核，做到有方案、有台账、有督查、有通报。",
    "每天早晨由值班行政带队巡查校园，重点查看教学楼楼道、实验室、配电房和食堂操作间，"
    "发现问题当场拍照登记，能立即整改的当天整改，不能立即整改的落实临时管控措施。",
    "对排查出的隐患实行清单化管理，逐项明确整改责任人、整改措施、整改资金、整改时限和应急预案，"
    "整改完成后由学校自查、区县复核，确保五落实到位、闭环销号。",
    "针对重大隐患，区教育局实行挂牌督办，分管领导每周听取一次整改进展汇报，"
    "逾期未完成的约谈学校负责人，并在全区通报。",
    "我们与公安、消防、市场监管等部门建立联席会议制度，每月开展一次联合检查，"
    "对校园周边的流动摊点、交通秩序和网吧等场所集中整治，形成齐抓共管的工作格局。",
    "学校组织师生开展消防疏散演练和防溺水、防欺凌专题教育，邀请专业人员现场讲解，"
    "演练结束后及时复盘，修订完善应急预案，切实提升师生的应急处置能力。",
    "下一步，我们将进一步压实各方责任，坚持问题导向，建立长效机制，"
    "推动隐患排查整治常态化、制度化，为师生创造安全稳定的学习生活环境。",
]
SECTION_TEXT = (
    "各地按照专项整治工作部署，全面开展隐患排查，整改工作有序推进。\n"
    "请各地对照本期通报的情况，查找差距，抓好落实，对逾期未整改的隐患挂牌督办。"
)


def _photo(index):
    """A JPEG of a phone photo's proportions (a gradient with shapes, not a flat colour)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    width, height = 1200, 800
    image = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ),
    )
    draw = ImageDraw.Draw(image)
    for n in range(12):
        x, y = (index * 97 + n * 131) % width, (index * 53 + n * 71) % height
        draw.rectangle((x, y, x + 160, y + 90), fill=((n * 40) % 256, 120, (index * 30) % 256))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"photo-{index}.jpg", buffer.getvalue(), content_type="image/jpeg")


class IssueMaker:
    """Drafts briefings of ``city`` carrying a given number of experience items, through the
    services: the city staff drafts and edits, the counties' staff submit the items (about
    1,300 characters in six paragraphs, one or two photos each)."""

    def __init__(self, city):
        from campaign.models import OrgUnit
        from campaign.roles import Role
        from tests.factories import UserFactory, grant

        self.city = city
        self.staff = grant(UserFactory(username="jb-bench-briefing-city"), Role.CITY_STAFF, city)
        counties = OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY).order_by("code")
        self.submitters = [
            (
                county,
                grant(UserFactory(username=f"jb-bench-briefing-{n}"), Role.COUNTY_STAFF, county),
            )
            for n, county in enumerate(counties)
        ]
        self.made = 0

    def item(self):
        from reporting.briefings import items

        n = self.made
        self.made += 1
        unit, actor = self.submitters[n % len(self.submitters)]
        paragraphs = [ITEM_SENTENCES[(n + k) % len(ITEM_SENTENCES)] * 2 for k in range(6)]
        return items.item_submit(
            unit=unit,
            actor=actor,
            title=f"{ITEM_TITLES[n % len(ITEM_TITLES)]}（{n + 1}）",
            text="\n".join(paragraphs),
            photos=[_photo(n * 2 + k) for k in range(1 + n % 2)],
        )

    def briefing(self, items):
        from reporting.briefings import services

        briefing = services.briefing_draft(city=self.city, actor=self.staff)
        chosen = [self.item() for _ in range(items)]
        return services.briefing_update(
            briefing=briefing,
            actor=self.staff,
            title="校园安全专项整治工作简报",
            texts={key: SECTION_TEXT for key in briefing.snapshot},
            included=list(briefing.snapshot),
            item_ids=[item.pk for item in chosen],
        )


def render(briefing):
    """(bytes, pages) as the publication job makes them."""
    from reporting.briefings import services

    return services.briefing_pdf(briefing, number=7)


def sized_briefings(maker, log):
    """{SHORT: briefing, LONG: briefing} of about those page counts, and their pages."""
    bare = render(maker.briefing(0))[1]
    ten = render(maker.briefing(10))[1]
    per_item = max((ten - bare) / 10, 0.01)
    log(f"calibration: no item {bare} pages, 10 items {ten} pages ({per_item:.2f} a item)")
    sized, pages_of = {}, {}
    for target in (SHORT, LONG):
        count = max(1, round((target - bare) / per_item))
        for _attempt in range(3):
            briefing = maker.briefing(count)
            pages = render(briefing)[1]
            if abs(pages - target) <= max(1, target // 20):
                break
            count = max(1, round(count * (target - bare) / max(pages - bare, 1)))
        sized[target], pages_of[target] = briefing, pages
        log(f"{target}-page briefing: {briefing.items.count()} experience items, {pages} pages")
    return sized, pages_of


def pdf_figures(city, runs, log):
    """The two PDF figures (pages/s of the 40-page briefing, and its linearity), made in a
    transaction rolled back at the end."""
    # WeasyPrint logs every page it lays out (INFO): keep the table readable.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    media = tempfile.mkdtemp(prefix="portal-bench-briefing-media-")
    old_media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, media
    try:
        with transaction.atomic():
            sized, pages = sized_briefings(IssueMaker(city), log)
            short_ms = median_ms(lambda: render(sized[SHORT]), runs)
            long_ms = median_ms(lambda: render(sized[LONG]), runs)
            transaction.set_rollback(True)
    finally:
        settings.MEDIA_ROOT = old_media
        shutil.rmtree(media, ignore_errors=True)
    short_pages, long_pages = pages[SHORT], pages[LONG]
    rate = long_pages / (long_ms / 1000)
    log(
        f"{short_pages} pages in {short_ms:.0f} ms, {long_pages} pages in {long_ms:.0f} ms "
        f"({rate:.1f} pages/s)"
    )
    short_per_page = short_ms / short_pages
    long_per_page = long_ms / long_pages
    return [
        (
            f"briefing PDF, {long_pages} pages: ms a page",
            long_per_page,
            PAGE_BUDGET_MS,
            1.0,
            f"{rate:.1f} pages/s vs 5",
        ),
        (
            f"briefing PDF {long_pages} vs {short_pages} pages: ms a page",
            long_per_page,
            short_per_page,
            LINEAR_TARGET,
            f"{long_ms:.0f} ms vs {short_ms:.0f} ms",
        ),
    ]


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
    figures.extend(pdf_figures(largest, args.pdf_runs, log))
    lines, missed = report.table(figures)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met "
        f"(medians of {args.runs} runs, of {args.pdf_runs} renderings for the PDF, WeasyPrint, "
        f"{connection.vendor})"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        report.write_doc("briefing", "briefing drafting", lines, summary)
    return 1 if missed else 0


def main():
    parser = report.arguments(runs=5, hazards=300_000)
    parser.add_argument("--pdf-runs", type=int, default=3)
    args = parser.parse_args()
    if not report.needs_postgresql("bench_briefing"):
        return 2
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", "--noinput", verbosity=0)
    return run(args, report.log)


if __name__ == "__main__":
    sys.exit(main())
