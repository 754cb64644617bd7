"""Bulk import of schools and of people from an Excel workbook (openpyxl).

A workbook is read in memory and never stored. Every row is checked first; if any row is bad
nothing is imported and every problem is reported as (row as Excel numbers it, column header as
written in the file, reason). Otherwise all rows are written in one transaction through the
ordinary services, so an import is audited exactly like the same changes made by hand.

The first sheet holds the data, with one header row. A header cell may be the Chinese column
name of the template or the column's English code name, in any order.
"""

import io
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access, services
from campaign.models import OrgUnit, User
from campaign.roles import Perm, Role
from campaign.workbooks import (
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

SCHOOLS = "schools"
USERS = "users"
KINDS = (SCHOOLS, USERS)

# More rows than a city has schools; beyond this an upload is more likely a mistake (or a
# zip bomb) than a roster, and would hold the request too long.
MAX_ROWS = 3000
# Same bound as the school form: a few extra digits are refused, not sent to the database.
MAX_PEOPLE = 200_000
# SQLite allows a limited number of query parameters.
_CHUNK = 500


@dataclass(frozen=True)
class Column:
    code: str  # English code name, accepted in the header instead of the Chinese one
    header: str  # Chinese header of the template (the file format, not UI text)
    required: bool
    kind: str  # text | count | category | ownership | role | email | password
    max_length: int
    example: object
    help: str  # what to enter, shown on the instructions sheet


# The official Chinese terms (GLOSSARY) and other spellings a clerk may type.
CATEGORY_NAMES = {
    OrgUnit.Category.KINDERGARTEN: "幼儿园",
    OrgUnit.Category.PRIMARY: "小学",
    OrgUnit.Category.JUNIOR: "初中",
    OrgUnit.Category.SENIOR: "高中",
    OrgUnit.Category.NINE_YEAR: "九年一贯制",
    OrgUnit.Category.VOCATIONAL: "中职",
    OrgUnit.Category.SPECIAL: "特殊教育",
}
OWNERSHIP_NAMES = {OrgUnit.Ownership.PUBLIC: "公办", OrgUnit.Ownership.PRIVATE: "民办"}
ROLE_NAMES = {
    Role.CITY_ADMIN: "市级管理员",
    Role.CITY_STAFF: "市教育局工作人员",
    Role.SAFETY_OFFICE: "安稳处",
    Role.COUNTY_STAFF: "县（市、区）教育局工作人员",
    Role.SCHOOL_OFFICER: "学校安全员",
    Role.INSPECTOR: "督查员",
    Role.LEADER: "领导（只读）",
}

OPTIONAL = gettext_lazy("Optional.")
ONE_OF = gettext_lazy("One of: %(choices)s.")
COUNT = gettext_lazy("A whole number, 0 or more.")
SEE_UNITS = gettext_lazy("See the sheet of unit codes.")

SCHOOL_COLUMNS = (
    Column("code", "学校代码", True, "text", 40, "3206120101", gettext_lazy(
        "A unique code for the school, e.g. its registration code.")),
    Column("name", "学校名称", True, "text", 100, "通州区示例小学", gettext_lazy(
        "The school's full name.")),
    Column("parent", "所属县（市、区）代码", True, "text", 40, "NT-TZ", gettext_lazy(
        "Code of the county-level unit the school belongs to; for a city-direct school, the "
        "code of the city.")),
    Column("category", "学段类别", True, "category", 0, "小学", ONE_OF),
    Column("ownership", "办学性质", True, "ownership", 0, "公办", ONE_OF),
    Column("students", "学生数", True, "count", 0, 860, COUNT),
    Column("staff", "教职工数", True, "count", 0, 62, COUNT),
    Column("address", "地址", False, "text", 200, "南通市通州区示例路1号", OPTIONAL),
    Column("principal_name", "校长", False, "text", 60, "张伟", OPTIONAL),
    Column("principal_phone", "校长电话", False, "text", 30, "0513-86000000", OPTIONAL),
    Column("safety_officer_name", "安全负责人", False, "text", 60, "李强", OPTIONAL),
    Column("safety_officer_phone", "安全负责人电话", False, "text", 30, "13800000000", OPTIONAL),
)  # fmt: skip

USER_COLUMNS = (
    Column("username", "用户名", True, "text", 150, "zhangsan", gettext_lazy(
        "The name the person signs in with: letters, digits and @ . + - _ only.")),
    Column("full_name", "姓名", True, "text", 60, "张三", gettext_lazy(
        "The person's full name.")),
    Column("phone", "手机", False, "text", 30, "13900000000", OPTIONAL),
    Column("email", "邮箱", False, "email", 254, "zhangsan@example.org", gettext_lazy(
        "Needed to reset a forgotten password. Give an e-mail address or an initial password.")),
    Column("role", "角色", True, "role", 0, "学校安全员", ONE_OF),
    Column("unit", "单位代码", True, "text", 40, "3206120101", gettext_lazy(
        "Code of the unit where the person holds the role.")),
    Column("password", "初始密码", False, "password", 128, "", gettext_lazy(
        "Optional. Without it the person sets a password through “forgot password”. Ask them "
        "to change it after the first sign-in.")),
)  # fmt: skip

COLUMNS = {SCHOOLS: SCHOOL_COLUMNS, USERS: USER_COLUMNS}


def choice_names(kind):
    """The Chinese names offered in the template's drop-down list for a column kind."""
    return list(
        {"category": CATEGORY_NAMES, "ownership": OWNERSHIP_NAMES, "role": ROLE_NAMES}[
            kind
        ].values()
    )


# --- Reading a workbook ---------------------------------------------------------------------


def _count(value):
    """A non-negative whole number from a cell, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        return value if 0 <= value <= MAX_PEOPLE else None
    text = str(value).strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_PEOPLE else None


def parse_workbook(file, kind):
    """Read the first sheet of ``file`` as ``kind`` ("schools" or "users").

    Returns ``(rows, errors)``. Each row is ``{"_row": n, "_headers": {code: header}, code:
    value, …}`` with the cell values converted and checked on their own (required, numbers,
    choices, lengths); checks against the database are the import services' work.
    """
    columns = COLUMNS[kind]
    return read_rows(file, lambda header, lines: _parse_sheet(header, lines, columns))


def _parse_sheet(header, lines, columns):
    positions, headers, width, errors = map_header(header, columns)
    if errors or not width:
        return [], errors

    spellings = {
        "category": choice_spellings(CATEGORY_NAMES),
        "ownership": choice_spellings(OWNERSHIP_NAMES),
        "role": choice_spellings(ROLE_NAMES),
    }
    rows = []
    for number, cells in data_lines(lines, width, MAX_ROWS):
        row = {"_row": number, "_headers": headers}
        for column in columns:
            if column.code not in positions:
                row[column.code] = None if column.kind == "count" else ""
                continue
            raw = cells[positions[column.code]]
            value, message = _convert(column, raw, spellings)
            if message:
                errors.append(RowError(number, headers[column.code], message))
            row[column.code] = value
        rows.append(row)
    if not rows and not errors:
        return [], [file_error(_("The workbook has no rows to import below the header."))]
    return rows, errors


def _convert(column, raw, spellings):
    """(value, error message or "") for one cell."""
    text = cell_text(raw)
    if text == "":
        if column.required:
            return None, _("This cell is required.")
        return (None if column.kind == "count" else ""), ""
    if column.kind == "count":
        number = _count(raw)
        if number is None:
            return None, _("Enter a whole number from 0 to %(max)s, not “%(value)s”.") % {
                "max": MAX_PEOPLE,
                "value": text,
            }
        return number, ""
    if column.kind in spellings:
        value = spellings[column.kind].get(fold(text))
        if value is None:
            return None, _("“%(value)s” is not one of: %(choices)s.") % {
                "value": text,
                "choices": "、".join(choice_names(column.kind)),
            }
        return value, ""
    if column.max_length and len(text) > column.max_length:
        return None, _("At most %(max)s characters, this has %(length)s.") % {
            "max": column.max_length,
            "length": len(text),
        }
    if column.kind == "password":
        return (raw if isinstance(raw, str) else text), ""  # keep a password's own spaces
    if column.kind == "email":
        try:
            validate_email(text)
        except ValidationError:
            # Keep the text: the row is bad already, but it did give an address.
            return text, _("“%(value)s” is not a valid e-mail address.") % {"value": text}
    return text, ""


# --- Import services ------------------------------------------------------------------------


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _units_in_scope(actor, perm, codes):
    """{code: unit} for the codes of active units where ``actor`` may do ``perm``."""
    found = {}
    for chunk in _chunks(codes):
        for unit in access.units_where(actor, perm).filter(code__in=chunk):
            found[unit.code] = unit
    return found


def _not_yours(row, code):
    # The same words for a unit that does not exist and one outside the actor's scope.
    return RowError(
        row["_row"],
        row["_headers"]["unit" if "unit" in row["_headers"] else "parent"],
        _("Unit “%(code)s” not found, or not yours.") % {"code": code},
    )


def _duplicates_in_file(rows, key, column, message, *, fold=False):
    errors = []
    first_seen = {}
    for row in rows:
        value = row[key]
        if not value:
            continue
        folded = value.lower() if fold else value
        if folded in first_seen:
            errors.append(
                RowError(
                    row["_row"],
                    row["_headers"][column],
                    message % {"value": value, "row": first_seen[folded]},
                )
            )
        else:
            first_seen[folded] = row["_row"]
    return errors


def _sorted(errors):
    return sorted(errors, key=lambda e: (e.row, e.column))


class _Abort(Exception):
    pass


def schools_import(*, file, actor):
    """Create every school of the workbook under its county (or city), or none at all."""
    rows, errors = parse_workbook(file, SCHOOLS)
    if errors and any(e.row == 0 for e in errors):
        return ImportResult(errors=errors)

    errors += _duplicates_in_file(
        rows,
        "code",
        "code",
        _("The school code “%(value)s” is already used in row %(row)s of this file."),
    )
    codes = {r["code"] for r in rows if r["code"]}
    taken = set()
    for chunk in _chunks(codes):
        taken |= set(OrgUnit.objects.filter(code__in=chunk).values_list("code", flat=True))
    parents = _units_in_scope(actor, Perm.MANAGE_UNITS, {r["parent"] for r in rows if r["parent"]})
    for row in rows:
        if row["code"] in taken:
            errors.append(
                RowError(
                    row["_row"],
                    row["_headers"]["code"],
                    _("The code “%(code)s” is already used by another unit.")
                    % {"code": row["code"]},
                )
            )
        if not row["parent"]:
            continue
        parent = parents.get(row["parent"])
        if parent is None:
            errors.append(_not_yours(row, row["parent"]))
        elif parent.kind not in (OrgUnit.Kind.COUNTY, OrgUnit.Kind.CITY):
            errors.append(
                RowError(
                    row["_row"],
                    row["_headers"]["parent"],
                    _("A school cannot be placed under “%(code)s”: it is not a county or city.")
                    % {"code": row["parent"]},
                )
            )
    if errors:
        return ImportResult(errors=_sorted(errors))

    try:
        with transaction.atomic():
            for row in rows:
                try:
                    services.orgunit_create(
                        kind=OrgUnit.Kind.SCHOOL,
                        name=row["name"],
                        code=row["code"],
                        parent=parents[row["parent"]],
                        actor=actor,
                        **{f: row[f] for f in services.SCHOOL_FIELDS},
                    )
                except (ValidationError, IntegrityError, PermissionDenied) as exc:
                    errors.append(_service_error(row, "code", exc))
                    raise _Abort from exc
            _request_statistics(actor, {parents[r["parent"]] for r in rows})
    except _Abort:
        return ImportResult(errors=errors)
    return ImportResult(imported=len(rows))


def _service_error(row, column, exc):
    if isinstance(exc, ValidationError):
        message = " ".join(exc.messages)
    elif isinstance(exc, PermissionDenied):
        message = _("You may not make this change.")
    else:  # a concurrent import took the same code or user name between check and write
        message = _("This row clashes with a change made at the same time. Upload the file again.")
    return RowError(row["_row"], row["_headers"][column], message)


def _request_statistics(actor, parents):
    """Queue one statistics rebuild per top unit of the actor that received schools."""
    tops = list(access.top_units(actor, Perm.RUN_JOBS))
    wanted = {}
    for parent in parents:
        for top in tops:
            if parent.path.startswith(top.path):
                wanted[top.pk] = top
                break
    for top in wanted.values():
        services.org_statistics_request(unit=top, actor=actor)


def users_import(*, file, actor):
    """Create every person of the workbook with their role at their unit, or none at all."""
    rows, errors = parse_workbook(file, USERS)
    if errors and any(e.row == 0 for e in errors):
        return ImportResult(errors=errors)

    errors += _duplicates_in_file(
        rows,
        "username",
        "username",
        _("The user name “%(value)s” is already used in row %(row)s of this file."),
        fold=True,
    )
    folded = {r["username"].lower() for r in rows if r["username"]}
    taken = set()
    for chunk in _chunks(folded):
        # Compared folded, as the service's iexact check does, in one query per chunk.
        found = User.objects.annotate(folded=Lower("username")).filter(folded__in=chunk)
        taken |= {name.lower() for name in found.values_list("username", flat=True)}
    units = _units_in_scope(actor, Perm.MANAGE_USERS, {r["unit"] for r in rows if r["unit"]})
    grantable = {}
    for row in rows:
        number, headers = row["_row"], row["_headers"]
        username = row["username"]
        if username:
            if username.lower() in taken:
                errors.append(
                    RowError(
                        number,
                        headers["username"],
                        _("The user name “%(name)s” is already taken.") % {"name": username},
                    )
                )
            try:
                User.username_validator(username)
            except ValidationError as exc:
                errors.append(RowError(number, headers["username"], " ".join(exc.messages)))
        unit = units.get(row["unit"]) if row["unit"] else None
        if row["unit"] and unit is None:
            errors.append(_not_yours(row, row["unit"]))
        if unit is not None and row["role"]:
            if unit.pk not in grantable:
                grantable[unit.pk] = services.roles_grantable(actor=actor, unit=unit)
            if row["role"] not in grantable[unit.pk]:
                errors.append(
                    RowError(
                        number,
                        headers["role"],
                        _("You may not grant the role “%(role)s” at %(unit)s.")
                        % {"role": Role(row["role"]).label, "unit": unit.name},
                    )
                )
        if row["password"]:
            person = User(username=username, full_name=row["full_name"], email=row["email"])
            try:
                validate_password(row["password"], person)
            except ValidationError as exc:
                errors.append(RowError(number, headers["password"], " ".join(exc.messages)))
        elif not row["email"]:
            errors.append(
                RowError(
                    number,
                    headers.get("email", "邮箱"),
                    _(
                        "Give an e-mail address or an initial password, otherwise this person "
                        "cannot sign in."
                    ),
                )
            )
    if errors:
        return ImportResult(errors=_sorted(errors))

    try:
        with transaction.atomic():
            for row in rows:
                try:
                    services.user_create(
                        username=row["username"],
                        full_name=row["full_name"],
                        role=row["role"],
                        unit=units[row["unit"]],
                        actor=actor,
                        email=row["email"],
                        phone=row["phone"],
                        password=row["password"] or None,
                    )
                except (ValidationError, IntegrityError, PermissionDenied) as exc:
                    errors.append(_service_error(row, "username", exc))
                    raise _Abort from exc
    except _Abort:
        return ImportResult(errors=errors)
    return ImportResult(imported=len(rows))


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
        if column.kind in ("category", "ownership", "role"):
            validation = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(choice_names(column.kind))),
                allow_blank=not column.required,
                showErrorMessage=True,
            )
            validation.error = _help(column)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
        elif column.kind == "text":
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
            cell = codes.cell(row=row, column=column, value=value)
            cell.data_type = "s"
    codes.column_dimensions["A"].width = 22
    codes.column_dimensions["B"].width = 36

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _help(column):
    text = str(column.help)
    if column.kind in ("category", "ownership", "role"):
        text = text % {"choices": "、".join(choice_names(column.kind))}
    if column.code in ("parent", "unit"):
        text = f"{text} {SEE_UNITS}"
    return text
