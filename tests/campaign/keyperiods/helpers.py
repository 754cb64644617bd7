"""Key periods made for tests: running today by default, declared by the given unit."""

import datetime as dt

from django.utils import timezone

from campaign.models import KeyPeriod


def period(unit, *, start=-1, end=1, title="元旦假期", kind=KeyPeriod.Kind.NEW_YEAR, today=None):
    """A key period of ``unit`` from ``start`` to ``end`` days around today."""
    today = today or timezone.localdate()
    found, _ = KeyPeriod.objects.get_or_create(
        unit=unit,
        title=title,
        defaults={
            "kind": kind,
            "starts_on": today + dt.timedelta(days=start),
            "ends_on": today + dt.timedelta(days=end),
            "focus": "消防安全、交通安全",
            "duties": "24 小时值班\n每日零报告",
        },
    )
    return found
