"""The campaign's fixed dates (seed DIGEST S6, S12) as a calendar source.

- **Year-end deadline (S6)**: 31 December — every hazard found in the year's campaign rectified.
  The entry carries the year's progress in the user's scope ("38 of 52 hazards closed"), done
  when every hazard of the year is closed. One aggregate query, only when 31 December is in
  the window.
- **Quarterly analysis (S12)**: every county and school holds an analysis meeting (会商研判) at
  least once a quarter; the calendar shows the quarter's last day (31 March, 30 June,
  30 September, 31 December) as its deadline. Meetings are not recorded by this part, so
  ``done`` stays None (not the question) until the governance part's meetings plug in.

Shown to whoever has a unit in their view scope (the campaign concerns every unit); an
outsider gets nothing.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access
from campaign.roles import Perm
from core.calendar import Entry
from hazards.models import Hazard
from hazards.selectors import hazards_for_user

NAME = "campaign"
LABEL = gettext_lazy("Campaign deadlines")
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


def _in_scope(user):
    return access.is_unrestricted(user) or bool(access.granted_paths(user).get(Perm.VIEW))


def _year_progress(user, year):
    return (
        hazards_for_user(user)
        .filter(found_on__year=year)
        .aggregate(total=Count("id"), closed=Count("id", filter=Q(status=Hazard.Status.CLOSED)))
    )


def entries(user, start, end):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if not _in_scope(user):
        return []
    found = []
    for year in range(start.year, end.year + 1):
        for quarter, (month, day) in enumerate(QUARTER_ENDS, start=1):
            due = dt.date(year, month, day)
            if start <= due <= end:
                found.append(
                    Entry(
                        uid=f"campaign-quarterly-analysis-{year}Q{quarter}",
                        day=due,
                        title=_("Quarterly analysis meeting (Q%(quarter)s) held by")
                        % {"quarter": quarter},
                        kind=NAME,
                        detail=_("Every county and school holds one at least once a quarter."),
                    )
                )
        year_end = dt.date(year, 12, 31)
        if start <= year_end <= end:
            progress = _year_progress(user, year)
            total, closed = progress["total"], progress["closed"]
            found.append(
                Entry(
                    uid=f"campaign-year-end-{year}",
                    day=year_end,
                    title=_("Year-end deadline: every hazard of %(year)s rectified")
                    % {"year": year},
                    kind=NAME,
                    done=total == closed if total else None,
                    detail=_("%(closed)s of %(total)s hazards closed")
                    % {"closed": closed, "total": total},
                )
            )
    return found


def register():
    from core import calendar

    calendar.register(NAME, LABEL, entries, order=50)
