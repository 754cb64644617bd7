"""The portal without a mouse (issue 7 C, WCAG 2.1.1 and 2.4.7): the school's safety officer
signs in and registers a hazard with the keyboard alone — Tab to move, Enter to follow a link,
open a menu or send a form, typing into the fields (and an arrow key inside the category's
drop-down list, which is how a keyboard chooses in one). Every stop Tab makes shows a focus
ring of at least 3:1 against what surrounds it, in the blue header bar as on the page, and a
refused sign-in puts the focus on the error summary."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from hazards.models import Hazard
from tests.factories import PASSWORD
from tests.hazards.conftest import seeded_category

pytestmark = pytest.mark.browser

MAX_TABS = 80

# The function of focus_ring.js, without its comment (Playwright calls a string that starts
# with the function).
FOCUS_RING = "\n".join(
    line
    for line in (Path(__file__).parent / "focus_ring.js").read_text().splitlines()
    if not line.startswith("//")
)


def workbench(url):
    return urlsplit(url).path == "/"


def assert_focus_visible(page):
    ring = page.evaluate(FOCUS_RING)
    assert ring["width"] >= 2 and ring["ratio"] >= 3, (
        f"{page.url}: {ring['element']} has focus but shows no visible ring "
        f"({ring['width']} px, {ring['ratio']:.2f}:1; at least 2 px and 3:1 are needed)"
    )


def tab_to(page, selector):
    """Press Tab until ``selector`` has the focus, checking the ring at every stop."""
    target = page.locator(selector)
    expect(target).to_have_count(1)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement !== document.body"):
            assert_focus_visible(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{page.url}: {selector} is not reached with Tab within {MAX_TABS} presses")


def test_the_officer_signs_in_and_registers_a_hazard_with_the_keyboard(
    page, school_officer, tree, screenshot
):
    seeded_category()
    page.goto("/accounts/login/")
    # The user name field has the focus already (autofocus).
    expect(page.locator("input[name=username]")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type("officer")
    tab_to(page, "input[name=password]")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    # Refused: the summary says why and has the focus; the user name is kept.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert_focus_visible(page)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(workbench)

    # The register menu: on a phone behind the menu button, on a desk in the bar.
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        tab_to(page, "button.navbar-toggler")
        page.keyboard.press("Enter")
        expect(page.locator("#portal-nav")).to_be_visible()
    tab_to(page, "#hazard-menu")
    page.keyboard.press("Enter")
    expect(page.locator("#nav-hazard-new")).to_be_visible()
    tab_to(page, "#nav-hazard-new")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hazards/new/")

    tab_to(page, "select[name=category]")
    page.keyboard.press("ArrowDown")
    expect(page.locator("select[name=category]")).not_to_have_value("")
    chosen = page.locator("select[name=category]").input_value()
    tab_to(page, "input[name=location]")
    page.keyboard.type("教学楼一楼东侧")
    tab_to(page, "textarea[name=description]")
    page.keyboard.type("消防栓打开无水")
    screenshot(page, "keyboard-hazard-new")
    tab_to(page, "#hazard-new-form [type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/hazards/NT-\d{4}-\d{6}/$"))

    hazard = Hazard.objects.get()
    assert str(hazard.category_id) == chosen
    assert hazard.location == "教学楼一楼东侧"
    assert hazard.description == "消防栓打开无水"
    assert hazard.found_by == school_officer
    expect(page.locator("main h1")).to_contain_text(hazard.code)
    page.problems.assert_none(page)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_every_stop_of_the_header_and_the_workbench_shows_its_focus(page, county_staff, tree):
    """The current menu link (the workbench's own) shows its focus on the blue bar too."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "tongzhou")
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(workbench)
    tab_to(page, "#portal-nav a.nav-link[aria-current=page]")
    # On, through the rest of the bar and the whole workbench, back to the address bar.
    seen = set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break
        assert_focus_visible(page)
        seen.add(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
    assert len(seen) > 10, f"only {len(seen)} stops on the workbench"
    page.problems.assert_none(page)
