"""A whole round of unannounced inspections through the pages (issue 8, the browser test).

The ``inspector`` starts the visit at 通州区实验小学 on a phone, fails two items with photos and
finishes; the hazards appear in the register; ``city`` finishes the round and publishes the
circular at 1366 px; the school's ``officer`` sees the findings and the rectification notice
only after the visit has started (before, the visit answers 404 and nothing of the plan shows).
Screenshots in var/screenshots/ (``*-round-*.png``); every page is audited by axe (conftest.py).
"""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import expect

from core import services as core_services
from hazards.models import Evidence, Hazard
from inspections.models import Answer, ChecklistItem, Circular, RectificationNotice, Visit
from tests.browser.conftest import VIEWPORTS, PageProblems
from tests.factories import PASSWORD
from tests.hazards.conftest import png_bytes
from tests.inspections import conftest as inspection_fixtures

pytestmark = pytest.mark.browser

# The sealed plan with its visit at 通州区实验小学 and the ``inspector`` leading its team.
checklist = inspection_fixtures.checklist
draft_plan = inspection_fixtures.draft_plan
sealed_plan = inspection_fixtures.sealed_plan
visit = inspection_fixtures.visit

FAILED = ("gate-register", "alarm-live")
DOC_NUMBER = re.compile(r"〔\d{4}〕1号")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def answer_label(result):
    """How the page names an answer's result (the model's choice label, in Chinese)."""
    with translation.override("zh-hans"):
        return str(Answer.Result(result).label)


def zh(msgid):
    """What the page says in Chinese (the msgid itself until the catalogue has it)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def browse(chromium, live_server, viewport, username):
    """A fresh context at ``viewport``, signed in as ``username``, with ``page.problems``."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = viewport
    page.problems = PageProblems(page, urlsplit(live_server.url).hostname)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    return context, page


def zh_display(hazard):
    with translation.override("zh-hans"):
        return str(hazard.get_status_display())


def item_box(page, the_visit, code):
    item = ChecklistItem.objects.get(version=the_visit.version, code=code)
    return page.locator(f"#item-{item.pk}")


def photo_file(name):
    return {"name": name, "mimeType": "image/png", "buffer": png_bytes()}


def fail_with_photo(page, the_visit, code, note):
    box = item_box(page, the_visit, code)
    box.locator("label.visit-result-fail").click()
    expect(box.locator("select[name=level]")).to_be_visible()
    box.locator("textarea[name=note]").fill(note)
    box.locator("textarea[name=note]").press("Tab")
    box.locator("input[type=file]").set_input_files(photo_file(f"{code}.png"))
    expect(box.locator("[data-photo] .badge")).to_have_text(zh("Saved"))
    expect(box.locator("[data-badge]")).to_have_text(zh("Saved"))


def give_number(page, the_visit, code, value):
    box = item_box(page, the_visit, code)
    box.locator("input[name=value]").fill(str(value))
    box.locator("input[name=value]").press("Tab")
    expect(box.locator("[data-judged]")).to_have_text(
        zh("Judged: %(result)s") % {"result": answer_label("pass")}
    )
    expect(box.locator("[data-badge]")).to_have_text(zh("Saved"))


def test_a_round_from_the_visit_to_the_notice(
    chromium,
    live_server,
    visit,
    sealed_plan,
    inspector,
    city_staff,
    county_staff,
    school_officer,
    screenshot,
):
    plan = sealed_plan
    visit_url = visit.get_absolute_url()

    # 1. The school's officer, before the visit: nothing of the plan is to be seen.
    officer_context, officer = browse(chromium, live_server, "phone", "officer")
    expect(officer.locator("main")).not_to_contain_text(plan.title)
    expect(officer.locator(f'a[href="{visit_url}"]')).to_have_count(0)
    screenshot(officer, "round-1-officer-workbench-before")
    response = officer.goto(visit_url)
    assert response.status == 404
    officer.problems.failed_requests.clear()  # that 404 is the point
    officer.goto("/inspections/visits/")
    expect(officer.locator("main")).not_to_contain_text(plan.title)
    expect(officer.locator(f'a[href="{visit_url}"]')).to_have_count(0)
    expect(officer.locator("#visits-empty")).to_be_visible()
    officer.goto("/inspections/notices/")
    expect(officer.locator("#notice-empty")).to_be_visible()
    screenshot(officer, "round-1-officer-notices-before")
    officer.problems.assert_none(officer)

    # 2. The inspector on a phone: from the workbench to the visit list to the visit.
    inspector_context, page = browse(chromium, live_server, "phone", "inspector")
    expect(page.locator(f'#wb-inspections a[href="{visit_url}"]').first).to_be_visible()
    screenshot(page, "round-2-inspector-workbench")
    page.goto("/inspections/visits/")
    page.locator(f'a.visit-card-link[href="{visit_url}"]').first.click()
    page.wait_for_url(lambda url: urlsplit(url).path == visit_url)
    start_button = page.locator("#start-visit")
    expect(start_button).to_have_text(zh("Start the inspection"))
    screenshot(page, "round-2-visit-start")
    start_button.click()
    page.wait_for_selector("#visit[data-visit-ready]")
    assert Visit.objects.get(pk=visit.pk).started_at is not None

    fail_with_photo(page, visit, "gate-register", "外来人员未查验登记")
    give_number(page, visit, "guards", 2)
    screenshot(page, "round-2-visit-gate")
    page.locator("#section-gate .visit-pager [data-section-link=tech]").click()
    expect(page.locator("#section-tech")).to_be_visible()
    give_number(page, visit, "video-clock", 1)
    fail_with_photo(page, visit, "alarm-live", "一键报警未与公安联网")
    outbox = page.locator("#visit-outbox")
    expect(outbox).to_have_attribute("data-pending", "0")
    expect(outbox).to_have_text(zh("Everything is saved on the server."))
    screenshot(page, "round-2-visit-tech")

    page.locator("#to-finish").click()
    page.wait_for_url(re.compile(r"/finish/$"))
    expect(page.locator("#finish-failures li")).to_have_count(2)
    screenshot(page, "round-2-visit-finish")
    page.locator("#finish-visit").click()
    page.wait_for_url(lambda url: urlsplit(url).path == visit_url)
    expect(page.locator("#visit-seal")).to_be_visible()
    screenshot(page, "round-2-visit-sealed")
    page.problems.assert_none(page)
    inspector_context.close()

    visit.refresh_from_db()
    assert visit.finished_at is not None
    answers = {a.item.code: a for a in Answer.objects.filter(visit=visit).select_related("item")}
    assert set(answers) == {"gate-register", "guards", "video-clock", "alarm-live"}
    hazards = list(
        Hazard.objects.filter(source=Hazard.Source.INSPECTION, school=visit.school).order_by("code")
    )
    assert len(hazards) == 2
    by_item = {h.finding.item.code: h for h in hazards}
    assert set(by_item) == set(FAILED)
    for code in FAILED:
        assert answers[code].result == Answer.Result.FAIL
        assert answers[code].hazard_id == by_item[code].pk
        assert by_item[code].evidence.filter(kind=Evidence.Kind.BEFORE).count() == 1

    # 3. The hazards are in the register: the county sees both, and the finding behind one.
    county_context, county = browse(chromium, live_server, "desktop", "tongzhou")
    county.goto("/hazards/")
    for hazard in hazards:
        link = county.locator(f'main a[href="{hazard.get_absolute_url()}"]:visible').first
        expect(link).to_have_text(hazard.code)
    screenshot(county, "round-3-register")
    county.goto(hazards[0].get_absolute_url())
    finding = county.locator(f'.hz-other-link a[href="{visit_url}"]')
    expect(finding).to_have_count(1)
    found = re.escape(zh("Found at the unannounced inspection visit of %(date)s"))
    found = found.replace(re.escape("%(date)s"), r"\d{4}年\d{1,2}月\d{1,2}日")
    expect(finding).to_have_text(re.compile(found))
    screenshot(county, "round-3-hazard")
    finding.click()
    county.wait_for_url(lambda url: urlsplit(url).path == visit_url)
    county.problems.assert_none(county)
    county_context.close()

    # 4. The city at 1366 px: finish the round, draft the circular, publish it.
    city_context, city = browse(chromium, live_server, "desktop", "city")
    city.goto(plan.get_absolute_url())
    city.locator("#plan-finish").click()
    expect(city.locator("#plan-circular")).to_be_visible()
    screenshot(city, "round-4-plan-finished")
    city.locator("#plan-circular").click()
    city.wait_for_url(re.compile(r"/inspections/circulars/[^/]+/$"))
    circular = Circular.objects.get(plan=plan)
    assert circular.state == Circular.State.DRAFT
    expect(city.locator("#circular-publish")).to_be_visible()
    screenshot(city, "round-4-circular-draft")
    city.locator("#circular-publish").click()
    city.wait_for_url(re.compile(r"/publish/$"))
    circular.refresh_from_db()
    assert circular.state == Circular.State.PUBLISHING and circular.job_run_id
    core_services.job_run_execute(job_run_id=circular.job_run_id)
    city.goto(f"/inspections/circulars/{circular.code}/")
    circular.refresh_from_db()
    assert circular.state == Circular.State.PUBLISHED
    expect(city.locator("h1 [data-state]")).to_have_attribute("data-state", "published")
    expect(city.locator("#circular-doc-number")).to_have_text(DOC_NUMBER)
    expect(city.locator("#circular-notices li")).to_have_count(1)
    screenshot(city, "round-4-circular-published")
    pdf_link = city.locator("#circular-pdf")
    with city.expect_download() as download:
        pdf_link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    pdf = city.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
    city.problems.assert_none(city)
    city_context.close()

    # 5. The officer again: the sealed record, the findings and the notice.
    notice = RectificationNotice.objects.get(circular=circular, school=visit.school)
    officer.goto("/")
    findings = officer.locator("#wb-findings")
    for hazard in hazards:
        expect(findings.locator(f'a[href="{hazard.get_absolute_url()}"]')).to_have_text(hazard.code)
    notice_link = officer.locator(f'#wb-notices a[href="/inspections/notices/{notice.code}/"]')
    expect(notice_link).to_be_visible()
    screenshot(officer, "round-5-officer-workbench")
    response = officer.goto(visit_url)
    assert response.status == 200
    expect(officer.locator("#visit-seal")).to_be_visible()
    screenshot(officer, "round-5-officer-visit")
    officer.goto("/inspections/notices/")
    officer.locator(f'#notice-cards a[href="/inspections/notices/{notice.code}/"]').click()
    officer.wait_for_url(re.compile(rf"/notices/{notice.code}/$"))
    expect(officer.locator("#notice-circular")).to_have_text(DOC_NUMBER)
    cards = officer.locator("#notice-hazard-cards > li")
    expect(cards).to_have_count(2)
    for hazard in hazards:
        hazard.refresh_from_db()
        card = cards.filter(has=officer.locator(f'a[href="{hazard.get_absolute_url()}"]'))
        expect(card).to_have_count(1)
        expect(card.locator("[data-status]")).to_have_attribute("data-status", hazard.status)
        expect(card.locator("[data-status]")).to_have_text(zh_display(hazard))
        assert hazard.deadline is not None
        expect(card).to_contain_text(f"{hazard.deadline:%Y-%m-%d}")
    screenshot(officer, "round-5-officer-notice")
    officer.problems.assert_none(officer)
    officer_context.close()
