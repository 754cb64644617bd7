"""The workbench's "due this week": the calendar's entries of this ISO week for the user
(every source, through core.calendar.entries, so exactly as scoped as the calendar page)."""

import datetime as dt

from django.utils import timezone

from campaign.workbench import register_section
from core import calendar
from reporting.calendar import display


def section_context(user):
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    shown = display.decorate(calendar.entries(user, monday, sunday), today=today)
    if not shown:
        return None
    return {"entries": shown, "monday": monday, "sunday": sunday, "today": today}


def register():
    register_section(
        "reporting/calendar/_workbench.html",
        section_context,
        links_template="reporting/calendar/_workbench_links.html",
        order=15,
    )
