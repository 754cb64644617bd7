"""The circular's PDF benchmark (issue 8, performance (2)), run by ``make bench``; not in
``make test``.

Renders the circulars of two finished plans, one of about 10 pages and one of about 40, the way
the publication job does (``inspections.services.circulars.circular_pdf_bytes``: the plan's
result rows read, the chart drawn by pygal, the document laid out by WeasyPrint), and prints
one line per figure (name, value, same-run baseline, ratio, target, ok/MISS) as
``bench_register.py`` does:

- the 40-page circular at ≥ 5 pages/s: its time per page against the 200 ms that 5 pages/s
  allows (target 1.0×);
- linear in the length: the 40-page circular's time per page against the 10-page one's in the
  same run (target 1.1×: within 10% of linear).

The plans are built in a test database of their own (created and dropped by the run, on
whatever DATABASE_URL names: SQLite or PostgreSQL), so the benchmark leaves no rows behind.
The table goes to docs/benchmarks.md unless ``--no-doc``; the exit status is non-zero when a
target is missed.

    python tests/benchmarks/bench_circular.py [--runs 3] [--no-doc]
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402

# The publication queues nothing here, but keep any message away from a real broker.
report.bootstrap(broker="circular")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

PAGE_BUDGET_MS = 200.0  # 5 pages/s
LINEAR_TARGET = 1.10
SHORT, LONG = 10, 40
FAILED_ITEMS = ["guards", "food-samples", "video-black", "perimeter-alarm"]


def build_tree(schools):
    """A city with four counties and ``schools`` schools, an inspector and a city staff."""
    from campaign.roles import Role
    from tests.factories import CityFactory, CountyFactory, SchoolFactory, UserFactory, grant

    city = CityFactory(name="南通市", code="BC")
    counties = [
        CountyFactory(name=name, code=f"BC-{n}", parent=city)
        for n, name in enumerate(["通州区", "如东县", "海安市", "启东市"], start=1)
    ]
    names = ["实验小学", "中心小学", "初级中学", "幼儿园", "高级中学"]
    built = [
        SchoolFactory(
            name=f"{counties[i % 4].name}第{i + 1}{names[i % len(names)]}",
            code=f"BC-S{i:04d}",
            parent=counties[i % 4],
        )
        for i in range(schools)
    ]
    inspector = grant(UserFactory(username="bench-inspector"), Role.INSPECTOR, city)
    staff = grant(UserFactory(username="bench-city"), Role.CITY_STAFF, city)
    return city, built, inspector, staff


def circular_of(city, schools, inspector, staff, version):
    from inspections.services import circulars
    from tests.inspections.circular_data import make_finished_plan

    failures = {s: FAILED_ITEMS[: 2 + i % 3] for i, s in enumerate(schools)}
    plan = make_finished_plan(
        city=city,
        inspector=inspector,
        failures=failures,
        version=version,
        title=f"督查{len(schools)}",
    )
    circular = circulars.circular_draft(plan=plan, actor=staff)
    circular.doc_number = "通教安督〔2019〕3号"
    circular.issued_on = timezone.localdate()
    return circular


def render(circular):
    """(bytes, pages) as the publication job makes them."""
    from inspections.services import circulars

    return circulars.circular_pdf(circular)


def page_count(rendered):
    return rendered[1]


def timed(circular, runs):
    render(circular)  # warm-up: fonts, templates
    times, pages = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render(circular)
        times.append((time.perf_counter() - start) * 1000)
        pages = page_count(pdf)
    return statistics.median(times), pages


def schools_for(pages, base_pages, per_school):
    return max(1, round((pages - base_pages) / per_school))


def run(args, log):
    from inspections.services import circulars  # noqa: F401 - registers the job kind
    from tests.inspections.circular_data import make_checklist

    city, schools, inspector, staff = build_tree(400)
    version = make_checklist(city)
    # Calibrate: how many pages a school's findings take, from a 1-school and a 30-school plan.
    one = page_count(render(circular_of(city, schools[:1], inspector, staff, version)))
    thirty = page_count(render(circular_of(city, schools[1:31], inspector, staff, version)))
    per_school = max((thirty - one) / 30, 0.01)
    log(f"calibration: 1 school {one} pages, 30 schools {thirty} pages")
    used = 31
    sized = {}
    for target in (SHORT, LONG):
        count = schools_for(target, one, per_school)
        for _attempt in range(3):
            if used + count > len(schools):
                raise RuntimeError("not enough schools for the circular")
            circular = circular_of(city, schools[used : used + count], inspector, staff, version)
            used += count
            pages = page_count(render(circular))
            if abs(pages - target) <= max(1, target // 20):
                break
            count = max(1, round(count * (target - one) / max(pages - one, 1)))
        sized[target] = circular
        log(f"{target}-page circular: {count} schools, {pages} pages")
    short_ms, short_pages = timed(sized[SHORT], args.runs)
    long_ms, long_pages = timed(sized[LONG], args.runs)
    log(
        f"{short_pages} pages in {short_ms:.0f} ms, {long_pages} pages in {long_ms:.0f} ms "
        f"({long_pages / (long_ms / 1000):.1f} pages/s)"
    )
    short_per_page = short_ms / short_pages
    long_per_page = long_ms / long_pages
    figures = [
        (
            f"circular PDF, {long_pages} pages: ms a page",
            long_per_page,
            PAGE_BUDGET_MS,
            1.0,
            f"{long_pages / (long_ms / 1000):.1f} pages/s vs 5",
        ),
        (
            f"{long_pages} vs {short_pages} pages: ms a page",
            long_per_page,
            short_per_page,
            LINEAR_TARGET,
            f"{long_ms:.0f} ms vs {short_ms:.0f} ms",
        ),
    ]
    lines, missed = report.table(figures)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met "
        f"(medians of {args.runs} renderings, WeasyPrint, {connection.vendor})"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        report.write_doc("circular", "circular PDF", lines, summary)
    return 1 if missed else 0


def main():
    args = report.arguments(runs=3).parse_args()
    log = report.log
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-bench-circular-media-")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    try:
        with report.test_database():
            from hazards import taxonomy
            from hazards.models import HazardCategory

            if not HazardCategory.objects.exists():
                taxonomy.seed(HazardCategory)
            return run(args, log)
    finally:
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
