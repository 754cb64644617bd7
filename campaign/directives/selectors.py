"""Every read of the directives, scoped to the user (DESIGN §4).

A directive is in scope for whoever sees its issuing unit, and for the people of a receiving
unit. Those who see the issuer see every receipt; a receiving unit's people see their own
receipt only. Out of scope is 404, like a directive that does not exist.

The progress page counts in SQL: one aggregate for the states of the receipts, one query for
the page of rows, one grouped query for what the units on the page passed on, one aggregate
for the whole cascade, whatever the number of receivers.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.db.models.functions import Coalesce
from django.http import Http404

from campaign import access
from campaign.access import scope_q
from campaign.directives import policy
from campaign.models import Directive, DirectiveAttachment, DirectiveReceipt, OrgUnit
from campaign.roles import Perm

State = DirectiveReceipt.State
PAGE_SIZE = 50
# What a row of the progress table shows: no more columns than that (a child directive's
# text can be 8,000 characters).
ROW_FIELDS = (
    "directive_id",
    "state",
    "done_on",
    "note",
    "file",
    "original_name",
    "confirmed_at",
    "reminded_at",
    "unit__code",
    "unit__name",
    "unit__kind",
    "unit__path",
    "confirmed_by__username",
    "confirmed_by__full_name",
    "meeting__title",
    "meeting__held_on",
    "passed_on__id",
)


def _counts(prefix=""):
    """Aggregates of receipts' states (``prefix`` reaches the receipts from another model)."""
    field = f"{prefix}state" if prefix else "state"
    key = f"{prefix}pk" if prefix else "pk"
    return {
        "total": Count(key),
        "on_time": Count(key, filter=Q(**{field: State.ON_TIME})),
        "late": Count(key, filter=Q(**{field: State.LATE})),
        "pending": Count(key, filter=Q(**{field: State.PENDING})),
    }


def directives_for_user(user):
    received = DirectiveReceipt.objects.filter(
        scope_q(user, Perm.VIEW, path_field="unit__path"), directive=OuterRef("pk")
    )
    return Directive.objects.filter(
        scope_q(user, Perm.VIEW, path_field="issuer__path") | Q(Exists(received))
    )


def directive_for_user(user, pk):
    """The directive if the user sees its issuer (no further query) or one of its receiving
    units; 404 otherwise."""
    directive = (
        Directive.objects.select_related("issuer", "parent", "parent__issuer").filter(pk=pk).first()
    )
    if directive is None:
        raise Http404
    if not policy.sees_issuer(user, directive):
        received = DirectiveReceipt.objects.filter(
            scope_q(user, Perm.VIEW, path_field="unit__path"), directive=directive
        )
        if not received.exists():
            raise Http404
    return directive


def receipts_for_user(user):
    return DirectiveReceipt.objects.filter(
        scope_q(user, Perm.VIEW, path_field="unit__path")
        | scope_q(user, Perm.VIEW, path_field="directive__issuer__path")
    )


def receipt_for_user(user, pk):
    receipt = (
        receipts_for_user(user)
        .select_related("directive", "directive__issuer", "unit", "confirmed_by", "meeting")
        .filter(pk=pk)
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt


def attachment_of(directive, pk):
    return DirectiveAttachment.objects.filter(directive=directive, pk=pk).first()


def attachments(directive):
    return list(DirectiveAttachment.objects.filter(directive=directive))


def receipts_in_view(user, directive):
    """The receipts of ``directive`` the user sees: all of them for the issuer's side, only
    their own units' otherwise."""
    qs = DirectiveReceipt.objects.filter(directive=directive)
    if not policy.sees_issuer(user, directive):
        qs = qs.filter(scope_q(user, Perm.VIEW, path_field="unit__path"))
    return qs


def progress(user, directive, *, state=None, page=1, page_size=PAGE_SIZE):
    """The progress table: counts per state, one page of receipts (filtered by ``state``)
    with what each unit passed on and how far its units got, and the cascade's totals."""
    receipts = receipts_in_view(user, directive)
    summary = receipts.aggregate(**_counts())
    rows = (
        receipts.select_related("unit", "confirmed_by", "meeting", "passed_on")
        .only(*ROW_FIELDS)
        .order_by("unit__path")
    )
    if state in State.values:
        rows = rows.filter(state=state)
        count = summary[state]
    else:
        state = None
        count = summary["total"]
    paginator = Paginator(rows, page_size)
    paginator.count = count  # known from the summary: no second COUNT(*)
    page_obj = paginator.get_page(page)
    items = list(page_obj.object_list)
    sources = [r.pk for r in items if passed_on(r) is not None]
    cascade = {}
    if sources:
        cascade = {
            row.pop("directive__source_receipt"): row
            for row in DirectiveReceipt.objects.filter(directive__source_receipt__in=sources)
            .values("directive__source_receipt")
            .annotate(**_counts())
            .order_by()
        }
    for receipt in items:
        receipt.child = passed_on(receipt)
        receipt.cascade = cascade.get(receipt.pk)
    page_obj.object_list = items
    totals = None
    if policy.sees_issuer(user, directive):
        totals = DirectiveReceipt.objects.filter(directive__parent=directive).aggregate(**_counts())
        if not totals["total"]:
            totals = None
    return {"summary": summary, "page": page_obj, "state": state, "cascade_totals": totals}


def chain_counts(directive_ids, *, on):
    """Receipts' counts per chain, for each of ``directive_ids`` (first directives of their
    chains): its own receipts (``direct``) and those of every directive passed on from it,
    with how many are still pending past their own deadline on the day ``on``. One grouped
    query, whatever the number of receivers."""
    if not directive_ids:
        return {}
    rows = (
        DirectiveReceipt.objects.filter(
            Q(directive_id__in=directive_ids) | Q(directive__root_id__in=directive_ids)
        )
        .annotate(chain=Coalesce("directive__root_id", "directive_id"))
        .values("chain")
        .annotate(
            **_counts(),
            overdue=Count("pk", filter=Q(state=State.PENDING, directive__deadline__lt=on)),
            direct=Count("pk", filter=Q(directive__root__isnull=True)),
        )
        .order_by()
    )
    return {row.pop("chain"): row for row in rows}


def passed_on(receipt):
    try:
        return receipt.passed_on
    except Directive.DoesNotExist:
        return None


def _own_unit_ids(user, perm=Perm.VIEW):
    """The units the user's grants are at (their own units), without a query once the grants
    are read."""
    if access.is_unrestricted(user):
        return list(
            OrgUnit.objects.filter(parent__isnull=True, is_active=True).values_list("pk", flat=True)
        )
    return [unit_id for unit_id, _kind, _path in access.granted_units(user, perm)]


def issued_list(user):
    """Directives issued by the user's own units, newest first, with their receipts' counts."""
    return (
        Directive.objects.filter(issuer_id__in=_own_unit_ids(user))
        .select_related("issuer")
        .annotate(**_counts("receipts__"))
        .order_by("-issued_at", "-id")
    )


def received_list(user, *, state=None):
    """Receipts of the user's own units, the nearest deadline first."""
    qs = DirectiveReceipt.objects.filter(unit_id__in=_own_unit_ids(user)).select_related(
        "directive", "directive__issuer", "unit", "passed_on"
    )
    if state in State.values:
        qs = qs.filter(state=state)
    return qs.order_by("state", "directive__deadline", "-directive__issued_at", "pk")


def to_confirm(user, *, rows=5):
    """For the workbench: receipts the user confirms (their own units'), still not confirmed,
    the nearest deadline first, and how many there are in all (one query)."""
    ids = _own_unit_ids(user, Perm.SUBMIT_REPORTS)
    if not ids:
        return None
    found = list(
        DirectiveReceipt.objects.filter(unit_id__in=ids, state=State.PENDING)
        .select_related("directive", "unit")
        .annotate(all_pending=Window(Count("pk")))
        .order_by("directive__deadline", "pk")[:rows]
    )
    return found


def deadlines(user, start, end):
    """(directive, receipt or None) whose deadline falls from ``start`` to ``end``: directives
    the user's units issued, and receipts of the user's units (two queries)."""
    ids = _own_unit_ids(user)
    if not ids:
        return [], []
    issued = list(
        Directive.objects.filter(issuer_id__in=ids, deadline__range=(start, end))
        .annotate(**_counts("receipts__"))
        .order_by("deadline", "pk")
    )
    received = list(
        DirectiveReceipt.objects.filter(
            unit_id__in=ids, directive__deadline__range=(start, end)
        ).select_related("directive", "unit")
    )
    return issued, received
