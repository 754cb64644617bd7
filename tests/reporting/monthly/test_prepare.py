"""Preparing a county's monthly list: the workbook in the city's format, read back."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from core.models import JobRun
from hazards.models import Hazard
from reporting.models import MonthlyTemplate, MonthlyUpload
from reporting.monthly import layout, services
from tests.reporting.monthly.helpers import LABEL, MONTH, TZ, close, prepare, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_UPLOADER = "file"


def sheet_rows(upload):
    with upload.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_the_list_holds_the_countys_hazards_of_the_month_in_the_default_format(tree):
    open_one = register(tree, tree.tz_school)
    major = register(tree, tree.tz_school2, level="major", found_on=dt.date(2026, 10, 3))
    closed_in_month = register(tree, tree.tz_school, found_on=dt.date(2026, 10, 1))
    close(closed_in_month, dt.datetime(2026, 11, 2, 9, tzinfo=TZ))
    closed_before = register(tree, tree.tz_school, found_on=dt.date(2026, 9, 1))
    close(closed_before, dt.datetime(2026, 10, 31, 23, tzinfo=TZ))
    register(tree, tree.tz_school, found_on=dt.date(2026, 12, 1))  # after the month
    register(tree, tree.rd_school)  # another county

    upload = prepare(tree.tongzhou)

    assert upload.status == MonthlyUpload.Status.READY
    assert upload.template_version == 0
    rows = sheet_rows(upload)
    assert rows[0] == [heading for heading, _field in layout.DEFAULT_COLUMNS]
    codes = {r[0] for r in rows[1:]}
    assert codes == {open_one.code, major.code, closed_in_month.code}
    assert upload.rows == 3 and set(upload.hazard_ids) == {
        open_one.pk,
        major.pk,
        closed_in_month.pk,
    }
    by_code = {r[0]: r for r in rows[1:]}
    level_code = rows[0].index("隐患等级代码")
    assert by_code[major.code][level_code] == "1"
    assert by_code[open_one.code][level_code] == "2"
    assert by_code[major.code][rows[0].index("学校名称")] == "通州区金沙幼儿园"


def test_a_citys_template_decides_columns_headings_and_codes(tree, city_admin):
    hazard = register(tree, tree.tz_school)
    MonthlyTemplate.objects.create(
        city=tree.city,
        version=1,
        columns=[
            {"heading": "编号", "field": "code"},
            {"heading": "类别", "field": "category_code"},
            {"heading": "等级", "field": "level_code"},
            {"heading": "发现", "field": "found_on"},
        ],
        category_codes={"fire": "XF01"},
        level_codes={"general": "G", "major": "M"},
    )
    template = MonthlyTemplate.objects.create(
        city=tree.city,
        version=2,
        columns=[
            {"heading": "隐患编号", "field": "code"},
            {"heading": "类别代码", "field": "category_code"},
            {"heading": "等级代码", "field": "level_code"},
        ],
        category_codes={hazard.category.code: "XF-09"},
        level_codes={"general": "YB", "major": "ZD"},
    )

    upload = prepare(tree.tongzhou)

    assert upload.template == template and upload.template_version == 2
    rows = sheet_rows(upload)
    assert rows == [["隐患编号", "类别代码", "等级代码"], [hazard.code, "XF-09", "YB"]]


def test_preparing_twice_gives_one_list(tree):
    register(tree, tree.tz_school)
    first = prepare(tree.tongzhou)
    register(tree, tree.tz_school)
    again = services.monthly_prepare_all(today=dt.date(2026, 11, 25))
    second = MonthlyUpload.objects.get(county=tree.tongzhou, month=MONTH)
    assert second.file.name == first.file.name and second.rows == 1
    assert again == {"counties": 2, "queued": 1}  # 如东县 only
    assert JobRun.objects.filter(kind=services.PREPARE_JOB, period=LABEL).count() == 2
    assert MonthlyUpload.objects.filter(month=MONTH).count() == 2


def test_the_beat_opens_a_row_and_a_run_per_active_county(tree):
    tree.rudong.is_active = False
    tree.rudong.save()
    result = services.monthly_prepare_all(today=dt.date(2026, 11, 25))
    assert result == {"counties": 1, "queued": 1}
    upload = MonthlyUpload.objects.get(month=MONTH)
    assert upload.county == tree.tongzhou and upload.status == "not_prepared"
    assert services.monthly_prepare_all(today=dt.date(2026, 11, 26)) == {
        "counties": 1,
        "queued": 1,  # still queued: no worker ran it; asking again adds nothing
    }
    assert JobRun.objects.filter(kind=services.PREPARE_JOB).count() == 1


def test_text_that_looks_like_a_formula_stays_text(tree):
    hazard = register(tree, tree.tz_school)
    Hazard.objects.filter(pk=hazard.pk).update(description='=HYPERLINK("http://x","点我")\x0b')
    MonthlyTemplate.objects.create(
        city=tree.city,
        version=1,
        columns=[
            {"heading": "隐患编号", "field": "code"},
            {"heading": "描述", "field": "description"},
        ],
    )
    upload = prepare(tree.tongzhou)
    with upload.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","点我")'
