"""The monthly upload's calendar source: each county's deadline, the last day of the month
("before the 1st"), for the counties in the user's scope; done when confirmed."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core.calendar import Entry
from reporting.models import MonthlyUpload, next_month
from reporting.monthly import selectors


def _months(start, end):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = next_month(month)


def calendar_entries(user, start, end):
    months = [m for m in _months(start, end) if start <= next_month(m) - dt.timedelta(1) <= end]
    if not months:
        return []
    counties = list(selectors.counties_for_user(user).values_list("id", "code", "name"))
    if not counties:
        return []
    confirmed = set(
        selectors.monthly_uploads_for_user(user)
        .filter(month__in=months, status=MonthlyUpload.Status.CONFIRMED)
        .values_list("county_id", "month")
    )
    link = reverse("reporting:month_status", args=["CODE"])
    entries = []
    for month in months:
        due = next_month(month) - dt.timedelta(days=1)
        if len(counties) > 1:
            # The city (or a province) sees one entry a month, as the weekly source does for
            # its schools: how many counties have confirmed, linked to the month view.
            done = sum(1 for county_id, _c, _n in counties if (county_id, month) in confirmed)
            entries.append(
                Entry(
                    uid=f"monthly-counties-{month:%Y-%m}",
                    day=due,
                    title=_("Monthly upload of the counties for %(month)s due (before the 1st)")
                    % {"month": f"{month:%Y-%m}"},
                    kind="monthly",
                    url=reverse("reporting:month_overview", args=[f"{month:%Y-%m}"]),
                    done=done == len(counties),
                    detail=_("%(n)s of %(m)s counties confirmed") % {"n": done, "m": len(counties)},
                )
            )
            continue
        for county_id, code, name in counties:
            entries.append(
                Entry(
                    uid=f"monthly-{code}-{month:%Y-%m}",
                    day=due,
                    title=_("Monthly upload of %(county)s for %(month)s due (before the 1st)")
                    % {"county": name, "month": f"{month:%Y-%m}"},
                    kind="monthly",
                    url=link.replace("CODE", code),
                    done=(county_id, month) in confirmed,
                )
            )
    return entries
