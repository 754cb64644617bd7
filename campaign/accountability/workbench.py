"""The workbench's line on the accountability record: this year's entries in the user's scope,
and how many of their own units' entries still wait for an explanation (one query)."""

from django.db.models import Count, Q
from django.utils import timezone

from campaign.accountability import selectors
from campaign.workbench import register_section


def section_context(user):
    if not getattr(user, "is_authenticated", False):
        return None
    year = timezone.localdate().year
    counts = (
        selectors.entries_for_user(user)
        .filter(occurred_on__year=year)
        .aggregate(total=Count("id"), unexplained=Count("id", filter=Q(explanation="")))
    )
    if not counts["total"]:
        return None
    return {"year": year, **counts}


def register():
    register_section(
        "campaign/accountability/_workbench.html",
        section_context,
        links_template="campaign/accountability/_workbench_links.html",
        order=60,
    )
