"""The monthly upload's writes: prepare the workbook (a job run), confirm it, run it again, and
escalate what is overdue.

Which hazards a county's list holds (docs/decisions.md, "Issue 9 — monthly"): every hazard of
the county found on or before the day the list is prepared (and within the month) that was not
closed before the month began — what is open now, plus what was closed during the month. Hazards
of city-direct schools (no county) are not in any county's list.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access
from campaign import selectors as campaign_selectors
from campaign.models import OrgUnit
from campaign.roles import Perm
from core import jobs, notices
from core.errors import Conflict
from core.models import JobRun
from core.services import job_run_enqueue, job_run_requeue
from core.services.audit import audit
from core.services.notifications import notify
from hazards.models import Hazard
from reporting.models import MonthlyUpload, next_month
from reporting.monthly import layout as layouts

log = logging.getLogger(__name__)

PREPARE_JOB = "monthly_prepare"
UPLOAD_JOB = "monthly_upload"
OVERDUE_NOTICE = "monthly.overdue"
FAILED_NOTICE = "monthly.failed"
CONFIRMED_NOTICE = "monthly.confirmed"
ID_BATCH = 5000
Status = MonthlyUpload.Status


# --- Months ---------------------------------------------------------------------------------


def month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def parse_month(text) -> dt.date | None:
    """The 1st of "2026-11", or None for anything else (a plausible year only)."""
    try:
        year, number = str(text).split("-")
        if len(year) != 4 or len(number) != 2:
            return None
        month = dt.date(int(year), int(number), 1)
    except (ValueError, TypeError):
        return None
    return month if 2000 <= month.year <= 2100 else None


def this_month(today=None) -> dt.date:
    return (today or timezone.localdate()).replace(day=1)


def _local_midnight(day):
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(settings.TIME_ZONE))


def month_hazards(county, month, *, until=None):
    """The county's hazards the month's list holds (see the module's docstring)."""
    last = next_month(month) - dt.timedelta(days=1)
    until = min(until or timezone.localdate(), last)
    return (
        Hazard.objects.filter(county=county, found_on__lte=until)
        .filter(~Q(status=Hazard.Status.CLOSED) | Q(closed_at__gte=_local_midnight(month)))
        .order_by("found_on", "code")
    )


# --- Preparing ------------------------------------------------------------------------------


def _counties(cities=None):
    qs = OrgUnit.objects.filter(
        kind=OrgUnit.Kind.COUNTY,
        is_active=True,
        parent__is_active=True,
        parent__kind=OrgUnit.Kind.CITY,
    )
    if cities is not None:
        qs = qs.filter(parent__in=cities)
    return qs.order_by("path")


def monthly_prepare_all(*, today=None, cities=None):
    """Open the month's upload rows and queue a preparation run for every active county
    (the beat, on the prepare day and after it). Idempotent: the unique (county, month) row and
    the unique (kind, unit, period) run are the guards; a run that succeeded is left alone."""
    month = this_month(today)
    counties = list(_counties(cities))
    MonthlyUpload.objects.bulk_create(
        [MonthlyUpload(county=c, city_id=c.parent_id, month=month) for c in counties],
        ignore_conflicts=True,
    )
    queued = 0
    for county in counties:
        run = job_run_enqueue(
            kind=PREPARE_JOB, unit=county, period=month_label(month), actor=None, scope=[county]
        )
        queued += run.state == JobRun.State.QUEUED
    return {"counties": len(counties), "queued": queued}


def monthly_prepare_request(*, county, month, actor):
    """Someone with run_jobs at the county asks for the preparation now."""
    access.require_perm_at(actor, Perm.RUN_JOBS, county)
    MonthlyUpload.objects.get_or_create(
        county=county, month=month, defaults={"city_id": county.parent_id}
    )
    return job_run_enqueue(
        kind=PREPARE_JOB, unit=county, period=month_label(month), actor=actor, scope=[county]
    )


def monthly_prepare_job(run, report_progress):
    """The handler of ``monthly_prepare`` (unit: the county, period "2026-11"). Run again, it
    changes nothing: a list once prepared stays the one the upload sends."""
    month = parse_month(run.period)
    county = run.unit
    if month is None or county.kind != OrgUnit.Kind.COUNTY:
        raise jobs.JobFailed("error", f"not a county month: {county} {run.period}")
    upload, _created = MonthlyUpload.objects.get_or_create(
        county=county, month=month, defaults={"city_id": county.parent_id}
    )
    if upload.status != Status.NOT_PREPARED:
        return jobs.Outcome(result={"rows": upload.rows, "again": True})
    layout = layouts.current_layout(upload.city)
    queryset = month_hazards(county, month)
    total = queryset.count()
    report_progress(5)
    ids = []
    content = layouts.layout_workbook(
        layout, queryset, report_progress=report_progress, total=total, ids=ids
    )
    report_progress(96)
    with transaction.atomic():
        upload = MonthlyUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != Status.NOT_PREPARED:
            return jobs.Outcome(result={"rows": upload.rows, "again": True})
        upload.file.save(
            f"{county.code}-{month_label(month)}-v{layout.version}.xlsx",
            ContentFile(content),
            save=False,
        )
        upload.status = Status.READY
        upload.rows = len(ids)
        upload.hazard_ids = ids
        upload.template = layout.template
        upload.template_version = layout.version
        upload.prepared_at = timezone.now()
        upload.job_run = run
        upload.updated_at = upload.prepared_at
        upload.save()
        if settings.REPORTING_UPLOADER == "http":
            from reporting.monthly import uploaders

            uploaders.http_upload_enqueue(upload=upload)
    return jobs.Outcome(result={"rows": len(ids), "version": layout.version})


def prepare_describe(result):
    return _("%(rows)s hazards listed.") % {"rows": result.get("rows", 0)}


# --- Success: the hazards are marked uploaded ------------------------------------------------


def mark_hazards_uploaded(upload):
    """Give the listed hazards the upload's month as their last uploaded month (never an
    earlier month over a later one)."""
    ids = list(upload.hazard_ids)
    for start in range(0, len(ids), ID_BATCH):
        Hazard.objects.filter(pk__in=ids[start : start + ID_BATCH]).filter(
            Q(uploaded_month__isnull=True) | Q(uploaded_month__lt=upload.month)
        ).update(uploaded_month=upload.month)


# --- Confirming (the file uploader) ----------------------------------------------------------


def monthly_upload_confirm(*, upload, actor, receipt_number, receipt_date):
    """County staff confirm that the provincial system took the workbook: its receipt number
    and date. Bad input raises ``ValidationError`` and changes nothing."""
    receipt_number = (receipt_number or "").strip()
    errors = {}
    if not receipt_number:
        errors["receipt_number"] = _("Enter the receipt number the provincial system gave.")
    elif len(receipt_number) > 60:
        errors["receipt_number"] = _("The receipt number is at most 60 characters.")
    today = timezone.localdate()
    if receipt_date is None:
        errors["receipt_date"] = _("Enter the date on the receipt.")
    elif receipt_date > today:
        errors["receipt_date"] = _("The receipt date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        upload = (
            MonthlyUpload.objects.select_for_update().select_related("county").get(pk=upload.pk)
        )
        access.require_perm_at(actor, Perm.SUBMIT_REPORTS, upload.county)
        if upload.status == Status.CONFIRMED:
            raise Conflict(_("This upload has already been confirmed."))
        if upload.status == Status.NOT_PREPARED:
            raise Conflict(_("The list has not been prepared yet; there is nothing to confirm."))
        if receipt_date < upload.prepared_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date():
            raise ValidationError(
                {"receipt_date": _("The receipt date cannot be before the list was prepared.")}
            )
        now = timezone.now()
        was_uploaded = upload.uploaded_at is not None
        upload.status = Status.CONFIRMED
        upload.receipt_number = receipt_number
        upload.receipt_date = receipt_date
        upload.confirmed_at = now
        upload.confirmed_by = actor
        upload.uploaded_at = upload.uploaded_at or now
        upload.failure = ""
        upload.updated_at = now
        upload.save()
        if not was_uploaded:
            mark_hazards_uploaded(upload)
        audit(
            actor=actor,
            action="monthly.confirm",
            unit=upload.county,
            month=upload.label,
            receipt=receipt_number,
        )
    return upload


# --- Running again ---------------------------------------------------------------------------


def monthly_rerun(*, upload, actor):
    """Run the failed preparation or upload of ``upload`` again (run_jobs at its county)."""
    access.require_perm_at(actor, Perm.RUN_JOBS, upload.county)
    run = None
    if upload.status == Status.NOT_PREPARED:
        run = (
            upload.job_run
            or JobRun.objects.filter(
                kind=PREPARE_JOB, unit=upload.county, period=upload.label
            ).first()
        )
    elif upload.status == Status.FAILED:
        run = upload.upload_run
    if run is None or run.state != JobRun.State.FAILED:
        raise Conflict(_("Nothing failed here; there is nothing to run again."))
    with transaction.atomic():
        if upload.status == Status.FAILED:
            MonthlyUpload.objects.filter(pk=upload.pk, status=Status.FAILED).update(
                status=Status.READY, failure="", updated_at=timezone.now()
            )
        return job_run_requeue(job_run=run, actor=actor)


# --- Notices and escalation ------------------------------------------------------------------


def _overdue_text(p):
    return (
        _(
            "The monthly upload of %(county)s for %(month)s is overdue: it was due before "
            "%(due)s and has not been confirmed."
        )
        % p
    )


def _failed_text(p):
    if p.get("why") == "refused":
        return (
            _(
                "The provincial system refused the monthly upload of %(county)s for %(month)s "
                "(HTTP %(code)s). Check the list and run it again from the monthly upload page."
            )
            % p
        )
    return (
        _(
            "The monthly upload of %(county)s for %(month)s failed: the provincial system did not "
            "accept it after %(attempts)s attempts. Run it again from the monthly upload page."
        )
        % p
    )


def confirmed_text(p):
    return (
        _("The monthly upload of %(county)s for %(month)s is confirmed (receipt %(receipt)s).") % p
    )


def register_notices():
    notices.register(OVERDUE_NOTICE, _overdue_text)
    notices.register(FAILED_NOTICE, _failed_text)
    notices.register(CONFIRMED_NOTICE, confirmed_text)
    jobs.register_reason(
        "upload_refused", gettext_lazy("The provincial system refused the upload.")
    )
    jobs.register_reason(
        "upload_unreachable",
        gettext_lazy("The provincial system did not answer; the upload was given up."),
    )


def county_and_city_people(upload):
    """Who hears of an upload's trouble: the county's submitters, the city's reviewers."""
    county = campaign_selectors.people_with_perm_at([upload.county_id], Perm.SUBMIT_REPORTS)
    city = campaign_selectors.people_with_perm_at([upload.city_id], Perm.REVIEW_REPORTS)
    return list({u.pk: u for u in county + city}.values())


def status_link(upload):
    return reverse("reporting:month_status", args=[upload.county.code])


def notify_failed(upload, *, why, code=None, attempts=0):
    """Tell the county and the city that the http uploader gave up (``why``: "refused" for a
    final 4xx with its ``code``, "unreachable" after ``attempts`` POSTs)."""
    notify(
        recipients=county_and_city_people(upload),
        kind=FAILED_NOTICE,
        params={
            "county": upload.county.name,
            "month": upload.label,
            "why": why,
            "code": code,
            "attempts": attempts,
        },
        link=status_link(upload),
        unit=upload.county,
        dedupe_key=f"monthly-failed-{upload.pk}-{upload.upload_run_id or 0}-"
        f"{upload.requests.count()}",
    )


def monthly_escalate(*, today=None):
    """Daily: every upload of a month that has ended without confirmation is overdue; its
    county and city hear of it once (the dedupe key), however often this runs."""
    today = today or timezone.localdate()
    overdue = (
        MonthlyUpload.objects.filter(month__lt=this_month(today))
        .exclude(status=Status.CONFIRMED)
        .select_related("county")
    )
    sent = 0
    for upload in overdue:
        sent += notify(
            recipients=county_and_city_people(upload),
            kind=OVERDUE_NOTICE,
            params={
                "county": upload.county.name,
                "month": upload.label,
                "due": next_month(upload.month).isoformat(),
            },
            link=status_link(upload),
            unit=upload.county,
            dedupe_key=f"monthly-overdue-{upload.pk}",
        )
    return {"notices": sent}


# --- The format ------------------------------------------------------------------------------


def monthly_template_save(*, city, actor, columns, category_codes, level_codes):
    """Save the city's format as its next version (the earlier ones stay, for the uploads
    that used them). The city's row is locked so that two editors get two versions."""
    from reporting.models import MonthlyTemplate

    access.require_perm_at(actor, Perm.MANAGE_UNITS, city)
    unknown = [c["field"] for c in columns if c["field"] not in layouts.FIELDS]
    if not columns or unknown:
        raise ValidationError(_("The format names a field that does not exist."))
    with transaction.atomic():
        OrgUnit.objects.select_for_update().filter(pk=city.pk).first()
        current = layouts.current_template(city)
        template = MonthlyTemplate.objects.create(
            city=city,
            version=(current.version if current else 0) + 1,
            columns=columns,
            category_codes=category_codes,
            level_codes=level_codes,
            created_by=actor,
        )
        audit(actor=actor, action="monthly.template", unit=city, version=template.version)
    return template
