"""Key periods: daily reports are expected only within the period, one per unit and day,
changed on their day only; missing ones are counted and listed; reminders reach only those
missing, once a day."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaign.keyperiods import selectors, services
from campaign.models import DailyReport, KeyPeriod
from core.models import Notification
from tests.campaign.keyperiods.helpers import period

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def file(p, unit, actor, **kwargs):
    kwargs.setdefault("nothing_to_report", True)
    return services.daily_report_file(period=p, unit=unit, actor=actor, **kwargs)


def test_the_city_declares_and_a_school_cannot(tree, city_staff, school_officer):
    start = dt.date(2019, 12, 30)
    p = services.key_period_declare(
        unit=tree.city,
        kind=KeyPeriod.Kind.NEW_YEAR,
        title="2020年元旦",
        starts_on=start,
        ends_on=start + dt.timedelta(days=3),
        duties="24 小时值班",
        actor=city_staff,
    )
    assert p.days == 4
    with pytest.raises(PermissionDenied):
        services.key_period_declare(
            unit=tree.city,
            kind="new_year",
            title="x",
            starts_on=start,
            ends_on=start,
            actor=school_officer,
        )
    with pytest.raises(ValidationError):
        services.key_period_declare(
            unit=tree.city,
            kind="new_year",
            title="倒置",
            starts_on=start,
            ends_on=start - dt.timedelta(days=1),
            actor=city_staff,
        )


def test_daily_reports_are_expected_only_within_the_period(tree, city_staff, school_officer):
    p = period(tree.city, start=-2, end=0)
    # Today and an earlier day of the period: yes.
    assert file(p, tree.tz_school, school_officer).day == today()
    late = file(p, tree.tz_school, school_officer, day=today() - dt.timedelta(days=1))
    assert late.filed_late
    # Before the period, after it, in the future: refused, nothing written.
    for day in (today() - dt.timedelta(days=3), today() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            file(p, tree.tz_school, school_officer, day=day)
    assert DailyReport.objects.count() == 2
    # The day table counts only the days so far; no column for the future.
    future = period(tree.city, start=1, end=3, title="春节")
    with pytest.raises(ValidationError):
        file(future, tree.tz_school, school_officer)
    assert selectors.day_table(future, city_staff, today())["days"] == []


def test_a_unit_outside_the_period_or_someone_else_cannot_file(
    tree, county_staff, school_officer, other_county_staff
):
    p = period(tree.rudong)
    with pytest.raises(PermissionDenied):
        file(p, tree.rd_school, school_officer)  # not their school
    with pytest.raises(ValidationError):
        file(p, tree.tz_school, school_officer)  # their school, not in 如东县's period
    # A county files its own report.
    assert file(p, tree.rudong, other_county_staff).unit == tree.rudong


def test_one_report_a_day_changed_on_its_day_only(tree, school_officer):
    p = period(tree.city, start=-1, end=0)
    first = file(p, tree.tz_school, school_officer)
    changed = file(
        p, tree.tz_school, school_officer, nothing_to_report=False, text="门卫监控黑屏，已报修。"
    )
    assert changed.pk == first.pk and not changed.nothing_to_report
    yesterday = today() - dt.timedelta(days=1)
    file(p, tree.tz_school, school_officer, day=yesterday)
    with pytest.raises(ValidationError):
        file(p, tree.tz_school, school_officer, day=yesterday, nothing_to_report=False, text="补")
    # Something happened needs its text; the database holds the rule too.
    with pytest.raises(ValidationError):
        file(p, tree.tz_school, school_officer, nothing_to_report=False, text="  ")
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyReport.objects.create(
            period=p, unit=tree.tz_school, day=today(), nothing_to_report=True
        )


def test_missing_reports_are_counted_and_listed(tree, city_staff, county_staff, school_officer):
    p = period(tree.city, start=-1, end=1)
    file(p, tree.tz_school, school_officer)
    table = selectors.day_table(p, city_staff, today())
    assert table["days"] == [today() - dt.timedelta(days=1), today()]
    by_unit = {row["unit"].code: row for row in table["rows"]}
    # 通州区 and its two schools; 如东县 and its school; the city's own school.
    assert by_unit["NT-TZ"]["expected"] == 3 and by_unit["NT-RD"]["expected"] == 2
    assert by_unit["NT"]["expected"] == 1
    assert [c["filed"] for c in by_unit["NT-TZ"]["cells"]] == [0, 1]
    assert [c["filed"] for c in table["totals"]] == [0, 1]
    missing = {u.code for u in selectors.missing_units(p, city_staff, today())}
    assert missing == {"NT-TZ", "NT-TZ-0002", "NT-RD", tree.rd_school.code, tree.city_school.code}
    only_tz = selectors.missing_units(p, city_staff, today(), county=tree.tongzhou)
    assert {u.code for u in only_tz} == {"NT-TZ", "NT-TZ-0002"}
    # A county sees its own units only.
    assert {u.code for u in selectors.missing_units(p, county_staff, today())} == {
        "NT-TZ",
        "NT-TZ-0002",
    }
    assert [r["unit"].code for r in selectors.day_table(p, county_staff, today())["rows"]] == [
        "NT-TZ"
    ]


def test_reminders_reach_only_those_missing_once_a_day(
    tree, city_staff, county_staff, school_officer, other_county_staff
):
    p = period(tree.city, start=0, end=2)
    file(p, tree.tz_school, school_officer)
    units, people = services.daily_reports_remind(period=p, actor=county_staff)
    # 通州区 itself and its kindergarten are missing; the kindergarten has nobody to remind.
    assert units == 2 and people == 1
    assert not Notification.objects.filter(recipient=school_officer).exists()
    assert not Notification.objects.filter(recipient=other_county_staff).exists()
    # The daily job reaches 如东县 too, and not 通州区 again today.
    written = services.daily_reports_remind_all(day=today())
    assert Notification.objects.filter(recipient=other_county_staff).count() == 1
    assert written == 1
    assert services.daily_reports_remind_all(day=today()) == 0
    with pytest.raises(PermissionDenied):
        services.daily_reports_remind(period=p, actor=school_officer)


def test_no_reminder_outside_the_period(tree, city_staff):
    p = period(tree.city, start=-5, end=-1)
    with pytest.raises(ValidationError):
        services.daily_reports_remind(period=p, actor=city_staff)
    assert services.daily_reports_remind_all(day=today()) == 0


def test_a_county_period_covers_its_subtree_only(tree, school_officer, other_county_staff):
    p = period(tree.tongzhou)
    assert {u.code for u in selectors.expected_units(p, other_county_staff)} == set()
    assert selectors.periods_for_user(school_officer).filter(pk=p.pk).exists()
    assert not selectors.periods_for_user(other_county_staff).filter(pk=p.pk).exists()
