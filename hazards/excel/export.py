"""The register's export: a filtered list as a workbook, streamed; a large one as a job run
whose handler rebuilds the list within the scope recorded on the run."""

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.jobs import JobFailed, ProducedFile
from core.text import strip_control_characters
from hazards.imports.fields import LABELS, LEVEL_NAMES, SOURCE_NAMES
from hazards.models import Hazard

EXPORT_JOB = "hazard_export"
CHUNK = 2000
PROGRESS_EVERY = 1000


def export_sync_limit():
    return getattr(settings, "HAZARD_EXPORT_SYNC_LIMIT", 5000)


# The export is a full ledger: every field, the five implementations and the progress, under
# the import's own Chinese headings (``hazards.imports.fields``), so that a county can work on
# it in Excel and import it back to update the same hazards (matched by their number). The
# other columns (county, status, overdue, …) say what the portal derives; the import ignores
# them. The headings are a file format, like the template's, and are not translated.
EXPORT_FIELDS = (
    "code",
    "school__code",
    "school__name",
    "county__name",
    "ledger_ref",
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
    "measures",
    "funds_amount",
    "funds_source",
    "funds_secured",
    "contingency_plan",
    "closed_at",
    "accepted_by__full_name",
    "accepted_level",
    "acceptance_opinion",
    "provincial_ref",
    "uploaded_month",
)
L = LABELS
HEADINGS = (
    L["code"], L["school"], L["school_name"], "县（市、区）", L["ledger_ref"], "隐患类别",
    L["level"], "状态", L["source"], L["location"], L["description"], L["found_on"],
    L["deadline"], "是否逾期", "五落实是否到位", L["responsible_unit"], L["responsible_person"],
    L["responsible_phone"], L["measures"], L["funds_amount"], L["funds_source"],
    L["funds_secured"], L["contingency_plan"], L["progress"], "验收层级", "验收意见",
    L["provincial_ref"], "最近上报月份",
)  # fmt: skip
DATE_COLUMNS = (HEADINGS.index(L["found_on"]), HEADINGS.index(L["deadline"]))
YES, NO = "是", "否"


def export_headers():
    return list(HEADINGS)


def _progress(status, closed_at, acceptor):
    """The progress as a ledger writes it (整改进展), which the import reads back."""
    if status == Hazard.Status.CLOSED:
        day = timezone.localtime(closed_at).date().isoformat() if closed_at else ""
        return " ".join(p for p in ("已验收", day, acceptor or "") if p)
    return {
        Hazard.Status.RECTIFYING: "整改中",
        Hazard.Status.AWAITING_ACCEPTANCE: "已整改，待验收",
    }.get(status, "未整改")


def _yes_no(value):
    return "" if value is None else (YES if value else NO)


def export_rows(queryset, *, report_progress=None, total=None):
    """A generator of export rows (lists), read in chunks from ``values_list``."""
    statuses = dict(Hazard.Status.choices)
    accepted_levels = dict(Hazard.AcceptanceLevel.choices)
    today = timezone.localdate()
    open_statuses = set(Hazard.OPEN_STATUSES)
    for n, row in enumerate(
        queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=CHUNK), start=1
    ):
        (code, school_code, school, county, ledger_ref, area, category, level, status, source,
         location, description, found_on, deadline, five, r_unit, r_person, r_phone, measures,
         funds, funds_source, funds_secured, plan, closed_at, acceptor, accepted_level,
         opinion, ref, uploaded) = row  # fmt: skip
        overdue = status in open_statuses and deadline is not None and deadline < today
        yield [
            code,
            school_code,
            school,
            county or "",
            ledger_ref,
            f"{area} · {category}" if area else category,  # as the register shows it
            LEVEL_NAMES.get(level, level),
            str(statuses.get(status, status)),
            SOURCE_NAMES.get(source, source),
            location,
            description,
            found_on,
            deadline,
            YES if overdue else NO,
            YES if five else NO,
            r_unit,
            r_person,
            r_phone,
            measures,
            funds,
            funds_source,
            _yes_no(funds_secured),
            plan,
            _progress(status, closed_at, acceptor),
            str(accepted_levels.get(accepted_level, "")) if accepted_level else "",
            opinion,
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
    date_columns = DATE_COLUMNS
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
