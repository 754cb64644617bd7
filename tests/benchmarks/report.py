"""What the benchmark scripts share: starting Django, their common arguments, the timing loop,
the result table and the script's block of docs/benchmarks.md.

A script puts the project on ``sys.path`` and calls ``bootstrap()`` before anything imports a
model::

    ROOT = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks import report  # noqa: E402

    report.bootstrap(broker="circular")

The table and the doc block need neither Django nor a database (``test_report.py``).
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
HEADER = "figure", "value", "baseline", "ratio", "target"


# --- Starting up -----------------------------------------------------------------------------


def bootstrap(broker=None):
    """Set the settings module and DEBUG (unless set), then ``django.setup()``.

    With ``broker`` (a name for the folder) and no CELERY_BROKER_URL, whatever the run queues
    goes to the embedded filesystem broker in a private temporary folder (settings read
    CELERY_FS_BROKER_DIR when Django starts): that folder is returned, for the script to remove
    if it likes; otherwise None."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "true")
    folder = None
    if broker and not os.environ.get("CELERY_BROKER_URL"):
        folder = Path(tempfile.mkdtemp(prefix=f"portal-bench-{broker}-"))
        os.environ["CELERY_FS_BROKER_DIR"] = str(folder)
    import django

    django.setup()
    return folder


def arguments(*, runs, hazards=None):
    """The parser every script starts from: ``--hazards`` (when the script builds hazards),
    ``--runs`` and ``--no-doc``; the script adds its own and calls ``parse_args``."""
    parser = argparse.ArgumentParser()
    if hazards is not None:
        parser.add_argument("--hazards", type=int, default=hazards)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--no-doc", action="store_true")
    return parser


def log(message):
    print(f"# {message}", flush=True)


def needs_postgresql(script):
    """True when the database is PostgreSQL; else says so on stderr (the caller returns 2)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return True
    print(
        f"{script} needs PostgreSQL: set DATABASE_URL=postgres://… (a database of its own, "
        f"e.g. …/portal_bench). This run would use {connection.vendor}; nothing done.",
        file=sys.stderr,
    )
    return False


@contextmanager
def test_database():
    """A test database of the run's own on whatever DATABASE_URL names, dropped at the end."""
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    log(f"test database {connection.settings_dict['NAME']} created")
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def private_queue(name):
    """Send the run's tasks to a queue of its own (no worker of another database takes them);
    returns the queue's name for ``broker_cleanup``."""
    from portal.celery import app

    queue = f"bench-{name}-{os.getpid()}"
    app.conf.task_default_queue = queue
    return queue


def broker_cleanup(queue, folder):
    """Empty and delete the run's queue, then remove its broker folder (if it had one)."""
    import shutil

    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            channel = conn.default_channel
            dropped = channel.queue_purge(queue) or 0
            channel.queue_delete(queue)
        log(f"removed {dropped} queued messages and the queue {queue}")
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


# --- Measuring -------------------------------------------------------------------------------


def median_ms(fn, runs):
    """The median of ``runs`` calls in milliseconds, after one warm-up call."""
    fn()  # warm-up: caches, plans, fonts, the broker connection
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def paired_median_ms(ours, baseline, runs):
    """(median of ``ours``, median of ``baseline``) in milliseconds, the two called in turn
    ``runs`` times each after one warm-up call of each: on a busy machine a burst of load then
    falls on both, which keeps a ratio of millisecond figures steady."""
    ours()
    baseline()
    times = ([], [])
    for _ in range(runs):
        for fn, kept in zip((ours, baseline), times, strict=True):
            start = time.perf_counter()
            fn()
            kept.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def rerun(sqls):
    """A function running the SQL a page ran (parameters inlined), fetching every row."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql in sqls:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return run


def median_ms_prepared(fn, runs, before=None, after=None):
    """Like ``median_ms``, with ``before()`` called ahead of every call (the warm-up's too)
    and ``after()`` after it, both outside the timing: to reset the data a call changes, and
    to check what it did."""
    times = []
    for run in range(runs + 1):  # the first is the warm-up
        if before:
            before()
        start = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - start) * 1000
        if after:
            after()
        if run:
            times.append(elapsed)
    return statistics.median(times)


# --- The table -------------------------------------------------------------------------------


class Verdict(NamedTuple):
    """A figure's target when it is not a ratio: the text shown in the target column and
    whether it was met. The ratio column stays empty; a value given as text fills the value and
    baseline columns."""

    text: str
    ok: bool


def table(figures, width=50):
    """(lines, missed) for ``figures``, each ``(name, value, baseline, target, note)``.

    A number as target is met when value / baseline is at most the target; the ratio is shown
    to two decimals, or three when a miss would otherwise show as the target itself (1.503x
    against 1.5x). A ``Verdict`` as target is shown and counted as it says."""
    name, value, baseline, ratio, target = HEADER
    lines = [f"{name:<{width}} {value:>9} {baseline:>9} {ratio:>7} {target:>7}  result"]
    missed = 0
    for name, value, baseline, target, note in figures:
        if isinstance(target, Verdict):
            ok = target.ok
            shown = f"{value:>19}" if isinstance(value, str) else f"{value:>9.1f} {baseline:>9.1f}"
            row = f"{name:<{width}} {shown} {'':>7} {target.text:>7}"
        else:
            ratio = value / baseline if baseline else float("inf")
            ok = ratio <= target
            rtext = f"{ratio:.2f}" if ok or round(ratio, 2) > target else f"{ratio:.3f}"
            row = f"{name:<{width}} {value:>9.1f} {baseline:>9.1f} {rtext:>6}x {target:>6.1f}x"
        lines.append(f"{row}  {'ok' if ok else 'MISS'}" + (f"  ({note})" if note else ""))
        missed += not ok
    return lines, missed


# --- docs/benchmarks.md ----------------------------------------------------------------------

LATEST = "<!-- latest "


def markers(key):
    return f"<!-- latest {key} benchmark -->", f"<!-- end {key} benchmark -->"


def doc_block(key, title, lines, summary, extra="", now=None):
    """The script's block: its markers, a heading with the time (UTC) and ``extra`` (the data's
    size, the cores…), the table and the summary."""
    start, end = markers(key)
    now = now or dt.datetime.now(dt.UTC)
    heading = f"{now:%Y-%m-%d %H:%M} UTC" + (f", {extra}" if extra else "")
    return (
        f"{start}\n## Latest run: {title} ({heading})\n\n```\n"
        + "\n".join(lines)
        + f"\n{summary}\n```\n{end}\n"
    )


def write_doc(key, title, lines, summary, extra="", path=DOC, now=None):
    """Replace the script's block of ``path`` between its markers, or add it at the end.

    Only that block changes. A block without its end marker (written before the scripts shared
    this: the register's had none, the import's and the inspections' had others) ends where the
    next benchmark's block starts, or at the end of the file."""
    path = Path(path)
    block = doc_block(key, title, lines, summary, extra, now)
    start, end = markers(key)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text:
        before, rest = text.split(start, 1)
        if end in rest:
            after = rest.split(end, 1)[1]
        else:
            at = rest.find(LATEST)
            after = rest[at:] if at >= 0 else ""
    else:
        before, after = text, ""
    before = before.rstrip() + "\n\n" if before.strip() else ""
    after = "\n" + after.lstrip() if after.strip() else ""
    path.write_text(before + block + after, encoding="utf-8")
