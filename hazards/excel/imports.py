"""The register's import: every row is checked first; any bad row → nothing is imported and
every problem is listed (row, column, reason); else all rows are registered through
``services.hazard_register`` in one transaction (``campaign.imports`` is the pattern)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core import dates
from core.db import Busy, retry_on_conflict
from core.errors import OutOfScope
from core.text import CONTROL_CHARACTER_MESSAGE, has_control_characters
from core.workbooks import (
    ImportResult,
    RowError,
    cell_text,
    choice_spellings,
    data_lines,
    file_error,
    fold,
    map_header,
    read_rows,
)
from hazards import services
from hazards.models import FIVE_WITHOUT_DEADLINE, Hazard, HazardCategory

# More rows than a county registers in a season; a bigger upload is more likely a mistake.
MAX_ROWS = 2000


@dataclass(frozen=True)
class Column:
    code: str
    header: str  # the template's Chinese header (file format, not UI text)
    required: bool
    kind: str  # text | date | level | source | category | money | bool
    max_length: int = 0
    help: object = ""


LEVEL_NAMES = {Hazard.Level.GENERAL: "一般隐患", Hazard.Level.MAJOR: "重大隐患"}
SOURCE_NAMES = {
    Hazard.Source.SELF_CHECK: "学校自查",
    Hazard.Source.COUNTY_CHECK: "县区检查",
    Hazard.Source.INSPECTION: "暗访督查",
    Hazard.Source.PROVINCIAL: "省级交办",
    Hazard.Source.PUBLIC_REPORT: "群众举报",
}
BOOL_NAMES = {"是": True, "否": False, "yes": True, "no": False, "true": True, "false": False}

COLUMNS = (
    Column("school", "学校代码", True, "text", 40, gettext_lazy("The school's code.")),
    Column("category", "隐患类别代码", True, "category", 40,
           gettext_lazy("The code of the hazard category or item (see the categories sheet).")),
    Column("level", "隐患等级", True, "level", 0, gettext_lazy("General or major.")),
    Column("source", "隐患来源", True, "source", 0, gettext_lazy("How the hazard was found.")),
    Column("location", "具体位置", True, "text", 200, gettext_lazy("Where exactly.")),
    Column("description", "隐患描述", True, "text", 2000, gettext_lazy("What is wrong.")),
    Column("found_on", "发现日期", True, "date", 0,
           gettext_lazy("A date, not in the future, e.g. 2019-11-05.")),
    Column("responsible_unit", "责任单位", False, "text", 100),
    Column("responsible_person", "责任人", False, "text", 60),
    Column("responsible_phone", "责任人电话", False, "text", 30),
    Column("measures", "整改措施", False, "text", 2000),
    Column("funds_amount", "整改资金（元）", False, "money", 0,
           gettext_lazy("An amount in yuan, 0 or more.")),
    Column("funds_source", "资金来源", False, "text", 100),
    Column("funds_secured", "资金是否落实", False, "bool", 0, gettext_lazy("是 or 否.")),
    Column("deadline", "整改时限", False, "date", 0,
           gettext_lazy("A date; empty: the default time limit for the grade and category.")),
    Column("contingency_plan", "应急预案", False, "text", 2000),
    Column("provincial_ref", "省平台编号", False, "text", 40),
)  # fmt: skip


def _date(value):
    """A date from a cell: a real Excel date, or text such as 2019-11-05, 2019/11/05 or
    2019.11.5. None when it is none of these, or when the year is not written with four digits
    (“26.11.14” is not the year 26)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parts = cell_text(value).replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    if len(parts[0]) != 4:
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _convert(column, raw, spellings):
    """(value, error message or None) for one cell."""
    text = cell_text(raw)
    if text == "":
        if column.required:
            return None, _("This column is required.")
        return (None if column.kind in ("date", "money", "bool") else ""), None
    if has_control_characters(text):
        return None, str(CONTROL_CHARACTER_MESSAGE)
    if column.kind in ("text", "category"):
        if column.max_length and len(text) > column.max_length:
            return None, _("At most %(n)s characters.") % {"n": column.max_length}
        return text, None
    if column.kind == "date":
        value = _date(raw)
        if value is None:
            return None, _("Not a valid date. Write it as 2019-11-05, with a four-digit year.")
        if not dates.is_plausible(value):
            return None, dates.plausible_message()
        if value > timezone.localdate() and column.code == "found_on":
            return None, _("The date found cannot be in the future.")
        return value, None
    if column.kind == "money":
        try:
            value = Decimal(text).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            return None, _("Not an amount of money.")
        if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
            return None, _("Give an amount of 0 or more.")
        return value, None
    if column.kind == "bool":
        value = BOOL_NAMES.get(fold(text))
        return (value, None) if value is not None else (None, _("Write 是 or 否."))
    value = spellings[column.kind].get(fold(text))
    if value is None:
        names = LEVEL_NAMES if column.kind == "level" else SOURCE_NAMES
        return None, _("One of: %(choices)s.") % {"choices": "、".join(names.values())}
    return value, None


def parse_workbook(file):
    """(rows, errors): each row {"_row": n, code: value}; file-level problems have row 0."""
    return read_rows(file, _parse_sheet)


def _parse_sheet(header, lines):
    positions, headers, width, errors = map_header(header, COLUMNS)
    if errors or not width:
        return [], errors
    spellings = {"level": choice_spellings(LEVEL_NAMES), "source": choice_spellings(SOURCE_NAMES)}
    rows = []
    for number, cells in data_lines(lines, width, MAX_ROWS):
        row = {"_row": number, "_headers": headers}
        for column in COLUMNS:
            if column.code not in positions:
                row[column.code] = None if column.kind in ("date", "money", "bool") else ""
                continue
            raw = cells[positions[column.code]]
            value, error = _convert(column, raw, spellings)
            if error:
                errors.append(RowError(number, headers[column.code], error))
            row[column.code] = value
        rows.append(row)
    if not rows and not errors:
        return [], [file_error(_("The workbook has no rows below the header."))]
    return rows, errors


def _check_rows(rows, actor):
    """Checks against the database: the school in the actor's register scope, the category."""
    errors = []
    codes = {r["school"] for r in rows if r["school"]}
    schools = {
        u.code: u
        for u in access.units_where(actor, Perm.REGISTER_HAZARD).filter(
            kind=OrgUnit.Kind.SCHOOL, code__in=list(codes)
        )
    }
    categories = {c.code: c for c in HazardCategory.objects.filter(is_active=True)}
    for row in rows:
        headers = row["_headers"]
        school = schools.get(row["school"])
        if row["school"] and school is None:
            # Out of scope is reported exactly like unknown: the file learns nothing more.
            errors.append(
                RowError(
                    row["_row"],
                    headers["school"],
                    _("No school with this code where you may register hazards."),
                )
            )
        row["school"] = school
        category = categories.get(row["category"])
        if row["category"] and category is None:
            errors.append(
                RowError(row["_row"], headers["category"], _("No hazard category with this code."))
            )
        row["category"] = category
        if row["deadline"] and row["found_on"] and row["deadline"] < row["found_on"]:
            errors.append(
                RowError(
                    row["_row"],
                    headers.get("deadline", "整改时限"),
                    _("The deadline cannot be before the date found."),
                )
            )
    return errors


def hazards_import(*, file, actor):
    """Import a register workbook: all rows or none. Returns an ImportResult."""
    if not access.granted_paths(actor).get(Perm.REGISTER_HAZARD) and not access.is_unrestricted(
        actor
    ):
        raise PermissionDenied
    rows, errors = parse_workbook(file)
    # Rows with bad cells are still checked against the database: every problem at once.
    errors += _check_rows(rows, actor)
    if errors:
        return ImportResult(errors=sorted(errors, key=lambda e: (e.row, e.column)))
    progress = {"row": None}
    try:
        _register_rows(rows, actor, progress)
    except Busy as exc:  # a deadlock three times over: nothing was imported
        return ImportResult(errors=[file_error(" ".join(exc.messages))])
    except (ValidationError, PermissionDenied, OutOfScope) as exc:
        messages = getattr(exc, "messages", None) or [_("You may not register this hazard.")]
        return ImportResult(errors=[RowError(progress["row"], "", " ".join(messages))])
    return ImportResult(imported=len(rows))


@retry_on_conflict
@transaction.atomic
def _register_rows(rows, actor, progress):
    """Register every checked row in one transaction, run again as a whole when PostgreSQL
    breaks a deadlock with another import (the rows of two files touch the county tallies in
    their own orders). ``progress["row"]`` says which row a refusal came from."""
    for row in rows:
        progress["row"] = row["_row"]
        five = {f: row[f] for f in FIVE_WITHOUT_DEADLINE if row[f] not in (None, "")}
        services.hazard_register(
            school=row["school"],
            category=row["category"],
            level=row["level"],
            source=row["source"],
            location=row["location"],
            description=row["description"],
            found_on=row["found_on"],
            deadline=row["deadline"],
            provincial_ref=row["provincial_ref"] or "",
            actor=actor,
            **five,
        )
