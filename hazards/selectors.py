"""Every read of the hazard register, scoped through campaign.access.

Hazards are scoped on their own denormalised school/county/city keys
(``access.scope_q_by_level``), never by joining to the unit tree.
"""

from django.http import Http404

from campaign import access
from campaign.roles import Perm
from hazards.models import Hazard


def hazards_for_user(user, perm=Perm.VIEW):
    return Hazard.objects.filter(access.scope_q_by_level(user, perm))


def hazard_for_user(user, code):
    """The hazard with ``code`` if the user may see it; 404 otherwise, whether or not it exists."""
    if "\x00" in code:
        raise Http404
    hazard = (
        hazards_for_user(user)
        .select_related("school", "county", "city", "category", "category__parent")
        .filter(code=code)
        .first()
    )
    if hazard is None:
        raise Http404
    return hazard


# --- Overviews: year-end target (S6) and zero-data units (S7) ---------------------------------


def hazard_years_for_user(user):
    """(first, last) year in which the user's hazards were found, or (None, None)."""
    from django.db.models import Max, Min

    span = hazards_for_user(user).aggregate(first=Min("found_on"), last=Max("found_on"))
    if span["first"] is None:
        return None, None
    return span["first"].year, span["last"].year


def year_end_rows(user, *, year, today):
    """Per county (and city-direct schools) of the user's scope: the year-end figures for the
    hazards found in ``year``, in one grouped query (conditional aggregation)."""
    from datetime import date

    from django.db.models import Count, Q

    open_q = Q(status__in=Hazard.OPEN_STATUSES)
    return list(
        hazards_for_user(user)
        .filter(found_on__gte=date(year, 1, 1), found_on__lte=date(year, 12, 31))
        .values("city_id", "city__name", "county_id", "county__name", "county__code")
        .annotate(
            found=Count("id"),
            closed=Count("id", filter=Q(status=Hazard.Status.CLOSED)),
            open=Count("id", filter=open_q),
            major_open=Count("id", filter=open_q & Q(level=Hazard.Level.MAJOR)),
            overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
            uploaded_open=Count("id", filter=open_q & Q(uploaded_month__isnull=False)),
        )
        .order_by("city__name", "county__code")
    )


def zero_data_schools(user, *, since, until):
    """Active schools in scope that registered no hazard found from ``since`` to ``until``,
    with the date of their last hazard up to ``until`` (None: never). One query."""
    from django.db.models import Exists, OuterRef, Subquery

    from campaign.models import OrgUnit

    hazards = Hazard.objects.filter(school=OuterRef("pk"), found_on__lte=until)
    return (
        access.units_where(user)
        .filter(kind=OrgUnit.Kind.SCHOOL)
        .annotate(
            last_found=Subquery(hazards.order_by("-found_on").values("found_on")[:1]),
        )
        .filter(~Exists(hazards.filter(found_on__gte=since)))
        .select_related("parent")
        .order_by("path")
    )


def zero_data_counties(user, *, since, until):
    """Active counties in scope none of whose schools registered a hazard from ``since`` to
    ``until``."""
    from django.db.models import Exists, OuterRef, Subquery

    from campaign.models import OrgUnit

    hazards = Hazard.objects.filter(county=OuterRef("pk"), found_on__lte=until)
    return list(
        access.units_where(user)
        .filter(kind=OrgUnit.Kind.COUNTY)
        .annotate(last_found=Subquery(hazards.order_by("-found_on").values("found_on")[:1]))
        .filter(~Exists(hazards.filter(found_on__gte=since)))
        .select_related("parent")
        .order_by("path")
    )


def counties_for_user(user):
    """The active county-level units in the user's scope (year-end rows without hazards)."""
    from campaign.models import OrgUnit

    return list(
        access.units_where(user)
        .filter(kind=OrgUnit.Kind.COUNTY)
        .select_related("parent")
        .order_by("path")
    )


# --- The register list (hazards.views.register) -----------------------------------------------


def register_status_counts(queryset):
    """{status: count} for the filtered register in ONE grouped query; their sum is the total,
    so the page needs no separate COUNT."""
    from django.db.models import Count

    rows = queryset.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    return dict(rows)


def register_five_share_by_county(queryset):
    """Per county: open hazards and how many of them have the five implementations complete,
    in ONE grouped query. A row with county None stands for the city-direct schools."""
    from django.db.models import Count, Q

    return list(
        queryset.filter(status__in=Hazard.OPEN_STATUSES)
        .order_by()
        .values("county_id", "county__name")
        .annotate(open=Count("id"), complete=Count("id", filter=Q(five_complete=True)))
        .order_by("county__name")
    )


def register_page_rows(queryset, *, offset, limit):
    """One page of the register, with what each row shows, by OFFSET/LIMIT."""
    return list(
        queryset.select_related("school", "county", "category", "category__parent")[
            offset : offset + limit
        ]
    )
