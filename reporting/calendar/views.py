"""The campaign calendar's pages: the month (a grid Monday–Sunday; a list by day on a phone),
the next weeks as a list, and the personal subscription (its URL and a rotate button).

Every entry comes through ``core.calendar.entries`` for the user, and each source reads
through its own scoped selectors, so the calendar shows only what the user may see.
"""

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import calendar
from reporting.calendar import display, feed
from reporting.models import CalendarFeedToken

LIST_WEEKS = 8
MAX_LIST_WEEKS = 26
YEARS = (2000, 2100)  # a month outside these is a typing mistake, not a campaign month


def _chosen_kinds(request):
    """The kinds ticked in the filter (all when none is): unknown names are ignored."""
    known = [name for name, _label, _c in display.kinds()]
    asked = [k for k in request.GET.getlist("kind") if k in known]
    return asked or known, bool(asked)


def _subscription(request):
    row = CalendarFeedToken.objects.filter(user=request.user).first()
    return {"url": request.build_absolute_uri(feed.url_of(row.token)) if row else ""}


@login_required
@require_GET
def calendar_month(request, year=None, month=None):
    today = timezone.localdate()
    if year is None:
        year, month = today.year, today.month
    elif not (YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12):
        messages.error(request, _("There is no such month on the calendar."))
        return redirect("reporting:calendar_month")
    first = dt.date(year, month, 1)
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    kinds, filtered = _chosen_kinds(request)
    shown = display.decorate(
        calendar.entries(request.user, grid_start, grid_end, kinds=kinds), today=today
    )
    by_day = {}
    for item in shown:
        by_day.setdefault(item.day, []).append(item)
    weeks, day = [], grid_start
    while day <= grid_end:
        weeks.append(
            [
                {
                    "day": d,
                    "in_month": d.month == month,
                    "today": d == today,
                    "entries": by_day.get(d, []),
                }
                for d in (day + dt.timedelta(days=i) for i in range(7))
            ]
        )
        day += dt.timedelta(days=7)
    previous = first - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    query = request.GET.urlencode() if filtered else ""
    return render(
        request,
        "reporting/calendar/month.html",
        {
            "first": first,
            "weeks": weeks,
            "weekdays": [weeks[0][i]["day"] for i in range(7)],
            "days": [d for week in weeks for d in week if d["in_month"] and d["entries"]],
            "kinds": display.kinds(),
            "chosen": kinds,
            "query": query,
            "previous_url": reverse(
                "reporting:calendar_month_of", args=[previous.year, previous.month]
            ),
            "next_url": reverse(
                "reporting:calendar_month_of", args=[following.year, following.month]
            ),
            "this_month_url": reverse("reporting:calendar_month"),
            "subscription": _subscription(request),
        },
    )


@login_required
@require_GET
def calendar_list(request):
    today = timezone.localdate()
    try:
        n = int(request.GET.get("weeks", LIST_WEEKS))
    except ValueError:
        n = LIST_WEEKS
    n = max(1, min(n, MAX_LIST_WEEKS))
    monday = today - dt.timedelta(days=today.weekday())
    end = monday + dt.timedelta(days=7 * n - 1)
    kinds, filtered = _chosen_kinds(request)
    shown = display.decorate(calendar.entries(request.user, monday, end, kinds=kinds), today=today)
    weeks = []
    for i in range(n):
        start = monday + dt.timedelta(days=7 * i)
        stop = start + dt.timedelta(days=6)
        weeks.append(
            {
                "monday": start,
                "sunday": stop,
                "entries": [e for e in shown if start <= e.day <= stop],
            }
        )
    return render(
        request,
        "reporting/calendar/list.html",
        {
            "weeks": weeks,
            "n": n,
            "week_choices": (4, 8, 13, 26),
            "kinds": display.kinds(),
            "chosen": kinds,
            "today": today,
            "subscription": _subscription(request),
        },
    )


@login_required
@require_POST
def calendar_feed_rotate(request):
    feed.rotate(request.user)
    messages.success(
        request,
        _("Your calendar has a new personal address; the old one no longer works."),
    )
    back = request.POST.get("next", "")
    if back == "list":
        return redirect("reporting:calendar_list")
    return redirect("reporting:calendar_month")
