"""Compiling the city weekly summary (S10): the workbook and the PDF of one city and week.

The workbook (openpyxl write-only: memory does not grow with the schools) has a summary sheet
(per county, 市直属学校 and the city: the rates and the totals of the figures its schools
submitted) and then one sheet per county (and one for 市直属学校) with every school's status,
submitted time, late / empty and figures, streamed from one ordered query. The PDF is an
official document (UI.md, core.pdf) with the summary table and the units needing attention.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from campaign.models import OrgUnit
from core import pdf
from core.text import strip_control_characters
from reporting.models import FIGURES, WeeklyReport
from reporting.weekly import periods
from reporting.weekly.rates import Rates

NAMES = [name for name, _label in FIGURES]
PROGRESS_EVERY = 500
# A PDF lists at most this many units needing attention (the workbook has them all).
PDF_LIST_MAX = 300


@dataclass
class SummaryLine(Rates):
    unit_id: int
    name: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    empty: int = 0
    county_status: str = ""
    totals: dict | None = None

    @property
    def reporting_pct(self):
        return f"{self.reporting_rate * 100:.1f}%"

    @property
    def on_time_pct(self):
        return f"{self.on_time_rate * 100:.1f}%"

    @property
    def figure_cells(self):
        return [self.totals[n] for n in NAMES]


def week_title(week):
    """``2026年第49周（11月30日—12月6日）`` (UI.md)."""
    import datetime as dt

    year, number, _weekday = week.isocalendar()
    end = week + dt.timedelta(days=6)
    return f"{year}年第{number}周（{week.month}月{week.day}日—{end.month}月{end.day}日）"


def summary_lines(city, week):
    """([county lines], 市直属学校 line, city total line): one aggregate query over the
    week's school reports of the city, plus the counties and their own reports."""
    reports = WeeklyReport.objects.filter(city=city, week=week)
    sums = {f"sum_{n}": Sum(n, filter=Q(first_submitted_at__isnull=False)) for n in NAMES}
    rows = (
        reports.filter(level=WeeklyReport.Level.SCHOOL)
        .values("review_unit_id")
        .annotate(
            expected=Count("id"),
            submitted=Count("id", filter=Q(first_submitted_at__isnull=False)),
            on_time=Count("id", filter=Q(first_submitted_at__lte=F("due_at"))),
            empty=Count("id", filter=Q(is_empty=True)),
            **sums,
        )
        .order_by()
    )
    by_unit = {row["review_unit_id"]: row for row in rows}
    county_status = dict(
        reports.filter(level=WeeklyReport.Level.COUNTY).values_list("unit_id", "status")
    )
    labels = dict(WeeklyReport.Status.choices)

    def line(unit_id, name, status=""):
        row = by_unit.get(unit_id, {})
        return SummaryLine(
            unit_id=unit_id,
            name=name,
            expected=row.get("expected", 0),
            submitted=row.get("submitted", 0),
            on_time=row.get("on_time", 0),
            empty=row.get("empty", 0),
            county_status=str(labels.get(status, "")) if status else "",
            totals={n: row.get(f"sum_{n}") or 0 for n in NAMES},
        )

    counties = OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY).order_by("path")
    lines = [
        line(c.pk, c.name, county_status.get(c.pk, ""))
        for c in counties.only("id", "name")
        if c.pk in by_unit or c.pk in county_status
    ]
    direct = line(city.pk, _("City-direct schools"))
    total = SummaryLine(unit_id=0, name=_("City total"), totals={n: 0 for n in NAMES})
    for part in [*lines, direct]:
        for attr in ("expected", "submitted", "on_time", "empty"):
            setattr(total, attr, getattr(total, attr) + getattr(part, attr))
        for n in NAMES:
            total.totals[n] += part.totals[n]
    return lines, direct, total


def _school_rows(city, week):
    """The week's school reports of the city in sheet order (each county's, then the direct
    schools'), as plain tuples streamed from one query."""
    return (
        WeeklyReport.objects.filter(city=city, week=week, level=WeeklyReport.Level.SCHOOL)
        .order_by(
            # The direct schools (reviewed by the city) last, like the summary sheet.
            Case(When(review_unit=city, then=Value(1)), default=Value(0)),
            "review_unit__path",
            "unit__path",
        )
        .values_list(
            "review_unit_id",
            "unit__code",
            "unit__name",
            "status",
            "first_submitted_at",
            "due_at",
            "is_empty",
            *NAMES,
        )
        .iterator(chunk_size=2000)
    )


def _header(sheet, texts):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _sheet_title(name, used):
    title = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "-"
    base, n = title, 2
    while title in used:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _percent(value):
    return round(value * 100, 1)


def workbook(city, week, *, report_progress=lambda p: None):
    """The summary workbook's bytes."""
    from openpyxl import Workbook

    lines, direct, total = summary_lines(city, week)
    book = Workbook(write_only=True)
    used = set()
    summary = book.create_sheet(_sheet_title(_("Summary"), used))
    figure_titles = [label for _name, label in FIGURES]
    _header(
        summary,
        [
            _("Unit"),
            _("Expected"),
            pgettext("number of reports", "Submitted"),
            _("On time"),
            _("Late"),
            _("Missing"),
            _("Submitted but empty"),
            _("Reporting rate (%)"),
            _("On-time rate (%)"),
            _("County report"),
            *figure_titles,
        ],
    )
    for line in [*lines, direct, total]:
        summary.append(
            [
                line.name,
                line.expected,
                line.submitted,
                line.on_time,
                line.late,
                line.missing,
                line.empty,
                _percent(line.reporting_rate),
                _percent(line.on_time_rate),
                line.county_status,
                *[line.totals[n] for n in NAMES],
            ]
        )
    names = {line.unit_id: line.name for line in [*lines, direct]}
    school_header = [
        _("School code"),
        _("School"),
        _("Status"),
        _("Submitted"),
        _("Late"),
        _("Submitted but empty"),
        *figure_titles,
    ]
    labels = dict(WeeklyReport.Status.choices)
    yes, no = _("yes"), _("no")
    expected = total.expected or 1
    sheet, current = None, None
    for n, row in enumerate(_school_rows(city, week), start=1):
        review_unit_id, code, name, status, first, due, empty, *figures = row
        if review_unit_id != current:
            current = review_unit_id
            sheet = book.create_sheet(_sheet_title(names.get(current, str(current)), used))
            _header(sheet, school_header)
        submitted = timezone.localtime(first).replace(tzinfo=None) if first else None
        sheet.append(
            [
                code,
                strip_control_characters(name),
                str(labels.get(status, status)) if first else _("missing"),
                submitted,
                (yes if first > due else no) if first else None,
                yes if empty else no,
                *figures,
            ]
        )
        if n % PROGRESS_EVERY == 0:
            report_progress(min(95, n * 95 // expected))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _attention(city, week, now):
    """The units needing attention for the PDF: missing after the deadline, or empty."""
    rows = (
        WeeklyReport.objects.filter(city=city, week=week)
        .filter(Q(is_empty=True) | Q(first_submitted_at__isnull=True, due_at__lt=now))
        .order_by("is_empty", "level", "unit__path")
        .values_list("unit__name", "level", "is_empty", "review_unit__name")
    )
    return list(rows[: PDF_LIST_MAX + 1])


def pdf_document(city, week, *, now=None):
    """The summary PDF's bytes (an official document, Noto CJK embedded)."""
    now = now or timezone.now()
    lines, direct, total = summary_lines(city, week)
    attention = _attention(city, week, now)
    context = {
        "issuing_office": settings.PORTAL_BUREAU or city.name,
        "doc_number": _("Weekly summary of %(city)s") % {"city": city.name},
        "title": _("Weekly report summary of %(city)s, %(week)s")
        % {"city": city.name, "week": week_title(week)},
        "issued_on_text": pdf.chinese_date(timezone.localdate(now)),
        "lines": lines,
        "direct": direct,
        "total": total,
        "figures": FIGURES,
        "names": NAMES,
        "attention": attention[:PDF_LIST_MAX],
        "attention_more": len(attention) > PDF_LIST_MAX,
        "label": periods.label(week),
    }
    return pdf.render_pdf("reporting/weekly/oversight/summary_pdf.html", context)
