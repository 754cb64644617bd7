"""The key period pages as their users see them: declare, the detail's table and missing list
(query count pinned), the one-tap zero report from the workbench, bad input refused, the
calendar entries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.keyperiods import calendar as kp_calendar
from campaign.models import DailyReport, KeyPeriod
from tests.campaign.keyperiods.helpers import period
from tests.campaign.test_tree_views import add_schools

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def test_the_city_declares_a_key_period(tree, city_staff, client_for):
    client = client_for(city_staff)
    assert "新建重点时段" in html(client.get(reverse("campaign:key_period_new")))
    data = {
        "unit": "NT",
        "kind": "spring_festival",
        "title": "2020年春节",
        "starts_on": "2020-01-20",
        "ends_on": "2020-02-08",
        "focus": "烟花爆竹",
        "duties": "24 小时值班\n每日零报告",
    }
    response = client.post(reverse("campaign:key_period_new"), data)
    p = KeyPeriod.objects.get()
    assert response.status_code == 302 and response.url == p.get_absolute_url()
    page = html(client.get(p.get_absolute_url()))
    assert "24 小时值班" in page and "daily-report-table" in page
    # Bad dates: a message, nothing changes.
    bad = client.post(reverse("campaign:key_period_new"), {**data, "ends_on": "2020-01-01"})
    assert bad.status_code == 400 and "最后一天不能早于第一天" in html(bad)
    bad = client.post(reverse("campaign:key_period_new"), {**data, "starts_on": "not a date"})
    assert bad.status_code == 400
    assert KeyPeriod.objects.count() == 1


def test_an_officer_files_nothing_to_report_in_one_tap(tree, school_officer, client_for):
    p = period(tree.city)
    client = client_for(school_officer)
    page = html(client.get(reverse("campaign:workbench")))
    assert "尚未报送" in page and f'id="zero-report-{tree.tz_school.code}"' in page
    response = client.post(
        reverse("campaign:key_period_report", args=[p.pk]),
        {
            "unit": tree.tz_school.code,
            "nothing_to_report": "1",
            "next": reverse("campaign:workbench"),
        },
    )
    assert response.status_code == 302 and response.url == reverse("campaign:workbench")
    report = DailyReport.objects.get()
    assert report.nothing_to_report and report.day == timezone.localdate()
    page = html(client.get(reverse("campaign:workbench")))
    assert "已报送：无事零报告" in page
    assert "零报告" in html(client.get(reverse("campaign:daily_report_mine")))


def test_something_happened_needs_a_text(tree, school_officer, client_for):
    p = period(tree.city)
    url = reverse("campaign:key_period_report", args=[p.pk])
    client = client_for(school_officer)
    response = client.post(url, {"unit": tree.tz_school.code, "nothing_to_report": "0", "text": ""})
    assert response.status_code == 400
    assert not DailyReport.objects.exists()
    response = client.post(
        url, {"unit": tree.tz_school.code, "nothing_to_report": "0", "text": "监控黑屏，已报修。"}
    )
    assert response.status_code == 302
    assert DailyReport.objects.get().text == "监控黑屏，已报修。"


def test_no_report_when_the_period_is_not_running(tree, school_officer, client_for):
    p = period(tree.city, start=-5, end=-2)
    url = reverse("campaign:key_period_report", args=[p.pk])
    client = client_for(school_officer)
    assert "今天不在该重点时段内" in html(client.get(url))
    response = client.post(url, {"unit": tree.tz_school.code, "nothing_to_report": "1"})
    assert response.status_code == 400 and not DailyReport.objects.exists()


@pytest.mark.parametrize("total", [10, 200])
def test_the_detail_query_count_does_not_grow(
    tree, city_staff, client_for, django_assert_num_queries, total
):
    add_schools(tree, total)
    p = period(tree.city, start=-6, end=1)
    from campaign.models import OrgUnit

    schools = list(OrgUnit.objects.filter(kind="school").order_by("path"))
    rows = [
        DailyReport(period=p, unit=s, day=d, nothing_to_report=True)
        for n, s in enumerate(schools)
        for d in (p.starts_on + dt.timedelta(days=k) for k in range(7))
        if n % 3
    ]
    DailyReport.objects.bulk_create(rows)
    client = client_for(city_staff)
    # Session, user, grants; the period; the table (expected, filed, the county rows); the
    # filter's counties; the missing list (count, page); session save (3).
    with django_assert_num_queries(13):
        response = client.get(p.get_absolute_url() + "?county=NT-TZ")
    assert response.status_code == 200
    assert response.context["page"].paginator.count > 0


@pytest.mark.parametrize("total", [10, 200])
def test_the_list_and_mine_query_counts_do_not_grow(
    tree, school_officer, client_for, django_assert_num_queries, total
):
    base = timezone.localdate() - dt.timedelta(days=400)
    for n in range(total // 10):
        p = period(
            tree.city, title=f"时段{n}", today=base + dt.timedelta(days=20 * n), start=0, end=5
        )
        DailyReport.objects.bulk_create(
            [
                DailyReport(
                    period=p,
                    unit=tree.tz_school,
                    day=p.starts_on + dt.timedelta(days=k),
                    nothing_to_report=True,
                )
                for k in range(5)
            ]
        )
    client = client_for(school_officer)
    # Session, user, grants; the count and the page; session save (3).
    with django_assert_num_queries(8):
        client.get(reverse("campaign:key_period_list"))
    with django_assert_num_queries(8):
        client.get(reverse("campaign:daily_report_mine"))


def test_the_calendar_shows_the_period_and_todays_report(tree, school_officer, city_staff):
    p = period(tree.city, start=-1, end=2)
    today = timezone.localdate()
    found = kp_calendar.entries(
        school_officer, today - dt.timedelta(days=3), today + dt.timedelta(days=3)
    )
    span = next(e for e in found if e.uid == f"key-period-{p.pk}")
    assert span.days == 4 and span.day == p.starts_on
    due = next(e for e in found if e.uid.startswith("daily-report-"))
    assert due.done is False and due.day == today
    DailyReport.objects.create(period=p, unit=tree.tz_school, day=today, nothing_to_report=True)
    school_officer = type(school_officer).objects.get(pk=school_officer.pk)
    found = kp_calendar.entries(school_officer, today, today)
    assert next(e for e in found if e.uid.startswith("daily-report-")).done is True
    # The city files nothing: only the period.
    assert [e.uid for e in kp_calendar.entries(city_staff, today, today)] == [f"key-period-{p.pk}"]


def test_the_remind_button(tree, county_staff, client_for):
    p = period(tree.city)
    client = client_for(county_staff)
    assert 'id="remind-missing"' in html(client.get(p.get_absolute_url()))
    response = client.post(reverse("campaign:key_period_remind", args=[p.pk]), follow=True)
    assert "已提醒" in html(response)
