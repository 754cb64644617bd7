"""The monthly upload in a real browser: 通州区's county staff confirm the month's upload on a
phone (375 px) and at the office (1366 px); the city sees it confirmed in the month view, and
its administrator previews an edited format. Nothing scrolls sideways."""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting.monthly import services
from tests.browser.conftest import VIEWPORTS, PageProblems
from tests.factories import PASSWORD
from tests.reporting.monthly.helpers import prepare, register

pytestmark = pytest.mark.browser
SIZES = {"phone": VIEWPORTS["phone"], "office": {"viewport": {"width": 1366, "height": 900}}}


@pytest.fixture(params=list(SIZES))
def month_page(request, chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **SIZES[request.param])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = PageProblems(page, urlsplit(live_server.url).hostname)
    page.viewport_name = request.param
    yield page
    context.close()


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/")


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def test_county_staff_confirm_and_the_city_sees_it(
    month_page, tree, county_staff, city_admin, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_UPLOADER = "file"
    register(tree, tree.tz_school, found_on=services.this_month())
    label = services.month_label(services.this_month())
    prepare(tree.tongzhou, label)
    page = month_page

    sign_in(page, "tongzhou")
    page.goto("/reporting/monthly/")
    card = page.locator(f"#upload-{label}")
    expect(card.locator("[data-status=ready]")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "monthly-county-ready")
    with page.expect_download() as download:
        page.locator(f"#download-{label}").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    form = page.locator(f"#confirm-{label}")
    form.locator("input[name=receipt_number]").fill("")
    form.locator("button[type=submit]").click()
    expect(
        page.locator(f"#confirm-{label} .invalid-feedback, #confirm-{label} .text-danger").first
    ).to_be_visible()
    form = page.locator(f"#confirm-{label}")
    form.locator("input[name=receipt_number]").fill("JS-2026-0042")
    form.locator("input[name=receipt_date]").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#upload-{label} [data-status=confirmed]")).to_be_visible()
    expect(page.locator(f"#upload-{label} [data-receipt]")).to_have_text("JS-2026-0042")
    no_sideways_scroll(page)
    screenshot(page, "monthly-county-confirmed")

    page.context.clear_cookies()
    sign_in(page, "admin")
    page.goto(f"/reporting/monthly/{label}/")
    expect(page.locator("#county-NT-TZ [data-status=confirmed]")).to_be_visible()
    expect(page.locator("#county-NT-RD [data-status=not_prepared]")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "monthly-city-month")

    page.goto("/reporting/monthly/template/")
    page.locator("textarea[name=columns]").fill("编号 | code\n学校 | school_name")
    page.locator("#format-preview").click()
    expect(page.locator("#format-preview-table th")).to_have_text(["编号", "学校"])
    expect(page.locator("#format-preview-table td").nth(1)).to_have_text("通州区实验小学")
    no_sideways_scroll(page)
    screenshot(page, "monthly-format-preview")
    page.problems.assert_none(page)
