"""The error workbook: the user's own file with each problem cell marked, to fix in Excel.

The clerk's sheet keeps its layout (titles, merged cells, widths); each cell with a problem
gets a light-red fill and one comment listing its problems, a whole-row problem goes on the
row's first cell, and a sheet 问题清单 at the end lists every problem in order.
"""

import io
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

PROBLEM_FILL = PatternFill("solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
LIST_SHEET = "问题清单"
AUTHOR = "campaign portal"


def _top_left(sheet, cell):
    """A merged cell's comment and fill go on its range's top-left cell, the one Excel shows."""
    if not isinstance(cell, MergedCell):
        return cell
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return sheet.cell(merged.min_row, merged.min_col)
    return cell


def error_workbook(data, sheet, problems):
    """The .xlsx bytes. A file openpyxl cannot open (the problems then say why) gets a new
    workbook with the problem list alone."""
    try:
        workbook = load_workbook(io.BytesIO(data), keep_vba=False)
    except Exception:  # openpyxl raises many types for a file that is no workbook
        workbook = Workbook()
        workbook.remove(workbook.active)
        _problem_list(workbook, problems)
        return _save(workbook)
    target = workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
    on_cell = defaultdict(list)
    for problem in problems:
        if problem.row > 0:
            on_cell[(problem.row, problem.column or 0)].append(problem.message)
    for (row, column), messages in on_cell.items():
        cell = _top_left(target, target.cell(row=row, column=column + 1))
        cell.fill = PROBLEM_FILL
        text = "\n".join(dict.fromkeys(messages))
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 300, 40 + 20 * text.count("\n") + len(text) // 2
        cell.comment = comment
    _problem_list(workbook, problems)
    return _save(workbook)


def _save(workbook):
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _problem_list(workbook, problems):
    if LIST_SHEET in workbook.sheetnames:
        del workbook[LIST_SHEET]
    sheet = workbook.create_sheet(LIST_SHEET)
    sheet.append([_("Row"), _("Column"), _("Heading"), _("Value"), _("Problem")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for p in sorted(problems, key=lambda p: (p.row, -1 if p.column is None else p.column)):
        sheet.append(
            [
                p.row or "",
                get_column_letter(p.column + 1) if p.column is not None else "",
                p.heading,
                p.value,
                p.message,
            ]
        )
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if cell.data_type == "f":  # a value such as "=1+1" stays the text the clerk typed
                cell.data_type = "s"
    for letter, width in zip("ABCDE", (8, 8, 20, 30, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
