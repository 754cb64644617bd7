"""Campaign governance in a real browser, at 375 px and 1366 px: the school officer reports an
off-campus incident two hours after learning of it (late); the city's Safety & Stability Office
finds it in the list, reads its time to report, and finds the school on the accountability
record; the city reads the leading groups' overview (如东县 incomplete)."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from campaign.models import AccountabilityEntry, Incident
from campaign.workgroup.demo import seed_demo_workgroups
from tests.browser.test_weekly_report import sign_in
from tests.hazards.conftest import local

pytestmark = pytest.mark.browser

NOW = local(dt.date(2026, 12, 3), 10)


@pytest.fixture
def thursday():
    with time_machine.travel(NOW, tick=True):
        yield


def _fits(page):
    if page.viewport_name == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_officer_reports_an_incident_and_the_city_reads_its_time_to_report(
    thursday, page, live_server, school_officer, safety_office, tree, screenshot
):
    sign_in(page, "officer")
    page.goto("/incidents/")
    screenshot(page, "incident-list-empty")
    page.locator("#incident-new").click()
    page.wait_for_url("**/incidents/new/")
    page.fill("#id_occurred_at", "2026-12-03T07:40")
    page.fill("#id_learned_at", "2026-12-03T08:00")
    page.get_by_label("校外").check()
    page.fill("#id_place", "学校东侧河塘")
    page.select_option("#id_category", "drowning")
    page.fill("#id_description", "一名五年级男生放学后在河塘边玩耍落水，被路人救起，呛水昏迷。")
    page.fill("#id_serious_injuries", "1")
    page.fill("#id_handling", "已送南通市第一人民医院观察，家长已到场。")
    _fits(page)
    screenshot(page, "incident-form")
    page.locator("#incident-submit").click()
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("事故已报告")
    expect(page.locator("#step-county")).to_contain_text("迟报")
    _fits(page)
    screenshot(page, "incident-reported")
    incident = Incident.objects.get()
    assert incident.late_to_county and not incident.on_campus

    page.context.clear_cookies()
    sign_in(page, "anwen")
    page.goto("/incidents/")
    expect(page.locator(f"#incident-{incident.pk}")).to_contain_text("校外")
    expect(page.locator(f"#incident-{incident.pk}")).to_contain_text("迟报")
    page.locator(f"#incident-{incident.pk} a").first.click()
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    expect(page.locator("#time-to-report")).to_contain_text("县（市、区）接报")
    expect(page.locator("#step-city")).to_contain_text("市局尚未接报")
    _fits(page)
    screenshot(page, "incident-city")

    page.goto("/accountability/")
    entry = AccountabilityEntry.objects.get()
    row = page.locator(f"#entry-{entry.pk}")
    expect(row).to_contain_text("通州区实验小学 · 事故迟报")
    _fits(page)
    screenshot(page, "accountability-list")
    row.locator("a").first.click()
    page.wait_for_url(f"**/accountability/{entry.pk}/")
    expect(page.locator("#entry-explanation")).to_contain_text("该单位尚未作出说明")
    screenshot(page, "accountability-entry")


def test_the_city_reads_the_leading_groups(page, live_server, safety_office, tree, screenshot):
    seed_demo_workgroups(city=tree.city)
    sign_in(page, "anwen")
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("#governance-menu").click()
    page.locator("#nav-workgroup").click()
    page.wait_for_url("**/working-group/")
    expect(page.locator("#workgroup-counts")).to_contain_text("1")
    expect(page.locator("main")).to_contain_text("如东县")
    expect(page.locator("main")).to_contain_text("未健全")
    _fits(page)
    screenshot(page, "workgroup-overview")
    page.get_by_role("link", name=re.compile("通州区")).first.click()
    page.wait_for_url("**/working-group/NT-TZ/")
    expect(page.locator("main")).to_contain_text("第一责任人")
    _fits(page)
    screenshot(page, "workgroup-detail")
