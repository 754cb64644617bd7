"""The benchmarks' shared table and doc block (no database)."""

import datetime as dt
import time

from tests.benchmarks.report import Verdict, paired_median_ms, table, write_doc

NOW = dt.datetime(2026, 12, 3, 12, 29, tzinfo=dt.UTC)


def test_table_met_and_missed():
    lines, missed = table(
        [
            ("met", 27.0, 14.8, 2.0, "7 queries"),
            ("missed", 30.0, 10.0, 2.0, ""),
            ("missed, rounds to its target", 15.04, 10.0, 1.5, ""),
        ],
        width=30,
    )
    assert missed == 2
    assert lines == [
        "figure                             value  baseline   ratio  target  result",
        "met                                 27.0      14.8   1.82x    2.0x  ok  (7 queries)",
        "missed                              30.0      10.0   3.00x    2.0x  MISS",
        "missed, rounds to its target        15.0      10.0  1.504x    1.5x  MISS",
    ]


def test_table_default_width_is_50():
    (header,), missed = table([])
    assert missed == 0
    assert header == f"{'figure':<50}     value  baseline   ratio  target  result"


def test_table_width_and_verdicts():
    lines, missed = table(
        [
            ("query count", "11/11/11", None, Verdict("equal", True), ""),
            ("peak memory (MB)", 148.0, 108.3, Verdict("<300", False), "bare"),
        ],
        width=20,
    )
    assert missed == 1
    assert lines == [
        "figure                   value  baseline   ratio  target  result",
        "query count                     11/11/11           equal  ok",
        "peak memory (MB)         148.0     108.3            <300  MISS  (bare)",
    ]


def test_doc_block_replaced_in_place(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\nprose\n\n"
        "<!-- latest weekly benchmark -->\nold weekly\n<!-- end weekly benchmark -->\n\n"
        "<!-- latest circular benchmark -->\nold circular\n<!-- end circular benchmark -->\n",
        encoding="utf-8",
    )
    write_doc("weekly", "weekly oversight", ["a table"], "1 of 1 targets met", path=doc, now=NOW)
    assert doc.read_text(encoding="utf-8") == (
        "# Benchmarks\n\nprose\n\n"
        "<!-- latest weekly benchmark -->\n"
        "## Latest run: weekly oversight (2026-12-03 12:29 UTC)\n\n"
        "```\na table\n1 of 1 targets met\n```\n"
        "<!-- end weekly benchmark -->\n\n"
        "<!-- latest circular benchmark -->\nold circular\n<!-- end circular benchmark -->\n"
    )


def test_doc_block_appended_with_its_extra(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n", encoding="utf-8")
    write_doc("monthly", "monthly list", ["t"], "s", "21000 hazards, 2 cores", path=doc, now=NOW)
    assert doc.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n<!-- latest monthly benchmark -->\n"
        "## Latest run: monthly list (2026-12-03 12:29 UTC, 21000 hazards, 2 cores)\n\n"
        "```\nt\ns\n```\n<!-- end monthly benchmark -->\n"
    )


def test_doc_block_without_end_marker_ends_at_the_next_block(tmp_path):
    """The register's block had no end marker: replacing it keeps the blocks after it."""
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "<!-- latest register benchmark -->\nold register\n\n"
        "<!-- latest circular benchmark -->\ncircular\n<!-- end circular benchmark -->\n",
        encoding="utf-8",
    )
    write_doc("register", "hazard register", ["t"], "s", path=doc, now=NOW)
    text = doc.read_text(encoding="utf-8")
    assert "old register" not in text
    assert text.endswith(
        "<!-- end register benchmark -->\n\n"
        "<!-- latest circular benchmark -->\ncircular\n<!-- end circular benchmark -->\n"
    )


def test_paired_median_calls_each_in_turn_after_a_warm_up():
    calls = []

    def ours():
        calls.append("ours")
        time.sleep(0.004)

    def baseline():
        calls.append("baseline")

    mine, theirs = paired_median_ms(ours, baseline, 3)
    assert calls == ["ours", "baseline"] * 4
    assert mine >= 4 > theirs
