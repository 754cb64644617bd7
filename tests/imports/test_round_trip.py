"""The register export is a full ledger that imports back as updates of the same hazards."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.imports.preview import build_preview
from hazards import services
from hazards.excel import export_workbook
from hazards.imports.importer import HazardImporter
from hazards.models import Hazard, HazardEvent
from tests.hazards.conftest import five_implementations, seeded_category


@pytest.fixture
def register(tree, school_officer, county_staff, city_admin):
    category = seeded_category()
    common = {"category": category, "level": "general", "source": "self_check",
              "found_on": timezone.localdate() - dt.timedelta(days=5)}  # fmt: skip
    planned = services.hazard_register(
        school=tree.tz_school, location="实验楼", description="灭火器过期",
        actor=school_officer, **common, **five_implementations(),
    )  # fmt: skip
    plain = services.hazard_register(
        school=tree.tz_school2, location="大门", description="门卫不登记",
        actor=county_staff, **common,
    )  # fmt: skip
    other = services.hazard_register(
        school=tree.rd_school, location="操场", description="围栏松动", actor=city_admin, **common
    )
    return planned, plain, other


def exported(queryset):
    return load_workbook(io.BytesIO(export_workbook(queryset)))


def saved(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(sheet, heading):
    return [c.value for c in sheet[1]].index(heading) + 1


def preview(data, actor):
    return build_preview(HazardImporter(), data, "register.xlsx", actor=actor)


def test_the_export_has_every_field_and_maps_exactly(register, county_staff):
    book = exported(Hazard.objects.order_by("code"))
    headings = [c.value for c in book.active[1]]
    for heading in ("责任单位", "责任人", "责任人电话", "整改措施", "整改资金（元）", "资金来源",
                    "资金是否落实", "整改时限", "应急预案", "整改进展", "台账编号"):  # fmt: skip
        assert heading in headings
    p = preview(saved(book), county_staff)
    mapped = {m.heading: m.field for m in p.mapping}
    assert mapped["隐患编号"] == "code" and mapped["整改措施"] == "measures"
    assert mapped["状态"] is None and mapped["县（市、区）"] is None
    # Unchanged: nothing to update, nothing in error (the other county's row is out of scope).
    statuses = {r.values["code"]: r.status for r in p.rows}
    planned, plain, other = register
    assert statuses[planned.code] == statuses[plain.code] == "duplicate"
    assert statuses[other.code] == "error"


def test_changes_made_in_excel_come_back_as_updates(register, county_staff):
    planned, plain, other = register
    book = exported(Hazard.objects.filter(pk__in=[planned.pk, plain.pk]).order_by("code"))
    sheet = book.active
    row = 2 if sheet.cell(2, 1).value == planned.code else 3
    sheet.cell(row, column(sheet, "整改措施")).value = "更换全部灭火器"
    sheet.cell(row, column(sheet, "台账编号")).value = "TZ-2019-7"
    p = preview(saved(book), county_staff)
    by_code = {r.values["code"]: r for r in p.rows}
    assert by_code[planned.code].status == "update"
    assert "整改措施" in by_code[planned.code].note
    assert by_code[plain.code].status == "duplicate"
    result = HazardImporter().commit(p.rows, actor=county_staff)
    assert result == {"created": 0, "updated": 1, "skipped": 1}
    planned.refresh_from_db()
    assert planned.measures == "更换全部灭火器" and planned.ledger_ref == "TZ-2019-7"
    edit = planned.events.filter(kind=HazardEvent.Kind.EDIT).get()
    assert set(edit.changes) == {"measures", "ledger_ref"} and edit.actor == county_staff


def test_a_closed_hazard_is_not_changed_and_says_so(register, county_staff, city_staff):
    planned, _plain, _other = register
    Hazard.objects.filter(pk=planned.pk).update(
        status="closed", accepted_level="county", acceptance_opinion="合格",
        closed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    book = exported(Hazard.objects.filter(pk=planned.pk))
    book.active.cell(2, column(book.active, "整改措施")).value = "改了"
    p = preview(saved(book), county_staff)
    (row,) = p.rows
    assert row.status == "duplicate" and planned.code in row.note and "整改措施" in row.note
    HazardImporter().commit(p.rows, actor=county_staff, include_duplicates=True)
    planned.refresh_from_db()
    assert planned.measures != "改了"


def test_an_out_of_scope_code_reads_like_an_unknown_one(register, county_staff):
    _planned, _plain, other = register
    book = exported(Hazard.objects.filter(pk=other.pk))
    book.active.append(
        [other.code.replace("-0000", "-9999")] + [c.value for c in book.active[2]][1:]
    )
    p = preview(saved(book), county_staff)
    messages = [r.problems[0].message for r in p.rows]
    assert len(set(messages)) == 1 and all(r.status == "error" for r in p.rows)
