"""The visit on a phone (issue 8 item 5): the inspector's screen at the school gate.

Reads go through ``inspections.selectors`` (out of scope or not yet revealed → 404, exactly as a
missing code); writes through ``inspections.services``, which have the final word on state and
permission (a revealed viewer who tries a team action gets 403).

The answering page works as plain forms; ``static/js/visit.js`` turns it into a page that saves
every answer as it is given and keeps what the server has not confirmed in the browser. The
answer and photo endpoints therefore answer JSON to ``fetch`` (``Accept: application/json``) and
redirect a plain form back to the item.
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import access
from campaign.models import OrgUnit
from core.downloads import uploaded_file_response
from core.forms import PortalForm
from hazards import selectors as hazard_selectors
from hazards.models import Hazard
from inspections import policy, scoring, selectors, services
from inspections.models import (
    Amendment,
    Answer,
    AnswerPhoto,
    ChecklistItem,
    ChecklistSection,
    Recheck,
    Visit,
)

AnswerType = ChecklistItem.AnswerType
RECHECK_SECTION = "recheck"  # the pseudo-section of a visit's re-checked hazards


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _messages_of(error):
    return [str(m) for m in getattr(error, "messages", [str(error)])]


# --- Who the user is to this visit ----------------------------------------------------------


class Roles:
    """What the page offers this user; the services decide again on every write."""

    def __init__(self, user, visit):
        self.team = policy.may_conduct(user, visit)
        self.may_amend = visit.state == Visit.State.FINISHED and policy.may_amend(user, visit)


def _team_only(request, visit):
    """A revealed viewer (the school, its county) may read the visit, never act in it."""
    if not policy.may_conduct(request.user, visit):
        raise PermissionDenied


# --- The checklist as the page shows it -----------------------------------------------------


FIELD_LABELS = {
    "result": gettext_lazy("result"),
    "value": gettext_lazy("number found"),
    "note": gettext_lazy("note"),
}


def _amended_value(field, value):
    if value in (None, ""):
        return "—"
    if field == "result":
        return dict(Answer.Result.choices).get(value, value)
    return value


def _sections(visit):
    """The visit's sections, each with its items and their saved answers (with photos and
    amendments); the re-checked hazards as a last section. A fixed number of queries."""
    sections = list(ChecklistSection.objects.filter(version=visit.version).order_by("order", "id"))
    items = list(
        ChecklistItem.objects.filter(version=visit.version)
        .select_related("category__parent")
        .order_by("section__order", "order", "id")
    )
    answers = list(
        Answer.objects.filter(visit=visit)
        .select_related("category__parent", "hazard", "answered_by")
        .prefetch_related("photos")
    )
    amendments = {}
    for amendment in Amendment.objects.filter(visit=visit).select_related("by"):
        amendment.old_shown = _amended_value(amendment.field, amendment.old)
        amendment.new_shown = _amended_value(amendment.field, amendment.new)
        amendment.field_label = FIELD_LABELS.get(amendment.field, amendment.field)
        amendments.setdefault(amendment.answer_id, []).append(amendment)
    for answer in answers:
        answer.amendment_list = amendments.get(answer.pk, [])
        answer.now = {"result": answer.result, "value": answer.value, "note": answer.note}
        for amendment in answer.amendment_list:
            answer.now[amendment.field] = amendment.new
        answer.now_result_label = dict(Answer.Result.choices).get(answer.now["result"], "")
    by_item = {a.item_id: a for a in answers if a.item_id}
    by_recheck = {a.recheck_id: a for a in answers if a.recheck_id}
    by_section = {s.pk: s for s in sections}
    for section in sections:
        section.entries = []
    for item in items:
        item.limit = scoring.limit_for(item, visit.school)
        item.answer = by_item.get(item.pk)
        item.key = f"item-{item.pk}"
        item.selected_category = (item.answer and item.answer.category_id) or item.category_id
        item.selected_level = (item.answer and item.answer.level) or item.level
        by_section[item.section_id].entries.append(item)
    rechecks = list(
        Recheck.objects.filter(plan_id=visit.plan_id, hazard__school_id=visit.school_id)
        .select_related("hazard__category__parent")
        .order_by("id")
    )
    if rechecks:
        extra = ChecklistSection(code=RECHECK_SECTION, name=_("Re-checks"), order=9999)
        extra.entries = []
        for recheck in rechecks:
            recheck.answer = by_recheck.get(recheck.pk)
            recheck.key = f"recheck-{recheck.pk}"
            recheck.answer_type = AnswerType.PASS_FAIL
            recheck.text = _("Re-check of hazard %(code)s: %(text)s") % {
                "code": recheck.hazard.code,
                "text": recheck.hazard.description,
            }
            recheck.is_recheck = True
            extra.entries.append(recheck)
        sections.append(extra)
    for index, section in enumerate(sections):
        section.prev = sections[index - 1] if index else None
        section.next = sections[index + 1] if index + 1 < len(sections) else None
        section.answered = sum(1 for e in section.entries if e.answer is not None)
        section.failed = sum(
            1 for e in section.entries if e.answer is not None and e.answer.result == "fail"
        )
    return sections


def _current_section(sections, code):
    for section in sections:
        if section.code == code:
            return section
    # The first section with an unanswered item, so a reload lands where the work is.
    for section in sections:
        if section.answered < len(section.entries):
            return section
    return sections[0] if sections else None


# --- List -----------------------------------------------------------------------------------


def _week(today):
    start = today - dt.timedelta(days=today.weekday())
    return start, start + dt.timedelta(days=6)


@login_required
@require_GET
def visit_list(request):
    today = timezone.localdate()
    week_start, week_end = _week(today)
    mine = list(
        selectors.team_visits(request.user, since=week_start, until=week_end).select_related(
            "school", "county", "plan"
        )
    )
    today_visits = [v for v in mine if v.planned_on == today or v.state == Visit.State.STARTED]
    week_visits = [v for v in mine if v not in today_visits]
    shown = {v.pk for v in mine}
    others = (
        selectors.visits_for(request.user)
        .exclude(pk__in=shown)
        .select_related("school", "county", "plan")
        .order_by("-started_at", "planned_on", "id")
    )
    page = Paginator(others, 50).get_page(request.GET.get("page"))
    context = {
        "today": today,
        "week_start": week_start,
        "week_end": week_end,
        "today_visits": today_visits,
        "week_visits": week_visits,
        "page": page,
        "nav_section": "inspections",
    }
    return render(request, "inspections/visit_list.html", context)


# --- One visit ------------------------------------------------------------------------------


def _categories():
    return hazard_selectors.active_categories()


@login_required
@require_GET
def visit_detail(request, code):
    visit = selectors.visit_get(request.user, code)
    roles = Roles(request.user, visit)
    context = {"visit": visit, "roles": roles, "nav_section": "inspections"}
    if visit.state == Visit.State.SCHEDULED:
        return render(request, "inspections/visit_start.html", context)
    sections = _sections(visit)
    answering = visit.state == Visit.State.STARTED and roles.team
    context.update(
        sections=sections,
        current=_current_section(sections, request.GET.get("section", "")),
        levels=Hazard.Level.choices,
        results=Answer.Result.choices,
        total=sum(len(s.entries) for s in sections),
        answered=sum(s.answered for s in sections),
    )
    if answering:
        context["categories"] = _categories()
        return render(request, "inspections/visit_answer.html", context)
    photos = [p for s in sections for e in s.entries if e.answer for p in e.answer.photos.all()]
    context.update(
        photos_count=len(photos),
        result=getattr(visit, "result", None) if visit.state == Visit.State.FINISHED else None,
        may_amend=roles.may_amend,
    )
    return render(request, "inspections/visit_record.html", context)


def _answer_json(answer):
    return {
        "key": f"item-{answer.item_id}" if answer.item_id else f"recheck-{answer.recheck_id}",
        "result": answer.result,
        "value": None if answer.value is None else str(answer.value),
        "limit": None if answer.limit is None else str(answer.limit),
        "note": answer.note,
        "category": answer.category_id,
        "level": answer.level,
        "client_id": answer.client_id,
        "photos": [p.client_id for p in answer.photos.all()],
    }


@login_required
@require_GET
def visit_state(request, code):
    """What the server holds, for the page to reconcile its browser store with."""
    visit = selectors.visit_get(request.user, code)
    answers = Answer.objects.filter(visit=visit).prefetch_related("photos")
    data = [_answer_json(a) for a in answers]
    return JsonResponse(
        {
            "visit": visit.code,
            "state": visit.state,
            "answers": {a["key"]: a for a in data},
            "photos": sorted(c for a in data for c in a["photos"]),
        }
    )


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


@login_required
@require_POST
def visit_start(request, code):
    visit = selectors.visit_get(request.user, code)
    _team_only(request, visit)
    lat, lon = _float(request.POST.get("latitude")), _float(request.POST.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    accuracy = _float(request.POST.get("accuracy")) if lat is not None else None
    try:
        services.visit_start(
            visit=visit, actor=request.user, latitude=lat, longitude=lon, accuracy=accuracy
        )
    except ValidationError as error:
        messages.error(request, " ".join(_messages_of(error)))
    else:
        messages.success(
            request,
            _("The inspection at %(school)s has started.") % {"school": visit.school.name},
        )
    return redirect(visit.get_absolute_url())


class AnswerForm(PortalForm):
    key = forms.RegexField(regex=r"^(item|recheck)-\d{1,10}$")
    result = forms.ChoiceField(choices=[("", "")] + Answer.Result.choices, required=False)
    value = forms.DecimalField(max_digits=8, decimal_places=1, min_value=0, required=False)
    note = forms.CharField(required=False, max_length=2000)
    category = forms.IntegerField(required=False, min_value=1)
    level = forms.ChoiceField(choices=[("", "")] + Hazard.Level.choices, required=False)
    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{1,64}$", required=False)
    section = forms.SlugField(required=False, max_length=40)


def _target_of(visit, key):
    """The item of the visit's checklist version, or the re-check at its school, a key names."""
    kind, _sep, pk = key.partition("-")
    if kind == "item":
        item = ChecklistItem.objects.filter(version_id=visit.version_id, pk=pk).first()
        return {"item": item} if item else None
    recheck = Recheck.objects.filter(
        plan_id=visit.plan_id, hazard__school_id=visit.school_id, pk=pk
    ).first()
    return {"recheck": recheck} if recheck else None


def _refused(request, visit, errors, *, status=400, section=""):
    if _wants_json(request):
        return JsonResponse({"ok": False, "errors": errors}, status=status)
    for error in errors:
        messages.error(request, error)
    return redirect(_back(visit, section))


def _back(visit, section="", key=""):
    url = visit.get_absolute_url()
    if section:
        url += f"?section={section}"
    if key:
        url += f"#{key}"
    return url


@login_required
@require_POST
def visit_answer(request, code):
    """Save one answer (an upsert: a resend of the same answer changes nothing)."""
    visit = selectors.visit_get(request.user, code)
    _team_only(request, visit)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        errors = [f"{e}" for field_errors in form.errors.values() for e in field_errors]
        return _refused(request, visit, errors, section=request.POST.get("section", "")[:40])
    data = form.cleaned_data
    target = _target_of(visit, data["key"])
    if target is None:
        return _refused(request, visit, [_("This item is not on the visit's checklist.")])
    category = None
    if data["category"]:
        category = hazard_selectors.active_category(data["category"])
        if category is None:
            return _refused(request, visit, [_("Choose a hazard category from the list.")])
    result = data["result"] or None
    value = data["value"]
    if "item" in target and target["item"].answer_type != AnswerType.PASS_FAIL:
        if result != Answer.Result.NA:
            result = None  # a number is judged against its limit by the server
            if value is None:
                return _refused(request, visit, [_("Enter the number you counted.")])
    elif result is None:
        return _refused(request, visit, [_("Choose pass, fail or not applicable.")])
    try:
        answer = services.answer_save(
            visit=visit,
            actor=request.user,
            **target,
            result=result,
            value=value if result != Answer.Result.NA else None,
            note=data["note"],
            category=category,
            level=data["level"],
            client_id=data["client_id"],
        )
    except ValidationError as error:
        return _refused(request, visit, _messages_of(error), section=data["section"])
    if _wants_json(request):
        answer = Answer.objects.prefetch_related("photos").get(pk=answer.pk)
        return JsonResponse({"ok": True, "answer": _answer_json(answer)})
    messages.success(request, _("The answer was saved."))
    return redirect(_back(visit, data["section"], data["key"]))


class PhotoForm(PortalForm):
    key = forms.RegexField(regex=r"^(item|recheck)-\d{1,10}$")
    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{1,64}$", required=False)
    photo = forms.FileField()
    section = forms.SlugField(required=False, max_length=40)


@login_required
@require_POST
def visit_photo(request, code):
    """Add a photo to an answer; a resend with the same client id is the same photo."""
    visit = selectors.visit_get(request.user, code)
    _team_only(request, visit)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [f"{e}" for field_errors in form.errors.values() for e in field_errors]
        return _refused(request, visit, errors, section=request.POST.get("section", "")[:40])
    data = form.cleaned_data
    target = _target_of(visit, data["key"])
    answer = Answer.objects.filter(visit=visit, **target).first() if target else None
    if answer is None:
        return _refused(
            request,
            visit,
            [_("Answer the item first, then add its photo.")],
            status=409,
            section=data["section"],
        )
    # A plain form has no client id of its own: one per upload.
    client_id = data["client_id"] or AnswerPhoto._meta.get_field("code").default()
    try:
        photo = services.photo_add(
            visit=visit,
            answer=answer,
            upload=data["photo"],
            client_id=client_id,
            actor=request.user,
        )
    except ValidationError as error:
        return _refused(request, visit, _messages_of(error), section=data["section"])
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "photo": {
                    "key": data["key"],
                    "client_id": photo.client_id,
                    "sha256": photo.sha256,
                    "url": reverse("inspections:photo_download", args=[photo.code]),
                },
            }
        )
    messages.success(request, _("The photo was saved."))
    return redirect(_back(visit, data["section"], data["key"]))


@login_required
@require_http_methods(["GET", "POST"])
def visit_finish(request, code):
    """GET: what the visit found, before the inspector seals it. POST: seal it."""
    visit = selectors.visit_get(request.user, code)
    _team_only(request, visit)
    if visit.state != Visit.State.STARTED:
        if request.method == "POST":
            messages.error(request, _("Only a visit in progress can be finished."))
        return redirect(visit.get_absolute_url())
    if request.method == "POST":
        try:
            services.visit_finish(visit=visit, actor=request.user)
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
            return redirect(reverse("inspections:visit_finish", args=[visit.code]))
        messages.success(
            request,
            _("The inspection at %(school)s is finished and sealed.")
            % {"school": visit.school.name},
        )
        return redirect(visit.get_absolute_url())
    sections = _sections(visit)
    entries = [(s, e) for s in sections for e in s.entries]
    context = {
        "visit": visit,
        "sections": sections,
        "failures": [(s, e) for s, e in entries if e.answer and e.answer.result == "fail"],
        "unanswered": [(s, e) for s, e in entries if e.answer is None],
        "total": len(entries),
        "answered": sum(1 for _s, e in entries if e.answer),
        "nav_section": "inspections",
    }
    return render(request, "inspections/visit_finish.html", context)


class AmendForm(PortalForm):
    answer = forms.IntegerField(min_value=1)
    result = forms.ChoiceField(choices=[("", "")] + Answer.Result.choices, required=False)
    value = forms.DecimalField(max_digits=8, decimal_places=1, min_value=0, required=False)
    note = forms.CharField(required=False, max_length=2000)
    reason = forms.CharField(max_length=2000)


@login_required
@require_POST
def visit_amend(request, code):
    """Correct a sealed answer: the original stays and both are shown."""
    visit = selectors.visit_get(request.user, code)
    if not policy.may_amend(request.user, visit):
        raise PermissionDenied
    form = AmendForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request,
                    _("Give the reason for the correction.") if field == "reason" else error,
                )
        return redirect(visit.get_absolute_url())
    data = form.cleaned_data
    answer = Answer.objects.filter(visit=visit, pk=data["answer"]).first()
    if answer is None:
        raise Http404
    changes = {"result": data["result"] or None, "value": data["value"]}
    if "note" in request.POST:
        changes["note"] = data["note"]
    try:
        services.answer_amend(answer=answer, actor=request.user, reason=data["reason"], **changes)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The correction was recorded; the original is kept."))
    return redirect(_back(visit, key=f"answer-{answer.pk}"))


@login_required
@require_GET
def photo_download(request, code):
    photo = selectors.photo_get(request.user, code)  # out of sight: 404
    return uploaded_file_response(
        photo.file,
        photo.content_type,
        photo.original_name or f"{photo.code}.jpg",
        inline_types=("image/",),
    )


@login_required
@require_GET
def school_history(request, code):
    """A school's finished visits, once revealed, with their scores."""
    school = access.unit_for_user(request.user, code, kind=OrgUnit.Kind.SCHOOL)
    visits = list(selectors.school_history(request.user, school).select_related("plan", "result"))
    context = {"school": school, "visits": visits, "nav_section": "inspections"}
    return render(request, "inspections/school_history.html", context)
