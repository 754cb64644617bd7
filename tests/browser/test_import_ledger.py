"""通州区's county staff bring their own ledger into the register in a real browser: upload the
messy file, correct one column, read the preview, download the workbook with the problems
marked, upload the fixed file and import. Screenshots of the preview and the mapping screen at
375 and 1366 px (axe-core audits every page, tests/browser/conftest.py)."""

import io
import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from hazards.models import Hazard
from tests.browser.test_hazard_loop import sign_in
from tests.factories import SchoolFactory
from tests.imports import ledgers

pytestmark = pytest.mark.browser

ODD = "问题摘要"  # the clerk's own name for the description column: no field knows it
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def demo_schools(tree):
    """The demo's 通州区 schools the builder names by their short names."""
    for n, short in enumerate(ledgers.DEFAULT_SCHOOLS, start=11):
        SchoolFactory(name=f"通州区{short}", code=f"NT-TZ-00{n}", parent=tree.tongzhou)
    return ledgers.DEFAULT_SCHOOLS


@pytest.fixture
def odd_headings(monkeypatch):
    headings = [ODD if h == "隐患描述" else h for h in ledgers.HEADINGS]
    monkeypatch.setattr(ledgers, "HEADINGS", headings)


def rows(schools, *, bad):
    good = [replace(r, category="消防安全") for r in ledgers.messy_rows(schools)]
    if bad:
        good.append(ledgers.LedgerRow(school=schools[1], description="围墙开裂", found="26.11.14"))
    return good


def ledger_file(schools, *, bad, name):
    return {
        "name": name,
        "mimeType": XLSX,
        "buffer": ledgers.hazard_ledger(schools, rows(schools, bad=bad)),
    }


def no_sideways_scroll(page):
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_tongzhou_brings_a_messy_ledger_in(
    page, county_staff, demo_schools, odd_headings, screenshot
):
    sign_in(page, "tongzhou")
    # The register's import leads to the new flow.
    page.goto("/hazards/import/")
    page.wait_for_url("**/import/hazards/")
    expect(page.locator("main h1")).to_contain_text("从 Excel 导入")
    expect(page.locator("#import-limit")).to_contain_text(re.compile(r"20,?000"))
    screenshot(page, "import-upload")

    # 1. The messy ledger, as it is kept.
    page.set_input_files("#id_file", [ledger_file(demo_schools, bad=True, name="通州区台账.xlsx")])
    page.locator("#import-upload-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/import/u/[0-9a-f-]+/$"))
    expect(page.locator("#import-commit")).to_be_disabled()
    assert not Hazard.objects.exists()

    # 2. One column corrected on the mapping screen.
    page.locator("#import-correct-mapping").click()
    page.wait_for_url("**/mapping/")
    expect(page.locator("#import-mapping-form")).to_contain_text(ODD)
    screenshot(page, "import-mapping")
    if page.viewport_name == "phone":
        no_sideways_scroll(page)
    page.get_by_label(ODD, exact=True).select_option("description")
    page.locator("#import-mapping-form [type=submit]").click()
    page.wait_for_url(re.compile(r"/import/u/[0-9a-f-]+/$"))

    # 3. The preview: the ready rows and the one in error, with its row, column and value.
    expect(page.locator(".alert-success")).to_contain_text("列对应已保存")
    error_rows = page.locator('[data-row][data-status="error"]:visible')
    expect(error_rows).to_have_count(1)
    expect(error_rows.first).to_contain_text("26.11.14")
    expect(error_rows.first).to_contain_text("发现时间")
    expect(page.locator("#import-commit")).to_be_disabled()
    screenshot(page, "import-preview")
    if page.viewport_name == "phone":
        no_sideways_scroll(page)

    # 4. The workbook with the problems marked.
    with page.expect_download() as info:
        page.locator("#import-error-workbook").click()
    download = info.value
    assert download.suggested_filename == "通州区台账-问题标注.xlsx"
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    marked = [
        cell
        for row in book["2019年隐患台账"].iter_rows()
        for cell in row
        if cell.comment is not None
    ]
    assert [c.value for c in marked] == ["26.11.14"]
    assert not Hazard.objects.exists()

    # 5. The fixed file: the corrected column is remembered, every row is ready.
    page.set_input_files("#id_file", [ledger_file(demo_schools, bad=False, name="通州区台账.xlsx")])
    page.locator("#import-reupload [type=submit]").click()
    page.wait_for_url(re.compile(r"/import/u/[0-9a-f-]+/$"))
    expect(page.locator('[data-row][data-status="error"]')).to_have_count(0)
    expect(page.locator("#import-commit")).to_be_enabled()
    screenshot(page, "import-preview-ready")

    # 6. Import: the hazards are in the register.
    page.locator("#import-commit").click()
    page.wait_for_url("**/hazards/")
    expect(page.locator(".alert-success")).to_contain_text("已导入")
    expected = rows(demo_schools, bad=False)
    assert Hazard.objects.count() == len(expected)
    expect(page.locator("main")).to_contain_text("通州区金沙小学")
    page.problems.assert_none(page)
