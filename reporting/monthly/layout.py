"""The provincial format as data: which fields a column may show, the default format, and the
workbook written from it.

A template's column names a *field* of the fixed whitelist ``FIELDS`` (never a free query
path: the city admin chooses what, the code decides how it is read). Each field reads a few
``values_list`` paths and formats them; ``category_code`` and ``level_code`` map through the
template's code lists. The workbook is written with openpyxl write-only, rows streamed from
one ``values_list`` query that reads only the paths the columns need.
"""

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell

from core.text import CONTROL_CHARACTERS
from hazards.imports.fields import LEVEL_NAMES, SOURCE_NAMES
from hazards.models import Hazard
from reporting.models import MonthlyTemplate

CHUNK = 2000
PROGRESS_EVERY = 2000
YES, NO = "是", "否"
STATUS_NAMES = {
    Hazard.Status.REPORTED: "已登记",
    Hazard.Status.PLANNED: "已落实五落实",
    Hazard.Status.RECTIFYING: "整改中",
    Hazard.Status.AWAITING_ACCEPTANCE: "待验收",
    Hazard.Status.CLOSED: "已销号",
}


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # lazy: what the editor shows
    paths: tuple  # values_list paths it reads
    # format(values tuple, template) -> cell value
    format: object
    is_date: bool = False


def _first(values, template):
    return values[0]


def _category_code(values, template):
    item, area = values
    codes = template.category_codes
    return codes.get(item) or (codes.get(area) if area else "") or ""


def _category_name(values, template):
    item, area = values
    return f"{area} · {item}" if area else item


def _level_code(values, template):
    return template.level_codes.get(values[0], "")


def _yes_no(values, template):
    return YES if values[0] else NO


def _overdue(values, template):
    status, deadline = values
    today = timezone.localdate()
    return YES if status in Hazard.OPEN_STATUSES and deadline and deadline < today else NO


def _closed_on(values, template):
    return timezone.localtime(values[0]).date() if values[0] else None


FIELDS = {
    f.key: f
    for f in (
        Field("code", _("hazard number"), ("code",), _first),
        Field("provincial_ref", _("provincial reference number"), ("provincial_ref",), _first),
        Field("ledger_ref", _("ledger number"), ("ledger_ref",), _first),
        Field("school_code", _("school code"), ("school__code",), _first),
        Field("school_name", _("school"), ("school__name",), _first),
        Field("county_name", _("county"), ("county__name",), _first),
        Field(
            "category_code",
            _("category (provincial code)"),
            ("category__code", "category__parent__code"),
            _category_code,
        ),
        Field(
            "category_name",
            _("category"),
            ("category__name", "category__parent__name"),
            _category_name,
        ),
        Field("level_code", _("grade (provincial code)"), ("level",), _level_code),
        Field("level_name", _("grade"), ("level",), lambda v, t: LEVEL_NAMES.get(v[0], v[0])),
        Field("status_name", _("status"), ("status",), lambda v, t: STATUS_NAMES.get(v[0], v[0])),
        Field("source_name", _("source"), ("source",), lambda v, t: SOURCE_NAMES.get(v[0], v[0])),
        Field("location", _("where exactly"), ("location",), _first),
        Field("description", _("description"), ("description",), _first),
        Field("found_on", _("date found"), ("found_on",), _first, is_date=True),
        Field("deadline", _("rectification deadline"), ("deadline",), _first, is_date=True),
        Field("overdue", _("overdue"), ("status", "deadline"), _overdue),
        Field("five_complete", _("five implementations complete"), ("five_complete",), _yes_no),
        Field("responsible_unit", _("responsible unit"), ("responsible_unit",), _first),
        Field("responsible_person", _("responsible person"), ("responsible_person",), _first),
        Field("responsible_phone", _("responsible person's phone"), ("responsible_phone",), _first),
        Field("measures", _("measures"), ("measures",), _first),
        Field("funds_amount", _("funds (yuan)"), ("funds_amount",), _first),
        Field("funds_source", _("source of funds"), ("funds_source",), _first),
        Field("contingency_plan", _("contingency plan"), ("contingency_plan",), _first),
        Field("closed_on", _("closed"), ("closed_at",), _closed_on, is_date=True),
    )
}

# The built-in format (version 0), in force while a city has saved none: the columns of the
# provincial system's hazard list as the counties upload it by hand today.
DEFAULT_COLUMNS = (
    ("隐患编号", "code"),
    ("省平台编号", "provincial_ref"),
    ("学校代码", "school_code"),
    ("学校名称", "school_name"),
    ("县（市、区）", "county_name"),
    ("隐患类别代码", "category_code"),
    ("隐患类别", "category_name"),
    ("隐患等级代码", "level_code"),
    ("隐患等级", "level_name"),
    ("隐患描述", "description"),
    ("具体位置", "location"),
    ("发现日期", "found_on"),
    ("整改期限", "deadline"),
    ("整改状态", "status_name"),
    ("是否逾期", "overdue"),
    ("五落实是否到位", "five_complete"),
    ("责任人", "responsible_person"),
    ("销号日期", "closed_on"),
)
DEFAULT_LEVEL_CODES = {"general": "2", "major": "1"}


@dataclass(frozen=True)
class Layout:
    """A format ready to write: the saved template, or the default (``template`` None)."""

    columns: tuple  # ((heading, field key), …)
    category_codes: dict
    level_codes: dict
    version: int
    template: MonthlyTemplate | None = None


def default_layout():
    return Layout(
        columns=DEFAULT_COLUMNS,
        category_codes={},
        level_codes=dict(DEFAULT_LEVEL_CODES),
        version=0,
    )


def layout_of(template):
    return Layout(
        columns=tuple((c["heading"], c["field"]) for c in template.columns),
        category_codes=dict(template.category_codes),
        level_codes=dict(template.level_codes),
        version=template.version,
        template=template,
    )


def current_template(city):
    return MonthlyTemplate.objects.filter(city=city).order_by("-version").first()


def current_layout(city):
    """The city's format in force: its highest version, or the default."""
    template = current_template(city)
    return layout_of(template) if template else default_layout()


def _plan(layout):
    """(paths to read, [(field, slice of the row)] per column) with each path read once."""
    paths, index = [], {}
    columns = []
    for _heading, key in layout.columns:
        field = FIELDS[key]
        for path in field.paths:
            if path not in index:
                index[path] = len(paths)
                paths.append(path)
        columns.append((field, tuple(index[p] for p in field.paths)))
    return paths, columns


def layout_rows(layout, queryset, *, report_progress=None, total=None, ids=None):
    """A generator of the workbook's data rows (lists of cell values) in column order.

    ``ids``: a list to which each row's hazard id is appended (the upload keeps them).
    """
    paths, columns = _plan(layout)
    # A plain field is read straight from its position in the row (an int); a computed one
    # calls its formatter. At 21,000 rows × 18 columns the difference shows (bench_monthly).
    getters = [
        where[0] + 1 if field.format is _first else (field.format, tuple(i + 1 for i in where))
        for field, where in columns
    ]
    for n, row in enumerate(queryset.values_list("id", *paths).iterator(chunk_size=CHUNK), start=1):
        if ids is not None:
            ids.append(row[0])
        yield [
            row[g] if g.__class__ is int else g[0](tuple(row[i] for i in g[1]), layout)
            for g in getters
        ]
        if report_progress and total and n % PROGRESS_EVERY == 0:
            report_progress(min(95, 5 + n * 90 // total))


def _safe(sheet, value):
    """A cell value as written: no refused control character, and text never a formula."""
    if value.__class__ is str and value:
        if CONTROL_CHARACTERS.search(value):
            value = CONTROL_CHARACTERS.sub("", value)
        if value[:1] == "=":
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value


def layout_workbook(layout, queryset, *, report_progress=None, total=None, ids=None):
    """The xlsx bytes: a heading row, then one row per hazard (write-only; plain values, so
    that openpyxl reuses one cell per row; dates get its yyyy-mm-dd format by their type)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("隐患清单")
    bold = Font(bold=True)
    header = []
    for heading, _key in layout.columns:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = layout_rows(layout, queryset, report_progress=report_progress, total=total, ids=ids)
    for values in rows:
        sheet.append([_safe(sheet, v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
