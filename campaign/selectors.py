"""Every read of the campaign app, already scoped to the user through ``campaign.access``."""

from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404

from campaign import access, policy
from campaign.models import OrgUnit, RoleGrant, User
from campaign.roles import Perm
from core.models import JobRun, JobRunScope

Kind = OrgUnit.Kind


def unit_for_user(user, code, *, kind=None):
    return access.unit_for_user(user, code, kind=kind)


def schools_for_user(user):
    return (
        OrgUnit.objects.filter(access.scope_q(user), kind=Kind.SCHOOL, is_active=True)
        .select_related("parent")
        .order_by("parent__path", "name", "pk")
    )


def schools_under(user, unit):
    """The schools in ``unit``'s subtree that the user may see."""
    return schools_for_user(user).filter(path__startswith=unit.path)


def tree_for_user(user):
    """The user's part of the tree, as nested dicts, with school counts by category.

    Two queries whatever the size: the non-school units in scope, and the school counts
    grouped by parent unit and category.
    """
    scope = access.scope_q(user)
    units = list(
        OrgUnit.objects.filter(scope, is_active=True)
        .exclude(kind=Kind.SCHOOL)
        .order_by("depth", "name", "pk")
    )
    counts = (
        OrgUnit.objects.filter(scope, kind=Kind.SCHOOL, is_active=True)
        .values("parent_id", "category")
        .annotate(n=Count("id"), students=Sum("students"))
    )
    nodes = {
        u.pk: {"unit": u, "children": [], "by_category": {}, "schools": 0, "students": 0}
        for u in units
    }
    direct = {}  # schools directly under a unit (e.g. city-direct schools)
    for row in counts:
        d = direct.setdefault(row["parent_id"], {"by_category": {}, "schools": 0, "students": 0})
        d["by_category"][row["category"]] = row["n"]
        d["schools"] += row["n"]
        d["students"] += row["students"] or 0
    roots = []
    for u in units:
        node = nodes[u.pk]
        node["direct"] = direct.get(u.pk)
        parent = nodes.get(u.parent_id)
        (parent["children"] if parent else roots).append(node)

    def total(node):
        own = node["direct"] or {"by_category": {}, "schools": 0, "students": 0}
        by_cat = dict(own["by_category"])
        schools, students = own["schools"], own["students"]
        for child in node["children"]:
            total(child)
            schools += child["schools"]
            students += child["students"]
            for cat, n in child["by_category"].items():
                by_cat[cat] = by_cat.get(cat, 0) + n
        node.update(by_category=by_cat, schools=schools, students=students)

    for root in roots:
        total(root)
    return roots


def users_managed_by(user):
    """People holding a role somewhere the user may manage people, with their grants."""
    units = access.units_where(user, Perm.MANAGE_USERS)
    grants = RoleGrant.objects.select_related("unit").order_by("unit__path", "role")
    return (
        User.objects.filter(role_grants__unit__in=units)
        .distinct()
        .prefetch_related(Prefetch("role_grants", queryset=grants))
        .order_by("username")
    )


def user_managed_by(user, pk):
    person = users_managed_by(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def job_runs_for_user(user, *, with_scope=False):
    """The job runs ``user`` may see (``policy.job_runs_visible_q``), newest first.

    ``with_scope``: with each run's scope units prefetched (one more query), which the pages
    need to tell who may download or re-run it (``run.scope_units()``).
    """
    runs = (
        JobRun.objects.filter(policy.job_runs_visible_q(user))
        .select_related("unit", "requested_by")
        .order_by("-created_at", "-id")
    )
    if with_scope:
        scope = JobRunScope.objects.select_related("unit").order_by("unit__path")
        runs = runs.prefetch_related(Prefetch("scope", queryset=scope))
    return runs


def job_run_for_user(user, pk):
    """One run ``user`` may see, with its scope; 404 otherwise, whether or not it exists."""
    run = job_runs_for_user(user, with_scope=True).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


# --- Tree pages and workbench ---------------------------------------------------------------


def school_counts_under(user, unit):
    """Schools, students and staff in ``unit``'s subtree that the user may see, with counts
    by category and by ownership: one grouped query."""
    rows = (
        schools_under(user, unit)
        .order_by()
        .values("category", "ownership")
        .annotate(n=Count("id"), students=Sum("students"), staff=Sum("staff"))
    )
    totals = {"schools": 0, "students": 0, "staff": 0, "by_category": {}, "by_ownership": {}}
    for row in rows:
        totals["schools"] += row["n"]
        totals["students"] += row["students"] or 0
        totals["staff"] += row["staff"] or 0
        by_cat, by_own = totals["by_category"], totals["by_ownership"]
        by_cat[row["category"]] = by_cat.get(row["category"], 0) + row["n"]
        by_own[row["ownership"]] = by_own.get(row["ownership"], 0) + row["n"]
    return totals


def school_parents_for_user(user):
    """The counties and cities in scope, the units a school list can be narrowed to."""
    return OrgUnit.objects.filter(
        access.scope_q(user), kind__in=[Kind.CITY, Kind.COUNTY], is_active=True
    ).order_by("depth", "name", "pk")


def granted_schools(user):
    """Schools where the user's part of the tree starts (a school officer's whole tree)."""
    return access.top_units(user).filter(kind=Kind.SCHOOL).select_related("parent")


def unit_ancestors(unit):
    """The units above ``unit``, top down, for breadcrumbs.

    Not scoped: a user who may see a unit may know the names of the units it belongs to;
    views link to an ancestor only where ``access.has_perm_at`` allows.
    """
    ids = unit.ancestor_ids()[:-1]
    if not ids:
        return []
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("depth"))


def scope_totals(user):
    """Counties, schools and students in the user's scope, in one query."""
    school = Q(kind=Kind.SCHOOL)
    totals = OrgUnit.objects.filter(access.scope_q(user), is_active=True).aggregate(
        counties=Count("id", filter=Q(kind=Kind.COUNTY)),
        schools=Count("id", filter=school),
        students=Sum("students", filter=school),
    )
    return {key: value or 0 for key, value in totals.items()}


def role_grants_of(user):
    """The user's own role grants with their units, for the workbench greeting."""
    return (
        RoleGrant.objects.filter(user_id=user.pk, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "role")
    )


# --- People pages ---------------------------------------------------------------------------


def people_for_manager(user, *, q="", kind="", role=""):
    """``users_managed_by`` narrowed by a search (user name, full name) and by the unit kind
    or role of a grant *in the user's manage scope* (grants elsewhere are not revealed)."""
    from django.db.models import Q

    people = users_managed_by(user)
    if q:
        people = people.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if kind or role:
        grants = RoleGrant.objects.filter(unit__in=access.units_where(user, Perm.MANAGE_USERS))
        if kind:
            grants = grants.filter(unit__kind=kind)
        if role:
            grants = grants.filter(role=role)
        people = people.filter(pk__in=grants.values("user_id"))
    return people


def managed_unit_by_code(user, code):
    """The unit with ``code`` if the user may manage people there, else ``None``."""
    if not code:
        return None
    return access.units_where(user, Perm.MANAGE_USERS).filter(code=code).first()


def managed_unit_choices(user, *, school_limit=300):
    """Units to suggest in a unit-code field: every non-school unit in the user's manage
    scope, plus its schools when there are at most ``school_limit`` of them (a county, not a
    province). Two queries at most."""
    units = access.units_where(user, Perm.MANAGE_USERS).order_by("depth", "name", "pk")
    choices = list(units.exclude(kind=Kind.SCHOOL).values_list("code", "name"))
    schools = list(units.filter(kind=Kind.SCHOOL).values_list("code", "name")[: school_limit + 1])
    if len(schools) <= school_limit:
        choices += schools
    return choices


def people_with_perm_at(unit_ids, perm):
    """Active people who hold ``perm`` directly at one of ``unit_ids`` (for notifications)."""
    from campaign.models import OrgUnitUserPermission

    user_ids = OrgUnitUserPermission.objects.filter(
        content_object_id__in=unit_ids, permission__codename=perm
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def grant_of(person, pk):
    """One of ``person``'s role grants (the person already came through a scoped selector)."""
    return RoleGrant.objects.select_related("unit").filter(pk=pk, user=person).first()
