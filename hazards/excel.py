"""Excel for the hazard register: export of a filtered list and import of a register workbook.

Export: openpyxl write-only, rows streamed from ``values_list()`` in chunks; a large export
runs as a JobRun (kind ``hazard_export``) whose handler rebuilds the same filtered list for the
user who asked, within the scope recorded on the run. Import: every row is checked first; any
bad row → nothing is imported and every problem is listed (row, column, reason); else all rows
are registered through ``services.hazard_register`` in one transaction (``campaign.imports`` is
the pattern).
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core import dates
from core.db import Busy, retry_on_conflict
from core.errors import OutOfScope
from core.jobs import JobFailed, ProducedFile
from core.text import CONTROL_CHARACTER_MESSAGE, has_control_characters, strip_control_characters
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

EXPORT_JOB = "hazard_export"
CHUNK = 2000
PROGRESS_EVERY = 1000
MAX_ROWS = 2000


def export_sync_limit():
    return getattr(settings, "HAZARD_EXPORT_SYNC_LIMIT", 5000)


# --- Export -----------------------------------------------------------------------------------

# (header msgid, values_list field or None for a derived column)
EXPORT_FIELDS = (
    "code",
    "school__code",
    "school__name",
    "county__name",
    "category__parent__name",
    "category__name",
    "level",
    "status",
    "source",
    "location",
    "description",
    "found_on",
    "deadline",
    "five_complete",
    "responsible_unit",
    "responsible_person",
    "responsible_phone",
    "funds_amount",
    "provincial_ref",
    "uploaded_month",
)


def export_headers():
    return [
        _("Hazard number"),
        _("School code"),
        _("School"),
        _("County"),
        _("Area"),
        _("Category"),
        _("Grade"),
        _("Status"),
        _("Source"),
        _("Where exactly"),
        _("Description"),
        _("Date found"),
        _("Deadline"),
        _("Overdue"),
        _("Five implementations complete"),
        _("Responsible unit"),
        _("Responsible person"),
        _("Responsible person's phone"),
        _("Funds (yuan)"),
        _("Provincial reference number"),
        _("Last uploaded (month)"),
    ]


def export_rows(queryset, *, report_progress=None, total=None):
    """A generator of export rows (lists), read in chunks from ``values_list``."""
    levels = dict(Hazard.Level.choices)
    statuses = dict(Hazard.Status.choices)
    sources = dict(Hazard.Source.choices)
    today = timezone.localdate()
    yes, no = _("yes"), _("no")
    open_statuses = set(Hazard.OPEN_STATUSES)
    for n, row in enumerate(
        queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=CHUNK), start=1
    ):
        (code, school_code, school, county, area, category, level, status, source, location,
         description, found_on, deadline, five, r_unit, r_person, r_phone, funds, ref,
         uploaded) = row  # fmt: skip
        if area is None:
            area, category = category, ""
        overdue = status in open_statuses and deadline is not None and deadline < today
        yield [
            code,
            school_code,
            school,
            county or "",
            area,
            category,
            str(levels.get(level, level)),
            str(statuses.get(status, status)),
            str(sources.get(source, source)),
            location,
            description,
            found_on,
            deadline,
            yes if overdue else no,
            yes if five else no,
            r_unit,
            r_person,
            r_phone,
            funds,
            ref,
            uploaded.strftime("%Y-%m") if uploaded else "",
        ]
        if report_progress and total and n % PROGRESS_EVERY == 0:
            report_progress(min(99, n * 100 // total))


def export_workbook(queryset, *, report_progress=None, total=None):
    """The xlsx bytes of ``queryset`` (write-only: memory does not grow with the rows)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Hazard register"))
    bold = Font(bold=True)
    header = []
    for text in export_headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_columns = (11, 12)
    for values in export_rows(queryset, report_progress=report_progress, total=total):
        cells = []
        for index, value in enumerate(values):
            # A control character stored before they were refused must not break the file.
            cell = WriteOnlyCell(sheet, value=strip_control_characters(value))
            if index in date_columns and value is not None:
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_file_name():
    return f"hazards-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def export_scope(*, actor, querystring):
    """The units whose hazards a large export of ``actor`` may hold: their outermost view
    units, or only the county the list is filtered to (a county inside them)."""
    from hazards.filters import HazardFilter

    units = list(access.top_units(actor, Perm.VIEW).order_by("path"))
    filterset = HazardFilter(QueryDict(querystring), queryset=Hazard.objects.none(), user=actor)
    filterset.errors  # noqa: B018 -- validates the form, filling cleaned_data
    county_code = filterset.form.cleaned_data.get("county")
    if county_code:
        county = (
            access.units_where(actor, Perm.VIEW)
            .filter(kind=OrgUnit.Kind.COUNTY, code=county_code)
            .first()
        )
        if county is not None:
            return [county]
    return units


def export_request(*, actor, querystring):
    """Queue a large export as a JobRun with the filters as its params and the actor's view
    scope (narrowed to the county filter) as its recorded scope: the run, and its file, are
    seen by the actor and by those who see all of that scope (``campaign.policy``)."""
    from campaign import services as campaign_services

    scope = export_scope(actor=actor, querystring=querystring)
    if not scope:
        raise PermissionDenied
    period = f"x{timezone.now():%Y%m%d%H%M%S%f}-{actor.pk}"[:40]
    return campaign_services.job_run_request(
        kind=EXPORT_JOB,
        unit=scope[0],
        period=period,
        actor=actor,
        params={"querystring": querystring},
        scope=scope,
    )


def _units_q(units):
    """A Q for the hazards under any of ``units``, on the register's own keys."""
    q = Q(pk__in=[])
    for unit in units:
        if unit.kind == OrgUnit.Kind.SCHOOL:
            q |= Q(school_id=unit.pk)
        elif unit.kind == OrgUnit.Kind.COUNTY:
            q |= Q(county_id=unit.pk)
        elif unit.kind == OrgUnit.Kind.CITY:
            q |= Q(city_id=unit.pk)
        else:
            q |= Q(city__path__startswith=unit.path)
    return q


def export_job(run, report_progress):
    """The JobRun handler: the requester's filtered list, within the scope recorded on the run
    when it was asked for and within what the requester may still see, whoever runs it again.
    """
    from hazards.filters import HazardFilter
    from hazards.selectors import hazards_for_user, register_status_counts

    user = run.requested_by
    if user is None or not user.is_active:
        raise JobFailed("requester_gone", "the person who asked for the export is gone")
    scope = run.scope_units()
    querystring = run.params.get("querystring", "")
    with translation.override(settings.LANGUAGE_CODE):
        hazards = hazards_for_user(user).filter(_units_q(scope))
        filterset = HazardFilter(QueryDict(querystring), queryset=hazards, user=user)
        queryset = filterset.sorted_qs()
        total = sum(register_status_counts(filterset.qs).values())
        content = export_workbook(queryset, report_progress=report_progress, total=total)
    return ProducedFile(name=export_file_name(), content=content)


# --- Import -----------------------------------------------------------------------------------


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
