"""Every read of the meetings, scoped to the user (DESIGN §4).

A meeting is in scope for whoever sees its holding unit, and for the people of a unit summoned
to it. Those who see the holder see every summons; a summoned unit's people see their own row
only. Out of scope is 404, like a meeting that does not exist.

The attendance table counts in SQL: one aggregate for the attendance and leave states, one
query for the rows, whatever the number of summoned units.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from campaign import access
from campaign.access import scope_q
from campaign.meetings import policy, quarterly
from campaign.models import Meeting, MeetingAttachment, MeetingSummons, OrgUnit
from campaign.roles import Perm

Attendance = MeetingSummons.Attendance
Leave = MeetingSummons.Leave
QUARTERLY_PAGE_SIZE = 50


def meetings_for_user(user):
    summoned = MeetingSummons.objects.filter(
        scope_q(user, Perm.VIEW, path_field="unit__path"), meeting=OuterRef("pk")
    )
    return Meeting.objects.filter(
        scope_q(user, Perm.VIEW, path_field="unit__path") | Q(Exists(summoned))
    )


def meeting_for_user(user, pk):
    """The meeting if the user sees its holder or one of its summoned units; 404 otherwise."""
    meeting = Meeting.objects.select_related("unit", "recorded_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if not policy.sees_holder(user, meeting):
        summoned = MeetingSummons.objects.filter(
            scope_q(user, Perm.VIEW, path_field="unit__path"), meeting=meeting
        )
        if not summoned.exists():
            raise Http404
    return meeting


def summons_for_user(user, pk):
    summons = (
        MeetingSummons.objects.filter(
            scope_q(user, Perm.VIEW, path_field="unit__path")
            | scope_q(user, Perm.VIEW, path_field="meeting__unit__path")
        )
        .select_related("meeting", "meeting__unit", "unit", "leave_asked_by", "leave_decided_by")
        .filter(pk=pk)
        .first()
    )
    if summons is None:
        raise Http404
    return summons


def meeting_list(user, *, box="all", kind=None, year=None):
    """The meetings the user may see, newest first: ``held`` by units in their scope,
    ``summoned`` (their own units were summoned to), or all of them; with the number of
    summoned units and how many were absent without leave (two subqueries, one query)."""
    if box == "summoned":
        mine = MeetingSummons.objects.filter(
            scope_q(user, Perm.VIEW, path_field="unit__path"), meeting=OuterRef("pk")
        )
        qs = Meeting.objects.filter(Exists(mine))
    elif box == "held":
        qs = Meeting.objects.filter(scope_q(user, Perm.VIEW, path_field="unit__path"))
    else:
        qs = meetings_for_user(user)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(held_on__year=year)
    return (
        qs.select_related("unit")
        .annotate(
            summoned=Count("summonses"),
            absent=Count("summonses", filter=Q(summonses__attendance=Attendance.ABSENT)),
        )
        .order_by("-held_on", "-id")
    )


def summonses_in_view(user, meeting):
    """The summonses the user sees: all of them for the holder's side, their own otherwise."""
    qs = MeetingSummons.objects.filter(meeting=meeting)
    if not policy.sees_holder(user, meeting):
        qs = qs.filter(scope_q(user, Perm.VIEW, path_field="unit__path"))
    return qs


def attendance(user, meeting):
    """The attendance table: counts per attendance and leave state, and the rows in tree
    order with their units and the people who asked or decided leave (two queries)."""
    qs = summonses_in_view(user, meeting)
    summary = qs.aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(attendance=state)) for state in Attendance.values},
        leave_asked=Count("pk", filter=Q(leave=Leave.ASKED)),
    )
    rows = list(
        qs.select_related("unit", "leave_asked_by", "leave_decided_by", "recorded_by").order_by(
            "unit__path"
        )
    )
    return {"summary": summary, "rows": rows}


def attachments(meeting):
    return list(MeetingAttachment.objects.filter(meeting=meeting))


def attachment_of(meeting, pk):
    return MeetingAttachment.objects.filter(meeting=meeting, pk=pk).first()


def upcoming_summonses(user, *, today, rows):
    """The meetings the user's own units are summoned to from ``today`` on, nearest first
    (one query): the workbench's list."""
    units = policy.unit_ids_holding(user)
    if not units:
        return []
    return list(
        MeetingSummons.objects.filter(unit_id__in=units, meeting__held_on__gte=today)
        .select_related("meeting", "meeting__unit", "unit")
        .order_by("meeting__held_on", "meeting__starts_at", "meeting_id")[:rows]
    )


def leave_to_decide(user, *, rows):
    """Requests for leave awaiting a decision at the units where the user decides (one
    query): the convening office's workbench list."""
    units = policy.unit_ids_summoning(user)
    if not units:
        return []
    return list(
        MeetingSummons.objects.filter(meeting__unit_id__in=units, leave=Leave.ASKED)
        .select_related("meeting", "unit")
        .order_by("meeting__held_on", "unit__path")[:rows]
    )


def calendar_meetings(user, start, end):
    """The meetings held by the user's own units and those their units are summoned to,
    between ``start`` and ``end`` (two queries)."""
    units = policy.unit_ids_holding(user)
    if not units:
        return [], []
    held = list(
        Meeting.objects.filter(unit_id__in=units, held_on__gte=start, held_on__lte=end)
        .select_related("unit")
        .annotate(summoned=Count("summonses"))
        .order_by("held_on", "id")
    )
    summoned = list(
        MeetingSummons.objects.filter(
            unit_id__in=units, meeting__held_on__gte=start, meeting__held_on__lte=end
        )
        .select_related("meeting", "meeting__unit", "unit")
        .order_by("meeting__held_on", "meeting_id")
    )
    return held, summoned


def quarterly_status(user, year, quarter, *, show="missing", page=1):
    """The units that owe the duty under the user's own part of the tree (its first top
    unit): totals (one aggregate) and a page of rows, those that have not held one by
    default; ``root`` None for someone with no unit in view."""
    root = access.top_units(user, Perm.VIEW).order_by("path").first()
    if root is None:
        return {"root": None}
    units = (
        quarterly.duty_units(root)
        .filter(scope_q(user, Perm.VIEW))
        .annotate(held=quarterly.held(year, quarter))
    )
    summary = units.aggregate(
        total=Count("pk"),
        held_count=Count("pk", filter=Q(held=True)),
        counties=Count("pk", filter=Q(kind=OrgUnit.Kind.COUNTY)),
        counties_held=Count("pk", filter=Q(kind=OrgUnit.Kind.COUNTY, held=True)),
    )
    summary["missing"] = summary["total"] - summary["held_count"]
    rows = units.select_related("parent").only(
        "code", "name", "kind", "path", "parent__name", "parent__kind"
    )
    count = summary["total"]
    if show == "missing":
        rows = rows.filter(held=False)
        count = summary["missing"]
    paginator = Paginator(rows.order_by("path"), QUARTERLY_PAGE_SIZE)
    paginator.count = count  # known from the summary: no second COUNT(*)
    return {"root": root, "summary": summary, "page": paginator.get_page(page)}
