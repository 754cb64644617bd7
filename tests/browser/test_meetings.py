"""Meetings in a real browser (S2, S3, S12): on Tuesday 2019-12-10 the city's Safety &
Stability Office, at a 1366 px desk, records the campaign promotion conference of Friday
2019-12-13 09:00 and summons every county to it; 通州区's clerk, on a phone, finds
the summons on the workbench and asks for leave, and the office approves it. On the
Friday afternoon the office records the attendance — 通州区 stands on leave by its
approved request, 如东县 is left unmarked and so absent without leave, which puts it
on the accountability record — and then, on a phone, corrects 如东县 to attended,
which takes the entry off the record again."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from playwright.sync_api import expect

from campaign.models import AccountabilityEntry, Meeting, MeetingSummons
from tests.browser.conftest import VIEWPORTS, PageProblems
from tests.browser.test_weekly_report import sign_in
from tests.hazards.conftest import local

pytestmark = pytest.mark.browser

TUESDAY = dt.date(2019, 12, 10)
FRIDAY = dt.date(2019, 12, 13)
TITLE = "全市校园安全专项整治推进会"
REASON = "分管局长同日参加省教育厅安全工作会议，由安全科科长代为参会有困难，特此请假。"
Attendance = MeetingSummons.Attendance


@pytest.fixture
def tuesday():
    # Ticking: the live server's clock runs on from the Tuesday morning.
    with time_machine.travel(local(TUESDAY, 10), tick=True):
        yield


def _fits(page):
    if page.viewport_name == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **VIEWPORTS["phone"])
    context.set_default_timeout(10_000)
    phone = context.new_page()
    phone.problems = PageProblems(phone, urlsplit(live_server.url).hostname)
    phone.viewport_name = "phone"
    return context, phone


def _no_problems(page):
    page.wait_for_load_state("networkidle")
    page.problems.assert_none(page)


def _messages(page):
    return page.locator(".portal-messages")


@pytest.mark.parametrize("viewport", ["desktop"])
def test_summon_ask_leave_approve_record_attendance_and_correct_it(
    tuesday, page, chromium, live_server, safety_office, county_staff, tree, screenshot
):
    # The office records the conference and summons every county to it.
    sign_in(page, "anwen")
    page.goto("/meetings/new/")
    page.select_option("#id_kind", "conference")
    page.fill("#id_title", TITLE)
    page.fill("#id_held_on", FRIDAY.isoformat())
    page.fill("#id_starts_at", "09:00")
    page.fill("#id_place", "市教育局三楼会议室")
    page.fill("#id_convenor", "分管副局长")
    page.get_by_label("所有县（市、区）").check()
    page.fill("#id_expected_attendee", "分管局长、安全科科长")
    screenshot(page, "meeting-new")
    page.locator("#meeting-submit").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title=TITLE)
    meeting_url = f"/meetings/{meeting.pk}/"
    assert urlsplit(page.url).path == meeting_url
    expect(_messages(page)).to_contain_text(f"已登记会议 {TITLE}，并已通知 2 个单位参会。")
    expect(page.locator("#meeting-when")).to_have_text("2019-12-13 09:00")
    expect(page.locator("#summons-NT-TZ")).to_contain_text("通州区")
    expect(page.locator("#summons-NT-RD")).to_contain_text("如东县")
    expect(page.locator('[data-count="total"]')).to_have_text("2")
    expect(page.locator("#meeting-attendance")).to_have_count(0)  # not before the day
    screenshot(page, "meeting-detail")
    _no_problems(page)
    tongzhou = MeetingSummons.objects.get(meeting=meeting, unit=tree.tongzhou)
    rudong = MeetingSummons.objects.get(meeting=meeting, unit=tree.rudong)

    phone_context, phone = _phone(chromium, live_server)
    try:
        # 通州区's clerk, on a phone, finds the summons on the workbench and asks for leave.
        sign_in(phone, "tongzhou")
        section = phone.locator("#wb-meetings")
        expect(section.locator(f'[data-summoned="{tongzhou.pk}"]')).to_contain_text(
            "2019-12-13 09:00"
        )
        _fits(phone)
        screenshot(phone, "meeting-workbench")
        section.get_by_role("link", name=f"参会通知：{TITLE}").click()
        phone.wait_for_url(f"**{meeting_url}")
        expect(phone.locator("#summons-NT-TZ")).to_contain_text("分管局长、安全科科长")
        expect(phone.locator("#summons-NT-RD")).to_have_count(0)  # not the other county's row
        _fits(phone)
        screenshot(phone, "meeting-summons")
        phone.locator(f"#leave-{tongzhou.pk}").click()
        phone.wait_for_url(f"**/meetings/summons/{tongzhou.pk}/leave/")
        expect(phone.locator("main h1")).to_have_text("请假")
        phone.locator("#leave-form #id_reason").fill(REASON)
        _fits(phone)
        screenshot(phone, "meeting-leave")
        phone.locator("#leave-submit").click()
        phone.wait_for_url(f"**{meeting_url}")
        expect(_messages(phone)).to_contain_text(f"通州区 已就 {TITLE} 提出请假。")
        expect(phone.locator("#summons-NT-TZ [data-leave]")).to_contain_text("已申请，待审批")
        expect(phone.locator(f"#leave-{tongzhou.pk}")).to_have_text("修改请假申请")
        _fits(phone)
        _no_problems(phone)

        # The office finds the request on its workbench and approves it.
        page.goto("/")
        page.locator("#wb-meetings").get_by_role("link", name="通州区 申请请假").click()
        page.wait_for_url(f"**{meeting_url}#summons-NT-TZ")
        expect(page.locator("#leave-waiting")).to_be_visible()
        expect(page.locator("#summons-NT-TZ")).to_contain_text(REASON)
        page.locator(f"#approve-{tongzhou.pk}").click()
        page.wait_for_url(f"**{meeting_url}")
        expect(_messages(page)).to_contain_text("通州区 的请假：已批准。")
        expect(page.locator("#summons-NT-TZ [data-leave]")).to_contain_text("已批准")
        expect(page.locator(f"#approve-{tongzhou.pk}")).to_have_count(0)
        tongzhou.refresh_from_db()
        assert tongzhou.leave == MeetingSummons.Leave.APPROVED
        assert tongzhou.leave_decided_by == safety_office
        _no_problems(page)

        # Friday afternoon: the meeting is over and the office records who came.
        with time_machine.travel(local(FRIDAY, 17), tick=True):
            # Three days on, the idle session has ended: the office signs in afresh.
            page.context.clear_cookies()
            sign_in(page, "anwen")
            page.goto(meeting_url)
            expect(page.locator("#meeting-attendance")).to_have_text("登记参会情况")
            page.locator("#meeting-attendance").click()
            page.wait_for_url(f"**/meetings/{meeting.pk}/attendance/")
            sheet_tz = page.locator("#sheet-NT-TZ")
            sheet_rd = page.locator("#sheet-NT-RD")
            # 通州区's approved leave stands as its mark; 如东县 is left unmarked.
            expect(sheet_tz.get_by_label("请假", exact=True)).to_be_checked()
            expect(sheet_tz.locator('[data-leave="approved"]')).to_contain_text("已批准")
            expect(sheet_rd.locator("input[type=radio]:checked")).to_have_count(0)
            screenshot(page, "meeting-attendance")
            page.locator("#attendance-submit").click()
            page.wait_for_url(f"**{meeting_url}")
            expect(_messages(page)).to_contain_text("参会情况已登记：2 个单位有变动。")
            expect(page.locator('[data-count="absent"]')).to_have_text("1")
            expect(page.locator('[data-count="on_leave"]')).to_have_text("1")
            absent = page.locator("#summons-NT-RD [data-attendance]")
            expect(absent).to_have_attribute("data-attendance", "absent")
            expect(absent).to_have_text("无故缺席")
            expect(page.locator("#summons-NT-TZ [data-attendance]")).to_have_attribute(
                "data-attendance", "on_leave"
            )
            expect(page.locator("#meeting-attendance")).to_have_text("更正参会情况")
            screenshot(page, "meeting-recorded")

            # 如东县 is on the accountability record, linked to the meeting it missed.
            entry = AccountabilityEntry.objects.get(
                unit=tree.rudong, kind=AccountabilityEntry.Kind.ABSENT_WITHOUT_LEAVE
            )
            assert not AccountabilityEntry.objects.filter(unit=tree.tongzhou).exists()
            page.goto("/accountability/")
            row = page.locator(f"#entry-{entry.pk}")
            expect(row).to_contain_text("如东县 · 无故缺席")
            expect(row.get_by_role("link", name=TITLE)).to_have_attribute("href", meeting_url)
            expect(page.locator("#accountability-list li")).to_have_count(1)
            screenshot(page, "meeting-accountability")
            _no_problems(page)

            # 如东县 did come after all: the office corrects the sheet from a phone.
            phone_context.clear_cookies()
            sign_in(phone, "anwen")
            phone.goto(meeting_url)
            phone.locator("#meeting-attendance").click()
            phone.wait_for_url(f"**/meetings/{meeting.pk}/attendance/")
            sheet_rd = phone.locator("#sheet-NT-RD")
            expect(sheet_rd.get_by_label("无故缺席", exact=True)).to_be_checked()
            sheet_rd.get_by_label("参会", exact=True).check()
            phone.fill(f"#id_who_{rudong.pk}", "王副局长")
            _fits(phone)
            screenshot(phone, "meeting-attendance")
            phone.locator("#attendance-submit").click()
            phone.wait_for_url(f"**{meeting_url}")
            expect(_messages(phone)).to_contain_text("参会情况已登记：1 个单位有变动。")
            expect(phone.locator('[data-count="absent"]')).to_have_text("0")
            expect(phone.locator('[data-count="attended"]')).to_have_text("1")
            expect(phone.locator("#summons-NT-RD [data-attendance]")).to_have_attribute(
                "data-attendance", "attended"
            )
            expect(phone.locator("#summons-NT-RD")).to_contain_text("王副局长")
            _fits(phone)
            screenshot(phone, "meeting-corrected")

            phone.goto("/accountability/")
            expect(phone.locator(f"#entry-{entry.pk}")).to_have_count(0)
            expect(phone.locator("#accountability-empty")).to_have_text("暂无记录在案的事项。")
            _fits(phone)
            _no_problems(phone)
    finally:
        phone_context.close()

    rudong.refresh_from_db()
    assert (rudong.attendance, rudong.attendee) == (Attendance.ATTENDED, "王副局长")
    assert not AccountabilityEntry.objects.exists()
