"""Every read of the inspections, already scoped to the user (DESIGN §4).

Two ways to see: the whole plan (its team through a guardian grant, the city's supervisors
through their unit permission), or one visit once it has started (anyone whose scope holds
its school). Nothing else reveals a plan: a sealed plan is absent from every list, count and
search of everyone else, and its pages answer 404 as a missing code does.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from inspections import policy
from inspections.models import (
    ChecklistTemplate,
    Circular,
    InspectionPlan,
    InspectionPlanUserPermission,
    RectificationNotice,
    Visit,
)


def _no_nul(code):
    # PostgreSQL refuses NUL in text: such a code names nothing.
    if not code or "\x00" in code:
        raise Http404


def supervised_city_ids(user):
    """Ids of the cities whose plans the user supervises (a grant at city level or above)."""
    cache = user.__dict__.get("_inspections_supervised")
    if cache is None:
        cache = list(
            access.units_where(user, Perm.VIEW_INSPECTIONS)
            .filter(kind=OrgUnit.Kind.CITY)
            .values_list("pk", flat=True)
        )
        user.__dict__["_inspections_supervised"] = cache
    return cache


def _team_q(user, perm=policy.VIEW_PLAN):
    return Exists(
        InspectionPlanUserPermission.objects.filter(
            content_object=OuterRef("pk"), user_id=user.pk, permission__codename=perm
        )
    )


def plans_for(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return InspectionPlan.objects.none()
    if access.is_unrestricted(user):
        return InspectionPlan.objects.all()
    return InspectionPlan.objects.filter(Q(city_id__in=supervised_city_ids(user)) | _team_q(user))


def plan_get(user, code):
    _no_nul(code)
    plan = plans_for(user).select_related("city", "checklist", "version").filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


def visits_for(user):
    """Visits of the plans the user may see, and started visits at schools in their scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Visit.objects.none()
    if access.is_unrestricted(user):
        return Visit.objects.all()
    revealed = Q(started_at__isnull=False) & access.scope_q_by_level(user)
    return Visit.objects.filter(revealed | Q(plan__in=plans_for(user).values("pk")))


def visit_get(user, code):
    _no_nul(code)
    visit = (
        visits_for(user)
        .select_related("plan", "plan__city", "school", "county", "version", "target")
        .filter(code=code)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def photo_get(user, code):
    """A visit's photo, for whoever may see the visit; 404 otherwise."""
    from inspections.models import AnswerPhoto

    _no_nul(code)
    photo = (
        AnswerPhoto.objects.filter(code=code, visit__in=visits_for(user).values("pk"))
        .select_related("visit")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def team_visits(user, *, since=None, until=None):
    """The visits the user carries out (a team member of the plan), sealed plans on."""
    qs = Visit.objects.filter(
        Exists(
            InspectionPlanUserPermission.objects.filter(
                content_object=OuterRef("plan_id"),
                user_id=user.pk,
                permission__codename=policy.CONDUCT,
            )
        )
    ).exclude(plan__state=InspectionPlan.State.DRAFT)
    if since is not None:
        qs = qs.filter(plan__period_end__gte=since)
    if until is not None:
        qs = qs.filter(plan__period_start__lte=until)
    return qs.select_related("plan", "school", "county").order_by(
        "planned_on", "plan__period_start", "school__path"
    )


def school_history(user, school):
    """The school's finished visits, newest first: only what has happened, never a plan."""
    return (
        visits_for(user)
        .filter(school=school, state=Visit.State.FINISHED)
        .select_related("plan", "result")
        .order_by("-finished_at")
    )


def checklists_for(user):
    if access.is_unrestricted(user):
        return ChecklistTemplate.objects.all()
    cities = set(supervised_city_ids(user)) | set(
        access.units_where(user, Perm.MANAGE_CHECKLISTS)
        .filter(kind=OrgUnit.Kind.CITY)
        .values_list("pk", flat=True)
    )
    return ChecklistTemplate.objects.filter(city_id__in=cities)


def circulars_for(user):
    """Published circulars of the cities the user's scope reaches into; drafts for the city's
    supervisors only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Circular.objects.none()
    if access.is_unrestricted(user):
        return Circular.objects.all()
    published = Q(state=Circular.State.PUBLISHED, city_id__in=_cities_reached(user))
    return Circular.objects.filter(published | Q(city_id__in=supervised_city_ids(user)))


def _cities_reached(user):
    """Ids of the cities in whose tree the user holds a view grant (at the city or below)."""
    ids = set()
    for unit_id, kind, path in access.granted_units(user, Perm.VIEW):
        parts = [int(p) for p in path.strip("/").split("/")]
        if kind == OrgUnit.Kind.PROVINCE:
            ids |= set(
                OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, path__startswith=path).values_list(
                    "pk", flat=True
                )
            )
        else:
            ids.add(unit_id if kind == OrgUnit.Kind.CITY else _city_of(parts))
    return ids


def _city_of(path_ids):
    cities = dict(
        OrgUnit.objects.filter(pk__in=path_ids, kind=OrgUnit.Kind.CITY).values_list("pk", "kind")
    )
    return next((pk for pk in path_ids if pk in cities), None)


def circular_get(user, code):
    _no_nul(code)
    circular = circulars_for(user).select_related("plan", "city").filter(code=code).first()
    if circular is None:
        raise Http404
    return circular


def notices_for(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return RectificationNotice.objects.none()
    if access.is_unrestricted(user):
        return RectificationNotice.objects.all()
    return RectificationNotice.objects.filter(
        access.scope_q_by_level(user) | Q(city_id__in=supervised_city_ids(user))
    )


def notice_get(user, code):
    _no_nul(code)
    notice = (
        notices_for(user)
        .select_related("circular", "school", "county", "visit")
        .filter(code=code)
        .first()
    )
    if notice is None:
        raise Http404
    return notice
