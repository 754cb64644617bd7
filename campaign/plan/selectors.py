"""Every read of the campaign documents, scoped to the user (DESIGN §4).

A document is in scope where the user sees its issuer or a unit it concerns (drafts and all),
or, once it has been issued, where the issuer is one of the units above the user's own (the
city's plan reaches every county and school). Out of scope is 404.
"""

import difflib

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from campaign import access
from campaign.models import OrgUnit, PlanDocument, PlanVersion
from campaign.plan import policy
from campaign.roles import Perm


def _ancestor_paths(user):
    """The paths of the units above (and at) each of the user's grants: ``/1/5/23/`` gives
    ``/1/``, ``/1/5/`` and ``/1/5/23/``."""
    paths = set()
    for path in access.granted_paths(user).get(Perm.VIEW, ()):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            paths.add("/" + "/".join(parts[:i]) + "/")
    return sorted(paths)


def documents_for_user(user):
    if access.is_unrestricted(user):
        return PlanDocument.objects.all()
    concerned = OrgUnit.objects.filter(
        access.scope_q(user, Perm.VIEW), concerning_plans=OuterRef("pk")
    )
    q = access.scope_q(user, Perm.VIEW, path_field="issuer__path") | Q(Exists(concerned))
    ancestors = _ancestor_paths(user)
    if ancestors:
        q |= Q(issued_number__gt=0, issuer__path__in=ancestors)
    return PlanDocument.objects.filter(q)


def document_for_user(user, pk):
    document = (
        documents_for_user(user)
        .select_related("issuer", "parent", "parent__issuer")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    document.concerned = list(document.concerned_units.order_by("path"))
    document.drafts_visible = policy.may_see_drafts(user, document, document.concerned)
    return document


def document_list(user, *, kind=None):
    """The documents the user may see, each with its versions (one query more), ready to show."""
    qs = documents_for_user(user)
    if kind:
        qs = qs.filter(kind=kind)
    versions = PlanVersion.objects.only(
        "id", "document_id", "number", "status", "doc_number", "issued_on"
    ).order_by("number")
    return (
        qs.select_related("issuer", "parent")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("issuer__path", "-created_at", "-id")
    )


def versions_of(document):
    """The versions the user may read: all of them, or only the issued ones."""
    qs = document.versions.select_related("edited_by", "issued_by").order_by("number")
    if not document.drafts_visible:
        qs = qs.filter(status=PlanVersion.Status.ISSUED)
    return list(qs)


def version_for(document, number):
    version = next((v for v in versions_of(document) if v.number == number), None)
    if version is None:
        raise Http404
    return version


def draft_of(document):
    return document.versions.filter(status=PlanVersion.Status.DRAFT).first()


def diff_lines(old, new):
    """The text's lines against the previous version's: ``(kind, line)`` with kind ``same``,
    ``added`` or ``removed``, plus the counts."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows, added, removed = [], 0, 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(("same", line) for line in a[i1:i2])
            continue
        if tag in ("replace", "delete"):
            rows.extend(("removed", line) for line in a[i1:i2])
            removed += i2 - i1
        if tag in ("replace", "insert"):
            rows.extend(("added", line) for line in b[j1:j2])
            added += j2 - j1
    return {"rows": rows, "added": added, "removed": removed}
