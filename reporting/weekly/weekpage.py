"""What every page about one week of reports shares (the review inbox, the rates page, key
supervision): the week read from its label, and the header's context
(templates/reporting/weekly/_week_header.html)."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from reporting.weekly import periods


def week_or_redirect(request, week_label, fallback):
    """(week, None) — this week when no label is given — or (None, a redirect to
    ``fallback`` with a message) for a label that is not a week."""
    if week_label is None:
        return periods.this_week(), None
    week = periods.parse_label(week_label)
    if week is None:
        messages.error(request, _("“%(label)s” is not a week.") % {"label": week_label[:20]})
        return None, redirect(fallback)
    return week, None


def week_context(week):
    return {
        "week": week,
        "label": periods.label(week),
        "week_end": week + dt.timedelta(days=6),
        "previous": periods.label(week - dt.timedelta(days=7)),
        "next": periods.label(week + dt.timedelta(days=7)),
        "is_this_week": week == periods.this_week(),
    }
