"""The monthly part of seed_demo: two months, one confirmed, one overdue for some counties."""

import datetime as dt

import pytest

from core.models import Notification
from reporting.models import MonthlyUpload
from reporting.monthly import demo, services
from tests.factories import CountyFactory
from tests.reporting.monthly.helpers import register

pytestmark = pytest.mark.django_db


def test_the_demo_months(tree, county_staff, other_county_staff, city_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_UPLOADER = "file"
    CountyFactory(name="海安市", code="NT-HA", parent=tree.city)
    register(tree, tree.tz_school, found_on=dt.date(2026, 10, 5))
    today = dt.date(2026, 12, 3)
    line = demo.seed_monthly(tree.city, today=today)
    assert "2026-10" in line and "2026-11" in line
    statuses = dict(
        MonthlyUpload.objects.filter(month=dt.date(2026, 11, 1)).values_list(
            "county__code", "status"
        )
    )
    assert sorted(statuses.values()) == ["confirmed", "ready", "ready"]
    assert set(
        MonthlyUpload.objects.filter(month=dt.date(2026, 10, 1)).values_list("status", flat=True)
    ) == {"confirmed"}
    assert Notification.objects.filter(kind=services.OVERDUE_NOTICE).exists()
    demo.seed_monthly(tree.city, today=today)  # again: nothing new
    assert MonthlyUpload.objects.count() == 6
