"""The city's administrator edits the campaign's checklist in a real browser, at 375 and 1366 px:
a refused limit keeps what was typed, a saved edit of a used version makes version 2, and the
version history says what changed (axe-core audits every page, tests/browser/conftest.py)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inspections.checklists.seed import checklist_seed
from inspections.models import ChecklistVersion, InspectionPlan
from tests.browser.test_hazard_loop import sign_in

pytestmark = pytest.mark.browser


def no_sideways_scroll(page):
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_administrator_edits_a_used_checklist(page, city_admin, tree, screenshot):
    template = checklist_seed(tree.city)
    v1 = template.current_version()
    InspectionPlan.objects.create(
        city=tree.city, title="专项督查", round="2019年第四季度",
        period_start=dt.date(2019, 12, 1), period_end=dt.date(2019, 12, 31),
        checklist=template, version=v1, draw_size=1, state="sealed", sealed_at=timezone.now(),
    )  # fmt: skip
    ChecklistVersion.objects.filter(pk=v1.pk).update(used_at=timezone.now())

    # The editor is a long page (the whole checklist): give a loaded machine time to render it.
    page.set_default_timeout(30_000)
    sign_in(page, "admin")
    page.goto("/inspections/checklists/")
    expect(page.locator("main")).to_contain_text(template.name)
    no_sideways_scroll(page)
    page.goto(f"/inspections/checklists/{template.code}/")
    expect(page.locator("main")).to_contain_text("视频监控无黑屏")
    no_sideways_scroll(page)
    screenshot(page, "checklist-detail")

    page.goto(f"/inspections/checklists/{template.code}/edit/")
    expect(page.locator("#checklist-version-note")).to_contain_text("2")
    no_sideways_scroll(page)
    clock = page.locator("input[value='video-clock']").get_attribute("name")[: -len("-code")]
    page.fill(f"#id_{clock}-threshold", "三分钟")
    page.fill(f"#id_{clock}-text", "监控时间与北京时间误差（分钟）")
    page.locator(f"#id_{clock}-threshold").press("Enter")  # Enter saves
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator(f"#id_{clock}-threshold")).to_have_value("三分钟")
    expect(page.locator(f"#id_{clock}-text")).to_have_value("监控时间与北京时间误差（分钟）")
    assert template.versions.count() == 1

    page.fill(f"#id_{clock}-threshold", "3")
    page.locator("#checklist-form button.btn-primary").click()
    page.wait_for_url(f"**/inspections/checklists/{template.code}/")
    expect(page.locator("#checklist-history")).to_contain_text("video-clock")
    assert template.current_version().number == 2
    assert v1.items.get(code="video-clock").threshold == 5
    page.goto(f"/inspections/checklists/{template.code}/?v=1")
    expect(page.locator("main")).to_contain_text("视频监控时间与北京时间误差")
