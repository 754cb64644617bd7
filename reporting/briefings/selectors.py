"""Scoped reads of the briefings part: every page reads briefings and experience items here.

- A published briefing is read by every unit of its city: whoever holds a view grant at the
  city, at one of its counties or schools, or above it (a province grant).
- A draft (or one being published, or whose publication failed) only by who holds
  MANAGE_BRIEFINGS at its city.
- An experience item (经验交流) by its submitting unit's own people (a grant at that unit) and
  by who manages the briefings of its city; a county does not read its schools' items (they
  are written for the city's briefing, not for review).

Out of sight answers 404 exactly like a missing id (``briefing_get``, ``item_get``).
"""

from django.db.models import Q
from django.http import Http404

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from reporting.models import Briefing, ExperienceItem


def _signed_in(user):
    return getattr(user, "is_authenticated", False) and user.is_active


def _cities_of(user, perm):
    """Ids of the cities whose tree ``user``'s ``perm`` grants reach into: a grant at the city
    or below it names its city; a grant above a city (province) names every city under it.
    At most one query (for province grants)."""
    ids, above = set(), Q(pk__in=[])
    for unit_id, kind, path in access.granted_units(user, perm):
        if kind == OrgUnit.Kind.CITY:
            ids.add(unit_id)
        elif kind in (OrgUnit.Kind.COUNTY, OrgUnit.Kind.SCHOOL):
            # The city is one of the ids on the path; the others (the province, the county,
            # the school) are never a briefing's city, so they filter nothing in.
            ids.update(_path_ids(path))
        else:
            above |= Q(path__startswith=path)
    if len(above):
        ids.update(
            OrgUnit.objects.filter(above, kind=OrgUnit.Kind.CITY).values_list("pk", flat=True)
        )
    return ids


def _path_ids(path):
    return [int(part) for part in path.strip("/").split("/") if part]


def reached_city_ids(user):
    """The cities whose published briefings ``user`` reads."""
    if not _signed_in(user):
        return set()
    return _cities_of(user, Perm.VIEW)


def managed_city_ids(user):
    """The cities whose briefings ``user`` drafts and publishes (MANAGE_BRIEFINGS at or above
    the city; a grant below a city manages nothing)."""
    if not _signed_in(user):
        return set()
    ids, above = set(), Q(pk__in=[])
    for unit_id, kind, path in access.granted_units(user, Perm.MANAGE_BRIEFINGS):
        if kind == OrgUnit.Kind.CITY:
            ids.add(unit_id)
        elif kind == OrgUnit.Kind.PROVINCE:
            above |= Q(path__startswith=path)
    if len(above):
        ids.update(
            OrgUnit.objects.filter(above, kind=OrgUnit.Kind.CITY).values_list("pk", flat=True)
        )
    return ids


def briefings_for(user):
    """Published briefings of the cities the user reaches; every state for their managers."""
    if not _signed_in(user):
        return Briefing.objects.none()
    if access.is_unrestricted(user):
        return Briefing.objects.all()
    published = Q(status=Briefing.Status.PUBLISHED, city_id__in=reached_city_ids(user))
    return Briefing.objects.filter(published | Q(city_id__in=managed_city_ids(user)))


def briefing_get(user, pk):
    briefing = briefings_for(user).select_related("city", "job_run").filter(pk=pk).first()
    if briefing is None:
        raise Http404
    return briefing


def may_manage(user, briefing_or_city):
    city = getattr(briefing_or_city, "city", briefing_or_city)
    return access.has_perm_at(user, Perm.MANAGE_BRIEFINGS, city)


def items_for(user):
    """Experience items the user reads: their own unit's, and all of the cities they manage."""
    if not _signed_in(user):
        return ExperienceItem.objects.none()
    if access.is_unrestricted(user):
        return ExperienceItem.objects.all()
    own = access.granted_paths(user).get(Perm.VIEW, ())
    return ExperienceItem.objects.filter(
        Q(unit__path__in=own) | Q(city_id__in=managed_city_ids(user))
    )


def item_get(user, pk):
    item = items_for(user).select_related("unit", "city", "briefing").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def items_to_choose(briefing):
    """The items of the briefing's city a draft may carry: submitted ones not yet in another
    issue, and those already chosen for this one."""
    return (
        ExperienceItem.objects.filter(city_id=briefing.city_id)
        .filter(Q(briefing__isnull=True) | Q(briefing=briefing))
        .select_related("unit")
        .order_by("-submitted_at", "-id")
    )


def submitting_units(user):
    """The counties and schools where the user submits experience items (SUBMIT_REPORTS held
    at the unit itself): their own units, not every school below a county."""
    if not _signed_in(user):
        return OrgUnit.objects.none()
    paths = access.granted_paths(user).get(Perm.SUBMIT_REPORTS, ())
    return OrgUnit.objects.filter(
        path__in=paths,
        is_active=True,
        kind__in=(OrgUnit.Kind.COUNTY, OrgUnit.Kind.SCHOOL),
    ).order_by("path")


def city_of(unit):
    """The city above ``unit`` (one query)."""
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids(), kind=OrgUnit.Kind.CITY).first()


def item_photo_get(user, pk, photo_pk):
    """A photo of an item the user reads, or of an item in a published briefing they read (a
    school reading the issue sees the photos another school sent)."""
    from reporting.models import ExperienceItemPhoto

    in_issue = briefings_for(user).filter(status=Briefing.Status.PUBLISHED)
    photo = (
        ExperienceItemPhoto.objects.filter(pk=photo_pk, item_id=pk)
        .filter(Q(item__in=items_for(user)) | Q(item__briefing__in=in_issue))
        .first()
    )
    if photo is None:
        raise Http404
    return photo
