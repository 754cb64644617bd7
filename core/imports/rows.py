"""From the sheet's rows to ``ParsedRow``s: which rows are data, and each cell converted.

Below the header a ledger has blank rows, a 合计/小计 row and a signature footer (填表人：
审核人： 单位（盖章）); those are skipped and listed, never reported as rows in error.
"""

import operator
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.imports import cells
from core.text import CONTROL_CHARACTER_MESSAGE, has_control_characters

_TOTAL = re.compile(r"^(合计|小计|总计|共计|累计)(?:$|[:(])")
_FOOTER = re.compile(
    r"^(?:填表人|填报人|制表人|审核人|审批人|复核人|统计人|负责人|单位负责人|主要负责人|"
    r"分管负责人|分管领导|联系人|填表日期|填报日期|制表日期|单位|填报单位|学校)"
    r"(?:\((?:签字|签名|盖章)\))?[:]"
    r"|\((?:签字|签名|盖章)\)|(?:签字|签名|盖章)[:]|^(?:注|说明|备注)[:]"
)
FOOTER_MAX_CELLS = 4
UNCACHED_MESSAGE = (
    "This cell holds a formula whose value Excel did not save: open the file in Excel and "
    "save it again."
)
_TEXT, _VALUE, _MESSAGE = (operator.itemgetter(i) for i in range(3))


def uncached_message():
    return _(
        "This cell holds a formula whose value Excel did not save: open the file in Excel "
        "and save it again."
    )


def no_header_message(spec, sheet_name):
    names = "、".join(f.label for f in spec.fields if f.required) or "、".join(
        f.label for f in spec.fields[:3]
    )
    return _(
        "No header row found on the sheet “%(sheet)s”. The header names the columns, such "
        "as %(names)s; download the template to see them."
    ) % {"sheet": sheet_name, "names": names}


def mapping_problems(mapping, spec, header_row):
    """Header problems: a field two columns map to (a corrected mapping may say so), and the
    required fields no column maps to."""
    from core.imports.preview import Problem

    problems, seen = [], set()
    for m in sorted(mapping, key=lambda m: m.index):
        f = spec.field(m.field) if m.field else None
        if f is None:
            continue
        if f.code in seen:
            problems.append(
                Problem(
                    header_row,
                    m.index,
                    m.heading,
                    "",
                    _("Another column is already mapped to “%(label)s”. Map one of them only.")
                    % {"label": f.label},
                )
            )
        seen.add(f.code)
    problems += [
        Problem(
            header_row,
            None,
            f.label,
            "",
            _("No column holds “%(label)s”. Add the column or map one of the columns to it.")
            % {"label": f.label},
        )
        for f in spec.fields
        if f.required and f.code not in seen
    ]
    return problems


_TOTAL_FIRST = frozenset("合小总共累")


def skip_reason(row):
    """ "total", "footer", "blank" or None (a data row). Cheap tests first: it runs on every
    row of a 20,000-row ledger."""
    empty = row.count(None)
    if empty == len(row):
        return "blank"
    for value in row[:4]:
        if type(value) is str and value.lstrip()[:1] in _TOTAL_FIRST:
            if _TOTAL.match(cells.fold(value)):
                return "total"
    # A footer has a few cells, or a few merged across (the same text in each).
    if len(row) - empty <= FOOTER_MAX_CELLS or len(set(row)) <= FOOTER_MAX_CELLS + 1:
        filled = [v for v in row if not cells.is_blank(v)]
        if not filled:
            return "blank"
        if len(set(filled)) <= FOOTER_MAX_CELLS and any(
            _FOOTER.search(cells.fold(v)) for v in filled if isinstance(v, str)
        ):
            return "footer"
    return None


def _text_of(value):
    if type(value) is str and "_x" not in value:
        return value.strip()
    return cells.cell_text(value)


class RowParser:
    """Converts the mapped cells of each data row by its field's kind.

    Each column's converter is chosen once, not looked up per cell: a 20,000-row ledger has
    a quarter of a million cells."""

    def __init__(self, spec, mapping, uncached, *, today=None):
        from django.utils import timezone

        self.spec = spec
        self.today = today or timezone.localdate()
        pairs, seen = [], set()
        for m in sorted(mapping, key=lambda m: m.index):
            f = spec.field(m.field) if m.field else None
            if f is not None and f.code not in seen:  # mapped twice: the first column only
                pairs.append((m, f))
                seen.add(f.code)
        self.columns = [
            (m.index, f.code, m.heading, self._converter(f, m), f.required) for m, f in pairs
        ]
        self.indexes = [m.index for m, _f in pairs]
        self.width = max(self.indexes, default=-1) + 1
        self.uncached = {}
        for r, c in uncached:
            self.uncached.setdefault(r, set()).add(c)
        headings = {m.heading.strip() for m, _f in pairs if m.heading.strip()}
        self.headings = headings
        self.header_repeat = max(2, len(headings) // 2)

    def parse(self, sheet, first, progress=None):
        """(rows, skipped, too many).

        The data rows are picked first, then converted column by column: a ledger repeats
        its words down a column (消防安全, 一般, the same day, the same person), so each
        distinct cell of a column is converted once."""
        lines, skipped = [], []
        width = self.width
        for index in range(first, len(sheet.rows)):
            line = sheet.rows[index]
            if len(line) < width:
                line = tuple(line) + (None,) * (width - len(line))
            reason = self._skip(line, index)
            if reason:
                skipped.append((index + 1, reason))
                continue
            if len(lines) >= self.spec.max_rows:
                return [], skipped, True
            lines.append((index, line))
        if progress:
            progress(20)
        columns = []
        for done, column in enumerate(self.columns, 1):
            columns.append(self._convert_column(column, lines))
            if progress:
                progress(20 + 60 * done / len(self.columns))
        rows = self._rows(lines, columns)
        # Blank rows at the very end are the sheet's margin, not worth a line in the preview.
        while skipped and skipped[-1][1] == "blank" and skipped[-1][0] > _last(rows):
            skipped.pop()
        if progress:
            progress(100)
        return rows, skipped, False

    def _convert_column(self, spec_column, lines):
        """[(text, converted, message)] for one column, in the order of ``lines``."""
        column, _code, _heading, converter, required = spec_column
        uncached = {r for r, cols in self.uncached.items() if column in cols}
        memo = {}
        out = []
        append = out.append
        for index, line in lines:
            value = line[column]
            if uncached and index in uncached:
                append((_text_of(value), None, uncached_message()))
                continue
            if type(value) is bool:  # True == 1 as a key: not memoised
                append(self._convert(converter, required, value))
                continue
            found = memo.get(value)
            if found is None:
                found = memo[value] = self._convert(converter, required, value)
            append(found)
        return out

    @staticmethod
    def _convert(converter, required, value):
        if value is None:
            return ("", None, _("This cell is required. Fill it in.") if required else "")
        text = _text_of(value)
        converted, message = converter(value, text)
        if converted is None and required and not message:
            message = _("This cell is required. Fill it in.")
        return (text, converted, message)

    def _rows(self, lines, columns):
        from core.imports.preview import ParsedRow, Problem

        codes = [code for _c, code, *_rest in self.columns]
        rows = []
        for (index, _line), results in zip(lines, zip(*columns, strict=True), strict=True):
            number = index + 1
            raw = dict(zip(codes, map(_TEXT, results), strict=True))
            values = dict(zip(codes, map(_VALUE, results), strict=True))
            problems = []
            if any(map(_MESSAGE, results)):
                problems = [
                    Problem(number, column, heading, text, message)
                    for (column, _code, heading, *_rest), (text, _v, message) in zip(
                        self.columns, results, strict=True
                    )
                    if message
                ]
            rows.append(ParsedRow(number, values, raw, problems, "error" if problems else "ready"))
        if not self.columns:  # nothing mapped: the rows still show, with nothing in them
            rows = [ParsedRow(index + 1, {}, {}, [], "ready") for index, _line in lines]
        return rows

    def _skip(self, line, index):
        reason = skip_reason(line)
        if reason:
            return reason
        if all(cells.is_blank(line[i]) for i in self.indexes):
            # Only an ignored column (序号) is filled, or only formulas Excel never computed:
            # nothing the clerk typed, as in the numbered empty rows at a template's end.
            return "blank"
        if (
            len(self.headings) >= 2
            and self.headings.intersection(line)
            and len(self.headings.intersection(_text_of(v) for v in line)) >= self.header_repeat
        ):
            return "header"
        return None

    def _converter(self, f, m):
        """fn(value, text) → (converted, message) for the field's kind."""
        kind, today = f.kind, self.today
        if kind == "date":
            past_only = f.past_only
            return lambda value, text: cells.parse_date(value, past_only=past_only, today=today)
        if kind == "money":
            scale = m.scale
            return lambda value, text: cells.parse_money(value, scale=scale)
        if kind == "choice":
            choices = f.choices or {}
            folded = cells.folded_choices(choices)
            return lambda value, text: cells.parse_choice(value, choices, folded)
        if kind == "count":
            return lambda value, text: cells.parse_count(value)
        if kind == "bool":
            return lambda value, text: cells.parse_bool(value)
        if kind == "phone":
            return _phone
        max_length = f.max_length
        email = kind == "email"

        def text_value(value, text):
            if not text:
                return None, ""
            if has_control_characters(text):
                return None, str(CONTROL_CHARACTER_MESSAGE)
            if max_length and len(text) > max_length:
                return None, _("At most %(max)s characters (this cell has %(count)s).") % {
                    "max": max_length,
                    "count": len(text),
                }
            if email:
                try:
                    validate_email(text)
                except ValidationError:
                    return None, _("This is not an e-mail address.")
            return text, ""

        return text_value


def _phone(value, text):
    if not text:
        return None, ""
    if len(text) == 11 and text[0] == "1" and text.isascii() and text.isdigit():
        return text, ""  # the usual mobile number, already as stored
    phone = cells.normalise_phone(text)
    message = cells.check_phone(phone)
    return (None, message) if message else (phone, "")


def _last(rows):
    return rows[-1].number if rows else 0
