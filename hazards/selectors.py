"""Every read of the hazard register, scoped through campaign.access.

Hazards are scoped on their own denormalised school/county/city keys
(``access.scope_q_by_level``), never by joining to the unit tree.
"""

import datetime as dt

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from hazards import policy
from hazards.models import Hazard, HazardEvent


def hazards_for_user(user, perm=Perm.VIEW):
    return Hazard.objects.filter(access.scope_q_by_level(user, perm))


def hazard_for_user(user, code):
    """The hazard with ``code`` if the user may see it; 404 otherwise, whether or not it exists."""
    if "\x00" in code:
        raise Http404
    hazard = (
        hazards_for_user(user)
        .select_related("school", "county", "city", "category", "category__parent", "accepted_by")
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


def unit_names(user):
    """The names of the units whose register the user sees (for a printed page's header)."""
    if access.is_unrestricted(user):
        return []
    ids = [unit_id for unit_id, _kind, _path in access.granted_units(user, Perm.VIEW)]
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("path").values_list("name", flat=True))


def register_status_counts(queryset):
    """{status: count} for the filtered register in ONE grouped query; their sum is the total,
    so the page needs no separate COUNT."""
    from django.db.models import Count

    rows = queryset.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    return dict(rows)


def _shared(status, statuses):
    """Whether hazards of ``status`` count in the five-implementations shares: open ones,
    and of those only the statuses ticked (all when none is)."""
    return status in Hazard.OPEN_STATUSES and (not statuses or status in statuses)


def register_live_counts(queryset, *, statuses=()):
    """({status: count}, five share rows) for a filtered register in ONE grouped query.

    Share rows: per county, open hazards and how many have the five implementations complete;
    county None stands for the city-direct schools; only hazards of ``statuses`` (all open ones
    when empty) are shared. Same shapes as ``register_tally_counts``.
    """
    from django.db.models import Count

    rows = (
        queryset.order_by()
        .values("county_id", "county__name", "status", "five_complete")
        .annotate(n=Count("id"))
    )
    counts, shares = {}, {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        if _shared(row["status"], statuses):
            share = shares.setdefault(
                row["county_id"],
                {
                    "county_id": row["county_id"],
                    "county__name": row["county__name"],
                    "open": 0,
                    "complete": 0,
                },
            )
            share["open"] += row["n"]
            if row["five_complete"]:
                share["complete"] += row["n"]
    ordered = sorted(
        shares.values(), key=lambda r: (r["county__name"] is None, r["county__name"] or "")
    )
    return counts, ordered


# What a row of the register's table shows (templates/hazards/_reg_table.html): reading only
# these columns keeps a page of 50 rows from fetching every column of five tables.
PAGE_ROW_FIELDS = (
    "code",
    "status",
    "level",
    "deadline",
    "five_complete",
    "found_on",
    "uploaded_month",
    "submitted_at",
    "school__name",
    "county__name",
    "category__name",
    "category__parent__name",
)


def register_page_rows(queryset, *, offset, limit):
    """One page of the register, with what each row shows, by OFFSET/LIMIT."""
    return list(
        queryset.select_related("school", "county", "category", "category__parent").only(
            *PAGE_ROW_FIELDS
        )[offset : offset + limit]
    )


# --- The workbench (hazards.workbench) --------------------------------------------------------

AWAITING_ORDER = (F("submitted_at").asc(nulls_last=True), "id")


def workbench_hazards(user, *, today, due_days=3, rows=5):
    """What in the register needs the user's action today, for the workbench.

    Counts in ONE grouped query over the user's open hazards, then up to ``rows`` rows per
    non-empty list (one query each), so the query count does not grow with the register:
    overdue and due within ``due_days`` (where they may manage hazards), awaiting their
    acceptance, and open major hazards still waiting for a consultation meeting (for those who
    record meetings, ``hazards.policy``). None when the user may do neither.
    """
    import datetime as dt

    from django.db.models import Count, Q

    paths = access.granted_paths(user)
    unrestricted = access.is_unrestricted(user)
    may_manage = unrestricted or bool(paths.get(Perm.MANAGE_HAZARD))
    may_accept = unrestricted or bool(paths.get(Perm.ACCEPT_HAZARD))
    if not (may_manage or may_accept):
        return None

    lists = {}
    if may_manage:
        manage = access.scope_q_by_level(user, Perm.MANAGE_HAZARD)
        lists["overdue"] = (manage & Q(deadline__lt=today), ("deadline", "id"))
        due_until = today + dt.timedelta(days=due_days)
        lists["due_soon"] = (
            manage & Q(deadline__gte=today, deadline__lte=due_until),
            ("deadline", "id"),
        )
    if may_accept:
        # Who accepts which grade, and who records a major hazard's meeting: hazards.policy.
        status = Q(status=Hazard.Status.AWAITING_ACCEPTANCE)
        # Oldest submission first: the one that has waited longest is checked first.
        lists["awaiting"] = (status & policy.acceptable_q(user), AWAITING_ORDER)
    if may_accept and policy.may_record_meetings(user):
        meeting = Q(consultation_meeting__isnull=True)
        lists["meeting"] = (meeting & policy.meeting_q(user), ("found_on", "id"))

    open_hazards = hazards_for_user(user).filter(status__in=Hazard.OPEN_STATUSES)
    counts = open_hazards.aggregate(
        **{name: Count("id", filter=q) for name, (q, _order) in lists.items()}
    )
    result = {"may_manage": may_manage, "may_accept": may_accept, "due_days": due_days}
    for name, (q, order) in lists.items():
        result[name] = counts[name]
        result[f"{name}_rows"] = (
            list(open_hazards.filter(q).select_related("school").order_by(*order)[:rows])
            if counts[name]
            else []
        )
    return result


# --- Counts from the tally (unfiltered register) ---------------------------------------------


def _tally_scope(user):
    """A Q over HazardTally for the user's whole scope, or None when a grant is at a school.

    The tally has no per-school rows; a school's register is small and is counted live.
    """
    from django.db.models import Q

    if access.is_unrestricted(user):
        return Q()
    q = Q(pk__in=[])
    for unit_id, kind, path in access.granted_units(user, Perm.VIEW):
        if kind == OrgUnit.Kind.SCHOOL:
            return None
        if kind == OrgUnit.Kind.COUNTY:
            q |= Q(area_id=unit_id)
        elif kind == OrgUnit.Kind.CITY:
            q |= Q(city_id=unit_id)
        else:
            q |= Q(city__path__startswith=path)
    return q


def register_tally_counts(user, *, statuses=()):
    """({status: count}, five share rows) for the user's whole scope from the tally, or None
    when the scope must be counted live. The same shapes as ``register_live_counts``; the cost
    does not grow with the number of hazards."""
    from hazards.models import HazardTally

    scope = _tally_scope(user)
    if scope is None:
        return None
    rows = list(
        HazardTally.objects.filter(scope)
        .values("area_id", "area__name", "area__kind", "status", "five_complete", "count")
        .order_by("area__name")
    )
    counts, shares = {}, {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["count"]
        if _shared(row["status"], statuses) and row["count"]:
            direct = row["area__kind"] != OrgUnit.Kind.COUNTY
            share = shares.setdefault(
                row["area_id"],
                {
                    "county_id": None if direct else row["area_id"],
                    "county__name": None if direct else row["area__name"],
                    "open": 0,
                    "complete": 0,
                },
            )
            share["open"] += row["count"]
            if row["five_complete"]:
                share["complete"] += row["count"]
    return {k: v for k, v in counts.items() if v}, list(shares.values())


# --- One hazard (the caller got it through hazard_for_user) ---------------------------------


def hazard_events(hazard):
    """The hazard's whole story in order, with actors and files, in three queries."""
    from hazards.models import HazardEvent

    return list(
        HazardEvent.objects.filter(hazard=hazard)
        .select_related("actor")
        .prefetch_related("files")
        .order_by("at", "id")
    )


def evidence_of(hazard, pk):
    """A file of this hazard, or None (a file of another hazard is not found here)."""
    from hazards.models import Evidence

    return Evidence.objects.filter(hazard=hazard, pk=pk).first()


def active_categories():
    """The taxonomy offered in forms (not scoped: every unit uses the same categories)."""
    from hazards.models import HazardCategory

    return list(HazardCategory.objects.filter(is_active=True).select_related("parent"))


def active_category(pk):
    from hazards.models import HazardCategory

    return HazardCategory.objects.filter(pk=pk, is_active=True).first()


# --- Weekly report figures (S10) --------------------------------------------------------------


def week_figures(school_ids, *, monday, today):
    """{school id: {figure: n}} of the weekly report for the ISO week starting ``monday``
    (reporting.models.FIGURES), read from the register in two grouped queries whatever the
    number of schools. Not scoped to a user: the figures describe a unit to whoever may see its
    report (the report's own selector decides that).

    found: hazards found that week; started: hazards whose rectification started that week
    (their first move to *rectifying* then); closed: closed that week; still open, overdue and
    major open: as the register stands now for hazards found by the week's Sunday (a report is
    prefilled while its week runs and fixed on submission, so "now" is "at submission").
    """
    sunday = monday + dt.timedelta(days=6)
    start, end = _local_day_bounds(monday, sunday)
    open_q = Q(status__in=Hazard.OPEN_STATUSES, found_on__lte=sunday)
    figures = {
        row.pop("school_id"): row
        for row in Hazard.objects.filter(school_id__in=school_ids)
        .values("school_id")
        .annotate(
            found=Count("id", filter=Q(found_on__gte=monday, found_on__lte=sunday)),
            closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end)),
            still_open=Count("id", filter=open_q),
            overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
            major_open=Count("id", filter=open_q & Q(level=Hazard.Level.MAJOR)),
        )
        .order_by()
    }
    started = (
        HazardEvent.objects.filter(
            hazard__school_id__in=school_ids,
            kind=HazardEvent.Kind.TRANSITION,
            to_status=Hazard.Status.RECTIFYING,
            at__gte=start,
            at__lt=end,
        )
        .values("hazard__school_id")
        .annotate(n=Count("hazard_id", distinct=True))
        .order_by()
    )
    for row in started:
        figures.setdefault(row["hazard__school_id"], {})["started"] = row["n"]
    names = ("found", "started", "closed", "still_open", "overdue", "major_open")
    return {sid: {n: figures.get(sid, {}).get(n, 0) for n in names} for sid in school_ids}


def _local_day_bounds(first, last):
    """[start, end) in aware datetimes of the local days ``first`` to ``last``."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end
