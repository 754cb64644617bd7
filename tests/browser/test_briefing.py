"""A campaign briefing through the pages (issue 9, S13): ``city`` drafts it from live data at
1366 px, edits it, previews it (the chart is the PDF's SVG), publishes it and watches the job
run; the school's ``officer`` finds the issue on a phone (375 px) and downloads the PDF, read
back with pdftotext (第1期) and pdffonts (Noto Sans CJK embedded). Screenshots in
var/screenshots/ (``*-briefing-*.png``); every page is audited by axe (conftest.py).
"""

import re
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core import services as core_services
from core.models import Notification
from reporting.briefings import services
from reporting.models import Briefing
from tests.browser.test_inspection_round import browse

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _hazard(tree, actor):
    from hazards.services import hazard_register
    from tests.hazards.conftest import five_implementations, seeded_category

    return hazard_register(
        school=tree.tz_school,
        category=seeded_category(),
        level="general",
        source="self_check",
        location="教学楼",
        description="消防栓无水",
        found_on=timezone.localdate(),
        actor=actor,
        **five_implementations(),
    )


def test_city_drafts_previews_publishes_and_a_school_downloads_the_pdf(
    chromium, live_server, tree, city_staff, school_officer, screenshot, tmp_path
):
    _hazard(tree, school_officer)

    # 1. The city at 1366 px: draft from live data, edit, preview.
    city_context, city = browse(chromium, live_server, "desktop", "city")
    city.goto("/reporting/briefings/")
    screenshot(city, "briefing-1-list-empty")
    city.locator("#briefing-new").click()
    city.wait_for_url(re.compile(r"/reporting/briefings/\d+/edit/$"))
    briefing = Briefing.objects.get()
    city.fill("input[name=title]", "校园安全专项整治工作简报")
    city.fill("textarea[name=text_county_progress]", "各区县隐患排查有序推进。")
    screenshot(city, "briefing-2-edit")
    city.locator("#briefing-save").click()
    city.wait_for_url(re.compile(rf"/reporting/briefings/{briefing.pk}/$"))
    expect(city.locator("#briefing-document")).to_contain_text("各区县隐患排查有序推进。")
    chart = city.locator('#briefing-document img[src^="data:image/svg+xml;base64,"]')
    expect(chart.first).to_be_visible()
    screenshot(city, "briefing-3-preview")

    # 2. Publish: the page follows the job run; a worker would run it, the test runs it here.
    city.locator("#briefing-publish").click()
    city.wait_for_url(re.compile(rf"/reporting/briefings/{briefing.pk}/publish/$"))
    expect(city.locator("#briefing-progress [data-state]")).to_have_attribute(
        "data-state", "publishing"
    )
    screenshot(city, "briefing-4-publishing")
    briefing.refresh_from_db()
    core_services.job_run_execute(job_run_id=briefing.job_run_id)
    city.reload()
    expect(city.locator("#briefing-published-note")).to_be_visible()
    expect(city.locator("#briefing-progress [data-state]")).to_have_attribute(
        "data-state", "published"
    )
    screenshot(city, "briefing-5-published")
    city.problems.assert_none(city)
    city_context.close()
    briefing.refresh_from_db()
    assert briefing.number == 1
    assert Notification.objects.filter(
        recipient=school_officer, kind=services.NOTICE_PUBLISHED
    ).exists()

    # 3. The school's officer on a phone: the list, the issue, the PDF.
    officer_context, officer = browse(chromium, live_server, "phone", "officer")
    officer.goto("/reporting/briefings/")
    expect(officer.locator("#briefing-drafts")).to_have_count(0)
    link = officer.locator(f'#briefing-published a[href="/reporting/briefings/{briefing.pk}/"]')
    expect(link).to_be_visible()
    screenshot(officer, "briefing-6-officer-list")
    link.click()
    officer.wait_for_url(re.compile(rf"/reporting/briefings/{briefing.pk}/$"))
    expect(officer.locator("#briefing-edit")).to_have_count(0)
    screenshot(officer, "briefing-7-officer-issue")
    with officer.expect_download() as download:
        officer.locator("#briefing-pdf").click()
    path = tmp_path / "issue.pdf"
    download.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "工作简报" in text and "第1期" in text and "各区县隐患排查有序推进。" in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "Noto" in line and "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), cjk
    officer.problems.assert_none(officer)
    officer_context.close()

    # 4. The same pages the other way round: the preview on a phone, the list at 1366 px.
    for viewport, name, url in (
        ("phone", "city", f"/reporting/briefings/{briefing.pk}/"),
        ("desktop", "officer", "/reporting/briefings/"),
    ):
        context, page = browse(chromium, live_server, viewport, name)
        page.goto(url)
        screenshot(page, f"briefing-8-{name}")
        page.problems.assert_none(page)
        context.close()
