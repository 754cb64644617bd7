"""Register export (sync and as a JobRun) and import of a register workbook."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core import services as core_services
from core.models import JobRun
from hazards.excel import COLUMNS
from hazards.models import Hazard
from tests.hazards.conftest import local

# A fixed day, so that the test runs the same whatever the date.
TODAY = dt.date(2026, 4, 8)


@pytest.fixture(autouse=True)
def on_today(time_machine):
    time_machine.move_to(local(TODAY, 9))


@pytest.fixture
def some(tree, make_hazard, make_planned_hazard, county_staff, other_county_staff):
    make_hazard(found_on=TODAY - dt.timedelta(days=3))
    make_planned_hazard(level=Hazard.Level.MAJOR)
    make_hazard(school=tree.tz_school2, actor=county_staff)
    make_hazard(school=tree.rd_school, actor=other_county_staff)


def read_codes(content):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], [r[0] for r in rows[1:]], rows[1:]


@pytest.mark.parametrize("query", [{}, {"sort": "code"}, {"county": "NT-TZ"}, {"grade": "major"}])
def test_export_equals_the_list(some, client_for, city_staff, query):
    client = client_for(city_staff)
    listed = [h.code for h in client.get(reverse("hazards:hazard_list"), query).context["rows"]]
    response = client.get(reverse("hazards:hazard_export"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    _header, codes, rows = read_codes(response.content)
    assert codes == listed
    assert all(isinstance(r[11], dt.datetime | dt.date) for r in rows)  # date found as a date


def test_export_is_scoped(some, client_for, county_staff):
    _h, codes, rows = read_codes(
        client_for(county_staff).get(reverse("hazards:hazard_export")).content
    )
    assert len(codes) == 3 and all(r[1].startswith("NT-TZ") for r in rows)


def test_bulk_export_selection(some, client_for, county_staff):
    tz = list(Hazard.objects.filter(county__code="NT-TZ").values_list("code", flat=True))
    rd = list(Hazard.objects.filter(county__code="NT-RD").values_list("code", flat=True))
    response = client_for(county_staff).post(
        reverse("hazards:hazard_bulk"), {"action": "export_selection", "code": tz[:2] + rd}
    )
    assert response.status_code == 200
    assert set(read_codes(response.content)[1]) == set(tz[:2])


def test_large_export_runs_as_a_job(some, client_for, county_staff, settings, tmp_path):
    settings.HAZARD_EXPORT_SYNC_LIMIT = 2
    settings.MEDIA_ROOT = tmp_path
    response = client_for(county_staff).get(reverse("hazards:hazard_export"), {"sort": "code"})
    run = JobRun.objects.get(kind="hazard_export")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:job_detail", args=[run.pk])
    assert run.requested_by == county_staff and run.unit.code == "NT-TZ"
    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.SUCCEEDED, run.error
    with run.file.open("rb") as handle:
        _h, codes, _rows = read_codes(handle.read())
    expected = sorted(Hazard.objects.filter(county__code="NT-TZ").values_list("code", flat=True))
    assert codes == expected  # the county user's scope and filter, not everything


# --- Import --------------------------------------------------------------------------------


def workbook(rows, header=None):
    wb = Workbook()
    sheet = wb.active
    sheet.append(header or [c.header for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


def good_row(school="NT-TZ-0001", found=None, **over):
    values = {
        "school": school,
        "category": "fire-hydrant",
        "level": "一般隐患",
        "source": "学校自查",
        "location": "实验楼二楼",
        "description": "灭火器过期",
        "found_on": found or TODAY - dt.timedelta(days=2),
    }
    values.update(over)
    return [values.get(c.code) for c in COLUMNS]


def post(client, upload):
    return client.post(reverse("hazards:hazard_import"), {"file": upload})


def test_template_downloads_and_imports_back_empty(client_for, county_staff):
    response = client_for(county_staff).get(reverse("hazards:hazard_import_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet["A1"].comment.text.startswith("school")


def test_good_file_registers_every_row(tree, client_for, county_staff):
    rows = [
        good_row(),
        good_row("NT-TZ-0002", level="重大隐患", provincial_ref="JS-123"),
        good_row(
            location="操场东侧",  # the same place as row 2 would make it a duplicate of it
            responsible_unit="总务处", responsible_person="王", responsible_phone="13900000000",
            measures="更换", funds_amount=100, funds_source="公用经费", funds_secured="是",
            deadline=TODAY + dt.timedelta(days=9), contingency_plan="警示",
        ),
    ]  # fmt: skip
    response = post(client_for(county_staff), workbook(rows))
    assert response.status_code == 200
    assert 'id="import-success"' in response.content.decode()
    assert Hazard.objects.count() == 3
    assert Hazard.objects.filter(level="major", provincial_ref="JS-123").count() == 1
    assert Hazard.objects.filter(status="planned", five_complete=True).count() == 1


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.xlsx", b"not a workbook at all"),
        SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old"),
    ],
)
def test_not_a_workbook(client_for, county_staff, upload):
    response = post(client_for(county_staff), upload)
    assert response.status_code == 200
    assert Hazard.objects.count() == 0
    assert len(response.context["file_errors"]) == 1
    assert 'id="import-failed"' in response.content.decode()


def test_wrong_header(client_for, county_staff):
    # No row names the register's columns: the columns it needs are named as missing.
    response = post(client_for(county_staff), workbook([good_row()], header=["foo", "bar"]))
    errors = response.context["file_errors"] + response.context["row_errors"]
    assert {e.column for e in errors} >= {"隐患描述", "发现日期"}
    assert Hazard.objects.count() == 0


def test_empty_workbook(client_for, county_staff):
    response = post(client_for(county_staff), workbook([]))
    assert response.context["file_errors"]
    assert Hazard.objects.count() == 0


def test_bad_rows_import_nothing_and_every_error_is_listed(tree, client_for, county_staff):
    rows = [
        good_row(),  # row 2: fine
        good_row("NOPE-1"),  # 3: unknown school
        good_row("NT-RD-0001"),  # 4: another county's school
        good_row(found="2019-13-45"),  # 5: not a date
        good_row(found=TODAY + dt.timedelta(days=3)),  # 6: in the future
        good_row(category="no-such", level="很大"),  # 7: two problems
        good_row(funds_amount=-5),  # 8: negative funds
    ]
    response = post(client_for(county_staff), workbook(rows))
    assert 'id="import-failed"' in response.content.decode()
    found = {(e.row, e.column) for e in response.context["row_errors"]}
    assert found == {
        (3, "学校代码"),
        (4, "学校代码"),
        (5, "发现日期"),
        (6, "发现日期"),
        (7, "隐患类别代码"),
        (7, "隐患等级"),
        (8, "整改资金（元）"),
    }
    # Out of scope reads exactly like unknown.
    messages = {e.row: e.message for e in response.context["row_errors"]}
    assert messages[3] == messages[4]
    assert Hazard.objects.count() == 0


def test_import_forbidden_without_register_permission(client_for, leader):
    assert client_for(leader).get(reverse("hazards:hazard_import")).status_code == 403
    assert post(client_for(leader), workbook([good_row()])).status_code == 403
