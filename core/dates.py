"""Plausible dates: what the portal accepts in forms, imports, bulk actions and URL parameters.

A date before 2000 or more than ten years ahead is a typo (0001-01-01 made the hazard number
``NT-1-000001``; 9999-12-31 broke date arithmetic), so it is refused with a message that says
what is accepted.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = dt.date(2000, 1, 1)
YEARS_AHEAD = 10


def latest(today=None):
    """The last plausible date: ten years from today."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def is_plausible(value, *, today=None):
    return EARLIEST <= value <= latest(today)


def plausible_message(today=None):
    return _("Enter a date from %(earliest)s to %(latest)s.") % {
        "earliest": EARLIEST.isoformat(),
        "latest": latest(today).isoformat(),
    }


def check_plausible(value, *, field=None, today=None):
    """Raise a ValidationError (on ``field`` when given) for a date outside the range."""
    if value is not None and not is_plausible(value, today=today):
        message = plausible_message(today)
        raise ValidationError({field: message} if field else message, code="implausible_date")


def validate_plausible(value):
    """A form field validator."""
    check_plausible(value)
