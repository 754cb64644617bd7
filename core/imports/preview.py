"""The preview: every row of the file as it would be imported, with its status and problems.

``build_preview`` reads the workbook, picks the sheet and header, proposes (or applies) the
mapping, converts every row and hands the rows to the importer's ``resolve`` for the checks
that need the database. Nothing is written. The preview is stored as JSON on the upload
(``to_json`` / ``from_json``), so its values keep their types: dates and amounts are tagged.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.imports import rows as row_rules
from core.imports.header import choose_sheet, find_header, header_rows
from core.imports.mapping import ColumnMap, propose_mapping
from core.imports.reading import WorkbookError, open_book

STATUSES = ("ready", "error", "duplicate", "update")


@dataclass(frozen=True)
class Problem:
    row: int
    column: int | None
    heading: str
    value: str
    message: str

    def to_json(self):
        return [self.row, self.column, self.heading, self.value, self.message]

    @classmethod
    def from_json(cls, data):
        return cls(*data)


@dataclass
class ParsedRow:
    number: int
    values: dict[str, object]
    raw: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    status: str = "ready"
    note: str = ""
    target: object = None

    def to_json(self):
        return {
            "number": self.number,
            "values": {k: _encode(v) for k, v in self.values.items()},
            "raw": self.raw,
            "problems": [p.to_json() for p in self.problems],
            "status": self.status,
            "note": self.note,
            "target": self.target,
        }

    @classmethod
    def from_json(cls, data):
        return cls(
            number=data["number"],
            values={k: _decode(v) for k, v in data["values"].items()},
            raw=data["raw"],
            problems=[Problem.from_json(p) for p in data["problems"]],
            status=data["status"],
            note=data["note"],
            target=data["target"],
        )


@dataclass
class Preview:
    kind: str
    sheet: str = ""
    sheet_index: int = 0
    other_sheets: list[tuple[str, int]] = field(default_factory=list)
    header_row: int | None = None
    mapping: list[ColumnMap] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def counts(self):
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    def all_problems(self):
        """File and header problems first, then each row's in column order."""
        problems = list(self.problems)
        for row in self.rows:
            problems.extend(row.problems)
        return sorted(problems, key=lambda p: (p.row, -1 if p.column is None else p.column))

    def to_json(self):
        return {
            "kind": self.kind,
            "sheet": self.sheet,
            "sheet_index": self.sheet_index,
            "other_sheets": [list(s) for s in self.other_sheets],
            "header_row": self.header_row,
            "mapping": [m.to_json() for m in self.mapping],
            "rows": [r.to_json() for r in self.rows],
            "skipped": [list(s) for s in self.skipped],
            "problems": [p.to_json() for p in self.problems],
        }

    @classmethod
    def from_json(cls, data):
        return cls(
            kind=data["kind"],
            sheet=data["sheet"],
            sheet_index=data["sheet_index"],
            other_sheets=[tuple(s) for s in data["other_sheets"]],
            header_row=data["header_row"],
            mapping=[ColumnMap.from_json(m) for m in data["mapping"]],
            rows=[ParsedRow.from_json(r) for r in data["rows"]],
            skipped=[tuple(s) for s in data["skipped"]],
            problems=[Problem.from_json(p) for p in data["problems"]],
        )


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value  # str subclasses (TextChoices members) are stored as their value
    return str(value)


def _decode(value):
    if isinstance(value, dict):
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$decimal" in value:
            return Decimal(value["$decimal"])
    return value


def file_problem(message):
    return Problem(row=0, column=None, heading="", value="", message=message)


def _scaled(progress, start, end):
    if progress is None:
        return None
    return lambda percent: progress(start + (end - start) * percent / 100)


def build_preview(
    importer,
    data,
    name,
    *,
    actor,
    sheet_index=None,
    mapping=None,
    remembered=None,
    progress=None,
    today=None,
):
    """Read, pick the sheet and header, map, convert every row, then ``importer.resolve``."""
    spec = importer.spec
    preview = Preview(kind=importer.kind)
    try:
        book = open_book(data, name, max_rows=spec.max_rows)
    except WorkbookError as exc:
        preview.problems.append(file_problem(exc.message))
        return preview
    if sheet_index is None or not 0 <= sheet_index < len(book.sheets):
        sheet_index, header = choose_sheet(book, spec)
    else:
        header = find_header(book.sheets[sheet_index], spec)
    sheet = book.sheets[sheet_index]
    preview.sheet, preview.sheet_index = sheet.name, sheet_index
    preview.other_sheets = [
        (s.name, n)
        for i, s in enumerate(book.sheets)
        if i != sheet_index and (n := s.non_empty_rows())
    ]
    if header is None:
        preview.problems.append(file_problem(row_rules.no_header_message(spec, sheet.name)))
        return preview
    preview.header_row = header + 1
    headings, first = header_rows(sheet, header)
    preview.mapping = _mapping(headings, spec, mapping, remembered)
    preview.problems += row_rules.mapping_problems(preview.mapping, spec, preview.header_row)
    if progress:
        progress(5)
    parser = row_rules.RowParser(spec, preview.mapping, sheet.uncached, today=today)
    rows, skipped, too_many = parser.parse(sheet, first, _scaled(progress, 5, 50))
    if too_many:
        preview.problems.append(
            file_problem(
                _("The file has more than %(max)s rows. Split it into smaller files.")
                % {"max": spec.max_rows}
            )
        )
        return preview
    del book
    preview.rows, preview.skipped = rows, skipped
    importer.resolve(
        rows, actor=actor, progress=_scaled(progress, 50, 100), mapping=preview.mapping
    )
    return preview


def _mapping(headings, spec, given, remembered):
    if not given:
        return propose_mapping(headings, spec, remembered)
    by_index = {m.index: m for m in given if m.index < len(headings)}
    return [
        by_index.get(i) or ColumnMap(i, heading, None, 1, "user")
        for i, heading in enumerate(headings)
    ]
