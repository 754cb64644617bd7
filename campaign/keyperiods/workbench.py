"""The key periods' section of the workbench: while a period runs, today's daily safety report
of each of the user's own units (filed, or a one-tap "nothing to report"), and for those who
oversee, the running periods with a link to who is missing. One query when nothing runs."""

from django.utils import timezone

from campaign.keyperiods import policy, selectors
from campaign.workbench import register_section


def section_context(user):
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    periods = selectors.running_today(user, today)
    if not periods:
        return None
    return {
        "today": today,
        "periods": periods,
        "own": selectors.today_for_user(user, today),
        "oversees": policy.may_remind(user),
    }


def register():
    register_section("campaign/keyperiods/_workbench.html", section_context, order=5)
