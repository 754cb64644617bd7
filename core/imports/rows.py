"""From the sheet's rows to ``ParsedRow``s: which rows are data, and each cell converted.

Below the header a ledger has blank rows, a 合计/小计 row and a signature footer (填表人：
审核人： 单位（盖章）); those are skipped and listed, never reported as rows in error.
"""

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
PROGRESS_EVERY = 1000


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
    """Header problems: required fields no column maps to."""
    from core.imports.preview import Problem

    mapped = {m.field for m in mapping if m.field}
    return [
        Problem(
            header_row,
            None,
            f.label,
            "",
            _("No column holds “%(label)s”. Add the column or map one of the columns to it.")
            % {"label": f.label},
        )
        for f in spec.fields
        if f.required and f.code not in mapped
    ]


def skip_reason(row):
    """ "total", "footer", "blank" or None (a data row)."""
    texts = [cells.fold(v) for v in row if isinstance(v, str) and v.strip()]
    if not texts and all(cells.is_blank(v) for v in row):
        return "blank"
    if any(_TOTAL.match(t) for t in texts[:3]):
        return "total"
    if len(set(texts)) <= FOOTER_MAX_CELLS and any(_FOOTER.search(t) for t in texts):
        distinct = {v for v in row if not cells.is_blank(v)}
        if len(distinct) <= FOOTER_MAX_CELLS:
            return "footer"
    return None


class RowParser:
    """Converts the mapped cells of each data row by its field's kind."""

    def __init__(self, spec, mapping, uncached, *, today=None):
        from django.utils import timezone

        self.spec = spec
        self.columns = sorted(
            ((m, spec.field(m.field)) for m in mapping if m.field and spec.field(m.field)),
            key=lambda pair: pair[0].index,
        )
        self.uncached = uncached
        self.today = today or timezone.localdate()
        self.folded = {f.code: cells.folded_choices(f.choices or {}) for _m, f in self.columns}
        self.heading_keys = {cells.fold(m.heading) for m, _f in self.columns if m.heading}

    def parse(self, sheet, first, progress=None):
        """(rows, skipped, too many)."""
        from core.imports.preview import ParsedRow

        rows, skipped = [], []
        total = max(len(sheet.rows) - first, 1)
        for index in range(first, len(sheet.rows)):
            line = sheet.rows[index]
            number = index + 1
            reason = self._skip(line, index)
            if reason:
                skipped.append((number, reason))
                continue
            if len(rows) >= self.spec.max_rows:
                return rows, skipped, True
            values, raw, problems = self.convert(line, index)
            rows.append(ParsedRow(number, values, raw, problems, "error" if problems else "ready"))
            if progress and len(rows) % PROGRESS_EVERY == 0:
                progress(100 * (index - first) / total)
        # Blank rows at the very end are the sheet's margin, not worth a line in the preview.
        while skipped and skipped[-1][1] == "blank" and skipped[-1][0] > _last(rows):
            skipped.pop()
        return rows, skipped, False

    def _skip(self, line, index):
        reason = skip_reason(line)
        if reason:
            return reason
        if self._mapped_blank(line, index):
            return "blank"  # only an ignored column (序号) is filled
        if self._repeats_header(line):
            return "header"
        return None

    def _mapped_blank(self, line, index):
        for m, _f in self.columns:
            if m.index < len(line) and not cells.is_blank(line[m.index]):
                return False
            if (index, m.index) in self.uncached:
                return False
        return True

    def _repeats_header(self, line):
        texts = {cells.fold(v) for v in line if isinstance(v, str)}
        return len(self.heading_keys) >= 2 and len(texts & self.heading_keys) >= max(
            2, len(self.heading_keys) // 2
        )

    def convert(self, line, index):
        from core.imports.preview import Problem

        values, raw, problems = {}, {}, []
        number = index + 1
        for m, f in self.columns:
            value = line[m.index] if m.index < len(line) else None
            text = cells.cell_text(value)
            raw[f.code] = text
            if (index, m.index) in self.uncached:
                values[f.code] = None
                problems.append(Problem(number, m.index, m.heading, text, uncached_message()))
                continue
            converted, message = self.value(f, m, value, text)
            if not message and converted is None and f.required:
                message = _("This cell is required. Fill it in.")
            values[f.code] = converted
            if message:
                problems.append(Problem(number, m.index, m.heading, text, message))
        return values, raw, problems

    def value(self, f, m, value, text):
        kind = f.kind
        if kind == "date":
            return cells.parse_date(value, past_only=f.past_only, today=self.today)
        if kind == "money":
            return cells.parse_money(value, scale=m.scale)
        if kind == "choice":
            return cells.parse_choice(value, f.choices or {}, self.folded[f.code])
        if kind == "count":
            return cells.parse_count(value)
        if kind == "bool":
            return cells.parse_bool(value)
        if not text:
            return None, ""
        if kind == "phone":
            phone = cells.normalise_phone(text)
            return (phone, "") if not (message := cells.check_phone(phone)) else (None, message)
        if has_control_characters(text):
            return None, str(CONTROL_CHARACTER_MESSAGE)
        if f.max_length and len(text) > f.max_length:
            return None, _("At most %(max)s characters (this cell has %(count)s).") % {
                "max": f.max_length,
                "count": len(text),
            }
        if kind == "email":
            try:
                validate_email(text)
            except ValidationError:
                return None, _("This is not an e-mail address.")
        return text, ""


def _last(rows):
    return rows[-1].number if rows else 0
