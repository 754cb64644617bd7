"""The working-group pages: the overview of the city's and counties' groups, one group, and
its editing (the group's office, and adding, changing and removing its people)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaign.forms.workgroup import MemberForm, WorkingGroupForm
from campaign.workgroup import policy, selectors, services


def _detail_url(unit):
    return reverse("campaign:workgroup_detail", args=[unit.code])


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _editable_unit(request, code):
    """The unit (404 out of sight) whose group the user manages (403 otherwise)."""
    from core.errors import NotPermitted

    unit = selectors.group_unit_for_user(request.user, code)
    if not policy.may_edit(request.user, unit):
        raise NotPermitted
    return unit


@login_required
def workgroup_overview(request):
    rows = selectors.overview_for_user(request.user)
    context = {"rows": rows, "counts": selectors.overview_counts(rows)}
    return render(request, "campaign/workgroup/overview.html", context)


@login_required
def workgroup_detail(request, code):
    unit = selectors.group_unit_for_user(request.user, code)
    context = {
        "unit": unit,
        "view": selectors.group_view(unit),
        "can_edit": policy.may_edit(request.user, unit),
    }
    return render(request, "campaign/workgroup/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def workgroup_edit(request, code):
    unit = _editable_unit(request, code)
    view = selectors.group_view(unit)
    if request.method == "POST":
        form = WorkingGroupForm(request.POST)
        if form.is_valid():
            try:
                services.working_group_update(
                    unit=unit, office_name=form.cleaned_data["office_name"], actor=request.user
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The coordinating office of %(unit)s's leading group was saved.")
                    % {"unit": unit.name},
                )
                return redirect(_detail_url(unit))
        messages.error(request, _("Nothing was saved: please correct the errors."))
    else:
        form = WorkingGroupForm(
            initial={"office_name": view.group.office_name if view.group else ""}
        )
    context = {"unit": unit, "form": form}
    return render(request, "campaign/workgroup/edit.html", context)


def _member_form_page(request, unit, form, member=None):
    context = {"unit": unit, "form": form, "member": member}
    return render(request, "campaign/workgroup/member_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def workgroup_member_add(request, code):
    unit = _editable_unit(request, code)
    if request.method == "POST":
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                member = services.working_group_member_add(
                    unit=unit, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s was added to the leading group as %(role)s.")
                    % {"name": member.name, "role": member.get_responsibility_display()},
                )
                return redirect(_detail_url(unit))
        messages.error(request, _("Nothing was saved: please correct the errors."))
    else:
        form = MemberForm(initial={"responsibility": request.GET.get("responsibility", "")})
    return _member_form_page(request, unit, form)


@login_required
@require_http_methods(["GET", "POST"])
def workgroup_member_edit(request, code, pk):
    unit = _editable_unit(request, code)
    member = selectors.member_for_user(request.user, unit, pk)
    if request.method == "POST":
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                services.working_group_member_update(
                    member=member, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("The entry of %(name)s was saved.") % {"name": member.name}
                )
                return redirect(_detail_url(unit))
        messages.error(request, _("Nothing was saved: please correct the errors."))
        member = selectors.member_for_user(request.user, unit, pk)
    else:
        form = MemberForm(initial=MemberForm.initial_for(member))
    return _member_form_page(request, unit, form, member)


@login_required
@require_POST
def workgroup_member_remove(request, code, pk):
    unit = _editable_unit(request, code)
    member = selectors.member_for_user(request.user, unit, pk)
    services.working_group_member_remove(member=member, actor=request.user)
    messages.success(
        request, _("%(name)s was removed from the leading group.") % {"name": member.name}
    )
    return redirect(_detail_url(unit))
