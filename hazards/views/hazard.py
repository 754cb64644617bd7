"""One hazard: register, detail with its whole timeline, edit, the closed loop, files, meeting.

Views are thin: reads through ``hazards.selectors`` (out of scope → 404), writes through
``hazards.services``, which have the final word on state and permission.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.db import retry_on_conflict
from core.downloads import uploaded_file_response
from core.errors import NotPermitted
from hazards import links as hazard_links
from hazards import policy, selectors, services
from hazards.forms import (
    AcceptForm,
    HazardEditForm,
    HazardNewForm,
    MeetingForm,
    NoteForm,
    UploadForm,
)
from hazards.models import Evidence, Hazard
from hazards.selectors import hazard_for_user

Status = Hazard.Status
Kind = OrgUnit.Kind


def _error_text(error):
    return " ".join(error.messages)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Register -------------------------------------------------------------------------------


def _fixed_school(user):
    """The one school a user registers at, when that is all they may register at."""
    tops = list(access.top_units(user, Perm.REGISTER_HAZARD)[:2])
    if len(tops) == 1 and tops[0].kind == Kind.SCHOOL:
        return tops[0]
    return None


@retry_on_conflict
@transaction.atomic
def _register_with_photos(user, form):
    """One transaction: a refused photo leaves no hazard behind."""
    hazard = services.hazard_register(actor=user, **form.register_kwargs())
    for photo in form.cleaned_data["photos"]:
        services.hazard_attach(hazard=hazard, actor=user, kind=Evidence.Kind.BEFORE, upload=photo)
    return hazard


@login_required
@require_http_methods(["GET", "POST"])
def hazard_new(request):
    if not access.units_where(request.user, Perm.REGISTER_HAZARD).exists():
        raise PermissionDenied
    fixed = _fixed_school(request.user)
    if request.method == "POST":
        form = HazardNewForm(request.POST, request.FILES, user=request.user, fixed_school=fixed)
        if form.is_valid():
            try:
                hazard = _register_with_photos(request.user, form)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("Hazard %(code)s was registered.") % {"code": hazard.code}
                )
                return redirect(hazard.get_absolute_url())
        messages.error(request, _("The hazard was not registered: please correct the errors."))
    else:
        initial = {}
        if fixed is None and request.GET.get("school"):
            initial["school_code"] = request.GET["school"][:40]
        form = HazardNewForm(initial=initial, user=request.user, fixed_school=fixed)
    five_open = form.is_bound and any(
        form.errors.get(name) or form.data.get(name) not in (None, "", "unknown")
        for name in HazardNewForm.FIVE
    )
    context = {"form": form, "fixed_school": fixed, "five_open": five_open}
    return render(request, "hazards/hazard_new.html", context)


# --- Detail ---------------------------------------------------------------------------------


def _labels(model):
    return {f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")}


def _shown(value):
    """Changes are stored as text; booleans read as words."""
    return {"True": _("Yes"), "False": _("No")}.get(value, value)


def _timeline(hazard):
    labels = _labels(Hazard)
    status_labels = dict(Status.choices)
    events = selectors.hazard_events(hazard)
    for event in events:
        event.from_label = status_labels.get(event.from_status, "")
        event.to_label = status_labels.get(event.to_status, "")
        event.change_rows = [
            {"label": labels.get(name, name), "old": _shown(pair[0]), "new": _shown(pair[1])}
            for name, pair in (event.changes or {}).items()
        ]
    return events


def _next_step(user, hazard, actions, *, has_evidence):
    """What the page tells this user to do next (or what the hazard waits for)."""
    if hazard.status == Status.REPORTED:
        return "complete_five" if policy.may_edit(user, hazard) else "wait_five"
    if "start" in actions:
        return "start"
    if "submit" in actions:
        return "submit" if has_evidence else "add_evidence"
    if hazard.status == Status.AWAITING_ACCEPTANCE:
        if "accept" in actions:
            return "accept"
        if "reject" in actions:
            return "own_rectification"
        return "wait_major" if hazard.is_major else "wait_acceptance"
    return None


TEXT_ACTIONS = ("accept", "reject", "reopen")


def _action_form(action, data=None):
    """The form of one step: an acceptance opinion, a required reason, or an optional note."""
    ids = f"{action}-%s"  # accept-opinion, reject-note, reopen-note
    if action == "accept":
        return AcceptForm(data, auto_id=ids)
    if action == "reject":
        return NoteForm(data, auto_id=ids, required=_("Give the reason for sending it back."))
    if action == "reopen":
        return NoteForm(data, auto_id=ids, required=_("Give the reason for reopening it."))
    return NoteForm(data, auto_id=ids)


def _action_forms(bound=None):
    """The forms of the steps that take text; ``bound`` holds the one that was refused."""
    return {action: _action_form(action) for action in TEXT_ACTIONS} | (bound or {})


# The kind of file a hazard's state calls for, offered first in the upload form: a photo of the
# hazard until the work starts, then of the rectification, then a document.
UPLOAD_DEFAULTS = {
    Status.REPORTED: Evidence.Kind.BEFORE,
    Status.PLANNED: Evidence.Kind.BEFORE,
    Status.RECTIFYING: Evidence.Kind.AFTER,
    Status.AWAITING_ACCEPTANCE: Evidence.Kind.AFTER,
    Status.CLOSED: Evidence.Kind.DOCUMENT,
}


def _upload_default(hazard, kinds):
    wanted = UPLOAD_DEFAULTS.get(hazard.status)
    allowed = [value for value, _label in kinds]
    return wanted if wanted in allowed else (allowed[0] if allowed else None)


def _detail_context(request, hazard, *, bound=None):
    user = request.user
    school = hazard.school
    evidence = list(hazard.evidence.all())
    has_plan_file = any(e.kind == Evidence.Kind.PLAN for e in evidence)
    missing = services.five_implementations_missing(hazard, has_plan_file=has_plan_file)
    five = [_("responsibility"), _("measures"), _("funds"), _("time limit"), _("contingency plan")]
    upload_kinds = [
        (value, label)
        for value, label in Evidence.Kind.choices
        if policy.may_attach(user, hazard, value)
    ]
    actions = policy.actions(user, hazard)
    has_evidence = any(e.kind in (Evidence.Kind.AFTER, Evidence.Kind.DOCUMENT) for e in evidence)
    forms = _action_forms(bound)
    return {
        "hazard": hazard,
        "school": school,
        "photos": [e for e in evidence if e.is_image],
        "documents": [e for e in evidence if not e.is_image],
        "missing": missing,
        "five": [(label, label not in missing) for label in five],
        "events": _timeline(hazard),
        "actions": actions,
        "next_step": _next_step(user, hazard, actions, has_evidence=has_evidence),
        "accept_form": forms["accept"],
        "reject_form": forms["reject"],
        "reopen_form": forms["reopen"],
        "open_action": next(iter(bound)) if bound else None,
        "may_edit": policy.may_edit(user, hazard),
        "may_meeting": hazard.consultation_required and policy.may_record_meeting(user, hazard),
        "upload_form": UploadForm() if upload_kinds else None,
        "upload_kinds": upload_kinds,
        "upload_default": _upload_default(hazard, upload_kinds),
        # The after-photo goes next to "submit for acceptance", the step it is needed for.
        "may_attach_after": "submit" in actions
        and any(value == Evidence.Kind.AFTER for value, _label in upload_kinds),
        "after_photos": sum(1 for e in evidence if e.kind == Evidence.Kind.AFTER),
        "comment_form": NoteForm() if policy.may_comment(user, hazard) else None,
        "meeting": hazard.consultation_meeting if hazard.consultation_meeting_id else None,
        # Links other apps add (the inspections: the visit that found it), as this user may see.
        "other_links": hazard_links.links_for(hazard, user),
        "county_url": hazard.county.get_absolute_url()
        if hazard.county_id and access.has_perm_at(user, Perm.VIEW, hazard.county)
        else None,
    }


@login_required
@require_http_methods(["GET"])
def hazard_detail(request, code):
    hazard = hazard_for_user(request.user, code)
    return render(request, "hazards/hazard_detail.html", _detail_context(request, hazard))


# --- Edit -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hazard_edit(request, code):
    hazard = hazard_for_user(request.user, code)
    access.require_perm_at(request.user, Perm.MANAGE_HAZARD, hazard.school)
    if not policy.may_edit(request.user, hazard):
        messages.error(
            request,
            _("Hazard %(code)s is “%(status)s” and can no longer be edited.")
            % {"code": hazard.code, "status": hazard.get_status_display()},
        )
        return redirect(hazard.get_absolute_url())
    may_set_deadline = policy.may_set_deadline(request.user, hazard)
    initial = HazardEditForm.initial_for(hazard)
    if request.method == "POST":
        form = HazardEditForm(request.POST, initial=initial, may_set_deadline=may_set_deadline)
        if form.is_valid():
            try:
                services.hazard_update(hazard=hazard, actor=request.user, **form.update_kwargs())
            except ValidationError as error:
                _add_errors(form, error)
                hazard = hazard_for_user(request.user, code)  # the saved one, not the failed edit
            else:
                messages.success(request, _("The hazard was saved."))
                return redirect(hazard.get_absolute_url())
        messages.error(request, _("The hazard was not saved: please correct the errors."))
    else:
        form = HazardEditForm(initial=initial, may_set_deadline=may_set_deadline)
    five_fields = [form[name] for name in HazardEditForm.FIVE[:3]]
    context = {
        "hazard": hazard,
        "form": form,
        "responsibility_fields": five_fields,
    }
    return render(request, "hazards/hazard_edit.html", context)


# --- The closed loop ------------------------------------------------------------------------


DONE = {
    "start": gettext_lazy("Rectification of %(code)s has started."),
    "submit": gettext_lazy("Hazard %(code)s was submitted for acceptance."),
    "accept": gettext_lazy("Hazard %(code)s was accepted and closed."),
    "reject": gettext_lazy("Hazard %(code)s was sent back for rectification."),
    "reopen": gettext_lazy("Hazard %(code)s was reopened."),
}
REFUSED = {
    "start": gettext_lazy("Rectification of %(code)s was not started: %(reason)s"),
    "submit": gettext_lazy("Hazard %(code)s was not submitted for acceptance: %(reason)s"),
    "accept": gettext_lazy("Hazard %(code)s was not accepted: %(reason)s"),
    "reject": gettext_lazy("Hazard %(code)s was not sent back: %(reason)s"),
    "reopen": gettext_lazy("Hazard %(code)s was not reopened: %(reason)s"),
}


@login_required
@require_POST
def hazard_transition(request, code, action):
    """One step of the loop. A refused step that took text (an acceptance opinion, a reason)
    shows the page again with what was typed and the error next to it."""
    service = services.TRANSITIONS.get(action)
    if service is None:
        raise Http404
    hazard = hazard_for_user(request.user, code)
    policy.require_perm(request.user, policy.STEP_PERMS[action], hazard)  # 403 before any form
    form = _action_form(action, request.POST)
    error = None
    if form.is_valid():
        text = form.cleaned_data["opinion" if action == "accept" else "note"]
        kwargs = {"opinion": text} if action == "accept" else {"note": text}
        try:
            service(hazard=hazard, actor=request.user, **kwargs)
        except ValidationError as refused:  # HazardConflict and Busy included
            error = refused
            _add_errors(form, refused)
    else:
        error = ValidationError([m for errors in form.errors.values() for m in errors])
    if error is None:
        messages.success(request, DONE[action] % {"code": hazard.code})
        return redirect(hazard.get_absolute_url())
    if getattr(error, "code", None) in ("conflict", "busy"):
        messages.error(request, _error_text(error))  # it names the hazard already
    else:
        messages.error(
            request, REFUSED[action] % {"code": hazard.code, "reason": _error_text(error)}
        )
    if action not in TEXT_ACTIONS:
        return redirect(hazard.get_absolute_url())
    hazard = hazard_for_user(request.user, code)  # as it is now, not as the refused step left it
    context = _detail_context(request, hazard, bound={action: form})
    return render(request, "hazards/hazard_detail.html", context)


@login_required
@require_POST
def hazard_comment(request, code):
    hazard = hazard_for_user(request.user, code)
    if not policy.may_comment(request.user, hazard):
        raise NotPermitted  # reading a hazard is not taking part in it: 403
    form = NoteForm(request.POST, required=_("Write a comment first."))
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
        return redirect(hazard.get_absolute_url())
    try:
        services.hazard_comment(hazard=hazard, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your comment was added."))
    return redirect(f"{hazard.get_absolute_url()}#timeline")


# --- Files ----------------------------------------------------------------------------------


@login_required
@require_POST
def hazard_upload(request, code):
    hazard = hazard_for_user(request.user, code)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [m for field_errors in form.errors.values() for m in field_errors]
        messages.error(
            request, _("The file was not added: %(reason)s") % {"reason": " ".join(errors)}
        )
        return redirect(hazard.get_absolute_url())
    upload = form.cleaned_data["file"]
    try:
        services.hazard_attach(
            hazard=hazard, actor=request.user, kind=form.cleaned_data["kind"], upload=upload
        )
    except ValidationError as error:
        messages.error(
            request, _("The file was not added: %(reason)s") % {"reason": _error_text(error)}
        )
    else:
        messages.success(request, _("%(name)s was added.") % {"name": upload.name})
    return redirect(hazard.get_absolute_url())


@login_required
@require_http_methods(["GET"])
def evidence_download(request, code, pk):
    hazard = hazard_for_user(request.user, code)
    evidence = selectors.evidence_of(hazard, pk)
    if evidence is None:
        raise Http404
    return uploaded_file_response(evidence.file, evidence.content_type, evidence.original_name)


# --- Consultation meeting -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hazard_meeting(request, code):
    """Record the consultation meeting of a major hazard, at the level that accepts it (the
    city; ``policy.require_meeting``, which the service checks again). A general hazard calls
    for none: the user is sent back to the hazard with a message."""
    hazard = hazard_for_user(request.user, code)
    access.require_perm_at(request.user, Perm.ACCEPT_HAZARD, hazard.school)
    if not hazard.is_major:
        messages.info(request, _("Only a major hazard calls for a consultation meeting."))
        return redirect(hazard.get_absolute_url())
    if not policy.may_record_meeting(request.user, hazard):
        raise NotPermitted  # the county sees the hazard; the city records its meeting
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                services.consultation_meeting_record(
                    hazard=hazard, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The consultation meeting was recorded."))
                return redirect(hazard.get_absolute_url())
        messages.error(request, _("The meeting was not recorded: please correct the errors."))
    else:
        form = MeetingForm()
    context = {"hazard": hazard, "form": form, "meeting": hazard.consultation_meeting}
    return render(request, "hazards/hazard_meeting.html", context)
