"""Bad input across the apps (issue 6 §2): control characters, implausible dates, odd ids.

Each case answered 500, stored a value that broke a page for others, or took a typo for data.
"""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from campaign.models import OrgUnit
from hazards.excel import COLUMNS
from hazards.models import Hazard
from tests.hazards import conftest as hazard_fixtures

# The register's fixtures, for the tests here that need a hazard.
hazard_category = hazard_fixtures.hazard_category
make_hazard = hazard_fixtures.make_hazard

TODAY = timezone.localdate()
# How Excel stores a vertical tab (Word's manual line break) in a cell: the import reads it as
# the "\x0b" it stands for.
VT_IN_XLSX = "_x000B_"


def _workbook(header, *rows):
    wb = Workbook()
    sheet = wb.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("upload.xlsx", buffer.getvalue())


def _hazard_row(**over):
    values = {
        "school": "NT-TZ-0001",
        "category": "fire-hydrant",
        "level": "一般隐患",
        "source": "学校自查",
        "location": "实验楼二楼",
        "description": "灭火器过期",
        "found_on": TODAY - dt.timedelta(days=2),
    }
    values.update(over)
    return [values.get(c.code) for c in COLUMNS]


# --- Control characters ------------------------------------------------------------------------


def test_a_control_character_in_a_form_is_refused_and_nothing_changes(
    tree, city_admin, en_client_for
):
    client = en_client_for(city_admin)
    url = reverse("campaign:school_edit", args=[tree.tz_school.code])
    data = {f: getattr(tree.tz_school, f) or "" for f in ("name", "category", "ownership")}
    data.update(students=800, staff=60, address="南通市\x0b某路1号")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "invisible control character" in response.content.decode()
    tree.tz_school.refresh_from_db()
    assert tree.tz_school.address == "南通市某路1号"


def test_a_control_character_in_a_register_import_is_a_row_error(tree, client_for, county_staff):
    upload = _workbook(
        [c.header for c in COLUMNS], _hazard_row(description=f"灭火器{VT_IN_XLSX}过期")
    )
    response = client_for(county_staff).post(reverse("hazards:hazard_import"), {"file": upload})
    errors = response.context["row_errors"]
    assert [(e.row, e.column) for e in errors] == [(2, "隐患描述")]
    assert "控制字符" in errors[0].message
    assert not Hazard.objects.exists()


def test_a_control_character_in_a_schools_import_is_a_row_error(tree, city_admin):
    from campaign import imports

    header = [c.header for c in imports.SCHOOL_COLUMNS]
    row = ["NT-TZ-0099", f"新校{VT_IN_XLSX}区", "NT-TZ", "小学", "公办", 100, 10]
    row += [""] * (len(header) - len(row))
    result = imports.schools_import(file=_workbook(header, row), actor=city_admin)
    assert [(e.row, e.column) for e in result.errors] == [(2, "学校名称")]
    assert not OrgUnit.objects.filter(code="NT-TZ-0099").exists()


def test_a_stored_control_character_does_not_break_the_export(
    tree, make_hazard, client_for, county_staff
):
    hazard = make_hazard()
    # As older versions stored it, past every check.
    Hazard.objects.filter(pk=hazard.pk).update(description="消防栓\x07无水\x0b需整改")
    response = client_for(county_staff).get(reverse("hazards:hazard_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    descriptions = [row[10] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert descriptions == ["消防栓无水需整改"]


def test_the_data_migration_repairs_stored_units_and_people(tree, county_staff):
    OrgUnit.objects.filter(pk=tree.tz_school.pk).update(name="通州区\x07实验小学")
    type(county_staff).objects.filter(pk=county_staff.pk).update(full_name="张\x0b三")
    migration = importlib.import_module("campaign.migrations.0007_repair_control_characters")
    migration.repair(apps, None)
    tree.tz_school.refresh_from_db()
    county_staff.refresh_from_db()
    assert (tree.tz_school.name, county_staff.full_name) == ("通州区实验小学", "张三")


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("26.11.14", "four digits"), ("0001-01-01", "2000-01-01"), ("9999-12-31", "2000-01-01")],
)
def test_an_implausible_date_in_an_import_is_a_row_error(
    tree, client_for, county_staff, typed, problem
):
    upload = _workbook([c.header for c in COLUMNS], _hazard_row(found_on=typed))
    client = client_for(county_staff)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("hazards:hazard_import"), {"file": upload})
    errors = response.context["row_errors"]
    assert [(e.row, e.column) for e in errors] == [(2, "发现日期")]
    assert problem in errors[0].message
    assert not Hazard.objects.exists()


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_zero_data_as_of_an_implausible_date_is_a_message(tree, city_staff, en_client_for, as_of):
    response = en_client_for(city_staff).get(reverse("hazards:hazard_zero_data"), {"as_of": as_of})
    assert response.status_code == 200
    assert "Enter a date from 2000-01-01" in response.content.decode()
    assert response.context["as_of"] == TODAY


def test_an_implausible_date_filter_is_ignored_with_a_note(
    tree, make_hazard, city_staff, en_client_for
):
    make_hazard()
    response = en_client_for(city_staff).get(
        reverse("hazards:hazard_list"), {"found_from": "0001-01-01"}
    )
    assert response.status_code == 200
    assert response.context["bad_fields"] == ["Found from"]
    assert response.context["total"] == 1


# --- Ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "9" * 5000, "-1", "1e3"])
def test_marking_a_notification_read_with_an_odd_id_says_so(county_staff, client_for, raw):
    response = client_for(county_staff).post(reverse("core:notification_read"), {"id": raw})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:notification_list")


def test_the_register_data_migration_repairs_stored_hazards(tree, make_hazard):
    hazard = make_hazard()
    Hazard.objects.filter(pk=hazard.pk).update(location="教学楼\x0b一楼", description="无水\x07")
    migration = importlib.import_module("hazards.migrations.0007_repair_control_characters")
    migration.repair(apps, None)
    hazard.refresh_from_db()
    assert (hazard.location, hazard.description) == ("教学楼一楼", "无水")


# --- Files -----------------------------------------------------------------------------------


def test_a_file_with_a_very_long_chinese_name_is_stored_and_keeps_its_name(
    make_hazard, client_for, school_officer, settings, tmp_path
):
    from tests.hazards.conftest import png_bytes

    settings.MEDIA_ROOT = tmp_path
    hazard = make_hazard()
    name = "整改前现场照片" * 13 + ".png"  # 91 characters, 271 bytes in UTF-8
    upload = SimpleUploadedFile(name, png_bytes(), content_type="image/png")
    response = client_for(school_officer).post(
        reverse("hazards:hazard_upload", args=[hazard.code]), {"kind": "before", "file": upload}
    )
    assert response.status_code == 302
    evidence = hazard.evidence.get()
    assert evidence.original_name == name
    assert len(evidence.file.name.rsplit("/", 1)[-1].encode()) < 100
    download = client_for(school_officer).get(
        reverse("hazards:evidence_download", args=[hazard.code, evidence.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png_bytes()


# --- Dates in the register's forms and services ------------------------------------------------


@pytest.mark.parametrize("found_on", [dt.date(1, 1, 1), dt.date(1999, 12, 31)])
def test_the_register_refuses_an_implausible_date_found(tree, make_hazard, found_on):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        make_hazard(found_on=found_on)
    assert "found_on" in refused.value.message_dict
    assert not Hazard.objects.exists()


def test_a_bulk_deadline_far_ahead_says_why_and_changes_nothing(
    tree, make_hazard, county_staff, en_client_for
):
    from tests.hazards.conftest import five_implementations

    hazard = make_hazard(**five_implementations())
    before = hazard.deadline
    response = en_client_for(county_staff).post(
        reverse("hazards:hazard_bulk"),
        {"action": "set_deadline", "deadline": "9999-12-31", "code": [hazard.code]},
        follow=True,
    )
    assert "Enter a date from 2000-01-01" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.deadline == before


def test_every_form_of_the_portal_guards_its_fields():
    """Every form class in the project derives from core.forms.PortalForm (or its mixin), so
    its text refuses control characters and its dates must be plausible."""
    import importlib as il
    import pkgutil

    from django import forms

    from core.forms import PortalFormMixin

    for package in ("core", "campaign", "hazards", "portal", "inspections", "reporting"):
        module = il.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                il.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {
        cls
        for cls in subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0]
        in ("core", "campaign", "hazards", "portal", "inspections", "reporting")
    }
    assert len(ours) > 10
    unguarded = sorted(
        f"{c.__module__}.{c.__name__}"
        for c in ours
        if not issubclass(c, PortalFormMixin) and c.__name__ != "PortalForm"
    )
    assert not unguarded, f"forms that do not derive from PortalForm: {unguarded}"
