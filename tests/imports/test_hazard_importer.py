"""The register importer on the engine: a messy county ledger (tests/imports/ledgers.py)
mapped, previewed and imported with the right values; the same file twice registers nothing
twice; carried-over progress lands in the right state with its event."""

import datetime as dt
from decimal import Decimal

import pytest

from campaign.models import OrgUnit
from core.imports.preview import build_preview
from hazards.imports.importer import HazardImporter
from hazards.imports.lookup import LOCATION_UNKNOWN
from hazards.models import Hazard, HazardEvent, HazardTally
from hazards.services import hazard_tally_rebuild
from tests.factories import SchoolFactory
from tests.imports.ledgers import LedgerRow, hazard_ledger, messy_rows

DAY = dt.date(2019, 12, 3)


@pytest.fixture
def schools(tree, hazard_categories):
    return {
        name: SchoolFactory(name=f"通州区{name}", code=f"NT-TZ-1{n}", parent=tree.tongzhou)
        for n, name in enumerate(["金沙小学", "西亭初级中学", "二甲中心小学"])
    }


@pytest.fixture
def hazard_categories(db):
    from tests.hazards.conftest import seeded_category

    return seeded_category()


def preview(data, actor, name="台账.xlsx"):
    return build_preview(HazardImporter(), data, name, actor=actor)


def commit(p, actor, **options):
    return HazardImporter().commit(p.rows, actor=actor, **options)


def test_the_messy_ledger_is_mapped_and_imported_with_the_right_values(schools, county_staff):
    p = preview(hazard_ledger(), county_staff)
    mapped = {m.heading: m.field for m in p.mapping}
    assert mapped["学校名称"] == "school_name" and mapped["隐患等级(一般/重大)"] == "level"
    assert mapped["整改资金(万元)"] == "funds_amount" and mapped["序号"] is None
    assert not p.all_problems(), p.all_problems()
    assert p.counts()["ready"] == 4
    assert commit(p, county_staff) == {"created": 4, "updated": 0, "skipped": 0}
    hazards = list(Hazard.objects.order_by("id"))
    assert [h.school.name for h in hazards[:2]] == ["通州区金沙小学"] * 2  # merged cell
    assert {h.found_on for h in hazards} == {DAY}  # every way of writing the day
    assert [h.funds_amount for h in hazards] == [
        Decimal("5000.00"), Decimal("12000.00"), Decimal("30000.00"), Decimal("3500.00")
    ]  # fmt: skip
    assert {h.responsible_phone for h in hazards} <= {"13812345678", "0513-86123456"}
    assert hazards[0].category.code == "fire" and hazards[1].category.code == "buildings"
    assert {h.source for h in hazards} == {Hazard.Source.COUNTY_CHECK}
    assert hazards[0].location == LOCATION_UNKNOWN
    # 整改中 with the five implementations in place: under way, as the ledger says.
    assert {h.status for h in hazards} == {Hazard.Status.RECTIFYING}
    assert all(h.events.get().kind == HazardEvent.Kind.IMPORTED for h in hazards)


def test_the_same_file_twice_registers_nothing_twice(schools, county_staff):
    data = hazard_ledger()
    commit(preview(data, county_staff), county_staff)
    again = preview(data, county_staff)
    assert again.counts()["duplicate"] == 4 and again.counts()["ready"] == 0
    assert all("NT-2019-" in row.note for row in again.rows)
    assert commit(again, county_staff) == {"created": 0, "updated": 0, "skipped": 4}
    assert Hazard.objects.count() == 4


def test_a_row_repeated_in_the_file_is_a_duplicate_unless_included(schools, county_staff):
    row = LedgerRow(school="金沙小学", progress="")
    p = preview(hazard_ledger(rows=[row, row]), county_staff)
    assert [r.status for r in p.rows] == ["ready", "duplicate"]
    assert commit(p, county_staff, include_duplicates=True)["created"] == 2


def test_the_same_ledger_number_is_a_duplicate(schools, county_staff):
    from openpyxl import Workbook

    def book(description):
        wb = Workbook()
        wb.active.append(["台账编号", "学校名称", "隐患类别", "隐患描述", "隐患等级", "发现日期"])
        wb.active.append(["TZ-12", "金沙小学", "消防", description, "一般", "2019-12-03"])
        import io

        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    commit(preview(book("灭火器过期"), county_staff), county_staff)
    again = preview(book("灭火器过期（已改写）"), county_staff)
    assert again.rows[0].status == "duplicate"


def test_out_of_scope_schools_read_like_unknown(schools, tree, county_staff):
    rows = [LedgerRow(school="掘港初级中学"), LedgerRow(school="不存在的学校")]
    SchoolFactory(name="如东县掘港初级中学2", code="NT-RD-9", parent=tree.rudong)
    p = preview(hazard_ledger(rows=rows), county_staff)
    messages = [r.problems[0].message for r in p.rows]
    assert messages[0] == messages[1] and all(r.status == "error" for r in p.rows)


def test_an_ambiguous_short_name_suggests_the_schools(tree, county_staff, hazard_categories):
    SchoolFactory(name="通州区实验中学", code="NT-TZ-21", parent=tree.tongzhou)
    SchoolFactory(name="通州区实验初中", code="NT-TZ-22", parent=tree.tongzhou)
    p = preview(hazard_ledger(rows=[LedgerRow(school="实验")]), county_staff)
    (problem,) = p.rows[0].problems
    assert "通州区实验中学" in problem.message


def test_carried_over_progress_lands_in_its_state_with_its_event(schools, county_staff):
    rows = [
        LedgerRow(school="金沙小学", progress="已完成 2019-12-20 王五"),
        LedgerRow(
            school="金沙小学",
            description="围墙开裂",
            progress="已于2019年12月28日验收，验收人：李四",
        ),
        LedgerRow(school="西亭初级中学", level="重大", progress="已验收 2019-12-28 李四"),
    ]
    p = preview(hazard_ledger(rows=rows), county_staff)
    assert [r.status for r in p.rows] == ["ready", "ready", "error"]
    assert "市级" in p.rows[2].problems[0].message  # a major hazard is closed by the city
    rows.pop()
    p = preview(hazard_ledger(rows=rows), county_staff)
    commit(p, county_staff)
    rectified, accepted = Hazard.objects.order_by("id")
    assert rectified.status == Hazard.Status.AWAITING_ACCEPTANCE
    assert accepted.status == Hazard.Status.CLOSED and accepted.accepted_level == "county"
    assert "李四" in accepted.acceptance_opinion and "台账导入" in accepted.acceptance_opinion
    assert accepted.closed_at.date() == dt.date(2019, 12, 28)
    event = rectified.events.get()
    assert event.kind == HazardEvent.Kind.IMPORTED and event.actor == county_staff
    assert "王五" in event.note and "2019年12月20日" in event.note
    counted = {
        (t.status, t.five_complete): t.count for t in HazardTally.objects.filter(count__gt=0)
    }
    hazard_tally_rebuild()
    assert counted == {
        (t.status, t.five_complete): t.count for t in HazardTally.objects.filter(count__gt=0)
    }


def test_a_school_officer_imports_its_own_ledger_as_self_check(
    tree, school_officer, hazard_categories
):
    rows = [LedgerRow(school="实验小学", progress="")]
    p = preview(hazard_ledger(rows=rows), school_officer)
    assert p.counts()["ready"] == 1, p.all_problems()
    commit(p, school_officer)
    assert Hazard.objects.get().source == Hazard.Source.SELF_CHECK


def test_a_large_file_commits_in_few_queries(schools, county_staff, django_assert_max_num_queries):
    rows = messy_rows(count=300)
    for i, row in enumerate(rows):
        row.description = f"隐患{i}"
    p = preview(hazard_ledger(rows=rows), county_staff)
    assert p.counts()["ready"] == 300, p.all_problems()[:3]
    with django_assert_max_num_queries(40):
        commit(p, county_staff)
    assert Hazard.objects.count() == 300
    assert OrgUnit.objects.filter(kind="school").count() >= 3
