"""The campaign calendar in Chromium: the month as a grid Monday–Sunday on a desk (1366 px) and
as a list by day on a phone (375 px, nothing wider than the screen), with screenshots of both
(var/screenshots/), the filter by kind and the month links."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reporting.models import WeeklyReport
from reporting.weekly import opening, periods
from tests.factories import PASSWORD
from tests.reporting.weekly.test_review import submit

pytestmark = pytest.mark.browser

TAP_TARGETS = Path(__file__).with_name("tap_targets.js").read_text()
PHONE_WIDTH = 375


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.fixture
def this_week(tree, school_officer, county_staff):
    week = periods.this_week()
    opening.week_open(week=week)
    submit(WeeklyReport.objects.get(unit=tree.tz_school, week=week), school_officer)
    return week


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_month_view_on_a_desk_and_on_a_phone(page, viewport, this_week, screenshot):
    sign_in(page, "tongzhou")
    # Due this week on the workbench, with a link to the calendar.
    expect(page.locator("#wb-calendar")).to_be_visible()
    page.goto("/reporting/calendar/")
    heading = page.locator("#calendar-heading").inner_text()
    if viewport == "desktop":
        grid = page.locator("#calendar-grid")
        expect(grid).to_be_visible()
        expect(page.locator("#calendar-days")).to_be_hidden()
        expect(grid.locator("thead th")).to_have_count(7)
        assert grid.locator(".cal-chip").count() >= 2
        expect(grid.locator(".cal-today")).to_have_count(1)
    else:
        expect(page.locator("#calendar-grid")).to_be_hidden()
        days = page.locator("#calendar-days")
        expect(days).to_be_visible()
        assert days.locator(".cal-chip").count() >= 2
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"the calendar is {width}px wide on a {PHONE_WIDTH}px phone"
        small = page.evaluate(TAP_TARGETS)
        assert not small, f"tap targets under 44 px: {small}"
    screenshot(page, "calendar-month")

    # Only the campaign's dates: the weekly chips go.
    expect(page.locator("#kind-campaign")).to_be_checked()
    page.locator("#kind-weekly").uncheck()
    page.locator("#calendar-filter [type=submit]").click()
    page.wait_for_url(re.compile(r"kind=campaign"))
    visible = "#calendar-grid" if viewport == "desktop" else "#calendar-days"
    expect(page.locator(f"{visible} .cal-chip[data-kind=weekly]")).to_have_count(0)
    # The next month keeps the filter.
    page.locator("#month-next").click()
    page.wait_for_url(re.compile(r"/calendar/\d{4}/\d{1,2}/\?.*kind=campaign"))
    assert "kind=weekly" not in page.url
    assert page.locator("#calendar-heading").inner_text() != heading

    page.goto("/reporting/calendar/list/")
    expect(page.locator("#calendar-list .cal-chip").first).to_be_visible()
    screenshot(page, "calendar-list")
    page.problems.assert_none(page)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_run_now_page_sends_a_task(page, viewport, tree, city_admin, screenshot):
    from django.core.management import call_command

    call_command("sync_schedules", stdout=open("/dev/null", "w"))
    sign_in(page, "admin")
    page.goto("/schedules/")
    rows = page.locator("#schedules > li")
    assert rows.count() >= 1
    screenshot(page, "run-now")
    if viewport == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"the run-now page is {width}px wide on a phone"
    page.problems.assert_none(page)
