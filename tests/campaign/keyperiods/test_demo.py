"""The demo's key periods: the 2020 New Year and Spring Festival, most units filed on most
days, some missing; safe to run again."""

import datetime as dt

import pytest

from campaign.keyperiods import demo, selectors
from campaign.models import DailyReport, KeyPeriod

pytestmark = pytest.mark.django_db


def test_the_demo_has_new_year_and_spring_festival_with_reports(tree, city_staff):
    line = demo.seed(tree.city)
    assert "2" in line
    new_year = KeyPeriod.objects.get(kind=KeyPeriod.Kind.NEW_YEAR)
    assert (new_year.starts_on, new_year.ends_on) == (dt.date(2019, 12, 30), dt.date(2020, 1, 2))
    spring = KeyPeriod.objects.get(kind=KeyPeriod.Kind.SPRING_FESTIVAL)
    assert spring.days == 20
    units = 6  # two counties, four schools
    expected = (new_year.days + spring.days) * units
    filed = DailyReport.objects.count()
    assert expected * 0.85 < filed < expected, "most filed, some missing"
    assert (
        DailyReport.objects.filter(
            day__gt=dt.date(2020, 1, 2), day__lt=dt.date(2020, 1, 20)
        ).count()
        == 0
    )
    table = selectors.day_table(spring, city_staff, dt.date(2026, 1, 1))
    assert len(table["days"]) == 20
    assert demo.seed(tree.city) == ""
    assert DailyReport.objects.count() == filed
