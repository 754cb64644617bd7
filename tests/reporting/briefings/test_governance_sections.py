"""The briefing's governance sections: incidents, units absent without leave and the
directives' progress since the last issue, as snapshots that render without the database."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from campaign.accountability import services as accountability
from campaign.directives import services as directive_services
from campaign.models import AccountabilityEntry, DirectiveReceipt
from reporting.briefings import governance, sections
from tests.campaign.directives.helpers import (
    DEADLINE,
    ISSUED,
    LATE,
    confirm,
    issue,
    media,  # noqa: F401
    pass_on,
)
from tests.campaign.incidents.helpers import LEARNED, fixed, report

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_both_sections_are_registered():
    keys = {s.key for s in sections.sections()}
    assert {"incidents", "absent_without_leave", "directives"} <= keys


def test_incidents_since_the_last_issue(tree, school_officer, county_staff):
    old = report(tree.tz_school, school_officer, learned=LEARNED - dt.timedelta(days=30))
    report(tree.tz_school, school_officer, deaths=1, after=3 * H)
    report(tree.tongzhou, county_staff, on_campus=True, category="fall", minor=2)
    since = old.reported_at + H
    data = governance.incidents(tree.city, since, timezone.now())
    assert data["count"] == 2 and data["late"] == 1 and data["off_campus"] == 1
    assert data["deaths"] == 1 and data["minor"] == 3
    assert [r["unit"] for r in data["rows"]] == ["通州区实验小学", "通州区"]
    # The first issue tells of every incident; a quiet period says nothing.
    assert governance.incidents(tree.city, None, timezone.now())["count"] == 3
    assert governance.incidents(tree.city, timezone.now(), timezone.now()) is None


def test_the_incidents_section_renders_from_its_snapshot(
    tree, school_officer, django_assert_num_queries
):
    report(tree.tz_school, school_officer, deaths=1, after=3 * H)
    data = governance.incidents(tree.city, None, timezone.now())
    with django_assert_num_queries(0):
        html = render_to_string("reporting/briefings/section_incidents.html", {"data": data})
    assert "本期共报告学生伤害事故 1 起（校外 1 起，迟报 1 起）" in html
    assert "通州区实验小学（通州区）" in html and "迟报" in html


def test_absent_without_leave_since_the_last_issue(tree, django_assert_num_queries):
    incident = fixed(tree.tz_school, tree.tongzhou, tree.city, "会议替身")
    entry = accountability.entry_record(
        unit=tree.tz_school,
        kind=AccountabilityEntry.Kind.ABSENT_WITHOUT_LEAVE,
        source=incident,
        occurred_on=dt.date(2019, 12, 13),
    )
    # Other kinds of entry are not this section's.
    accountability.entry_record(
        unit=tree.rd_school,
        kind=AccountabilityEntry.Kind.LATE_INCIDENT_REPORT,
        source=incident,
        occurred_on=dt.date(2019, 12, 13),
    )
    data = governance.absent_without_leave(tree.city, None, timezone.now())
    assert data["rows"] == [
        {
            "day": "2019-12-13",
            "unit": "通州区实验小学",
            "meeting": "溺水 · 2019-12-07",
            "explained": False,
        }
    ]
    assert governance.absent_without_leave(tree.city, entry.recorded_at, timezone.now()) is None
    with django_assert_num_queries(0):
        html = render_to_string("reporting/briefings/section_absent.html", {"data": data})
    assert "以下单位未经请假缺席会议，已记录在案" in html and "未说明" in html


@pytest.mark.usefixtures("media")
def test_directive_progress_counts_the_cascade(
    tree, city_staff, county_staff, other_county_staff, school_officer, django_assert_num_queries
):
    directive = issue(
        tree.city, city_staff, directive_services.receivers_for(tree.city, "counties")
    )
    tz_receipt = DirectiveReceipt.objects.get(directive=directive, unit=tree.tongzhou)
    child = pass_on(tz_receipt, county_staff)
    confirm(DirectiveReceipt.objects.get(directive=child, unit=tree.tz_school), school_officer)
    confirm(tz_receipt, county_staff)
    rd_receipt = DirectiveReceipt.objects.get(directive=directive, unit=tree.rudong)
    confirm(rd_receipt, other_county_staff, now=LATE)
    # A county's own directive to its schools is a chain of its own, still pending past its
    # deadline when the briefing is drafted.
    issue(tree.tongzhou, county_staff, [tree.tz_school], title="排查校车", deadline=DEADLINE)
    until = LATE + dt.timedelta(days=1)
    with django_assert_num_queries(2):
        data = governance.directives(tree.city, None, until)
    by_title = {r["title"]: r for r in data["rows"]}
    assert set(by_title) == {"召开专题研究会议", "排查校车"}  # the passed-on one is counted in
    row = by_title["召开专题研究会议"]
    # 2 counties directly + Tongzhou's 2 schools: one school and Tongzhou on time, Rudong late.
    assert (row["total"], row["direct"], row["on_time"], row["late"]) == (4, 2, 2, 1)
    assert (row["pending"], row["overdue"], row["issuer"]) == (1, 1, "南通市")
    assert by_title["排查校车"]["overdue"] == 1 and data["overdue"] == 2 and data["late"] == 1
    # Issued before the last issue and due before it: nothing new to say.
    assert governance.directives(tree.city, ISSUED + dt.timedelta(days=10), until) is None
    # Due within the period though issued before it: still reported.
    assert governance.directives(tree.city, ISSUED + dt.timedelta(hours=1), until)
    with django_assert_num_queries(0):
        html = render_to_string("reporting/briefings/section_directives.html", {"data": data})
    assert "召开专题研究会议（南通市）" in html
