"""Reading uploaded workbooks: what every Excel import (schools, people, hazards) shares.

The import engine (``core.imports``) replaces this module; until every import has moved to it,
this one keeps its names and shares the engine's file checks and ``WorkbookError``.

An import declares its columns; this module opens the first sheet safely, maps the header row
onto the columns and reports file-level and header problems as ``RowError``s with messages for
the user. What a cell must contain stays with each import.
"""

import io
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.escape import unescape

from core.imports.reading import (  # noqa: F401 - names the existing imports use
    MAX_UNPACKED_BYTES,
    OLE2_SIGNATURE,
    WorkbookError,
    check_bytes,
    not_workbook_message,
    too_large_message,
    unpacked_size,
)

MAX_HEADER_COLUMNS = 60


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as Excel numbers it (0: the whole file), the column's header."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def file_error(message):
    return RowError(row=0, column="", message=message)


def fold(text):
    """A header or choice as compared: no spaces, ASCII brackets, lower case."""
    return "".join(text.split()).replace("（", "(").replace("）", ")").lower()


def choice_spellings(values_to_names):
    """{typed spelling (folded): value}: the Chinese term, the code name, and the label in
    English and in Chinese, so a clerk may type any of them."""
    spellings = {}
    for value, chinese in values_to_names.items():
        for spelling in (chinese, value.value, str(value.label)):
            spellings[fold(spelling)] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                spellings[fold(str(value.label))] = value
    return spellings


def read_bytes(file):
    """The upload's bytes, or None when it is bigger than IMPORT_MAX_BYTES."""
    limit = settings.IMPORT_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        return None
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    return None if len(data) > limit else data


def cell_text(value):
    """A cell as text: numbers typed into a code or phone cell lose no digits and gain no '.0'.

    Excel writes a character XML cannot hold as an escape (``_x000B_`` for the line break Word
    pastes): read it as the character it stands for, so the import can say what is wrong.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and "_x" in value:
        value = unescape(value)
    return str(value).strip()


def column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@contextmanager
def first_sheet(file):
    """Yield (header row, iterator of the other rows) of the upload's first sheet.

    Raises ``WorkbookError`` for a file that is too big, empty, an old .xls or password-protected,
    a zip bomb or no workbook at all. The workbook is closed when the block ends.
    """
    data = read_bytes(file)
    if data is None:
        raise WorkbookError(too_large_message())
    name = getattr(file, "name", "") or ""
    # MAX_UNPACKED_BYTES is read here, so a test may lower it on this module.
    check_bytes(data, name, max_unpacked=MAX_UNPACKED_BYTES)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        raise WorkbookError(not_workbook_message()) from None
    try:
        yield header, lines
    finally:
        workbook.close()


def read_rows(file, parse_sheet):
    """(rows, errors) from ``parse_sheet(header, lines)`` over the upload's first sheet, with
    every file-level problem turned into one error for the user."""
    try:
        with first_sheet(file) as (header, lines):
            try:
                return parse_sheet(header, lines)
            except WorkbookError:
                raise
            except Exception:  # a damaged part deep inside the zip shows only while reading
                return [], [file_error(_("The workbook is damaged and cannot be read."))]
    except WorkbookError as exc:
        return [], [file_error(exc.message)]


def map_header(header, columns):
    """Match the header row to ``columns`` (by the Chinese header or the code name).

    Returns (positions {code: index}, headers {code: text as written}, width, errors).
    """
    by_spelling = {}
    for column in columns:
        by_spelling[fold(column.header)] = column
        by_spelling[fold(column.code)] = column
    header = [cell_text(v) for v in (header or ())[:MAX_HEADER_COLUMNS]]
    while header and not header[-1]:
        header.pop()
    if not header:
        return (
            {},
            {},
            0,
            [file_error(_("The workbook is empty: the first sheet has no header row."))],
        )
    errors, positions, headers = [], {}, {}
    for index, text in enumerate(header):
        column = by_spelling.get(fold(text))
        if column is None:
            errors.append(
                RowError(
                    1,
                    text or column_letter(index),
                    _("Unknown column. Use the column names of the template.")
                    if text
                    else _("This column has no name. Use the column names of the template."),
                )
            )
        elif column.code in positions:
            errors.append(RowError(1, text, _("This column appears more than once.")))
        else:
            positions[column.code] = index
            headers[column.code] = text
    for column in columns:
        if column.required and column.code not in positions:
            errors.append(
                RowError(1, column.header, _("This column is missing. Add it to the header row."))
            )
    return positions, headers, len(header), errors


def data_lines(lines, width, max_rows):
    """(row number as Excel shows it, cells padded to ``width``) for each non-blank data row.

    Blank lines between or after the data are skipped; more than ``max_rows`` rows raise
    ``WorkbookError`` (an upload that large is more likely a mistake than a roster).
    """
    count = 0
    for number, line in enumerate(lines, start=2):
        cells = [line[i] if i < len(line) else None for i in range(width)]
        if all(cell_text(v) == "" for v in cells):
            continue
        count += 1
        if count > max_rows:
            raise WorkbookError(
                _("The file has more than %(max)s rows. Split it into smaller files.")
                % {"max": max_rows}
            )
        yield number, cells
