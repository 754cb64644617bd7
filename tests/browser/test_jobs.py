"""The job-run pages in a real browser, on a phone (375 px) and an office screen (1366 px):
通州区's county staff read why their run failed, in Chinese and without a traceback, re-run it,
and download a produced file; nothing scrolls sideways."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from campaign import services
from core import jobs
from core import services as core_services
from tests.browser.conftest import VIEWPORTS, PageProblems
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SIZES = {
    "phone": VIEWPORTS["phone"],
    "office": {"viewport": {"width": 1366, "height": 900}},
}
FAILING = "browser_always_fails"


@pytest.fixture(params=list(SIZES))
def job_page(request, chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **SIZES[request.param])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = PageProblems(page, urlsplit(live_server.url).hostname)
    page.viewport_name = request.param
    yield page
    context.close()


@pytest.fixture
def runs(tree, county_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def fails(run, report_progress):
        report_progress(30)
        raise RuntimeError("the provincial system did not answer")

    jobs.register(FAILING, "Always fails", fails, perm="run_jobs")
    failed = services.job_run_request(
        kind=FAILING, unit=tree.tongzhou, period="2019-W50", actor=county_staff
    )
    core_services.job_run_execute(job_run_id=failed.pk)
    done = services.org_statistics_request(unit=tree.tongzhou, actor=county_staff)
    core_services.job_run_execute(job_run_id=done.pk)
    done.refresh_from_db()
    yield failed, done
    jobs.registry.pop(FAILING, None)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def test_county_staff_read_why_a_run_failed_and_run_it_again(job_page, runs, screenshot):
    page = job_page
    failed, done = runs
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "tongzhou")
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/")

    page.goto("/jobs/")
    main = page.locator("main")
    expect(main).to_contain_text("任务因错误而中止。")
    expect(main).not_to_contain_text("RuntimeError")
    expect(main.get_by_role("link", name="下载")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "job-list")

    page.goto(f"/jobs/{failed.pk}/")
    expect(main).to_contain_text("失败原因")
    expect(main).to_contain_text("任务因错误而中止。市级管理员可查看详细信息。")
    expect(main).not_to_contain_text("Traceback")
    no_sideways_scroll(page)
    screenshot(page, "job-failed")
    page.get_by_role("button", name="重新运行").click()
    expect(main).to_contain_text("该任务已重新加入队列。")

    page.goto(f"/jobs/{done.pk}/")
    expect(main).to_contain_text("统计单位 1 个，学校 2 所。")
    with page.expect_download() as download:
        main.get_by_role("link", name=done.file_name).click()
    assert download.value.suggested_filename == done.file_name
    no_sideways_scroll(page)
    screenshot(page, "job-done")
    page.problems.assert_none(page)


def test_a_city_admin_opens_the_technical_details(job_page, runs, city_admin, screenshot):
    page = job_page
    failed, _done = runs
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/")

    page.goto(f"/jobs/{failed.pk}/")
    main = page.locator("main")
    details = main.locator("details")
    expect(details).not_to_have_attribute("open", "")
    details.locator("summary", has_text="技术详情").click()
    expect(details.locator("pre")).to_contain_text("RuntimeError: the provincial system")
    no_sideways_scroll(page)
    screenshot(page, "job-failed-admin")
    page.problems.assert_none(page)
