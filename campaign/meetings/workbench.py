"""The meetings' section of the workbench: the meetings the user's own units are summoned to
(each linked to its page, where the leave button is) and the requests for leave awaiting
their decision (two queries; none for someone who neither reports nor decides)."""

from django.utils import timezone

from campaign.meetings import selectors

ROWS = 5


def section_context(user):
    today = timezone.localdate()
    summoned = selectors.upcoming_summonses(user, today=today, rows=ROWS)
    to_decide = selectors.leave_to_decide(user, rows=ROWS)
    if not summoned and not to_decide:
        return None
    return {"summoned": summoned, "to_decide": to_decide, "today": today}
