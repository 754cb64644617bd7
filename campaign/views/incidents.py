"""The incident pages (S1): the list, the report form, one incident with its timeline, a
follow-up, forwarding to the city and closing. Reads go through campaign.incidents.selectors,
writes through its services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaign import access
from campaign.forms.incidents import CloseForm, FollowUpForm, IncidentFilterForm, IncidentForm
from campaign.incidents import policy, selectors, services
from campaign.models import OrgUnit

PAGE_SIZE = 50


def _duration(minutes):
    if minutes is None:
        return ""
    hours, mins = divmod(minutes, 60)
    if hours and not mins:
        return _("%(h)s h") % {"h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    return _("%(m)s min") % {"m": mins}


def _counties(user):
    return list(access.units_where(user).filter(kind=OrgUnit.Kind.COUNTY).order_by("path"))


@login_required
def incident_list(request):
    form = IncidentFilterForm(request.GET or None, counties=_counties(request.user))
    now = timezone.now()
    incidents = selectors.incident_list(request.user, now=now, **form.filters())
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    for incident in page:
        incident.overdue = policy.overdue_to_city(incident, now)
    return render(
        request,
        "campaign/incidents/list.html",
        {"form": form, "page": page, "may_report": policy.may_report(request.user)},
    )


def _write(request, form, service, **kwargs):
    """Run the service; a refusal is a message on the form, nothing changes."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request):
    units = policy.units_reporting_for(request.user)
    if not units:
        raise PermissionDenied
    form = IncidentForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        incident = _write(
            request, form, services.incident_report, actor=request.user, **form.cleaned_data
        )
        if incident is not None:
            messages.success(
                request,
                _("The incident at %(unit)s has been reported.") % {"unit": incident.unit.name},
            )
            return redirect(incident)
    return render(
        request, "campaign/incidents/form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def incident_detail(request, pk):
    incident = selectors.incident_for_user(request.user, pk)
    user = request.user
    steps, total = selectors.timing(incident)
    for step in steps:
        step["duration"] = _duration(step["minutes"])
    follow_ups = list(incident.follow_ups.select_related("written_by"))
    return render(
        request,
        "campaign/incidents/detail.html",
        {
            "incident": incident,
            "steps": steps,
            "total": _duration(total),
            "limit": _duration(incident.limit_minutes),
            "follow_ups": follow_ups,
            "may_follow_up": policy.may_follow_up(user, incident),
            "may_forward": policy.may_forward(user, incident),
            "may_close": policy.may_close(user, incident),
            "close_form": CloseForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_follow_up(request, pk):
    incident = selectors.incident_for_user(request.user, pk)
    if not policy.may_follow_up(request.user, incident):
        raise PermissionDenied
    initial = {
        "deaths": incident.deaths,
        "serious_injuries": incident.serious_injuries,
        "minor_injuries": incident.minor_injuries,
    }
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _write(
            request,
            form,
            services.incident_follow_up,
            incident=incident,
            actor=request.user,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(
                request,
                _("The follow-up on the incident at %(unit)s has been added.")
                % {"unit": incident.unit.name},
            )
            return redirect(incident)
    return render(
        request,
        "campaign/incidents/follow_up.html",
        {"form": form, "incident": incident},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def incident_forward(request, pk):
    incident = selectors.incident_for_user(request.user, pk)
    if not policy.is_forwarder(request.user, incident):
        raise PermissionDenied
    try:
        services.incident_forward(incident=incident, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The incident at %(unit)s has been reported to the city.")
            % {"unit": incident.unit.name},
        )
    return redirect(incident)


@login_required
@require_POST
def incident_close(request, pk):
    incident = selectors.incident_for_user(request.user, pk)
    if not policy.may_close(request.user, incident):
        raise PermissionDenied
    form = CloseForm(request.POST)
    if form.is_valid():
        done = _write(
            request,
            form,
            services.incident_close,
            incident=incident,
            actor=request.user,
            note=form.cleaned_data["note"],
        )
        if done is not None:
            messages.success(
                request,
                _("The incident at %(unit)s has been closed.") % {"unit": incident.unit.name},
            )
            return redirect(incident)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(incident)
