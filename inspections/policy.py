"""Who may see and do what in the inspections (DESIGN §4), used by services, selectors and
views alike.

A plan and its targets are the team's and the city supervisors' alone until a visit has
started: a school, its county and anyone else below the city learn nothing of it before then,
not even that it exists (404). Team membership is a django-guardian grant on the plan, so an
inspector from another unit can be on the team without any grant on the schools.
"""

from campaign import access
from campaign.roles import Perm
from core.errors import NotPermitted, OutOfScope
from inspections.models import InspectionPlanUserPermission

VIEW_PLAN = "view_inspectionplan"
CONDUCT = "conduct_inspection"
TEAM_PERMS = (VIEW_PLAN, CONDUCT)


def is_supervisor(user, city):
    """City admin, city staff, 安稳处 and city-level leaders of ``city`` (or above)."""
    return access.has_perm_at(user, Perm.VIEW_INSPECTIONS, city)


def may_manage(user, city):
    """Plan inspections, change a plan before sealing, publish circulars."""
    return access.has_perm_at(user, Perm.MANAGE_INSPECTIONS, city)


def may_manage_checklists(user, city):
    return access.has_perm_at(user, Perm.MANAGE_CHECKLISTS, city)


def _team_perms(user, plan):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if access.is_unrestricted(user):
        # As django-guardian has it: a superuser holds every grant (recovery, the demo).
        return set(TEAM_PERMS)
    cache = user.__dict__.setdefault("_inspection_team_perms", {})
    if plan.pk not in cache:
        # The team's grants are the user's own (never a group's): one query.
        cache[plan.pk] = set(
            InspectionPlanUserPermission.objects.filter(
                user_id=user.pk, content_object_id=plan.pk
            ).values_list("permission__codename", flat=True)
        )
    return cache[plan.pk]


def forget(user):
    user.__dict__.pop("_inspection_team_perms", None)


def on_team(user, plan):
    return VIEW_PLAN in _team_perms(user, plan)


def may_see_plan(user, plan):
    return on_team(user, plan) or is_supervisor(user, plan.city)


def may_conduct(user, visit):
    """Start, answer and finish a visit: a team member of its plan."""
    return CONDUCT in _team_perms(user, visit.plan)


def may_see_visit(user, visit):
    if may_see_plan(user, visit.plan):
        return True
    return visit.started_at is not None and access.has_perm_at(user, Perm.VIEW, visit.school)


def is_leader(user, plan):
    return any(m.user_id == user.pk and m.is_leader for m in plan.team.all())


def may_amend(user, visit):
    """Correct a sealed answer: the team leader, or a supervisor who manages inspections."""
    return is_leader(user, visit.plan) or may_manage(user, visit.plan.city)


# --- For services: raise instead of answering -------------------------------------------------


def require_manage(user, plan_or_city):
    city = getattr(plan_or_city, "city", plan_or_city)
    plan = plan_or_city if plan_or_city is not city else None
    if plan is not None and not may_see_plan(user, plan):
        raise OutOfScope
    if plan is None and not access.has_perm_at(user, Perm.VIEW, city):
        raise OutOfScope
    if not may_manage(user, city):
        raise NotPermitted


def require_conduct(user, visit):
    if not may_see_visit(user, visit):
        raise OutOfScope
    if not may_conduct(user, visit):
        raise NotPermitted


def require_amend(user, visit):
    if not may_see_visit(user, visit):
        raise OutOfScope
    if not may_amend(user, visit):
        raise NotPermitted
