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
from hazards.models import Hazard

EXPORT_JOB = "hazard_export"
CHUNK = 2000
PROGRESS_EVERY = 1000


def export_sync_limit():
    return getattr(settings, "HAZARD_EXPORT_SYNC_LIMIT", 5000)


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
