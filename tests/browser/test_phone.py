"""The school officer on a phone (375 px): the register is a list of cards and a hazard's page
has its next step beside what it needs, with nothing wider than the screen and every tap
target at least 44 px; and the register, a hazard and the workbench photographed at 375 and
1366 px (var/screenshots/)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hazards import services
from hazards.models import Evidence, Hazard
from tests.factories import PASSWORD
from tests.hazards.conftest import five_implementations, png_upload, seeded_category

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
def register(tree, school_officer, county_staff, settings, tmp_path):
    """The school's register: a few hazards in the states an officer works on, one overdue,
    one awaiting acceptance."""
    settings.MEDIA_ROOT = tmp_path
    category = seeded_category()
    today = timezone.localdate()

    def register(location, five=True, **extra):
        kwargs = {
            "school": tree.tz_school,
            "category": category,
            "level": Hazard.Level.GENERAL,
            "source": Hazard.Source.SELF_CHECK,
            "location": location,
            "description": "消防栓打开无水",
            "found_on": today - dt.timedelta(days=3),
            "actor": school_officer,
        }
        kwargs.update(five_implementations() if five else {})
        kwargs.update(extra)
        return services.hazard_register(**kwargs)

    register("操场北侧围墙", five=False)
    register("教学楼外墙瓷砖", level=Hazard.Level.MAJOR)
    late = register("食堂后门")
    Hazard.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=2))
    rectifying = register("教学楼一楼东侧")
    services.hazard_start_rectification(hazard=rectifying, actor=school_officer)
    awaiting = register("校门口减速带")
    services.hazard_start_rectification(hazard=awaiting, actor=school_officer)
    services.hazard_attach(
        hazard=awaiting, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    services.hazard_submit_for_acceptance(hazard=awaiting, actor=school_officer)
    return {"rectifying": rectifying, "awaiting": awaiting}


def fits_the_phone(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{what} is {width}px wide on a {PHONE_WIDTH}px phone"
    small = page.evaluate(TAP_TARGETS)
    assert not small, f"{what}: tap targets under 44 px: {small}"


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_officer_uses_the_register_and_a_hazard_on_a_phone(page, register, school_officer):
    sign_in(page, "officer")
    # The workbench: registering a hazard and what is due come first.
    register_button = page.locator("#wb-register-hazard")
    expect(register_button).to_be_visible()
    assert register_button.bounding_box()["y"] < page.locator("#total-schools").bounding_box()["y"]
    fits_the_phone(page, "the workbench")

    page.goto("/hazards/")
    expect(page.locator("#hazard-cards")).to_be_visible()
    expect(page.locator("#hazard-table")).to_be_hidden()
    expect(page.locator("#hazard-cards > li")).to_have_count(5)
    expect(page.locator("#hazard-import-link")).to_have_count(0)
    expect(page.locator("select[name=county]")).to_have_count(0)
    expect(page.locator("#hazard-cards .hz-overdue")).to_have_count(1)
    # Fields at 16 px, so the phone does not zoom into them.
    assert page.locator("#id_q").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    fits_the_phone(page, "the register")
    page.locator("#more-filters-toggle").click()
    expect(page.locator("#more-filters")).to_be_visible()
    fits_the_phone(page, "the register with its filters open")

    code = register["rectifying"].code
    page.locator(f"#hazard-cards a[href='/hazards/{code}/']").click()
    page.wait_for_url(f"**/hazards/{code}/")
    after = page.locator("#hz-next-action #after-photo-file")
    expect(after).to_have_attribute("capture", "environment")
    expect(after).to_have_attribute("accept", "image/*")
    expect(page.locator("#hz-next-action #action-submit")).to_be_visible()
    expect(page.locator("#upload-kind")).to_have_value("after")
    fits_the_phone(page, "a hazard's page")
    page.problems.assert_none(page)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_screenshots_of_the_register_a_hazard_and_the_workbench(
    page, register, school_officer, county_staff, screenshot, chromium
):
    sign_in(page, "officer")
    screenshot(page, "officer-workbench")
    page.goto("/hazards/")
    screenshot(page, "officer-register")
    page.goto(f"/hazards/{register['rectifying'].code}/")
    screenshot(page, "officer-hazard")
    page.problems.assert_none(page)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_county_register_on_a_desk_uses_the_full_width(
    page, viewport, register, county_staff, screenshot
):
    sign_in(page, "tongzhou")
    screenshot(page, "county-workbench")
    page.goto("/hazards/")
    screenshot(page, "county-register")
    if viewport == "desktop":
        table = page.locator("#hazard-table")
        expect(table).to_be_visible()
        assert table.bounding_box()["width"] > 1200
        # No cell breaks a short word: every grade, status and county cell is one line.
        heights = page.evaluate(
            """() => [...document.querySelectorAll('#hazard-table td, #hazard-table th')]
                 .filter(c => c.offsetParent && !c.querySelector('.portal-name'))
                 .map(c => [c.textContent.trim(), c.scrollWidth > c.clientWidth + 1])
                 .filter(([, over]) => over)"""
        )
        assert not heights, heights
        lines = page.evaluate(
            """() => [...document.querySelectorAll('#hazard-table thead th')]
                 .map(th => [th.textContent.trim(),
                             Math.round(th.getBoundingClientRect().height)])"""
        )
        tallest = max(h for _text, h in lines)
        assert all(h == tallest for _text, h in lines) and tallest < 50, lines
        # Printed: the bureau, the unit and the date on top; no menu, filters or buttons.
        page.emulate_media(media="print")
        expect(page.locator("#print-header")).to_be_visible()
        expect(page.locator("#print-header")).to_contain_text("通州区")
        expect(page.locator("#hazard-filters")).to_be_hidden()
        expect(page.locator(".portal-header")).to_be_hidden()
        expect(page.locator("#hazard-table")).to_be_visible()
        screenshot(page, "county-register-print")
        page.emulate_media(media="screen")
    else:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.goto(f"/hazards/{register['awaiting'].code}/")
    screenshot(page, "county-hazard-awaiting")
    if viewport == "desktop":
        page.emulate_media(media="print")
        expect(page.locator("#print-header")).to_contain_text("通州区实验小学")
        expect(page.locator("#accept-form")).to_be_hidden()
        screenshot(page, "county-hazard-print")
        page.emulate_media(media="screen")
    page.problems.assert_none(page)
