"""The weekly report in a real browser: the school officer, on a phone, opens this week's
report from "my weekly reports", types (the draft is saved as they type and is there after a
reload), and submits; 通州区's county staff, at a 1366 px desk, return it with a reason; the
officer finds the returned report on their first page, corrects it and submits it again, and
the county accepts it. The report's rounds are all kept."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from playwright.sync_api import expect

from reporting.models import WeeklyReport
from reporting.weekly import opening
from tests.browser.conftest import PageProblems
from tests.factories import PASSWORD
from tests.hazards.conftest import local

pytestmark = pytest.mark.browser

WEEK = dt.date(2026, 11, 30)
LABEL = "2026-W49"


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.fixture
def thursday():
    # Ticking: the live server's clock runs on from the Thursday of the week.
    with time_machine.travel(local(WEEK + dt.timedelta(days=3), 10), tick=True):
        yield


@pytest.mark.parametrize("viewport", ["phone"])
def test_fill_submit_return_and_resubmit(
    thursday, page, chromium, live_server, school_officer, county_staff, tree, screenshot
):
    opening.week_open(week=WEEK)
    report_url = f"/reporting/weekly/{tree.tz_school.code}/{LABEL}/"
    sign_in(page, "officer")

    page.goto("/reporting/weekly/")
    expect(page.locator("main header")).to_contain_text("2026年第49周（11月30日—12月6日）")
    screenshot(page, "weekly-mine")
    page.locator(f"#open-{tree.tz_school.code}").click()
    page.wait_for_url(f"**{report_url}")
    expect(page.locator("#figure-list li")).to_have_count(6)
    expect(page.locator("#report-would-be-empty")).to_be_visible()

    page.fill("#id_work_done", "本周完成校门口护栏检修，组织消防疏散演练一次。")
    expect(page.locator("#autosave-status")).to_contain_text("草稿已于", timeout=10_000)
    page.fill("#id_problems", "食堂燃气报警器老化。")
    # Reloaded at once, before the pause that saves: the last words are sent on leaving.
    page.reload()
    expect(page.locator("#id_work_done")).to_have_value(
        "本周完成校门口护栏检修，组织消防疏散演练一次。"
    )
    expect(page.locator("#id_problems")).to_have_value("食堂燃气报警器老化。")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "weekly-draft")

    page.locator("#report-submit").click()
    page.wait_for_url(f"**{report_url}")
    expect(page.locator(".portal-messages")).to_contain_text("已提交审核")
    expect(page.locator("#report-form")).to_have_count(0)
    screenshot(page, "weekly-submitted")
    page.problems.assert_none(page)

    desk = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    desk.set_default_timeout(10_000)
    county = desk.new_page()
    county.problems = PageProblems(county, urlsplit(live_server.url).hostname)
    county.viewport_name = "desktop"
    try:
        sign_in(county, "tongzhou")
        county.goto(f"/reporting/weekly/review/{LABEL}/")
        county.locator(f"#row-{tree.tz_school.code} a").click()
        county.wait_for_url(f"**{report_url}")
        expect(county.locator("#review-accept")).to_be_visible()
        screenshot(county, "weekly-review")
        county.fill("#review-reason-input", "请补充演练照片。")
        county.locator("#review-return").click()
        county.wait_for_url(f"**{report_url}")
        expect(county.locator("#review-round")).to_contain_text("请补充演练照片")
        county.problems.assert_none(county)

        page.goto("/reporting/weekly/")
        expect(page.locator(f"#returned-{tree.tz_school.code}-{LABEL}")).to_be_visible()
        screenshot(page, "weekly-returned")
        page.locator(f"#returned-{tree.tz_school.code}-{LABEL} a").click()
        page.wait_for_url(f"**{report_url}")
        expect(page.locator("#report-returned")).to_contain_text("请补充演练照片")
        page.fill("#id_next_week", "更换燃气报警器，复查护栏。")
        page.locator("#report-submit").click()
        page.wait_for_url(f"**{report_url}")
        expect(page.locator("#rounds li")).to_have_count(2)
        page.problems.assert_none(page)

        county.goto(report_url)
        county.locator("#review-accept").click()
        county.wait_for_url(f"**{report_url}")
        expect(county.locator(".portal-messages")).to_be_visible()
        county.goto(f"/reporting/weekly/review/{LABEL}/")
        expect(county.locator(f"#row-{tree.tz_school.code}")).to_contain_text("已通过")
        screenshot(county, "weekly-review-inbox")
        county.goto(f"/reporting/weekly/{tree.tongzhou.code}/{LABEL}/")
        expect(county.locator(f"#school-{tree.tz_school.code}")).to_be_visible()
        screenshot(county, "weekly-county-report")
        county.problems.assert_none(county)
    finally:
        desk.close()

    report = WeeklyReport.objects.get(unit=tree.tz_school, week=WEEK)
    assert report.status == WeeklyReport.Status.ACCEPTED
    assert report.rounds.count() == 2 and report.next_week == "更换燃气报警器，复查护栏。"
