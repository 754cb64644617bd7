"""Directives in a real browser, at 375 px and 1366 px: the city has issued the speech's own
directive (hold a dedicated study meeting on Monday 2019-12-16 and upload the minutes) to
通州区 and 如东县; on the Monday evening 通州区's clerk finds it on the workbench, confirms it
with the minutes file from the phone, and the city's Safety & Stability Office reads the
progress — 通州区 confirmed on time, 如东县 not yet — and reminds only 如东县."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from campaign.models import DirectiveReceipt
from tests.browser.test_weekly_report import sign_in
from tests.campaign.directives.helpers import issue, media  # noqa: F401
from tests.hazards.conftest import PNG_1X1, local

pytestmark = pytest.mark.browser

MONDAY_EVENING = local(dt.date(2019, 12, 16), 18)


@pytest.fixture
def monday_evening():
    with time_machine.travel(MONDAY_EVENING, tick=True):
        yield


def _fits(page):
    if page.viewport_name == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.usefixtures("media")
def test_the_county_confirms_with_its_minutes_and_the_city_reminds_the_rest(
    monday_evening, page, live_server, county_staff, safety_office, tree, screenshot
):
    directive = issue(tree.city, safety_office, [tree.tongzhou, tree.rudong])
    tongzhou = DirectiveReceipt.objects.get(directive=directive, unit=tree.tongzhou)
    rudong = DirectiveReceipt.objects.get(directive=directive, unit=tree.rudong)

    sign_in(page, "tongzhou")
    section = page.locator("#wb-directives")
    expect(section).to_contain_text("召开专题研究会议")
    _fits(page)
    screenshot(page, "directive-workbench")
    section.get_by_role("link", name="召开专题研究会议").click()
    page.wait_for_url(f"**/directives/receipts/{tongzhou.pk}/confirm/")
    expect(page.locator("main")).to_contain_text("召开专题研究会议并上传会议纪要")
    page.fill("#id_note", "12月16日下午区教育局召开专题研究会议，传达全市推进会精神，部署整治。")
    page.set_input_files(
        "#id_file",
        files=[{"name": "专题研究会议纪要.png", "mimeType": "image/png", "buffer": PNG_1X1}],
    )
    _fits(page)
    screenshot(page, "directive-confirm")
    page.locator("#confirm-submit").click()
    page.wait_for_url(f"**/directives/{directive.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("通州区")
    tongzhou.refresh_from_db()
    assert tongzhou.state == DirectiveReceipt.State.ON_TIME
    assert tongzhou.file.name and tongzhou.done_on == dt.date(2019, 12, 16)
    _fits(page)
    screenshot(page, "directive-confirmed")

    page.context.clear_cookies()
    sign_in(page, "anwen")
    page.goto(f"/directives/{directive.pk}/")
    expect(page.locator(f"#receipt-{tongzhou.pk}")).to_contain_text("已确认")
    expect(page.locator(f"#receipt-{rudong.pk}")).to_contain_text("未确认")
    expect(page.locator('[data-count="pending"]')).to_have_text("1")
    _fits(page)
    screenshot(page, "directive-progress")
    page.locator("#directive-remind").click()
    page.wait_for_url(re.compile(rf"/directives/{directive.pk}/"))
    expect(page.locator(".alert-success")).to_contain_text("1")
    rudong.refresh_from_db()
    tongzhou.refresh_from_db()
    assert rudong.reminded_at is not None
    assert tongzhou.reminded_at is None, "the unit that confirmed is not reminded"
