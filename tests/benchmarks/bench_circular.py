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

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")
# The publication queues nothing here, but keep any message away from a real broker.
if not os.environ.get("CELERY_BROKER_URL"):
    os.environ["CELERY_FS_BROKER_DIR"] = tempfile.mkdtemp(prefix="portal-bench-circular-")

import django  # noqa: E402

django.setup()

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
    lines = [f"{'figure':<50} {'value':>9} {'baseline':>9} {'ratio':>7} {'target':>7}  result"]
    missed = 0
    for name, value, baseline, target, note in figures:
        ratio = value / baseline if baseline else float("inf")
        ok = ratio <= target
        rtext = f"{ratio:.2f}" if ok or round(ratio, 2) > target else f"{ratio:.3f}"
        lines.append(
            f"{name:<50} {value:>9.1f} {baseline:>9.1f} {rtext:>6}x {target:>6.1f}x  "
            f"{'ok' if ok else 'MISS'}" + (f"  ({note})" if note else "")
        )
        missed += not ok
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met "
        f"(medians of {args.runs} renderings, WeasyPrint, {connection.vendor})"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        write_doc(lines, summary)
    return 1 if missed else 0


def write_doc(lines, summary):
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    marker = "<!-- latest circular benchmark -->"
    end = "<!-- end circular benchmark -->"
    block = (
        f"{marker}\n## Latest run: circular PDF ({timezone.now():%Y-%m-%d %H:%M} UTC)\n\n```\n"
        + "\n".join(lines)
        + f"\n{summary}\n```\n{end}\n"
    )
    if marker in text and end in text:
        before, rest = text.split(marker, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after.lstrip("\n")
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block
    path.write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()

    def log(message):
        print(f"# {message}", flush=True)

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-bench-circular-media-")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    log(f"test database {connection.settings_dict['NAME']} created")
    try:
        from hazards import taxonomy
        from hazards.models import HazardCategory

        if not HazardCategory.objects.exists():
            taxonomy.seed(HazardCategory)
        return run(args, log)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
