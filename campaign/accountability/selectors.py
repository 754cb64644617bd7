"""Every read of the accountability record, scoped to the user (DESIGN §4).

An entry is in scope where the user may view its unit: the unit sees its own, its county and
the city see it too, a sibling never does. Out of scope is 404, like an entry that does not
exist.
"""

from django.db.models import Count
from django.http import Http404

from campaign.access import scope_q
from campaign.models import AccountabilityEntry
from campaign.roles import Perm


def entries_for_user(user):
    return AccountabilityEntry.objects.filter(scope_q(user, Perm.VIEW, path_field="unit__path"))


def entry_for_user(user, pk):
    entry = (
        entries_for_user(user)
        .select_related("unit", "unit__parent", "source_type", "explained_by")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def entry_list(user, *, unit=None, kind=None, year=None):
    """The entries the user may see, filtered, newest first, with their units and sources
    (one query per kind of source, however many entries: the GenericForeignKey prefetch)."""
    qs = entries_for_user(user)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(occurred_on__year=year)
    return qs.select_related("unit", "unit__parent", "source_type").order_by("-occurred_on", "-id")


def counts_by_kind(qs):
    """{kind: count} of the filtered entries, for the list's summary line (one query)."""
    return dict(qs.order_by().values_list("kind").annotate(n=Count("id")))
