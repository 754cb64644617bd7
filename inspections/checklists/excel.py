"""A checklist version as an xlsx workbook (openpyxl, write-only): one row per item, in the
columns of ``columns.SPEC``, which the import reads back unchanged; a second sheet lists the
hazard categories and their codes."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from hazards.models import HazardCategory
from inspections.checklists.columns import (
    ANSWER_NAMES,
    DEFENCE_NAMES,
    LEVEL_NAMES,
    RULE_NAMES,
    SPEC,
)
from inspections.checklists.content import version_content

SHEET = "检查表"
CATEGORY_SHEET = "隐患类别"
WIDTHS = {
    "template": 16,
    "template_name": 30,
    "section": 14,
    "section_name": 14,
    "defence": 10,
    "code": 20,
    "text": 50,
    "hint": 40,
    "answer_type": 12,
    "threshold": 8,
    "threshold_rule": 20,
    "unit_label": 8,
    "weight": 6,
    "critical": 8,
    "category": 18,
    "level": 10,
}
_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")


def _column_letter(n):
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _header(sheet):
    cells = []
    for f in SPEC.fields:
        cell = WriteOnlyCell(sheet, value=f.label)
        cell.font, cell.fill = _BOLD, _FILL
        cells.append(cell)
    return cells


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _start(book):
    sheet = book.create_sheet(SHEET)
    for n, f in enumerate(SPEC.fields, start=1):
        sheet.column_dimensions[_column_letter(n)].width = WIDTHS.get(f.code, 12)
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet))
    return sheet


def _categories(book):
    sheet = book.create_sheet(CATEGORY_SHEET)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 40
    head = []
    for label in ("隐患类别编号", "隐患类别名称"):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.fill = _BOLD, _FILL
        head.append(cell)
    sheet.append(head)
    for category in HazardCategory.objects.filter(is_active=True).select_related("parent"):
        sheet.append([category.code, str(category)])


def _bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def content_rows(template, content):
    """The workbook's rows for ``content`` (the normal shape) of ``template``."""
    for section in content:
        for item in section["items"]:
            yield [
                template.code,
                template.name,
                section["code"],
                section["name"],
                DEFENCE_NAMES.get(section["defence"], section["defence"]),
                item["code"],
                item["text"],
                item["hint"] or None,
                ANSWER_NAMES.get(item["answer_type"], item["answer_type"]),
                _number(item["threshold"]),
                RULE_NAMES.get(item["threshold_rule"], item["threshold_rule"]),
                item["unit_label"] or None,
                item["weight"],
                "是" if item["critical"] else "否",
                item["category"],
                LEVEL_NAMES.get(item["level"], item["level"]),
            ]


def export_workbook(version):
    """The xlsx bytes of ``version``."""
    book = Workbook(write_only=True)
    sheet = _start(book)
    for row in content_rows(version.template, version_content(version)):
        sheet.append(row)
    _categories(book)
    return _bytes(book)


def blank_workbook():
    """The import's template: the header, and the categories sheet."""
    book = Workbook(write_only=True)
    _start(book)
    _categories(book)
    return _bytes(book)


def export_name(version):
    return f"{version.template.code}-v{version.number}.xlsx"
