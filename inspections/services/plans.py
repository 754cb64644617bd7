"""Plans (督查方案), their team, the sealed draw of targets and sealing."""

import hashlib
import json
import random
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.errors import Conflict, OutOfScope
from core.services.audit import audit
from core.services.notifications import notify
from hazards.models import Hazard
from inspections import notices, policy
from inspections.models import (
    DEFAULT_WEIGHTS,
    Draw,
    InspectionPlan,
    Recheck,
    Target,
    TeamMember,
    Visit,
    VisitResult,
)
from inspections.scoring import BAD_SCORE

State = InspectionPlan.State
Kind = OrgUnit.Kind
PLAN_FIELDS = ("title", "round", "period_start", "period_end", "checklist", "draw_size")


def _lock(plan, allowed):
    locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.state not in allowed:
        raise Conflict(
            _("The plan is %(state)s: this can no longer be done.")
            % {"state": locked.get_state_display()}
        )
    return locked


def _check(plan):
    if plan.period_end < plan.period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if not 1 <= (plan.draw_size or 0) <= 500:
        raise ValidationError({"draw_size": _("Draw between 1 and 500 schools.")})
    if plan.checklist.city_id != plan.city_id:
        raise ValidationError({"checklist": _("Choose one of the city's checklists.")})


def clean_weights(weights):
    """Known risk features only, as non-negative numbers (a weight of 0 ignores a feature)."""
    cleaned = {}
    for key, value in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise ValidationError(_("Unknown risk feature: %(key)s.") % {"key": key})
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError(_("A weight is a number.")) from None
        if not 0 <= number <= 100:
            raise ValidationError(_("A weight is between 0 and 100."))
        cleaned[key] = number
    if cleaned.get("base", DEFAULT_WEIGHTS["base"]) <= 0:
        raise ValidationError(
            _("The base weight must be above 0, or some schools could never be drawn.")
        )
    return cleaned


def _scope_counties(plan, counties):
    counties = list(counties or [])
    for county in counties:
        if county.kind != Kind.COUNTY or not county.path.startswith(plan.city.path):
            raise ValidationError({"counties": _("Choose counties of the plan's city.")})
    return counties


@transaction.atomic
def plan_create(
    *,
    city,
    title,
    round,
    period_start,
    period_end,
    checklist,
    draw_size,
    actor,
    counties=(),
    focus_areas=(),
    weights=None,
):
    policy.require_manage(actor, city)
    plan = InspectionPlan(
        city=city,
        title=title,
        round=round,
        period_start=period_start,
        period_end=period_end,
        checklist=checklist,
        draw_size=draw_size,
        weights=clean_weights(weights),
        created_by=actor,
    )
    _check(plan)
    plan.full_clean(exclude=["counties", "focus_areas"])
    plan.save()
    plan.counties.set(_scope_counties(plan, counties))
    plan.focus_areas.set(focus_areas)
    audit(actor=actor, action="inspection.plan_create", unit=city, plan=plan.code)
    return plan


@transaction.atomic
def plan_update(*, plan, actor, counties=None, focus_areas=None, weights=None, **fields):
    """Change a draft plan. A new scope or new weights drop the draw: draw again."""
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT,))
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not a plan field: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(plan, name, value)
    redraw = False
    if weights is not None:
        new = clean_weights(weights)
        redraw = new != plan.weights
        plan.weights = new
    _check(plan)
    plan.full_clean(exclude=["counties", "focus_areas"])
    plan.save()
    if counties is not None:
        new = _scope_counties(plan, counties)
        redraw = redraw or {c.pk for c in new} != set(plan.counties.values_list("pk", flat=True))
        plan.counties.set(new)
    if focus_areas is not None:
        plan.focus_areas.set(focus_areas)
    if redraw and hasattr(plan, "draw"):
        plan.targets.filter(origin=Target.Origin.DRAWN).delete()
        Draw.objects.filter(plan=plan).delete()
    audit(actor=actor, action="inspection.plan_update", unit=plan.city, plan=plan.code)
    return plan


@transaction.atomic
def team_set(*, plan, members, leader, actor):
    """The team: ``members`` (users, the leader among them or not) and one ``leader``.

    Team members get per-object grants on the plan (see it, carry out its visits) and nothing
    on any school. Changing the team is allowed until the plan is finished.
    """
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT, State.SEALED, State.IN_PROGRESS))
    wanted = {u.pk: u for u in [*members, leader]}
    for user in wanted.values():
        if not user.is_active:
            raise ValidationError(_("%(name)s has no active account.") % {"name": user})
    current = {m.user_id: m for m in plan.team.select_related("user")}
    for user_id, member in current.items():
        if user_id not in wanted:
            for perm in policy.TEAM_PERMS:
                remove_perm(f"inspections.{perm}", member.user, plan)
            member.delete()
            policy.forget(member.user)
    plan.team.filter(is_leader=True).exclude(user=leader).update(is_leader=False)
    added = []
    for user in wanted.values():
        member = current.get(user.pk)
        if member is None:
            TeamMember.objects.create(
                plan=plan, user=user, is_leader=user.pk == leader.pk, added_by=actor
            )
            for perm in policy.TEAM_PERMS:
                assign_perm(f"inspections.{perm}", user, plan)
            added.append(user)
        elif member.is_leader != (user.pk == leader.pk):
            TeamMember.objects.filter(pk=member.pk).update(is_leader=user.pk == leader.pk)
        policy.forget(user)
    if added and plan.state != State.DRAFT:
        _notify_team(plan, added)
    audit(
        actor=actor,
        action="inspection.team_set",
        unit=plan.city,
        plan=plan.code,
        team=sorted(wanted),
        leader=leader.pk,
    )
    return plan


def _notify_team(plan, users):
    """Only the team hears of a sealed plan (the notice names the plan, never a school)."""
    notify(
        recipients=users,
        kind=notices.TEAM,
        params={"title": plan.title, "start": plan.period_start.isoformat()},
        link=plan.get_absolute_url(),
        dedupe_key=f"inspection-team:{plan.code}",
    )


# --- The draw ---------------------------------------------------------------------------


def _schools_in_scope(plan):
    qs = OrgUnit.objects.filter(kind=Kind.SCHOOL, is_active=True, path__startswith=plan.city.path)
    counties = list(plan.counties.all())
    if counties:
        q = Q()
        for county in counties:
            q |= Q(path__startswith=county.path)
        qs = qs.filter(q)
    return qs


def draw_candidates(plan, *, today=None):
    """[(school_id, features)] of every active school in the plan's scope, in id order.

    Features (the risk the draw weighs): on the zero-data list (no hazard found since 1 January
    of the plan's year, S7), open overdue hazards, open major hazards, the last inspection's
    score and the days since it. Three queries whatever the size.
    """
    today = today or timezone.localdate()
    since = today.replace(month=1, day=1)
    schools = list(_schools_in_scope(plan).order_by("pk").values_list("pk", flat=True))
    open_q = Q(status__in=Hazard.OPEN_STATUSES)
    scope = Q(city_id=plan.city_id)
    counties = list(plan.counties.values_list("pk", flat=True))
    if counties:
        scope &= Q(county_id__in=counties)
    hazard_rows = (
        Hazard.objects.filter(scope)
        .filter(open_q | Q(found_on__gte=since))
        .values("school_id")
        .annotate(
            found=Count("id", filter=Q(found_on__gte=since)),
            overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
            major=Count("id", filter=open_q & Q(level=Hazard.Level.MAJOR)),
        )
    )
    hazards = {r["school_id"]: r for r in hazard_rows}
    last = {
        r["school_id"]: r
        for r in VisitResult.objects.filter(city_id=plan.city_id)
        .values("school_id")
        .annotate(last_on=Max("finished_on"))
    }
    last_scores = {}
    if last:
        for school_id, score, finished_on in VisitResult.objects.filter(
            city_id=plan.city_id
        ).values_list("school_id", "score", "finished_on"):
            if finished_on == last[school_id]["last_on"]:
                last_scores[school_id] = float(score)
    candidates = []
    for school_id in schools:
        h = hazards.get(school_id)
        seen = last.get(school_id)
        candidates.append(
            (
                school_id,
                {
                    "zero_data": not (h and h["found"]),
                    "overdue": h["overdue"] if h else 0,
                    "major_open": h["major"] if h else 0,
                    "last_score": last_scores.get(school_id),
                    "days_since": (today - seen["last_on"]).days if seen else None,
                },
            )
        )
    return candidates


def weight_of(features, weights):
    """The school's weight: the base plus each risk feature's weight (not inspected: in
    proportion to the time since the last inspection, a year or never counting in full)."""
    w = {**DEFAULT_WEIGHTS, **weights}
    weight = float(w["base"])
    if features["zero_data"]:
        weight += w["zero_data"]
    if features["overdue"]:
        weight += w["overdue"]
    if features["major_open"]:
        weight += w["major_open"]
    if features["last_score"] is not None and features["last_score"] < BAD_SCORE:
        weight += w["bad_score"]
    days = features["days_since"]
    weight += w["not_inspected"] * (1.0 if days is None else min(1.0, days / 365))
    return round(weight, 6)


def digest(candidates):
    text = json.dumps(candidates, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def sample(candidates, size, seed):
    """Weighted sampling without replacement (Efraimidis–Spirakis): each candidate's key is
    u^(1/w) for a u from the seeded generator, taken in the candidates' order; the ``size``
    largest keys win, largest first. The same candidates and seed give the same targets."""
    rng = random.Random(seed)
    keyed = []
    for school_id, weight, _features in candidates:
        u = rng.random()
        keyed.append((u ** (1.0 / weight) if weight > 0 else 0.0, school_id))
    keyed.sort(reverse=True)
    return [school_id for _key, school_id in keyed[:size]]


@transaction.atomic
def draw_run(*, plan, actor, seed=None, today=None):
    """Draw the plan's targets (a draft plan); a new draw replaces the drawn targets and keeps
    those added by hand. The candidates, their digest and the seed are recorded."""
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT,))
    weights = plan.effective_weights()
    manual = set(
        plan.targets.exclude(origin=Target.Origin.DRAWN).values_list("school_id", flat=True)
    )
    candidates = [
        [school_id, weight_of(features, weights), features]
        for school_id, features in draw_candidates(plan, today=today)
        if school_id not in manual
    ]
    seed = seed or secrets.token_hex(16)
    chosen = sample(candidates, plan.draw_size, seed)
    plan.targets.filter(origin=Target.Origin.DRAWN).delete()
    by_id = {c[0]: c for c in candidates}
    Target.objects.bulk_create(
        Target(
            plan=plan,
            school_id=school_id,
            origin=Target.Origin.DRAWN,
            rank=rank,
            weight=by_id[school_id][1],
            features=by_id[school_id][2],
            added_by=actor,
        )
        for rank, school_id in enumerate(chosen, start=1)
    )
    draw, _created = Draw.objects.update_or_create(
        plan=plan,
        defaults={
            "seed": seed,
            "size": plan.draw_size,
            "weights": weights,
            "candidates": candidates,
            "candidates_digest": digest(candidates),
            "drawn_by": actor,
            "drawn_at": timezone.now(),
        },
    )
    audit(
        actor=actor,
        action="inspection.draw",
        unit=plan.city,
        plan=plan.code,
        seed=seed,
        digest=draw.candidates_digest,
        candidates=len(candidates),
    )
    return draw


def draw_audit(plan):
    """Re-run the recorded draw: is the stored candidate list unchanged (its digest), do the
    recorded weights give the stored weights, and does the seed give the same targets?"""
    draw = Draw.objects.filter(plan=plan).first()
    if draw is None:
        return None
    candidates = draw.candidates
    digest_ok = digest(candidates) == draw.candidates_digest
    weights_ok = all(
        abs(weight_of(features, draw.weights) - weight) < 1e-6
        for _id, weight, features in candidates
    )
    replayed = sample(candidates, draw.size, draw.seed)
    drawn = list(
        plan.targets.filter(origin=Target.Origin.DRAWN)
        .order_by("rank")
        .values_list("school_id", flat=True)
    )
    return {
        "draw": draw,
        "digest_ok": digest_ok,
        "weights_ok": weights_ok,
        "replayed": replayed,
        "drawn": drawn,
        "same_targets": replayed == drawn,
        "ok": digest_ok and weights_ok and replayed == drawn,
    }


def _school_in_scope(plan, school):
    if school.kind != Kind.SCHOOL or not school.is_active:
        raise ValidationError(_("Choose an active school."))
    counties = list(plan.counties.all())
    inside = school.path.startswith(plan.city.path) and (
        not counties or any(school.path.startswith(c.path) for c in counties)
    )
    if not inside:
        raise ValidationError(_("%(school)s is outside the plan's scope.") % {"school": school})


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    return reason[:200]


@transaction.atomic
def target_add(*, plan, school, reason, actor, origin=Target.Origin.ADDED):
    """Add a school by hand before sealing, marked as such with who and why."""
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT,))
    _school_in_scope(plan, school)
    reason = _reason(reason)
    target = plan.targets.filter(school=school).first()
    if target is not None and not target.removed:
        raise ValidationError(_("%(school)s is already a target.") % {"school": school})
    if target is not None:  # removed before: back in, with the new reason
        target.removed = False
        target.reason = reason if target.origin != Target.Origin.DRAWN else target.reason
        target.removed_reason = ""
        target.removed_by = None
        target.removed_at = None
        target.save()
    else:
        target = Target.objects.create(
            plan=plan, school=school, origin=origin, reason=reason, added_by=actor
        )
    audit(
        actor=actor,
        action="inspection.target_add",
        unit=plan.city,
        plan=plan.code,
        school=school.code,
        reason=reason,
    )
    return target


@transaction.atomic
def target_remove(*, plan, school, reason, actor):
    """Take a school off the list before sealing; the row stays, marked, with who and why."""
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT,))
    target = plan.targets.filter(school=school, removed=False).first()
    if target is None:
        raise ValidationError(_("%(school)s is not a target.") % {"school": school})
    target.removed = True
    target.removed_reason = _reason(reason)
    target.removed_by = actor
    target.removed_at = timezone.now()
    target.save()
    audit(
        actor=actor,
        action="inspection.target_remove",
        unit=plan.city,
        plan=plan.code,
        school=school.code,
        reason=target.removed_reason,
    )
    return target


@transaction.atomic
def recheck_add(*, plan, hazard, actor):
    """复查: check a closed hazard again at its school; the school becomes a target."""
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT,))
    if not access.has_perm_at(actor, Perm.VIEW, hazard.school):
        raise OutOfScope
    if hazard.status != Hazard.Status.CLOSED:
        raise ValidationError(_("Only a closed hazard can be re-checked."))
    _school_in_scope(plan, hazard.school)
    if plan.rechecks.filter(hazard=hazard).exists():
        raise ValidationError(_("%(code)s is already to be re-checked.") % {"code": hazard.code})
    recheck = Recheck.objects.create(plan=plan, hazard=hazard, added_by=actor)
    target = plan.targets.filter(school=hazard.school).first()
    reason = _("Re-check of %(code)s") % {"code": hazard.code}
    if target is None:
        Target.objects.create(
            plan=plan,
            school=hazard.school,
            origin=Target.Origin.RECHECK,
            reason=reason,
            added_by=actor,
        )
    elif target.removed:
        target_add(plan=plan, school=hazard.school, reason=reason, actor=actor)
    audit(
        actor=actor,
        action="inspection.recheck_add",
        unit=plan.city,
        plan=plan.code,
        hazard=hazard.code,
    )
    return recheck


@transaction.atomic
def plan_seal(*, plan, actor):
    """Freeze the target list and the checklist version; one visit per target. From now on the
    list cannot change and the draw can be audited."""
    policy.require_manage(actor, plan)
    plan = _lock(plan, (State.DRAFT,))
    targets = list(plan.targets.filter(removed=False).select_related("school"))
    if not targets:
        raise ValidationError(_("Draw or add the schools to inspect first."))
    team = list(plan.team.select_related("user"))
    if not any(m.is_leader for m in team):
        raise ValidationError(_("Name the team and its leader first."))
    version = plan.checklist.current_version()
    if version is None or not version.items.exists():
        raise ValidationError(_("The checklist has no items."))
    now = timezone.now()
    if version.used_at is None:
        type(version).objects.filter(pk=version.pk).update(used_at=now)
    units = _county_and_city([t.school for t in targets])
    Visit.objects.bulk_create(
        Visit(
            plan=plan,
            target=t,
            school=t.school,
            county_id=units[t.school.pk][0],
            city_id=units[t.school.pk][1],
            version=version,
        )
        for t in targets
    )
    plan.version = version
    plan.state = State.SEALED
    plan.sealed_at = now
    plan.sealed_by = actor
    plan.save(update_fields=["version", "state", "sealed_at", "sealed_by"])
    _notify_team(plan, [m.user for m in team])
    audit(
        actor=actor,
        action="inspection.plan_seal",
        unit=plan.city,
        plan=plan.code,
        targets=len(targets),
        version=version.number,
    )
    return plan


def _county_and_city(schools):
    """{school id: (county id or None, city id)} from the paths (one query)."""
    ids = {pk for s in schools for pk in s.ancestor_ids()[:-1]}
    kinds = dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "kind"))
    out = {}
    for s in schools:
        county = city = None
        for pk in s.ancestor_ids()[:-1]:
            if kinds.get(pk) == Kind.COUNTY:
                county = pk
            elif kinds.get(pk) == Kind.CITY:
                city = pk
        out[s.pk] = (county, city)
    return out
