"""Every read of the campaign app, already scoped to the user through ``campaign.access``."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Sum
from django.http import Http404
from django.utils import timezone

from campaign import access
from campaign.models import JobRun, OrgUnit, RoleGrant, User, WorkerHeartbeat
from campaign.roles import Perm

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


def job_runs_for_user(user):
    return (
        JobRun.objects.filter(access.scope_q(user, path_field="unit__path"))
        .select_related("unit", "requested_by")
        .order_by("-created_at", "-id")
    )


def job_run_for_user(user, pk):
    run = job_runs_for_user(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def worker_last_seen():
    """When any worker last answered, or None."""
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
    return latest.first()


def worker_alive():
    seen = worker_last_seen()
    return seen is not None and timezone.now() - seen < timedelta(
        seconds=settings.WORKER_STALE_SECONDS
    )
