"""The import engine's benchmark (issue 7, item 10), run by ``make bench``; not in ``make test``.

Previewing a 20,000-row ledger through the engine (``build_preview``: the file checks,
``open_book`` with python-calamine and the formula scan, the sheet and header found, the
mapping proposed, every row skipped or converted) against reading the same file with the bare
reader library (python-calamine iterating every row, nothing else). The importer is the tests'
fake one (``tests/imports/fake.py``: the register's fields as data, a ``resolve`` that marks
each row and touches no database), so the figure is the engine's own cost and needs no
PostgreSQL; an importer's database checks are measured with their own pages.

The ledger is built once with ``tests.imports.ledgers.large_ledger`` (title and unit rows, a
cached =ROW() formula in every row, dates in eight forms a different day every few rows,
amounts in 万元, phones, a 合计 and a footer) and kept in ``var/bench/``.

Prints one line per figure (name, value, baseline, ratio, target, ok/MISS) and a summary,
writes the table to docs/benchmarks.md and exits non-zero when a target is missed. Times are
medians of interleaved runs after one warm-up each; the ratio is taken on CPU time
(``time.process_time``), which a busy shared machine disturbs far less than the wall clock
(both are printed; calamine reads on one thread, so the two agree on a quiet machine). Peak
memory is the peak resident size (VmHWM) of a fresh process that imports Django and
the engine, then previews the file once, against one that reads it bare.

    python tests/benchmarks/bench_import.py [--rows 20000] [--runs 5] [--no-doc]
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import report  # noqa: E402
from tests.benchmarks.report import Verdict  # noqa: E402

report.bootstrap()

from python_calamine import CalamineWorkbook  # noqa: E402

from core.imports.preview import build_preview  # noqa: E402
from tests.imports import ledgers  # noqa: E402
from tests.imports.fake import FakeImporter  # noqa: E402

RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 300


def ledger_path(rows):
    path = ROOT / "var" / "bench" / f"import-ledger-{rows}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(ledgers.large_ledger(rows))
        tmp.replace(path)
    return path


def bare_read(data):
    """The baseline: python-calamine iterating every row of the sheet, nothing else."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    count = 0
    for _row in workbook.get_sheet_by_index(0).iter_rows():
        count += 1
    workbook.close()
    return count


def preview(data):
    return build_preview(FakeImporter(), data, "ledger.xlsx", actor=None)


def timed(fn, data):
    wall, cpu = time.perf_counter(), time.process_time()
    fn(data)
    return time.perf_counter() - wall, time.process_time() - cpu


def peak_kb():
    """This process's peak resident size. Linux carries ``ru_maxrss`` over from the parent
    across fork and exec (a child of a 250 MB parent reports 250 MB), so read the
    high-water mark of this process's own memory, VmHWM, where there is one."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def child(kind, path):
    """Run once in this fresh process and print its peak resident size."""
    data = Path(path).read_bytes()
    result = (preview if kind == "preview" else bare_read)(data)
    rows = len(result.rows) if kind == "preview" else result
    print(json.dumps({"peak_mb": peak_kb() / 1024, "rows": rows}))


def peak_of(kind, path):
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = report.arguments(runs=5)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    log = report.log

    start = time.monotonic()
    path = ledger_path(args.rows)
    data = path.read_bytes()
    took = time.monotonic() - start
    log(f"ledger {path.relative_to(ROOT)}: {len(data) / 1e6:.1f} MB ({took:.0f}s)")

    checked = preview(data)  # warm-up, and the check that the engine read every row
    bare_rows = bare_read(data)
    counts = checked.counts()
    assert len(checked.rows) == args.rows, (len(checked.rows), args.rows)
    assert counts["ready"] == args.rows, (counts, checked.all_problems()[:5])
    assert checked.header_row == 3 and bare_rows > args.rows, (checked.header_row, bare_rows)
    log(f"{len(checked.rows)} rows previewed, all ready; skipped {checked.skipped}")

    walls, cpus = {"preview": [], "bare": []}, {"preview": [], "bare": []}
    for _ in range(args.runs):  # interleaved, so a burst of load falls on both
        for name, fn in (("bare", bare_read), ("preview", preview)):
            wall, cpu = timed(fn, data)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall = {k: statistics.median(v) * 1000 for k, v in walls.items()}
    cpu = {k: statistics.median(v) * 1000 for k, v in cpus.items()}

    peak = peak_of("preview", path)
    bare_peak = peak_of("bare", path)
    assert peak["rows"] == args.rows

    figures = [
        (
            f"preview {args.rows} rows vs bare calamine (CPU ms)",
            cpu["preview"],
            cpu["bare"],
            RATIO_TARGET,
            f"wall {wall['preview']:.0f} vs {wall['bare']:.0f} ms",
        ),
        (
            "preview peak memory, whole process (MB)",
            peak["peak_mb"],
            bare_peak["peak_mb"],
            Verdict(f"<{MEMORY_TARGET_MB}", peak["peak_mb"] < MEMORY_TARGET_MB),
            "baseline: a process reading it bare",
        ),
    ]
    lines, missed = report.table(figures)
    summary = (
        f"{len(figures) - missed} of {len(figures)} targets met on a {args.rows}-row ledger "
        f"(medians of {args.runs} interleaved runs; peak resident size of a fresh process)"
    )
    print("\n".join(lines))
    print(summary)
    if not args.no_doc:
        extra = f"{args.rows} rows, {os.cpu_count()} cores"
        report.write_doc("import", "import preview", lines, summary, extra)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
