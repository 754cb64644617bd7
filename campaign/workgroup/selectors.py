"""Reads of the working groups, scoped through ``campaign.workgroup.policy``."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from campaign.models import (
    LiaisonDepartment,
    OrgUnit,
    Responsibility,
    WorkingGroup,
    WorkingGroupMember,
)
from campaign.workgroup import policy

Kind = OrgUnit.Kind


def group_unit_for_user(user, code):
    """The city or county with ``code`` whose group ``user`` may read; 404 otherwise."""
    if "\x00" in code:  # PostgreSQL refuses NUL in text: such a code names nothing
        raise Http404
    unit = OrgUnit.objects.filter(code=code, kind__in=policy.GROUP_KINDS, is_active=True).first()
    if unit is None or not policy.may_read(user, unit):
        raise Http404
    return unit


def member_for_user(user, unit, pk):
    """One person of ``unit``'s group (the unit already came through ``group_unit_for_user``)."""
    member = WorkingGroupMember.objects.filter(pk=pk, group__unit=unit).first()
    if member is None:
        raise Http404
    return member


def missing_roles(has_first, has_implementer):
    """What a group lacks to count as set up, in the user's language."""
    missing = []
    if not has_first:
        missing.append(str(Responsibility.FIRST.label))
    if not has_implementer:
        missing.append(str(Responsibility.IMPLEMENTER.label))
    return missing


@dataclass
class GroupView:
    """A unit's group as its page shows it: the named roles and the contacts by department."""

    unit: OrgUnit
    group: WorkingGroup | None
    first: WorkingGroupMember | None = None
    implementer: WorkingGroupMember | None = None
    members: list = field(default_factory=list)
    liaisons: list = field(default_factory=list)  # (department label, [contacts])

    @property
    def missing(self):
        return missing_roles(self.first is not None, self.implementer is not None)

    @property
    def is_set_up(self):
        return not self.missing


def group_view(unit):
    """``unit``'s group with all its people: two queries (the group, its people)."""
    group = WorkingGroup.objects.filter(unit=unit).select_related("updated_by").first()
    view = GroupView(unit=unit, group=group)
    people = list(group.members.select_related("user").order_by("pk")) if group is not None else []
    by_department = {value: [] for value in LiaisonDepartment.values}
    for person in people:
        if person.responsibility == Responsibility.FIRST:
            view.first = person
        elif person.responsibility == Responsibility.IMPLEMENTER:
            view.implementer = person
        elif person.responsibility == Responsibility.MEMBER:
            view.members.append(person)
        else:
            by_department[person.department].append(person)
    view.liaisons = [(label, by_department[value]) for value, label in LiaisonDepartment.choices]
    return view


def _people(responsibility=None):
    qs = WorkingGroupMember.objects.filter(group__unit_id=OuterRef("pk"))
    if responsibility is not None:
        qs = qs.filter(responsibility=responsibility)
    return qs


def _count(qs):
    counted = qs.order_by().values("group").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def overview_for_user(user):
    """The cities and counties whose groups ``user`` may read, each with its status: one
    query whatever the number of units (the city first, then its counties by name)."""
    first = _people(Responsibility.FIRST)
    units = (
        OrgUnit.objects.filter(policy.readable_q(user), kind__in=policy.GROUP_KINDS, is_active=True)
        .annotate(
            has_first=Exists(first),
            has_implementer=Exists(_people(Responsibility.IMPLEMENTER)),
            first_name=Subquery(first.values("name")[:1]),
            first_position=Subquery(first.values("position")[:1]),
            office=Subquery(
                WorkingGroup.objects.filter(unit_id=OuterRef("pk")).values("office_name")[:1]
            ),
            member_count=_count(_people(Responsibility.MEMBER)),
            liaison_count=_count(_people(Responsibility.LIAISON)),
        )
        .order_by("depth", "name", "pk")
    )
    rows = []
    for unit in units:
        missing = missing_roles(unit.has_first, unit.has_implementer)
        rows.append({"unit": unit, "missing": missing, "is_set_up": not missing})
    return rows


def overview_counts(rows):
    """How many counties of the overview are set up and how many are not."""
    counties = [row for row in rows if row["unit"].kind == Kind.COUNTY]
    done = sum(1 for row in counties if row["is_set_up"])
    return {"counties": len(counties), "set_up": done, "incomplete": len(counties) - done}
