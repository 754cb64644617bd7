"""The monthly upload's benchmark (issue 9, performance item 3), run by ``make bench``.

Preparing one county's monthly list at province size (about 21,000 hazards: 2M hazards over
95 counties) through the job's handler (``services.monthly_prepare_job``: the count, the
city's format, the workbook written with openpyxl write-only from ``values_list`` with every
column's formatting, the file stored and the upload row written) against bare openpyxl
write-only writing the same rows read by the same query (the same ``values_list`` paths, the
values appended as they come, nothing stored). The script checks that both wrote the same
hazards in the same order.

Needs PostgreSQL (DATABASE_URL). Migrates, then builds its data once under the prefix BM (one
city, one county, 60 schools, the hazards; kept for the next run). Times are medians of
interleaved runs after one warm-up each; the ratio is taken on this process's CPU time
(``time.process_time``: PostgreSQL's share is the same query for both), the wall clock is
printed beside it. Prints one line per figure and a summary, writes the table to
docs/benchmarks.md (unless --no-doc) and exits non-zero when the target is missed.

    python tests/benchmarks/bench_monthly.py [--hazards 21000] [--runs 5] [--no-doc]
"""

import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# The workbooks are stored in a private folder, removed at the end.
MEDIA_TMP = Path(tempfile.mkdtemp(prefix="portal-bench-monthly-"))
os.environ["MEDIA_ROOT"] = str(MEDIA_TMP)

from tests.benchmarks import report  # noqa: E402

report.bootstrap()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from campaign.models import OrgUnit  # noqa: E402
from campaign.services import orgunit_create  # noqa: E402
from core.models import JobRun  # noqa: E402
from hazards.models import Hazard, HazardCategory  # noqa: E402
from reporting.models import MonthlyUpload  # noqa: E402
from reporting.monthly import layout, services  # noqa: E402

PREFIX = "BM"
SCHOOLS = 60
RATIO_TARGET = 1.3
FIRST_MONTH = dt.date(2026, 1, 1)


def ensure_data(hazards, log):
    county = OrgUnit.objects.filter(code=f"{PREFIX}-01").first()
    if county is not None and Hazard.objects.filter(county=county).count() == hazards:
        log(f"data present: {hazards} hazards in {county.code}")
        return county
    log(f"building {PREFIX} with {hazards} hazards…")
    Hazard.objects.filter(city__code=PREFIX).delete()
    MonthlyUpload.objects.filter(city__code=PREFIX).delete()
    JobRun.objects.filter(unit__code__startswith=PREFIX).delete()
    OrgUnit.objects.filter(code__startswith=f"{PREFIX}-").order_by("-depth").delete()
    OrgUnit.objects.filter(code=PREFIX).delete()

    def unit(kind, name, code, parent=None, **extra):
        return orgunit_create(actor=None, kind=kind, name=name, code=code, parent=parent, **extra)

    school = {
        "category": OrgUnit.Category.PRIMARY,
        "ownership": OrgUnit.Ownership.PUBLIC,
        "students": 800,
        "staff": 60,
    }

    city = unit(OrgUnit.Kind.CITY, "基准市", PREFIX)
    county = unit(OrgUnit.Kind.COUNTY, "基准县", f"{PREFIX}-01", city)
    schools = [
        unit(OrgUnit.Kind.SCHOOL, f"基准县第{n}小学", f"{PREFIX}-01-{n:04d}", county, **school)
        for n in range(1, SCHOOLS + 1)
    ]
    categories = list(HazardCategory.objects.filter(parent__isnull=False))
    rows = []
    for n in range(hazards):
        five = n % 3 != 0
        rows.append(
            Hazard(
                code=f"{PREFIX}-2026-{n + 1:06d}",
                school=schools[n % SCHOOLS],
                county=county,
                city=city,
                status=Hazard.Status.RECTIFYING if five else Hazard.Status.REPORTED,
                level=Hazard.Level.MAJOR if n % 17 == 0 else Hazard.Level.GENERAL,
                category=categories[n % len(categories)],
                source=Hazard.Source.SELF_CHECK,
                location=f"教学楼{n % 5 + 1}楼东侧走廊",
                description="消防通道堆放杂物，疏散指示标志损坏，需清理并更换。",
                found_on=FIRST_MONTH + dt.timedelta(days=n % 28),
                deadline=FIRST_MONTH + dt.timedelta(days=n % 28 + 30),
                five_complete=five,
                responsible_unit="总务处" if five else "",
                responsible_person="王主任" if five else "",
                responsible_phone="13900000000" if five else "",
                measures="清理杂物，更换标志" if five else "",
                funds_amount=1200 if five else None,
                contingency_plan="设置警示标志" if five else "",
            )
        )
    Hazard.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hazards_hazard")
    log("built")
    return county


def bare(county, month, paths):
    """The baseline: the same query, its rows appended to a write-only workbook as they are."""
    queryset = services.month_hazards(county, month)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("隐患清单")
    sheet.append([heading for heading, _key in layout.DEFAULT_COLUMNS])
    for row in queryset.values_list("id", *paths).iterator(chunk_size=layout.CHUNK):
        sheet.append(row[1:])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def first_column(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


class Prepare:
    """Each call prepares the next month of the county afresh through the job's handler."""

    def __init__(self, county):
        self.county = county
        self.month = FIRST_MONTH
        MonthlyUpload.objects.filter(county=county).delete()
        JobRun.objects.filter(unit=county, kind=services.PREPARE_JOB).delete()

    def __call__(self):
        label = services.month_label(self.month)
        run = JobRun.objects.create(
            kind=services.PREPARE_JOB, unit=self.county, period=label, state="running"
        )
        services.monthly_prepare_job(run, lambda percent: None)
        upload = MonthlyUpload.objects.get(county=self.county, month=self.month)
        self.month = (self.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return upload


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main():
    parser = report.arguments(runs=5, hazards=21_000)
    args = parser.parse_args()
    if args.runs > 10:
        parser.error("at most 10 runs (one month of the year each, after the warm-up)")
    log = report.log

    settings.REPORTING_UPLOADER = "file"  # the POST is not part of preparing
    call_command("migrate", verbosity=0)
    county = ensure_data(args.hazards, log)
    paths, _columns = layout._plan(layout.current_layout(county.parent))
    prepare = Prepare(county)

    upload = prepare()  # warm-up, and the check that both write the same rows
    with upload.file.open("rb") as handle:
        ours = first_column(handle.read())
    base = first_column(bare(county, FIRST_MONTH, paths))
    assert ours == base and len(ours) == args.hazards, (len(ours), len(base))
    log(f"{len(ours)} hazards in both workbooks, in the same order")

    walls, cpus = {"prepare": [], "bare": []}, {"prepare": [], "bare": []}
    for _ in range(args.runs):  # interleaved, so a burst of load falls on both
        for name, fn in (("bare", lambda: bare(county, FIRST_MONTH, paths)), ("prepare", prepare)):
            wall, cpu, _result = timed(fn)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall = {k: statistics.median(v) * 1000 for k, v in walls.items()}
    cpu = {k: statistics.median(v) * 1000 for k, v in cpus.items()}
    figures = [
        (
            f"monthly list of one county, {args.hazards} hazards (CPU ms)",
            cpu["prepare"],
            cpu["bare"],
            RATIO_TARGET,
            f"wall {wall['prepare']:.0f} vs {wall['bare']:.0f} ms",
        )
    ]
    lines, missed = report.table(figures, width=56)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met: the prepare job's handler "
        f"(count, format, workbook, file stored, upload row) vs bare openpyxl write-only from "
        f"the same query "
        f"(medians of {args.runs} interleaved runs)"
    )
    print("\n".join(lines))
    print(summary)
    MonthlyUpload.objects.filter(county=county).delete()
    JobRun.objects.filter(unit=county, kind=services.PREPARE_JOB).delete()
    if not args.no_doc:
        extra = f"{args.hazards} hazards, {os.cpu_count()} cores"
        report.write_doc("monthly", "monthly list", lines, summary, extra)
    return 1 if missed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        import shutil

        shutil.rmtree(MEDIA_TMP, ignore_errors=True)
