"""The directives' section of the workbench: what the user's own units still have to confirm,
the nearest deadline first (one query; none for someone who confirms nothing)."""

from django.utils import timezone

from campaign.directives import selectors

ROWS = 5


def section_context(user):
    rows = selectors.to_confirm(user, rows=ROWS)
    if not rows:
        return None
    return {"rows": rows, "count": rows[0].all_pending, "today": timezone.localdate()}
