"""Opening an uploaded workbook: the file checks, then every sheet's values.

Values come from python-calamine (Rust): it reads a 20,000-row ledger several times faster
than openpyxl and keeps only the values in memory. It gives merged ranges too, which are
filled here with their top-left value. What it cannot tell is a formula Excel never
calculated (a file written by a program, not saved in Excel): it reads as an empty cell. So
when a sheet's XML holds formulas at all, the sheet part is streamed once more, for the cells
that have a formula and no cached value (``Sheet.uncached``), which the engine reports as
such rather than as "required".
"""

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _

# A workbook is a zip; refuse one that would unpack to more than this (a zip bomb).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Old .xls files and password-protected workbooks are both OLE2 compound files.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Columns read: a ledger has a few dozen; what lies beyond is a stray cell, not data.
MAX_COLUMNS = 256
# Rows read beyond an importer's limit: title rows above the header, footers below it.
HEAD_ROOM = 200

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class WorkbookError(Exception):
    """The file as a whole cannot be read; ``message`` is for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    name: str
    rows: list[tuple]
    uncached: frozenset[tuple[int, int]] = frozenset()
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (first row, first col, last row, last col)
    height: int = 0  # rows in the sheet, also those beyond what was read
    visible: bool = True

    def non_empty_rows(self):
        return sum(1 for row in self.rows if any(v is not None for v in row))


@dataclass
class Book:
    sheets: list[Sheet] = field(default_factory=list)


# --- The file checks -------------------------------------------------------------------------


def too_large_message():
    limit_mb = settings.IMPORT_MAX_BYTES / (1024 * 1024)
    return _("The file is larger than %(size)s MB. Split it into smaller files.") % {
        "size": f"{limit_mb:g}"
    }


def not_workbook_message():
    return _(
        "This file is not an Excel workbook (.xlsx). Download the template, fill it in and "
        "upload it."
    )


def damaged_message():
    return _("The workbook is damaged and cannot be read.")


def unpacked_size(data):
    """The size of the workbook's parts once unzipped (0 if it is no zip: reported later)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def check_bytes(data, name="", *, max_unpacked=None):
    """Raise ``WorkbookError`` for a file too big, empty, an old .xls or password-protected,
    a zip bomb or no zip at all."""
    if data is None or len(data) > settings.IMPORT_MAX_BYTES:
        raise WorkbookError(too_large_message())
    if not data:
        raise WorkbookError(_("The file is empty."))
    if (name or "").lower().endswith(".xls") or data.startswith(OLE2_SIGNATURE):
        raise WorkbookError(
            _(
                "This file is in the old Excel 97–2003 format (.xls) or protected by a "
                "password, and cannot be read. Open it in Excel, remove any password, save "
                "it as an Excel workbook (.xlsx) and upload that."
            )
        )
    limit = MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked
    if unpacked_size(data) > limit:
        raise WorkbookError(_("The workbook is too large to read. Split it into smaller files."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookError(not_workbook_message())


# --- Reading ---------------------------------------------------------------------------------


def open_book(data, name="", max_rows=None):
    """Every sheet of the workbook, values only, merged cells filled, uncached formulas found.

    ``max_rows``: read at most that many rows (plus head room for titles and footers) of each
    sheet; ``Sheet.height`` still says how many there were.
    """
    check_bytes(data, name)
    from python_calamine import CalamineWorkbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = _sheet_parts(archive)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError):
        raise WorkbookError(not_workbook_message()) from None
    except Exception:  # defusedxml refuses entities and DTDs: a hostile or broken part
        raise WorkbookError(damaged_message()) from None
    nrows = None if max_rows is None else max_rows + HEAD_ROOM
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        book = Book()
        for index, meta in enumerate(workbook.sheets_metadata):
            if str(meta.typ) != "SheetTypeEnum.WorkSheet":
                continue  # chart sheets hold no cells
            calamine_sheet = workbook.get_sheet_by_index(index)
            sheet = _read_sheet(calamine_sheet, nrows)
            sheet.visible = str(meta.visible) == "SheetVisibleEnum.Visible"
            part = parts.get(meta.name)
            if part is not None:
                sheet.uncached = _uncached_formulas(archive, part, nrows)
            book.sheets.append(sheet)
        workbook.close()
    except WorkbookError:
        raise
    except Exception:  # calamine raises its own types for every damaged part
        raise WorkbookError(damaged_message()) from None
    finally:
        archive.close()
    if not book.sheets:
        raise WorkbookError(not_workbook_message())
    return book


def _read_sheet(calamine_sheet, nrows):
    if calamine_sheet.width <= MAX_COLUMNS:
        raw = calamine_sheet.to_python(skip_empty_area=False, nrows=nrows)
    else:
        # One stray value far to the right (XFD1) would make every row 16,384 cells wide:
        # read row by row and keep the first MAX_COLUMNS, so memory stays bounded.
        raw = []
        for line in calamine_sheet.iter_rows():
            if nrows is not None and len(raw) >= nrows:
                break
            raw.append(line[:MAX_COLUMNS])
    rows = [tuple(None if v == "" else v for v in line) for line in raw]
    del raw
    merged = []
    for (r0, c0), (r1, c1) in calamine_sheet.merged_cell_ranges or ():
        merged.append((r0, c0, r1, c1))
        _fill(rows, r0, c0, r1, c1)
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return Sheet(
        name=calamine_sheet.name,
        rows=rows,
        merged=tuple(merged),
        height=max(calamine_sheet.height, len(rows)),
    )


def _fill(rows, r0, c0, r1, c1):
    """Every cell of a merged range reads as its top-left cell, as the clerk sees it."""
    if r0 >= len(rows):
        return
    value = rows[r0][c0] if c0 < len(rows[r0]) else None
    for r in range(r0, min(r1, len(rows) - 1) + 1):
        line = list(rows[r])
        if len(line) <= c1:
            line.extend([None] * (c1 + 1 - len(line)))
        for c in range(c0, c1 + 1):
            line[c] = value
        rows[r] = tuple(line)


def _sheet_parts(archive):
    """{sheet name: the zip part holding its XML}, from the workbook part and its relations."""
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(path)
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    parts = {}
    for sheet in workbook.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL}}}id"))
        if target in archive.namelist():
            parts[sheet.get("name")] = target
    return parts


# A formula cell with no cached value, as the sheet XML writes it: <c r="J5"><f>…</f></c>,
# <c r="J5"><f>…</f><v/></c> (openpyxl) or <v></v>; a shared formula's <f t="shared" si="0"/> alike.
# The schema puts <f> first in a cell and <v> right after it, and formula text holds no "<",
# so a regular expression anchored on <f finds them in the raw XML, far faster than parsing
# every cell; the cell's reference is then read back from its <c> start tag.
_UNCACHED = (
    rb"<%(p)sf(?:\s[^>]*)?(?:/>|>[^<]*</%(p)sf>)\s*"
    rb"(<%(p)sv\s*/>|<%(p)sv>\s*</%(p)sv>)?\s*</%(p)sc>"
)
# A formula whose result is text writes t="str" on its cell; an empty <v></v> there is the
# empty text it computed (=IF(B5="","",…)), cached, not a missing value.
_TEXT_RESULT = re.compile(rb'\st="(?:str|s|inlineStr)"')
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")
_REF = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
CHUNK = 4 << 20


def _uncached_formulas(archive, part, nrows):
    """(row index, col index) of the cells with a formula and no cached value.

    The part is scanned in chunks cut after a cell's end, so memory stays near one chunk."""
    found = set()
    rest, pattern = b"", None
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            buffer = rest + chunk
            if pattern is None:
                root = _ROOT.search(buffer)
                prefix = root.group(1) or b"" if root else b""
                pattern = re.compile(_UNCACHED % {b"p": prefix})
                cell_start, cell_end = b"<" + prefix + b"c ", b"</" + prefix + b"c>"
            cut = len(buffer) if not chunk else buffer.rfind(cell_end) + len(cell_end)
            if cut < len(cell_end):
                cut = 0
            for match in pattern.finditer(buffer, 0, cut):
                start = buffer.rfind(cell_start, 0, match.start())
                if start < 0:
                    continue
                tag_end = buffer.find(b">", start, match.start() + 1)
                if match.group(1) and _TEXT_RESULT.search(buffer, start, tag_end):
                    continue
                ref = _REF.search(buffer, start, tag_end)
                position = _position(ref.group(1).decode("ascii")) if ref else None
                if position and (nrows is None or position[0] < nrows):
                    found.add(position)
            rest = buffer[cut:]
            if not chunk:
                return frozenset(found)


def _position(ref):
    match = _CELL_REF.fullmatch(ref)
    if not match:
        return None
    letters, digits = match.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1
