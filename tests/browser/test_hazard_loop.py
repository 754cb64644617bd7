"""The closed loop in a real browser: the school officer on a phone registers a hazard with a
photo, completes the five implementations, rectifies it with an after-photo and submits it,
each time told the next step; 通州区's county staff, at a 1366 px desk, accept it with an
acceptance opinion (a blank one is refused next to the field). It shows as closed, with who
accepted it, when, at which level and with what opinion, and its whole timeline."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from hazards.models import Evidence, Hazard
from tests.browser.conftest import PageProblems
from tests.factories import PASSWORD
from tests.hazards.conftest import png_bytes, seeded_category

pytestmark = pytest.mark.browser


def png_file(name):
    return {"name": name, "mimeType": "image/png", "buffer": png_bytes()}


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_closed_loop_on_a_phone_and_a_desk(
    page, chromium, live_server, school_officer, county_staff, tree, screenshot
):
    category = seeded_category()
    sign_in(page, "officer")

    page.goto("/hazards/new/")
    expect(page.locator("main h1")).to_be_visible()
    photos = page.locator("input[name=photos]")
    expect(photos).to_have_attribute("capture", "environment")
    page.select_option("select[name=category]", str(category.pk))
    page.select_option("select[name=source]", "self_check")
    page.fill("input[name=location]", "教学楼一楼东侧")
    page.fill("textarea[name=description]", "消防栓打开无水")
    photos.set_input_files([png_file("before.png")])
    screenshot(page, "hazard-new")
    page.locator("#hazard-new-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/hazards/NT-\d{4}-\d{6}/$"))
    hazard = Hazard.objects.get()
    expect(page.locator("#hazard-photos img")).to_have_count(1)
    expect(page.locator(".hz-five-missing").first).to_be_visible()
    expect(page.locator("#next-step")).to_have_attribute("data-step", "complete_five")
    screenshot(page, "hazard-registered")

    # The five implementations.
    page.locator("#edit-hazard").click()
    page.wait_for_url(f"**/hazards/{hazard.code}/edit/")
    page.fill("input[name=responsible_unit]", "总务处")
    page.fill("input[name=responsible_person]", "王主任")
    page.fill("input[name=responsible_phone]", "13900000000")
    page.fill("textarea[name=measures]", "更换消防栓阀门并试水")
    page.fill("input[name=funds_amount]", "1200")
    page.fill("input[name=funds_source]", "学校公用经费")
    page.select_option("select[name=funds_secured]", "true")
    page.fill("textarea[name=contingency_plan]", "设置警示标志，配备灭火器")
    expect(page.locator("input[name=deadline]")).to_be_disabled()
    page.locator("#hazard-edit-form [type=submit]").click()
    page.wait_for_url(f"**/hazards/{hazard.code}/")
    expect(page.locator(".hz-five-missing")).to_have_count(0)
    # The plan is complete: the status followed, and the one solid button starts the work.
    expect(page.locator(".hz-status")).to_have_attribute("data-status", "planned")
    expect(page.locator("#next-step")).to_have_attribute("data-step", "start")
    screenshot(page, "hazard-planned")

    page.locator("#action-start").click()
    page.wait_for_url(f"**/hazards/{hazard.code}/")
    expect(page.locator(".hz-status")).to_have_attribute("data-status", "rectifying")
    expect(page.locator("#next-step")).to_have_attribute("data-step", "add_evidence")
    screenshot(page, "hazard-rectifying")
    # The after-photo is taken right beside "submit for acceptance", with the camera.
    after = page.locator("#after-photo-file")
    expect(after).to_have_attribute("capture", "environment")
    expect(page.locator("#hz-next-action #action-submit")).to_be_visible()
    after.set_input_files([png_file("after.png")])
    page.locator("#after-photo-submit").click()
    page.wait_for_url(f"**/hazards/{hazard.code}/")
    expect(page.locator("#hazard-photos img")).to_have_count(2)
    page.locator("#action-submit").click()
    page.wait_for_url(f"**/hazards/{hazard.code}/")
    expect(page.locator(".hz-status")).to_have_attribute("data-status", "awaiting_acceptance")
    screenshot(page, "hazard-submitted")
    # Nothing at 375 px forces the page wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.problems.assert_none(page)

    # 通州区 at a desk accepts it.
    desk = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    desk.set_default_timeout(10_000)
    county = desk.new_page()
    county.problems = PageProblems(county, urlsplit(live_server.url).hostname)
    county.viewport_name = "desktop"
    try:
        sign_in(county, "tongzhou")
        county.goto(f"/hazards/{hazard.code}/")
        expect(county.locator("#action-reject-open")).to_be_visible()
        expect(county.locator("#next-step")).to_have_attribute("data-step", "accept")
        screenshot(county, "hazard-awaiting")
        # A blank opinion (spaces get past the browser's own check) is refused by the server,
        # next to the field; nothing changes.
        county.fill("#accept-opinion", "   ")
        county.locator("#action-accept").click()
        expect(county.locator("#accept-form .invalid-feedback")).to_have_text("请填写验收意见。")
        expect(county.locator(".hz-status")).to_have_attribute("data-status", "awaiting_acceptance")
        screenshot(county, "hazard-accept-refused")
        county.fill("#accept-opinion", "经现场复查，消防栓已更换并试水正常，同意销号。")
        county.locator("#action-accept").click()
        county.wait_for_url(f"**/hazards/{hazard.code}/")
        expect(county.locator(".hz-status")).to_have_attribute("data-status", "closed")
        expect(county.locator("#accepted-level")).to_have_text("县级")
        expect(county.locator("#acceptance-opinion")).to_contain_text("试水正常")
        events = county.locator("#timeline-events > li")
        kinds = [events.nth(i).get_attribute("data-kind") for i in range(events.count())]
        assert kinds[0] == "registered"
        assert kinds.count("transition") == 4  # planned, rectifying, awaiting acceptance, closed
        assert kinds.count("file") == 2 and "edit" in kinds
        expect(county.locator("#action-accept")).to_have_count(0)
        screenshot(county, "hazard-closed")
        county.problems.assert_none(county)
    finally:
        desk.close()

    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.CLOSED
    assert hazard.accepted_by == county_staff
    assert hazard.accepted_level == Hazard.AcceptanceLevel.COUNTY
    assert hazard.acceptance_opinion == "经现场复查，消防栓已更换并试水正常，同意销号。"
    assert set(hazard.evidence.values_list("kind", flat=True)) == {
        Evidence.Kind.BEFORE,
        Evidence.Kind.AFTER,
    }
