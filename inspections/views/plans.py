"""Plans (督查方案), their team, the sealed draw and its audit (issue 8 items 1–3 and 9).

Reads go through ``inspections.selectors``: a plan the user may not see answers 404 exactly as a
missing code does, so a school, its county or an inspector off the team cannot tell a plan
exists. Writes go through ``inspections.services``, which have the final word on state and
permission: a supervisor who may read but not manage the plan (a city leader) gets 403, a
refused input shows the page again with what was typed, a state that changed meanwhile
(``Conflict``) says so.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.errors import Conflict
from hazards.selectors import hazards_for_user
from inspections import policy, selectors, services
from inspections.forms import (
    WEIGHT_LABELS,
    PlanForm,
    RecheckForm,
    SealForm,
    TargetForm,
    TeamForm,
    team_candidates,
)
from inspections.models import DEFAULT_WEIGHTS, Draw, InspectionPlan, Target, Visit

State = InspectionPlan.State
Kind = OrgUnit.Kind
PER_PAGE = 50
DRAW_PER_PAGE = 50


def _texts(error):
    return " ".join(str(m) for m in getattr(error, "messages", [str(error)]))


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _require_manage(user, plan):
    """403 for someone who sees the plan (a supervisor, a team member) but may not change it."""
    if not policy.may_manage(user, plan.city):
        raise PermissionDenied


def _plan_title(plan):
    return f"“{plan.title}”"


# --- The list -----------------------------------------------------------------------------


def _managed_cities(user):
    return list(
        access.units_where(user, Perm.MANAGE_INSPECTIONS).filter(kind=Kind.CITY).order_by("code")
    )


@login_required
@require_GET
def plan_list(request):
    """The plans the user may see (team or city supervisor); for everyone else an empty list,
    the same for every school and county, with the ways to what they do see."""
    user = request.user
    plans = (
        selectors.plans_for(user)
        .select_related("city", "checklist")
        .annotate(
            n_targets=Count("targets", filter=Q(targets__removed=False), distinct=True),
            n_started=Count("visits", filter=Q(visits__started_at__isnull=False), distinct=True),
            n_finished=Count("visits", filter=Q(visits__finished_at__isnull=False), distinct=True),
        )
        .order_by("-period_start", "-id")
    )
    state = request.GET.get("state", "")
    if state in State.values:
        plans = plans.filter(state=state)
    else:
        state = ""
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "plans": list(page.object_list),
        "total": page.paginator.count,
        "state": state,
        "states": State.choices,
        "may_create": bool(_managed_cities(user)),
    }
    return render(request, "inspections/plan_list.html", context)


# --- New and edit -------------------------------------------------------------------------


def _city_for_new(request, cities):
    code = request.POST.get("city") or request.GET.get("city")
    for city in cities:
        if city.code == code:
            return city
    return cities[0]


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    cities = _managed_cities(request.user)
    if not cities:
        raise PermissionDenied
    city = _city_for_new(request, cities)
    if request.method == "POST":
        form = PlanForm(request.POST, city=city)
        if form.is_valid():
            try:
                plan = services.plan_create(city=city, actor=request.user, **form.service_kwargs())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Inspection plan %(title)s was created as a draft.")
                    % {"title": _plan_title(plan)},
                )
                return redirect(plan.get_absolute_url())
        messages.error(request, _("The plan was not created: please correct the errors."))
    else:
        form = PlanForm(city=city)
    context = {"form": form, "city": city, "cities": cities, "plan": None}
    return render(request, "inspections/plan_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, code):
    plan = selectors.plan_get(request.user, code)
    _require_manage(request.user, plan)
    if plan.state != State.DRAFT:
        messages.error(
            request,
            _("Inspection plan %(title)s is %(state)s and can no longer be edited.")
            % {"title": _plan_title(plan), "state": plan.get_state_display()},
        )
        return redirect(plan.get_absolute_url())
    if request.method == "POST":
        form = PlanForm(request.POST, city=plan.city, plan=plan)
        if form.is_valid():
            had_draw = Draw.objects.filter(plan=plan).exists()
            try:
                plan = services.plan_update(plan=plan, actor=request.user, **form.service_kwargs())
            except Conflict as error:
                messages.error(request, _texts(error))
                return redirect(plan.get_absolute_url())
            except ValidationError as error:
                _add_errors(form, error)
                plan = selectors.plan_get(request.user, code)
            else:
                text = _("Inspection plan %(title)s was saved.") % {"title": _plan_title(plan)}
                if had_draw and not Draw.objects.filter(plan=plan).exists():
                    text += _(" The scope or the weights changed: draw the schools again.")
                messages.success(request, text)
                return redirect(plan.get_absolute_url())
        messages.error(request, _("The plan was not saved: please correct the errors."))
    else:
        form = PlanForm(city=plan.city, plan=plan)
    context = {"form": form, "city": plan.city, "cities": [plan.city], "plan": plan}
    return render(request, "inspections/plan_form.html", context)


# --- Detail -------------------------------------------------------------------------------


def _targets(plan):
    targets = list(
        plan.targets.select_related("school", "school__parent", "added_by", "removed_by").order_by(
            "removed", "rank", "id"
        )
    )
    visits = {v.target_id: v for v in Visit.objects.filter(plan=plan)}
    for target in targets:
        target.visit_row = visits.get(target.pk)
    return targets


def _detail_context(request, plan, *, target_form=None, recheck_form=None, seal_form=None):
    user = request.user
    may_manage = policy.may_manage(user, plan.city)
    draft = plan.state == State.DRAFT
    targets = _targets(plan)
    active = [t for t in targets if not t.removed]
    draw = Draw.objects.filter(plan=plan).select_related("drawn_by").first()
    team = list(plan.team.select_related("user"))
    circular = (
        getattr(plan, "circular", None)
        if plan.state in (State.FINISHED, State.CIRCULATED)
        else None
    )
    return {
        "plan": plan,
        "targets": targets,
        "active_count": len(active),
        "removed_count": len(targets) - len(active),
        "rechecks": list(plan.rechecks.select_related("hazard", "hazard__school", "added_by")),
        "team": team,
        "has_leader": any(m.is_leader for m in team),
        "draw": draw,
        "counties": list(plan.counties.order_by("code")),
        "focus_areas": list(plan.focus_areas.all()),
        "weights": [(WEIGHT_LABELS[k], v) for k, v in plan.effective_weights().items()],
        "may_manage": may_manage,
        "may_change_list": may_manage and draft,
        "may_team": may_manage and plan.state in (State.DRAFT, State.SEALED, State.IN_PROGRESS),
        "may_finish": may_manage and plan.state in (State.SEALED, State.IN_PROGRESS),
        "may_circular": may_manage and plan.state == State.FINISHED and circular is None,
        "circular": circular,
        "on_team": policy.on_team(user, plan),
        "target_form": target_form or TargetForm(initial={"action": "add"}, auto_id="target-%s"),
        "recheck_form": recheck_form or RecheckForm(auto_id="recheck-%s"),
        "seal_form": seal_form or SealForm(auto_id="seal-%s"),
        "open_form": "target"
        if target_form is not None
        else "recheck"
        if recheck_form is not None
        else "seal"
        if seal_form is not None
        else "",
    }


@login_required
@require_GET
def plan_detail(request, code):
    plan = selectors.plan_get(request.user, code)
    return render(request, "inspections/plan_detail.html", _detail_context(request, plan))


def _refused(request, plan, text, **forms):
    """The plan page again, the refused form keeping what was typed, the reason on top."""
    messages.error(request, text)
    plan = selectors.plan_get(request.user, plan.code)  # as it is now
    return render(request, "inspections/plan_detail.html", _detail_context(request, plan, **forms))


# --- Team ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_team(request, code):
    plan = selectors.plan_get(request.user, code)
    _require_manage(request.user, plan)
    search = (request.GET.get("q") or "").strip()[:40]
    current = list(plan.team.select_related("user"))
    if request.method == "POST":
        form = TeamForm(request.POST, city=plan.city, plan=plan)
        if form.is_valid():
            members, leader = form.members_and_leader()
            try:
                services.team_set(plan=plan, members=members, leader=leader, actor=request.user)
            except Conflict as error:
                messages.error(request, _texts(error))
                return redirect(plan.get_absolute_url())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The team of %(title)s is set: %(count)s people, led by %(leader)s.")
                    % {
                        "title": _plan_title(plan),
                        "count": len(members),
                        "leader": leader.display_name,
                    },
                )
                return redirect(plan.get_absolute_url())
        messages.error(request, _("The team was not set: please correct the errors."))
        chosen = {str(pk) for pk in request.POST.getlist("members")}
        leader_pk = request.POST.get("leader", "")
    else:
        form = TeamForm(city=plan.city, plan=plan)
        chosen = {str(m.user_id) for m in current}
        leader_pk = next((str(m.user_id) for m in current if m.is_leader), "")
    users, inspectors = team_candidates(plan.city, search)
    shown = {u.pk for u in users}
    # The people already on the team (or chosen in a refused submit) stay on the page, whatever
    # the search, so that saving never drops someone the user did not see.
    keep = {m.user_id for m in current} | {
        int(pk) for pk in chosen if pk.isascii() and pk.isdigit() and len(pk) < 19
    }
    extra = list(get_user_model().objects.filter(pk__in=keep - shown, is_active=True))
    rows = [
        {
            "user": u,
            "id": str(u.pk),
            "inspector": u.pk in inspectors,
            "chosen": str(u.pk) in chosen,
            "leader": str(u.pk) == leader_pk,
        }
        for u in [*extra, *users]
    ]
    context = {"plan": plan, "form": form, "rows": rows, "search": search}
    return render(request, "inspections/plan_team.html", context)


# --- The draw -----------------------------------------------------------------------------


def _candidate_rows(plan, draw):
    """[(school_id, weight, features)] of the draw's stored candidates, or of a preview with the
    plan's weights before the first draw, heaviest first."""
    if draw is not None:
        rows = [tuple(c) for c in draw.candidates]
        weights = draw.weights
    else:
        weights = plan.effective_weights()
        rows = [
            (school_id, services.weight_of(features, weights), features)
            for school_id, features in services.draw_candidates(plan)
        ]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows, weights


FEATURE_LABELS = {
    "zero_data": WEIGHT_LABELS["zero_data"],
    "overdue": WEIGHT_LABELS["overdue"],
    "major_open": WEIGHT_LABELS["major_open"],
}


@login_required
@require_http_methods(["GET", "POST"])
def plan_draw(request, code):
    plan = selectors.plan_get(request.user, code)
    if request.method == "POST":
        _require_manage(request.user, plan)
        try:
            draw = services.draw_run(plan=plan, actor=request.user)
        except ValidationError as error:  # Conflict included
            messages.error(
                request,
                _("The schools of %(title)s were not drawn: %(reason)s")
                % {"title": _plan_title(plan), "reason": _texts(error)},
            )
        else:
            drawn = plan.targets.filter(origin=Target.Origin.DRAWN).count()
            messages.success(
                request,
                _("%(count)s schools were drawn for %(title)s from %(candidates)s candidates.")
                % {
                    "count": drawn,
                    "title": _plan_title(plan),
                    "candidates": len(draw.candidates),
                },
            )
        return redirect(reverse("inspections:plan_draw", args=[plan.code]))
    draw = Draw.objects.filter(plan=plan).select_related("drawn_by").first()
    rows, weights = _candidate_rows(plan, draw)
    page = Paginator(rows, DRAW_PER_PAGE).get_page(request.GET.get("page"))
    targets = {
        t.school_id: t for t in plan.targets.filter(school_id__in=[r[0] for r in page.object_list])
    }
    schools = OrgUnit.objects.select_related("parent").in_bulk([r[0] for r in page.object_list])
    candidates = []
    for school_id, weight, features in page.object_list:
        target = targets.get(school_id)
        candidates.append(
            {
                "school": schools.get(school_id),
                "weight": weight,
                "features": features,
                "target": target,
                "drawn": target is not None and target.origin == Target.Origin.DRAWN,
            }
        )
    context = {
        "plan": plan,
        "draw": draw,
        "page": page,
        "candidates": candidates,
        "total": len(rows),
        "weights": [(WEIGHT_LABELS[k], weights.get(k, v)) for k, v in DEFAULT_WEIGHTS.items()],
        "may_draw": policy.may_manage(request.user, plan.city) and plan.state == State.DRAFT,
        "first_row": page.start_index(),
        "last_row": page.end_index(),
    }
    return render(request, "inspections/plan_draw.html", context)


# --- Manual changes, re-checks, sealing, finishing ------------------------------------------


def _school_in_city(plan, code):
    return OrgUnit.objects.filter(
        kind=Kind.SCHOOL, code=code, path__startswith=plan.city.path
    ).first()


@login_required
@require_POST
def plan_targets(request, code):
    plan = selectors.plan_get(request.user, code)
    _require_manage(request.user, plan)
    form = TargetForm(request.POST, auto_id="target-%s")
    removing = request.POST.get("action") == "remove"
    if not form.is_valid():
        if removing:
            messages.error(
                request,
                _("The school was not taken off %(title)s: %(reason)s")
                % {
                    "title": _plan_title(plan),
                    "reason": " ".join(m for errs in form.errors.values() for m in errs),
                },
            )
            return redirect(plan.get_absolute_url() + "#targets")
        return _refused(
            request,
            plan,
            _("No school was added to %(title)s: please correct the errors.")
            % {"title": _plan_title(plan)},
            target_form=form,
        )
    school = _school_in_city(plan, form.cleaned_data["school"])
    if school is None:
        form.add_error("school", _("No school of the plan's city has this code."))
        return _refused(
            request,
            plan,
            _("No school was added to %(title)s: please correct the errors.")
            % {"title": _plan_title(plan)},
            target_form=form,
        )
    service = services.target_remove if removing else services.target_add
    try:
        service(plan=plan, school=school, reason=form.cleaned_data["reason"], actor=request.user)
    except Conflict as error:
        messages.error(request, _texts(error))
        return redirect(plan.get_absolute_url())
    except ValidationError as error:
        if removing:
            messages.error(
                request,
                _("%(school)s was not taken off %(title)s: %(reason)s")
                % {"school": school.name, "title": _plan_title(plan), "reason": _texts(error)},
            )
            return redirect(plan.get_absolute_url() + "#targets")
        _add_errors(form, error)
        return _refused(
            request,
            plan,
            _("%(school)s was not added to %(title)s: %(reason)s")
            % {"school": school.name, "title": _plan_title(plan), "reason": _texts(error)},
            target_form=form,
        )
    if removing:
        text = _("%(school)s was taken off %(title)s (reason: %(reason)s).")
    else:
        text = _("%(school)s was added to %(title)s by hand (reason: %(reason)s).")
    messages.success(
        request,
        text
        % {
            "school": school.name,
            "title": _plan_title(plan),
            "reason": form.cleaned_data["reason"],
        },
    )
    return redirect(plan.get_absolute_url() + "#targets")


@login_required
@require_POST
def plan_rechecks(request, code):
    plan = selectors.plan_get(request.user, code)
    _require_manage(request.user, plan)
    form = RecheckForm(request.POST, auto_id="recheck-%s")
    refused = _("No re-check was added to %(title)s: please correct the errors.") % {
        "title": _plan_title(plan)
    }
    if not form.is_valid():
        return _refused(request, plan, refused, recheck_form=form)
    hazard = (
        hazards_for_user(request.user)
        .select_related("school")
        .filter(code=form.cleaned_data["hazard"])
        .first()
    )
    if hazard is None:
        form.add_error("hazard", _("No hazard you may see has this number."))
        return _refused(request, plan, refused, recheck_form=form)
    try:
        services.recheck_add(plan=plan, hazard=hazard, actor=request.user)
    except Conflict as error:
        messages.error(request, _texts(error))
        return redirect(plan.get_absolute_url())
    except ValidationError as error:
        _add_errors(form, error)
        return _refused(request, plan, refused, recheck_form=form)
    messages.success(
        request,
        _("Hazard %(code)s at %(school)s will be re-checked in %(title)s.")
        % {"code": hazard.code, "school": hazard.school.name, "title": _plan_title(plan)},
    )
    return redirect(plan.get_absolute_url() + "#rechecks")


@login_required
@require_POST
def plan_seal(request, code):
    plan = selectors.plan_get(request.user, code)
    _require_manage(request.user, plan)
    form = SealForm(request.POST, auto_id="seal-%s")
    refused = _("Inspection plan %(title)s was not sealed: %(reason)s")
    if not form.is_valid():
        reason = " ".join(m for errs in form.errors.values() for m in errs)
        return _refused(
            request, plan, refused % {"title": _plan_title(plan), "reason": reason}, seal_form=form
        )
    try:
        plan = services.plan_seal(plan=plan, actor=request.user)
    except Conflict as error:
        messages.error(request, _texts(error))
        return redirect(plan.get_absolute_url())
    except ValidationError as error:
        return _refused(
            request,
            plan,
            refused % {"title": _plan_title(plan), "reason": _texts(error)},
            seal_form=form,
        )
    messages.success(
        request,
        _(
            "Inspection plan %(title)s was sealed: %(count)s visits, checklist version "
            "%(version)s. Only the team and the city supervisors see it."
        )
        % {
            "title": _plan_title(plan),
            "count": plan.visits.count(),
            "version": plan.version.number,
        },
    )
    return redirect(plan.get_absolute_url())


@login_required
@require_GET
def plan_audit(request, code):
    """Re-run the recorded draw from its stored candidates: the team and the supervisors."""
    plan = selectors.plan_get(request.user, code)
    result = services.draw_audit(plan)
    context = {"plan": plan, "result": result}
    if result is not None:
        ids = set(result["replayed"]) | set(result["drawn"])
        schools = OrgUnit.objects.in_bulk(ids)
        drawn = result["drawn"]
        context["rows"] = [
            {
                "rank": rank,
                "replayed": schools.get(replayed_id),
                "drawn": schools.get(drawn[rank - 1]) if rank <= len(drawn) else None,
                "same": rank <= len(drawn) and drawn[rank - 1] == replayed_id,
            }
            for rank, replayed_id in enumerate(result["replayed"], start=1)
        ]
        context["candidates"] = len(result["draw"].candidates)
    return render(request, "inspections/plan_audit.html", context)


@login_required
@require_POST
def plan_finish(request, code):
    plan = selectors.plan_get(request.user, code)
    _require_manage(request.user, plan)
    try:
        plan = services.plan_finish(plan=plan, actor=request.user)
    except ValidationError as error:  # Conflict included
        messages.error(
            request,
            _("Inspection plan %(title)s was not finished: %(reason)s")
            % {"title": _plan_title(plan), "reason": _texts(error)},
        )
    else:
        messages.success(
            request,
            _("Inspection plan %(title)s is finished: its results are stored per county.")
            % {"title": _plan_title(plan)},
        )
    return redirect(plan.get_absolute_url())
