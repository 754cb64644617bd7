"""The one place that answers "in which units may this user do P".

A role grant is a set of django-guardian object permissions on an ``OrgUnit`` (DESIGN §4) and
holds for the unit's whole subtree. Every selector filters through ``scope_q`` or
``units_where``; out-of-scope objects answer 404 (``unit_for_user``), in-scope actions that the
user may not take answer 403 (``require_perm_at``).

A user's grants are read once per request (one query) and kept on the user object.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from campaign.models import OrgUnit, OrgUnitUserPermission
from campaign.roles import Perm

_CACHE_ATTR = "_campaign_granted_paths"
_KINDS_ATTR = "_campaign_granted_kinds"


def granted_paths(user):
    """{codename: (path, …)} of the units where ``user`` holds each permission directly."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {}
        rows = OrgUnitUserPermission.objects.filter(
            user_id=user.pk, content_object__is_active=True
        ).values_list("permission__codename", "content_object__path", "content_object__kind")
        kinds = {}
        for codename, path, kind in rows:
            cached.setdefault(codename, set()).add(path)
            kinds[path] = kind
        setattr(user, _KINDS_ATTR, kinds)
        # Drop paths covered by a shorter granted path: fewer OR terms in every scoped query.
        cached = {code: _outermost(paths) for code, paths in cached.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user):
    """Drop the cached grants after they changed (services call this)."""
    for attr in (_CACHE_ATTR, _KINDS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def _outermost(paths):
    kept = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def is_unrestricted(user):
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def scope_q(user, perm=Perm.VIEW, *, path_field="path"):
    """A Q that keeps the rows whose unit (reached through ``path_field``) is in scope.

    For the units themselves ``path_field`` is ``"path"``; for a model that points at a unit,
    e.g. ``"school__path"``.
    """
    if is_unrestricted(user):
        return Q()
    paths = granted_paths(user).get(perm, ())
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def scope_q_by_level(user, perm=Perm.VIEW, *, school="school", county="county", city="city"):
    """A Q for rows that carry denormalised school, county and city keys (e.g. hazards).

    Compares plain ids instead of joining to the unit's path, so that a register of millions
    of rows is filtered on its own indexed columns. A province grant matches through the
    city's path (the city table is small).
    """
    if is_unrestricted(user):
        return Q()
    paths = granted_paths(user).get(perm, ())
    kinds = getattr(user, _KINDS_ATTR, {})
    q = Q(pk__in=[])
    for path in paths:
        unit_id = int(path.strip("/").rsplit("/", 1)[-1])
        kind = kinds.get(path)
        if kind == OrgUnit.Kind.SCHOOL:
            q |= Q(**{f"{school}_id": unit_id})
        elif kind == OrgUnit.Kind.COUNTY:
            q |= Q(**{f"{county}_id": unit_id})
        elif kind == OrgUnit.Kind.CITY:
            q |= Q(**{f"{city}_id": unit_id})
        else:
            q |= Q(**{f"{city}__path__startswith": path})
    return q


def units_where(user, perm=Perm.VIEW):
    """All units (whole subtrees) in which ``user`` may do ``perm``."""
    return OrgUnit.objects.filter(scope_q(user, perm), is_active=True)


def has_perm_at(user, perm, unit):
    if is_unrestricted(user):
        return True
    return any(unit.path.startswith(p) for p in granted_paths(user).get(perm, ()))


def granted_units(user, perm=Perm.VIEW):
    """(unit id, kind, path) of the outermost units where the user holds ``perm`` directly."""
    paths = granted_paths(user).get(perm, ())
    kinds = getattr(user, _KINDS_ATTR, {})
    return [(int(p.strip("/").rsplit("/", 1)[-1]), kinds.get(p), p) for p in paths]


def levels_at(user, perm, unit):
    """The kinds of the units, covering ``unit``, where the user holds ``perm`` directly.

    The closed loop asks this: a general hazard is accepted at county level or above, a major
    one at city level.
    """
    if is_unrestricted(user):
        return {OrgUnit.Kind.PROVINCE, OrgUnit.Kind.CITY}
    paths = granted_paths(user).get(perm, ())
    kinds = getattr(user, _KINDS_ATTR, {})
    return {kinds.get(p) for p in paths if unit.path.startswith(p)}


def require_perm_at(user, perm, unit):
    """403 for an in-scope unit where the user may not do ``perm``."""
    if not has_perm_at(user, perm, unit):
        raise PermissionDenied


def unit_for_user(user, code, *, kind=None, perm=Perm.VIEW):
    """The unit with ``code`` if the user may see it; 404 otherwise, whether or not it exists."""
    if "\x00" in code:  # PostgreSQL refuses NUL in text: such a code names nothing
        raise Http404
    qs = units_where(user, perm)
    if kind is not None:
        qs = qs.filter(kind=kind)
    unit = qs.filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def top_units(user, perm=Perm.VIEW):
    """The outermost units the user holds ``perm`` at: where their part of the tree starts."""
    if is_unrestricted(user):
        return OrgUnit.objects.filter(parent__isnull=True, is_active=True)
    paths = granted_paths(user).get(perm, ())
    return OrgUnit.objects.filter(path__in=paths, is_active=True)
