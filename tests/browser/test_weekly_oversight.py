"""The weekly oversight pages in a real browser, on a phone (375 px) and an office screen
(1366 px): the city reads the rates, opens 通州区's schools and reminds who is missing;
通州区's county staff read their schools; the city opens the weekly summaries. Nothing scrolls
sideways."""

import pytest
from playwright.sync_api import expect

from campaign.roles import Role
from core.models import Notification
from reporting.weekly import opening
from tests.factories import PASSWORD, UserFactory, grant
from tests.reporting.weekly.oversight.conftest import LABEL, WEEK, mark

pytestmark = pytest.mark.browser


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/")


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


@pytest.fixture
def week_data(tree):
    opening.week_open(week=WEEK)
    mark(tree.tz_school, found=3)
    mark(tree.rd_school, late=True, empty=True)
    grant(UserFactory(username="kg-officer"), Role.SCHOOL_OFFICER, tree.tz_school2)


def test_city_reads_the_rates_and_reminds_who_is_missing(page, week_data, city_staff, screenshot):
    sign_in(page, "city")
    page.goto(f"/reporting/weekly/status/{LABEL}/")
    main = page.locator("main")
    # The table on an office screen, a card per line on a phone.
    line = "#line-county-NT-TZ" if page.viewport_name == "desktop" else "#card-county-NT-TZ"
    expect(main.locator(line)).to_be_visible()
    expect(main.locator(line)).to_contain_text("50.0%")
    direct = "#line-direct-NT" if page.viewport_name == "desktop" else "#card-direct-NT"
    expect(main.locator(direct)).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "weekly-rates-city")
    main.get_by_role("link", name="通州区", exact=True).click()
    expect(main.locator("#school-NT-TZ-0002")).to_be_visible()
    no_sideways_scroll(page)
    # Reminding writes a notice per person: give a loaded machine time for the round trip.
    with page.expect_navigation(timeout=30_000):
        main.locator("#remind-all").click(no_wait_after=True)
    expect(page.locator(".alert").first).to_be_visible()
    assert Notification.objects.filter(recipient__username="kg-officer").count() == 1
    no_sideways_scroll(page)
    screenshot(page, "weekly-rates-county-schools")
    page.goto(f"/reporting/weekly/empty/{LABEL}/")
    expect(main.locator("#empty-NT-RD-0001")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "weekly-key-supervision")
    page.problems.assert_none(page)


def test_county_staff_read_their_schools(page, week_data, county_staff, screenshot):
    sign_in(page, "tongzhou")
    page.goto(f"/reporting/weekly/status/{LABEL}/")
    main = page.locator("main")
    expect(main.locator("#school-NT-TZ-0001")).to_be_visible()
    expect(main).not_to_contain_text("如东县")
    no_sideways_scroll(page)
    screenshot(page, "weekly-rates-tongzhou")
    page.goto("/reporting/weekly/summaries/")
    expect(main.locator("#summaries-empty")).to_be_visible()
    page.problems.assert_none(page)
