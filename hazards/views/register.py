"""The hazard register: the list with filters, counts and pagination, bulk actions, Excel."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.errors import OutOfScope
from core.forms import PlausibleDateField, PortalForm
from hazards import excel, selectors, services
from hazards.filters import HazardFilter
from hazards.models import Hazard

PAGE_SIZE = 50
MAX_BULK = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter(request, data=None):
    return HazardFilter(
        request.GET if data is None else data,
        queryset=selectors.hazards_for_user(request.user),
        user=request.user,
    )


def _page_number(request, total):
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), pages), pages


def _querystring(request, *, drop=("page",)):
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return query.urlencode()


def _status_counts(user, filterset):
    """({status: count}, five shares, total) for the register page.

    With statuses ticked, each status button still counts its own hazards among the other
    filters (never "0 closed" because "closed" is not ticked), and the total is the ticked
    ones' sum: one grouped query either way, as without a status filter. Over the whole scope
    the counts come from the tally, so a city's page costs what a county's does; a filtered
    register is counted live (the filter keeps it small).
    """
    statuses = filterset.statuses()
    counted = filterset.without_status() if statuses else filterset
    tallied = (
        selectors.register_tally_counts(user, statuses=statuses)
        if counted.is_unfiltered()
        else None
    )
    counts, shares = (
        tallied
        if tallied is not None
        else selectors.register_live_counts(counted.qs, statuses=statuses)
    )
    if statuses:
        total = sum(counts.get(status, 0) for status in statuses)
    else:
        total = sum(counts.values())
    return counts, shares, total


def _reaches_counties(user, perm):
    """Whether the user holds ``perm`` above a single school (a county, a city, …)."""
    return access.is_unrestricted(user) or any(
        kind != OrgUnit.Kind.SCHOOL for _id, kind, _path in access.granted_units(user, perm)
    )


@login_required
@require_GET
def hazard_list(request):
    filterset = _filter(request)
    queryset = filterset.sorted_qs()
    counts, five_shares, total = _status_counts(request.user, filterset)
    ticked = set(filterset.statuses())
    number, pages = _page_number(request, total)
    rows = selectors.register_page_rows(queryset, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    # A school's own register shows no county: no county column, filter or share table.
    show_counties = bool(filterset.county_ids)
    shares = []
    for share in five_shares if show_counties else ():
        share["name"] = share["county__name"] or _("City-direct schools")
        share["percent"] = round(100 * share["complete"] / share["open"]) if share["open"] else 0
        shares.append(share)
    query = _querystring(request)
    may_register = _may_register(request.user)
    context = {
        "filter": filterset,
        "bad_fields": filterset.bad_fields(),
        "status_counts": [
            {
                "value": value,
                "label": label,
                "count": counts.get(value, 0),
                "ticked": value in ticked,
            }
            for value, label in Hazard.Status.choices
        ],
        "all_count": sum(counts.values()),
        "status_ticked": bool(ticked),
        "total": total,
        "rows": rows,
        "page": {
            "number": number,
            "pages": pages,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < pages else None,
            "first_row": (number - 1) * PAGE_SIZE + 1 if total else 0,
            "last_row": min(number * PAGE_SIZE, total),
        },
        "shares": shares,
        "show_counties": show_counties,
        "filters_open": any(
            value
            for name, value in getattr(filterset.form, "cleaned_data", {}).items()
            if name not in ("q", "sort")
        ),
        "print_unit": "、".join(selectors.unit_names(request.user)),
        "querystring": query,
        "page_querystring": _querystring(request, drop=("page",)),
        "status_querystring": _querystring(request, drop=("page", "status")),
        "may_accept": bool(access.granted_paths(request.user).get(Perm.ACCEPT_HAZARD))
        or access.is_unrestricted(request.user),
        "may_register": may_register,
        # Importing a ledger is the county's work; a school registers its hazards one by one.
        "may_import": may_register and _reaches_counties(request.user, Perm.REGISTER_HAZARD),
        "sync_limit": excel.export_sync_limit(),
    }
    return render(request, "hazards/register_list.html", context)


def _may_register(user):
    return access.is_unrestricted(user) or bool(
        access.granted_paths(user).get(Perm.REGISTER_HAZARD)
    )


def _xlsx_response(content, name):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def hazard_export(request):
    filterset = _filter(request)
    total = sum(selectors.register_status_counts(filterset.qs).values())
    if total > excel.export_sync_limit():
        try:
            run = excel.export_request(actor=request.user, querystring=_querystring(request))
        except (ValidationError, PermissionDenied):
            messages.error(request, _("The export could not be started."))
            return redirect(f"{reverse('hazards:hazard_list')}?{_querystring(request)}")
        messages.info(
            request,
            _("%(count)s hazards are being exported; the file will be ready here shortly.")
            % {"count": total},
        )
        return redirect("campaign:job_detail", pk=run.pk)
    content = excel.export_workbook(filterset.sorted_qs())
    return _xlsx_response(content, excel.export_file_name())


class BulkForm(PortalForm):
    ACTIONS = (
        ("set_deadline", gettext_lazy("Set the deadline")),
        ("export_selection", gettext_lazy("Export the selection")),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    deadline = PlausibleDateField(required=False)
    next = forms.CharField(required=False, max_length=2000)


@login_required
@require_POST
def hazard_bulk(request):
    form = BulkForm(request.POST)
    back = reverse("hazards:hazard_list")
    if not form.is_valid():
        if "deadline" in form.errors:
            messages.error(request, " ".join(form.errors["deadline"]))
        else:
            messages.error(request, _("Choose an action for the selected hazards."))
        return redirect(back)
    next_query = form.cleaned_data["next"].replace("\n", "").replace("\r", "")
    if next_query:
        back = f"{back}?{next_query.lstrip('?')}"
    codes = [c for c in request.POST.getlist("code") if c and "\x00" not in c][:MAX_BULK]
    if not codes:
        messages.error(request, _("Select at least one hazard first."))
        return redirect(back)
    # Only hazards in the user's scope count; codes out of it are simply not found.
    hazards = selectors.hazards_for_user(request.user).filter(code__in=codes)
    action = form.cleaned_data["action"]
    if action == "export_selection":
        ordered = hazards.order_by("-found_on", "-id")
        return _xlsx_response(excel.export_workbook(ordered), excel.export_file_name())

    deadline = form.cleaned_data["deadline"]
    if deadline is None:
        messages.error(request, _("Give the new deadline as a date."))
        return redirect(back)
    done = refused = 0
    for hazard in hazards.select_related("school"):
        try:
            services.hazard_set_deadline(hazard=hazard, actor=request.user, deadline=deadline)
        except (PermissionDenied, ValidationError, OutOfScope):
            refused += 1
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext(
                "The deadline of %(count)s hazard was set.",
                "The deadline of %(count)s hazards was set.",
                done,
            )
            % {"count": done},
        )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(count)s hazard was not changed: you may not set its deadline, or it is closed.",
                "%(count)s hazards were not changed: you may not set their deadline, or they "
                "are closed.",
                refused,
            )
            % {"count": refused},
        )
    if not done and not refused:
        messages.error(request, _("None of the selected hazards was found."))
    return redirect(back)


class ImportForm(PortalForm):
    file = forms.FileField(
        label=gettext_lazy("Register workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def hazard_import(request):
    """The register's import: the upload → preview → commit flow (core.views_imports). A POST
    here is the older one-step import, kept for the callers that still send one."""
    if not _may_register(request.user):
        raise PermissionDenied
    if request.method == "GET":
        return redirect("core:import_start", kind="hazards")
    form = ImportForm()
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = excel.hazards_import(file=form.cleaned_data["file"], actor=request.user)
    context = {
        "form": form,
        "result": result,
        "file_errors": [e for e in result.errors if e.row == 0] if result else [],
        "row_errors": [e for e in result.errors if e.row] if result else [],
        "max_rows": excel.MAX_ROWS,
    }
    return render(request, "hazards/register_import.html", context)


@login_required
@require_GET
def hazard_import_template(request):
    if not _may_register(request.user):
        raise PermissionDenied
    return _xlsx_response(excel.template_workbook(actor=request.user), "hazard-register.xlsx")
