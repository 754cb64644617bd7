"""Key periods in a real browser, at 375 px and 1366 px: during the city's New Year key period
the school officer files today's daily safety report with one tap on the workbench ("nothing
to report"); 通州区's clerk then finds, on the period's page, that its school has filed and
who has not."""

import pytest
from playwright.sync_api import expect

from campaign.models import DailyReport
from tests.browser.test_weekly_report import sign_in
from tests.campaign.keyperiods.helpers import period

pytestmark = pytest.mark.browser


def _fits(page):
    if page.viewport_name == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_officer_files_a_zero_report_in_one_tap_and_the_county_sees_it(
    page, live_server, school_officer, county_staff, tree, screenshot
):
    key_period = period(tree.city)
    code = tree.tz_school.code

    sign_in(page, "officer")
    section = page.locator("#wb-key-periods")
    expect(section).to_contain_text("元旦假期")
    expect(page.locator(f"#today-{code}")).to_contain_text("尚未报送")
    _fits(page)
    screenshot(page, "key-period-workbench")
    page.locator(f"#zero-report-{code}").click()
    expect(page.locator(".alert-success")).to_contain_text(tree.tz_school.name)
    expect(page.locator(f"#today-{code}")).to_contain_text("已报送：无事零报告")
    report = DailyReport.objects.get(unit=tree.tz_school)
    assert report.nothing_to_report and report.period == key_period
    _fits(page)
    screenshot(page, "key-period-filed")

    page.context.clear_cookies()
    sign_in(page, "tongzhou")
    page.locator("#wb-key-periods-missing a").first.click()
    page.wait_for_url(f"**/key-periods/{key_period.pk}/**")
    missing = page.locator("#missing")
    expect(missing).to_contain_text("通州区")  # the county's own report is still owed
    expect(page.locator(f"#missing-{code}")).to_have_count(0)
    _fits(page)
    screenshot(page, "key-period-county")
