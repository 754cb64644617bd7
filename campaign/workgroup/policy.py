"""Who may read and who may edit a working group (docs/decisions.md, "Issue 10 — workgroup").

- Read: anyone whose view scope meets the unit's subtree — the city sees every county's group,
  a county its own and the city's, a school (and a county inspector or leader) its county's
  and the city's. Another county's group is out of scope (404).
- Edit: the unit's own managers, holding the role *at that unit*: at the city its
  administrators and the Safety & Stability Office (which coordinates the group), at a county
  its county bureau staff. The city does not edit a county's group; it reads it.
"""

from campaign import access
from campaign.models import OrgUnit, Role, RoleGrant
from campaign.roles import Perm

Kind = OrgUnit.Kind
GROUP_KINDS = (Kind.CITY, Kind.COUNTY)
EDITOR_ROLES = {
    Kind.CITY: (Role.CITY_ADMIN, Role.SAFETY_OFFICE),
    Kind.COUNTY: (Role.COUNTY_STAFF,),
}
_EDIT_ATTR = "_workgroup_editable_units"


def readable_q(user):
    """A Q on ``OrgUnit``: the cities and counties whose group ``user`` may read (no query
    beyond the user's cached grants)."""
    from django.db.models import Q

    if access.is_unrestricted(user):
        return Q()
    paths = access.granted_paths(user).get(Perm.VIEW, ())
    if not paths:
        return Q(pk__in=[])
    ancestors = set()
    for path in paths:
        parts = path.strip("/").split("/")
        ancestors |= {"/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))}
    return access.scope_q(user) | Q(path__in=sorted(ancestors))


def may_read(user, unit) -> bool:
    if unit.kind not in GROUP_KINDS or not unit.is_active:
        return False
    if access.is_unrestricted(user):
        return True
    paths = access.granted_paths(user).get(Perm.VIEW, ())
    return any(unit.path.startswith(p) or p.startswith(unit.path) for p in paths)


def may_edit(user, unit) -> bool:
    """Whether ``user`` manages ``unit``'s group: a superuser, or the role held at the unit."""
    if unit.kind not in GROUP_KINDS or not unit.is_active:
        return False
    if access.is_unrestricted(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, _EDIT_ATTR, None)
    if cached is None:
        roles = {role for kind_roles in EDITOR_ROLES.values() for role in kind_roles}
        cached = set(
            RoleGrant.objects.filter(
                user_id=user.pk, role__in=roles, unit__is_active=True
            ).values_list("unit_id", "role")
        )
        setattr(user, _EDIT_ATTR, cached)
    return any((unit.pk, role) in cached for role in EDITOR_ROLES[unit.kind])
