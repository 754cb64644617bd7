"""Plans (督查方案), their team, the sealed draw of targets and sealing."""

from django.core.exceptions import ValidationError
from django.db import transaction
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
)

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
