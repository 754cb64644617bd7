"""Who may do what in the campaign app: grant and revoke roles, manage a person, see and re-run
a job run. Services, selectors and views all ask here, so that a rule is written once.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import RoleGrant
from campaign.roles import ROLE_MAY_GRANT, ROLE_UNIT_KINDS, Perm, Role
from core import jobs
from core.models import JobRun, JobRunScope

# --- People and roles -----------------------------------------------------------------------


def roles_grantable(*, actor, unit):
    """The roles ``actor`` may grant at ``unit`` (empty when they may manage nobody there)."""
    if access.is_unrestricted(actor):
        grantable = set(Role)
    else:
        if not access.has_perm_at(actor, Perm.MANAGE_USERS, unit):
            return []
        grantable = set()
        for grant in actor.role_grants.select_related("unit"):
            if unit.path.startswith(grant.unit.path):
                grantable |= ROLE_MAY_GRANT.get(Role(grant.role), set())
    return [r for r in Role if r in grantable and unit.kind in ROLE_UNIT_KINDS[r]]


def require_manages_person(actor, user):
    """Actor must manage people at *every* unit where the person holds a role.

    Otherwise a county could deactivate, say, a city staff member who also holds a grant in
    that county.
    """
    if access.is_unrestricted(actor):
        return
    grants = list(user.role_grants.select_related("unit"))
    if not grants or not all(
        access.has_perm_at(actor, Perm.MANAGE_USERS, grant.unit) for grant in grants
    ):
        raise ValidationError(_("You may not manage this person."))


def roles_grantable_anywhere(*, actor):
    """The roles ``actor`` may grant at some unit of their scope: the choices of a form.

    ``role_grant`` still checks the exact role and unit when the form is submitted.
    """
    if access.is_unrestricted(actor):
        return list(Role)
    grantable = set()
    for role in actor.role_grants.filter(unit__is_active=True).values_list("role", flat=True):
        grantable |= ROLE_MAY_GRANT.get(role, set())
    return [r for r in Role if r in grantable]


def grants_revocable(*, actor, grants):
    """The ids of those ``grants`` that ``actor`` may revoke (the rule of ``role_revoke``),
    read with one query however many grants are shown."""
    if access.is_unrestricted(actor):
        return {g.pk for g in grants}
    own = list(actor.role_grants.values_list("role", "unit__path"))
    revocable = set()
    for grant in grants:
        if not access.has_perm_at(actor, Perm.MANAGE_USERS, grant.unit):
            continue
        may = set()
        for role, path in own:
            if grant.unit.path.startswith(path):
                may |= ROLE_MAY_GRANT.get(role, set())
        if grant.role in may:
            revocable.add(grant.pk)
    return revocable


# --- Job runs -------------------------------------------------------------------------------
# A run's content comes from the subtrees of its recorded scope units (DESIGN §6). A person
# sees the run while every scope unit lies inside what they may view, or when they asked for
# it; the file is downloaded only while the first holds, by the requester too (a person whose
# grants shrank keeps the row, not the file). Re-running is for the requester or a city
# administrator; the technical error is for city administrators (docs/decisions.md).

_CITY_ADMIN_ATTR = "_campaign_city_admin_paths"


def job_runs_visible_q(user):
    """A Q on ``JobRun``: the runs ``user`` may see, in one query (NOT EXISTS a scope unit
    outside their view grants). A run without a recorded scope is seen by superusers only."""
    if access.is_unrestricted(user):
        return Q()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = JobRunScope.objects.filter(run_id=OuterRef("pk"))
    outside = scope.exclude(access.scope_q(user, Perm.VIEW, path_field="unit__path"))
    return Q(requested_by_id=user.pk) | (Q(Exists(scope)) & ~Q(Exists(outside)))


def _covers(paths, units):
    return bool(units) and all(any(u.path.startswith(p) for p in paths) for u in units)


def _city_admin_paths(user):
    """Paths of the active units where ``user`` holds the city administrator role (read once
    per request)."""
    cached = getattr(user, _CITY_ADMIN_ATTR, None)
    if cached is None:
        cached = tuple(
            RoleGrant.objects.filter(
                user_id=user.pk, role=Role.CITY_ADMIN, unit__is_active=True
            ).values_list("unit__path", flat=True)
        )
        setattr(user, _CITY_ADMIN_ATTR, cached)
    return cached


def job_run_is_city_admin(user, run):
    """A superuser, or a city administrator whose grants cover the run's whole scope."""
    if access.is_unrestricted(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _covers(_city_admin_paths(user), run.scope_units())


def job_run_may_download(user, run):
    """Whether ``user`` may have the run's file: their view grants cover its whole scope now."""
    if access.is_unrestricted(user):
        return True
    return _covers(access.granted_paths(user).get(Perm.VIEW, ()), run.scope_units())


def job_run_may_rerun(user, run, *, any_state=False):
    """Whether ``user`` may run a failed run again: its requester (while they may still start
    this kind of job at its unit) or a city administrator covering its scope. ``any_state``:
    whatever the run's state (the service then says why a run that did not fail cannot)."""
    job = jobs.get(run.kind)
    if job is None or (not any_state and run.state != JobRun.State.FAILED):
        return False
    if job_run_is_city_admin(user, run):
        return True
    return run.requested_by_id == user.pk and access.has_perm_at(user, job.perm, run.unit)


def job_run_may_see_error(user, run):
    """The technical error (a traceback) is for city administrators; others read the reason."""
    return job_run_is_city_admin(user, run)
