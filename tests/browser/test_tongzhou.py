"""通州区's county staff use the portal in a real browser, at desktop and phone size.

They sign in, see their county's schools and not 如东县's, open a school, and switch the
interface to English and back. Nothing may break the CSP, fail to load or come from another
host (bureau networks are intranets).
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def open_nav(page, href):
    """Follow a main-navigation link; on a phone the navbar is collapsed behind the toggler."""
    link = page.locator(f"#portal-nav a.nav-link[href='{href}']")
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(link).to_be_visible()
    link.click()
    page.wait_for_url(f"**{href}")


def sign_out_label(language):
    with translation.override(language):
        return translation.gettext("Sign out")


def test_tongzhou_sees_their_county_and_switches_language(page, county_staff, tree, screenshot):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    screenshot(page, "login")
    page.fill("input[name=username]", "tongzhou")
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    screenshot(page, "workbench")

    open_nav(page, "/tree/")
    main = page.locator("main")
    expect(main).to_contain_text("通州区")
    expect(main).not_to_contain_text("如东县")
    screenshot(page, "tree")

    open_nav(page, "/schools/")
    expect(main).to_contain_text("通州区实验小学")
    expect(main).to_contain_text("通州区金沙幼儿园")
    expect(main).not_to_contain_text("如东县掘港初级中学")
    screenshot(page, "schools")

    page.locator("main a", has_text="通州区实验小学").first.click()
    page.wait_for_url("**/schools/NT-TZ-0001/")
    expect(page.locator("main h1")).to_contain_text("通州区实验小学")
    screenshot(page, "school")

    # The language switch sits outside the collapsed menu: usable on a phone without opening it.
    page.locator("#lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_url("**/schools/NT-TZ-0001/")
    expect(page.locator("#sign-out")).to_have_text("Sign out")
    expect(page.locator("main h1")).to_contain_text("通州区实验小学")
    screenshot(page, "school-en")

    page.locator("#lang-zh-hans").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#sign-out")).to_have_text(sign_out_label("zh-hans"))

    page.problems.assert_none(page)


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_pages_fit_the_screen(page, county_staff, tree, screenshot):
    """At 375 px nothing forces the page wider than the screen (tables scroll in place)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "tongzhou")
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    for path in ("/", "/tree/", "/schools/", "/schools/NT-TZ-0001/", "/counties/NT-TZ/", "/jobs/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide on a 375px phone"
    page.goto("/")
    page.locator("button.navbar-toggler").click()
    expect(page.locator("#portal-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    screenshot(page, "menu-open")
    page.problems.assert_none(page)
