"""The empty workbook a clerk downloads and fills in, written from the importers' fields: the
same file, uploaded filled in, maps column for column."""

import io

from django.utils.translation import gettext as _

from campaign import access
from campaign.imports.columns import COLUMNS, MAX_ROWS, SCHOOLS, SEE_UNITS, USERS
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.text import strip_control_characters

# --- The downloadable template --------------------------------------------------------------


def template_workbook(*, kind, actor):
    """The empty workbook a clerk fills in, as bytes: header, drop-down lists, instructions
    and the codes of the units where ``actor`` may import (not a service: nothing is written).
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = COLUMNS[kind]
    if kind == SCHOOLS:
        units = access.units_where(actor, Perm.MANAGE_UNITS).filter(
            kind__in=[OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY]
        )
    else:
        units = access.units_where(actor, Perm.MANAGE_USERS)
    units = list(units.order_by("path").values_list("code", "name", "kind")[:MAX_ROWS])
    examples = {c.code: c.example for c in columns}
    county = next((u for u in units if u[2] == OrgUnit.Kind.COUNTY), units[0] if units else None)
    if county and kind == SCHOOLS:
        examples["parent"] = county[0]
    school = next((u for u in units if u[2] == OrgUnit.Kind.SCHOOL), None)
    if school and kind == USERS:
        examples["unit"] = school[0]  # the example row grants a school safety officer
    bold = Font(bold=True)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Schools") if kind == SCHOOLS else _("People")
    last = MAX_ROWS + 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        note = _("Required.") if column.required else _("Optional.")
        cell.comment = Comment(f"{column.code}\n{note} {_help(column)}", "portal", 160, 320)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(column.choices)),
                allow_blank=not column.required,
                showErrorMessage=True,
            )
            validation.error = _help(column)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
        elif column.as_text:
            # Text, so that Excel keeps the leading zeros of codes and phone numbers.
            for row in range(2, 1001):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(_("Instructions"))
    if kind == SCHOOLS:
        intro = _(
            "Fill in one row per school on the first sheet, below the header row. Nothing is "
            "imported if any row has a problem; the portal lists every problem with its row and "
            "column."
        )
    else:
        intro = _(
            "Fill in one row per person on the first sheet, below the header row. Nothing is "
            "imported if any row has a problem; the portal lists every problem with its row and "
            "column."
        )
    guide.append([intro])
    guide.append([])
    guide.append([_("Column"), _("Code name"), _("Required"), _("What to enter"), _("Example")])
    for cell in guide[3]:
        cell.font = bold
    for column in columns:
        guide.append(
            [
                column.header,
                column.code,
                _("yes") if column.required else _("no"),
                _help(column),
                examples[column.code],
            ]
        )
    guide.append([])
    guide.append([_("An example row:")])
    guide.append([c.header for c in columns])
    guide.append([examples[c.code] for c in columns])
    for letter, width in zip("ABCDE", (22, 20, 10, 60, 24), strict=True):
        guide.column_dimensions[letter].width = width

    codes = workbook.create_sheet(_("Unit codes"))
    codes.append([_("Code"), _("Name"), _("Kind")])
    for cell in codes[1]:
        cell.font = bold
    kinds = dict(OrgUnit.Kind.choices)
    for row, (code, name, unit_kind) in enumerate(units, start=2):
        for column, value in enumerate((code, name, str(kinds.get(unit_kind, unit_kind))), 1):
            # Always text: a unit name beginning with "=" must not become a formula.
            cell = codes.cell(row=row, column=column, value=strip_control_characters(value))
            cell.data_type = "s"
    codes.column_dimensions["A"].width = 22
    codes.column_dimensions["B"].width = 36

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _help(column):
    text = str(column.help)
    if column.code in ("parent", "unit"):
        text = f"{text} {SEE_UNITS}"
    return text
