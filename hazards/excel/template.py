"""The empty register workbook a clerk downloads and fills in."""

import io

from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.text import strip_control_characters
from hazards.excel.imports import COLUMNS, LEVEL_NAMES, MAX_ROWS, SOURCE_NAMES
from hazards.models import HazardCategory


def template_workbook(*, actor):
    """The empty register workbook (bytes): headers with code names in comments, drop-down
    lists for category, grade and source, and sheets of category and school codes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Hazards")
    categories = list(
        HazardCategory.objects.filter(is_active=True)
        .select_related("parent")
        .order_by("parent__order", "order", "code")
    )
    last = MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        note = _("Required.") if column.required else _("Optional.")
        cell.comment = Comment(f"{column.code}\n{note} {column.help}", "portal", 160, 320)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        choices = None
        if column.kind == "level":
            choices = list(LEVEL_NAMES.values())
        elif column.kind == "source":
            choices = list(SOURCE_NAMES.values())
        elif column.kind == "bool":
            choices = ["是", "否"]
        elif column.kind == "category":
            # A list longer than 255 characters must point at cells, not be inline.
            choices = f"'{_('Categories')}'!$A$2:$A${len(categories) + 1}"
        if choices is not None:
            formula = choices if isinstance(choices, str) else '"{}"'.format(",".join(choices))
            validation = DataValidation(
                type="list", formula1=formula, allow_blank=not column.required
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
        elif column.kind == "text":
            for row in range(2, 201):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    codes = workbook.create_sheet(_("Categories"))
    codes.append([_("Code"), _("Name")])
    for category in categories:
        codes.append([category.code, strip_control_characters(str(category))])
    codes.column_dimensions["A"].width = 24
    codes.column_dimensions["B"].width = 40

    schools = workbook.create_sheet(_("Schools"))
    schools.append([_("Code"), _("Name")])
    units = access.units_where(actor, Perm.REGISTER_HAZARD).filter(kind=OrgUnit.Kind.SCHOOL)
    for row, (code, name) in enumerate(
        units.order_by("path").values_list("code", "name")[:5000], start=2
    ):
        for col, value in enumerate((code, name), start=1):
            cell = schools.cell(row=row, column=col, value=strip_control_characters(value))
            cell.data_type = "s"
    schools.column_dimensions["A"].width = 22
    schools.column_dimensions["B"].width = 36
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
