"""Who may do what in the campaign app: grant and revoke roles, manage a person, see and re-run
a job run. Services, selectors and views all ask here, so that a rule is written once.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from campaign import access
from campaign.roles import ROLE_MAY_GRANT, ROLE_UNIT_KINDS, Perm, Role

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
