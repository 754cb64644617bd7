"""The key periods on the campaign calendar (``core.calendar`` source ``key_periods``).

- each key period the user sees, as one entry lasting its days;
- on a day of a running period, today's daily safety report of the user's own units, due at
  ``policy.DUE_TIME``: done once every one of them has filed.
One query for the window, one or two more only while a period runs today.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.keyperiods import policy, selectors
from core.calendar import Entry

NAME = "key_periods"
LABEL = gettext_lazy("Key periods")


def entries(user, start, end):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    periods = selectors.periods_between(user, start, end)
    found = [
        Entry(
            uid=f"key-period-{p.pk}",
            day=p.starts_on,
            title=_("Key period: %(title)s") % {"title": p.title},
            kind=NAME,
            url=p.get_absolute_url(),
            days=p.days,
            detail=p.duties.splitlines()[0] if p.duties else "",
        )
        for p in periods
    ]
    today = timezone.localdate()
    if periods and start <= today <= end:
        items = selectors.today_for_user(user, today)
        if items:
            missing = [i["unit"].name for i in items if i["report"] is None]
            found.append(
                Entry(
                    uid=f"daily-report-{today.isoformat()}-u{user.pk}",
                    day=today,
                    time=policy.DUE_TIME,
                    title=_("Today's daily safety report"),
                    kind=NAME,
                    url=reverse("campaign:key_period_report", args=[items[0]["period"].pk]),
                    done=not missing,
                    detail=(_("Not yet filed: %(units)s") % {"units": "、".join(missing)})
                    if missing
                    else "",
                )
            )
    return found


def register():
    from core import calendar

    calendar.register(NAME, LABEL, entries, order=40)
