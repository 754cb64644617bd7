"""People and roles: the people a user manages, a new person, a person's profile and grants.

Only users who may manage people somewhere (``Perm.MANAGE_USERS``) use these pages (others get
403); a person outside their manage scope answers 404. Every write goes through a service; a
``ValidationError`` from it is shown to the user and nothing is saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign import access, policy, selectors, services
from campaign.forms.people import GrantForm, PeopleFilterForm, PersonCreateForm, ProfileForm
from campaign.roles import Perm, Role

PAGE_SIZE = 25


def _require_manager(user):
    """403 for a user who may manage people nowhere (leaders, officers, city staff)."""
    if not (access.is_unrestricted(user) or access.granted_paths(user).get(Perm.MANAGE_USERS)):
        raise PermissionDenied


def _person(request, pk):
    _require_manager(request.user)
    return selectors.user_managed_by(request.user, pk)


def _add_service_error(form, error):
    """Put a service's ValidationError on the form, on the field it names when there is one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def user_list(request):
    _require_manager(request.user)
    filter_form = PeopleFilterForm(request.GET or None)
    filters = filter_form.filters()
    people = selectors.people_for_manager(request.user, **filters)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaign/people/user_list.html",
        {"page": page, "people": page.object_list, "filter_form": filter_form},
    )


@login_required
def user_new(request):
    _require_manager(request.user)
    form = PersonCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.user_create(
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                role=data["role"],
                unit=data["unit"],
                password=data["password"] or None,
                actor=request.user,
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was added as %(role)s at %(unit)s.")
                % {
                    "name": person.display_name,
                    "role": Role(data["role"]).label,
                    "unit": data["unit"].name,
                },
            )
            return redirect("campaign:user_detail", pk=person.pk)
    return render(
        request,
        "campaign/people/user_new.html",
        {"form": form, "unit_choices": selectors.managed_unit_choices(request.user)},
    )


def _render_detail(request, person, *, profile_form=None, grant_form=None, status=200):
    grants = list(person.role_grants.all())
    context = {
        "person": person,
        "grants": grants,
        "revocable": policy.grants_revocable(actor=request.user, grants=grants),
        "profile_form": profile_form
        or ProfileForm(
            initial={"full_name": person.full_name, "email": person.email, "phone": person.phone}
        ),
        "grant_form": grant_form or GrantForm(actor=request.user),
        "unit_choices": selectors.managed_unit_choices(request.user),
        "is_self": person.pk == request.user.pk,
    }
    return render(request, "campaign/people/user_detail.html", context, status=status)


@login_required
def user_detail(request, pk):
    person = _person(request, pk)
    if request.method != "POST":
        return _render_detail(request, person)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.user_update(user=person, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request, _("The profile of %(name)s was saved.") % {"name": person.display_name}
            )
            return redirect("campaign:user_detail", pk=person.pk)
    person.refresh_from_db()
    return _render_detail(request, person, profile_form=form)


@require_POST
@login_required
def user_grant(request, pk):
    person = _person(request, pk)
    form = GrantForm(request.POST, actor=request.user)
    if form.is_valid():
        role, unit = form.cleaned_data["role"], form.cleaned_data["unit"]
        try:
            grant = services.role_grant(user=person, role=role, unit=unit, actor=request.user)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s now holds the role %(role)s at %(unit)s.")
                % {"name": person.display_name, "role": grant.role_label, "unit": unit.name},
            )
            return redirect("campaign:user_detail", pk=person.pk)
    return _render_detail(request, person, grant_form=form)


@require_POST
@login_required
def grant_revoke(request, pk, grant_pk):
    person = _person(request, pk)
    grant = selectors.grant_of(person, grant_pk)
    # A grant at a unit the actor does not manage is out of their scope: 404, like a stranger.
    if grant is None or not access.has_perm_at(request.user, Perm.MANAGE_USERS, grant.unit):
        raise Http404
    label, unit_name = grant.role_label, grant.unit.name
    try:
        services.role_revoke(grant=grant, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The role %(role)s at %(unit)s was taken from %(name)s.")
            % {"role": label, "unit": unit_name, "name": person.display_name},
        )
    return redirect("campaign:user_detail", pk=person.pk)


@require_POST
@login_required
def user_active(request, pk):
    person = _person(request, pk)
    value = request.POST.get("active")
    if value not in ("0", "1"):
        messages.error(request, _("Nothing was changed: the request was not understood."))
        return redirect("campaign:user_detail", pk=person.pk)
    active = value == "1"
    try:
        services.user_set_active(user=person, active=active, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if active:
            text = _("%(name)s was reactivated and can sign in again.")
        else:
            text = _("%(name)s was deactivated and can no longer sign in.")
        messages.success(request, text % {"name": person.display_name})
    return redirect("campaign:user_detail", pk=person.pk)
