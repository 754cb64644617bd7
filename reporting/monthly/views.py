"""The monthly upload's pages: a county's months, the city's month view, the format editor.

Reads go through ``reporting.monthly.selectors`` (out of scope: 404); the services decide
permission (403) and state (a clear message, nothing changed).
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.downloads import stored_file_response
from core.models import JobRun
from hazards.models import Hazard
from reporting.models import MonthlyTemplate, MonthlyUpload, MonthlyUploadRequest, next_month
from reporting.monthly import forms, layout, selectors, services, uploaders

Status = MonthlyUpload.Status
MONTHS_SHOWN = 12
PREVIEW_ROWS = 5
LIVE = (JobRun.State.QUEUED, JobRun.State.RUNNING)


def _acting_month():
    """The month people act on: before this month's list is prepared (the prepare day), the
    last one, with its confirmations and its overdue counties; from then on, this one."""
    today = timezone.localdate()
    month = services.this_month(today)
    if today.day < settings.REPORTING_MONTHLY_PREPARE_DAY:
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


@login_required
@require_GET
def month_index(request):
    """A county's people go to their county's page; everyone else to the month they act on."""
    counties = list(selectors.counties_for_user(request.user)[:2])
    if len(counties) == 1:
        return redirect("reporting:month_status", counties[0].code)
    return redirect("reporting:month_overview", services.month_label(_acting_month()))


def _decorate(uploads, user, county, today):
    may_confirm = access.has_perm_at(user, Perm.SUBMIT_REPORTS, county)
    may_rerun = access.has_perm_at(user, Perm.RUN_JOBS, county)
    live = False
    for u in uploads:
        u.overdue = u.is_overdue_on(today)
        u.confirmable = may_confirm and u.status in (Status.READY, Status.UPLOADED, Status.FAILED)
        runs = [r for r in (u.job_run, u.upload_run) if r is not None]
        u.failed_run = next((r for r in runs if r.state == JobRun.State.FAILED), None)
        u.rerunnable = may_rerun and u.failed_run is not None
        u.live_run = next((r for r in runs if r.state in LIVE), None)
        live = live or u.live_run is not None
    return live


def _status_page(request, county, *, form=None, form_for=None, status=200):
    today = timezone.localdate()
    uploads = list(
        MonthlyUpload.objects.filter(county=county)
        .select_related("job_run", "upload_run", "confirmed_by")
        .prefetch_related(
            Prefetch("requests", queryset=MonthlyUploadRequest.objects.order_by("attempt"))
        )
        .order_by("-month")[:MONTHS_SHOWN]
    )
    # The run of a month being prepared for the first time has no upload row pointing at it.
    pending = {
        r.period: r
        for r in JobRun.objects.filter(
            kind=services.PREPARE_JOB, unit=county, period__in=[u.label for u in uploads]
        )
    }
    for u in uploads:
        u.job_run = u.job_run or pending.get(u.label)
    live = _decorate(uploads, request.user, county, today)
    for u in uploads:
        u.form = form if form_for == u.pk else forms.ConfirmForm(initial={"receipt_date": today})
    return render(
        request,
        "reporting/monthly/month_status.html",
        {
            "county": county,
            "uploads": uploads,
            "live": live,
            "uploader": uploaders.uploader_name(),
            "this_month": services.month_label(services.this_month(today)),
            "prepare_day": settings.REPORTING_MONTHLY_PREPARE_DAY,
        },
        status=status,
    )


@login_required
@require_GET
def month_status(request, code):
    county = selectors.county_for_user(request.user, code)
    return _status_page(request, county)


@login_required
@require_GET
def month_download(request, code, label):
    upload = selectors.upload_for_user(request.user, code, label)
    if upload.status == Status.NOT_PREPARED:
        messages.error(request, _("The list of %(month)s is not prepared yet.") % {"month": label})
        return redirect("reporting:month_status", code)
    return stored_file_response(upload.file, f"{upload.county.code}-{upload.label}-隐患清单.xlsx")


@login_required
@require_POST
def month_confirm(request, code, label):
    upload = selectors.upload_for_user(request.user, code, label)
    if not access.has_perm_at(request.user, Perm.SUBMIT_REPORTS, upload.county):
        raise PermissionDenied
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.monthly_upload_confirm(
                upload=upload,
                actor=request.user,
                receipt_number=form.cleaned_data["receipt_number"],
                receipt_date=form.cleaned_data["receipt_date"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    for e in errors:
                        form.add_error(field if field in form.fields else None, e)
            else:
                form.add_error(None, error)
        else:
            params = {
                "county": upload.county.name,
                "month": upload.label,
                "receipt": form.cleaned_data["receipt_number"],
            }
            messages.success(request, services.confirmed_text(params))
            return redirect("reporting:month_status", code)
    messages.error(request, _("The confirmation was not saved; see the form below."))
    return _status_page(request, upload.county, form=form, form_for=upload.pk)


@login_required
@require_POST
def month_rerun(request, code, label):
    upload = selectors.upload_for_user(request.user, code, label)
    try:
        services.monthly_rerun(upload=upload, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The monthly upload of %(county)s for %(month)s runs again.")
            % {"county": upload.county.name, "month": upload.label},
        )
    return redirect("reporting:month_status", code)


@login_required
@require_GET
def month_overview(request, label):
    month = services.parse_month(label)
    if month is None:
        messages.error(request, _("“%(label)s” is not a month.") % {"label": label[:20]})
        return redirect("reporting:month_overview", services.month_label(_acting_month()))
    today = timezone.localdate()
    counties = list(selectors.counties_for_user(request.user).select_related("parent"))
    uploads = {
        u.county_id: u
        for u in selectors.monthly_uploads_for_user(request.user)
        .filter(month=month)
        .select_related("job_run", "upload_run")
    }
    rows, counts = [], {s: 0 for s in Status.values} | {"overdue": 0}
    for county in counties:
        upload = uploads.get(county.pk)
        status = upload.status if upload else Status.NOT_PREPARED
        overdue = today >= next_month(month) and status != Status.CONFIRMED
        counts[status] += 1
        counts["overdue"] += overdue
        rows.append({"county": county, "upload": upload, "status": status, "overdue": overdue})
    previous = (month.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "reporting/monthly/month_overview.html",
        {
            "month": month,
            "label": services.month_label(month),
            "due": next_month(month) - timezone.timedelta(days=1),
            "previous": services.month_label(previous),
            "next": services.month_label(next_month(month)),
            "rows": rows,
            "counts": counts,
            "statuses": Status,
            "may_edit_format": any(
                access.has_perm_at(request.user, Perm.MANAGE_UNITS, c.parent) for c in counties[:1]
            ),
        },
    )


def _editor_city(request):
    cities = list(
        access.units_where(request.user, Perm.MANAGE_UNITS)
        .filter(kind=OrgUnit.Kind.CITY)
        .order_by("path")
    )
    if not cities:
        raise PermissionDenied
    wanted = request.GET.get("city") or request.POST.get("city")
    return next((c for c in cities if c.code == wanted), cities[0]), cities


def _preview(city, current_layout):
    hazards = Hazard.objects.filter(city=city).order_by("-found_on", "-id")[:PREVIEW_ROWS]
    rows = list(layout.layout_rows(current_layout, Hazard.objects.filter(pk__in=hazards)))
    return [heading for heading, _field in current_layout.columns], rows


@login_required
@require_http_methods(["GET", "POST"])
def month_template(request):
    city, cities = _editor_city(request)
    current = layout.current_layout(city)
    shown = current
    if request.method == "POST":
        form = forms.TemplateForm(request.POST)
        if form.is_valid():
            values = form.layout_values()
            if request.POST.get("action") == "save":
                template = services.monthly_template_save(city=city, actor=request.user, **values)
                messages.success(
                    request,
                    _(
                        "The provincial format of %(city)s is saved as version %(version)s; "
                        "lists prepared from now on use it."
                    )  # fmt: skip
                    % {"city": city.name, "version": template.version},
                )
                return redirect(f"{request.path}?city={city.code}")
            shown = layout.Layout(
                columns=tuple((c["heading"], c["field"]) for c in values["columns"]),
                category_codes=values["category_codes"],
                level_codes=values["level_codes"],
                version=current.version,
            )
        else:
            shown = None
    else:
        form = forms.TemplateForm(initial=forms.template_initial(current))
    headings, rows = _preview(city, shown) if shown is not None else ([], [])
    return render(
        request,
        "reporting/monthly/month_template.html",
        {
            "city": city,
            "cities": cities,
            "form": form,
            "current": current,
            "versions": MonthlyTemplate.objects.filter(city=city).select_related("created_by")[:10],
            "fields": [(key, f.label) for key, f in layout.FIELDS.items()],
            "preview_headings": headings,
            "preview_rows": rows,
            "previewing": request.method == "POST",
        },
    )
