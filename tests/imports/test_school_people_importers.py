"""The schools and people importers on the one engine: a roster and a list of people as clerks
keep them (a title row, their own headings, the county by its name, full-width digits in phones
and counts, a blank row, a total and a signature footer) previewed and committed with the right
values; the same file twice creates nothing twice; a unit outside the importer's scope reads
exactly like one that does not exist."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from campaign.imports import PeopleImporter, SchoolImporter
from campaign.models import OrgUnit, RoleGrant, User
from campaign.roles import Role
from core.imports import registry
from core.imports.preview import build_preview
from tests.factories import CityFactory, CountyFactory, UserFactory, grant

PASSWORD = "Anquan-2019-pass"
ROSTER_HEADINGS = [
    "序号", "学校标识码", "单位名称", "所属区县", "学段", "性质", "在校生数", "教职工人数",
    "学校地址", "校长姓名", "校长联系电话", "安全员", "安全员电话",
]  # fmt: skip
PEOPLE_HEADINGS = ["序号", "账号", "姓名", "联系电话", "电子邮箱", "角色", "单位", "密码"]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def workbook(title, headings, rows, footer):
    """A sheet as a clerk keeps it: a merged title, a 填报单位 line and a blank row above the
    header, a blank row among the data, a 合计 row and a signature line below."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    ws.append(["填报单位：南通市教育局", None, None, "填报日期：2019年12月3日"])
    ws.append([])
    ws.append(headings)
    for number, row in enumerate(rows, start=1):
        ws.append([number if row else None, *row] if row else [])
    ws.append(footer)
    ws.append(["填表人：张三", None, None, "审核人：李四"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def roster(rows=None):
    rows = ROSTER if rows is None else rows
    return workbook("南通市学校基本情况表", ROSTER_HEADINGS, rows, ["合计", None, None, None,
                    None, None, 3600, 291])  # fmt: skip


ROSTER = [
    ["3206120201", "通州区新城小学", "通州区", "小学", "公办", "１２００", "８６",
     "通州区新城路8号", "王校长", "０５１３－８６１２ ３４５６", "赵安全",
     "１３９ １２３４ ５６７８"],
    [],  # a blank row in the middle
    ["3206230301", "如东县新港幼儿园", "NT-RD", "幼儿园", "私立", 300, 25.0,
     None, "钱园长", None, "孙老师", 13800001234],
    ["3206000901", "南通市第一高级中学", "南通市", "普通高中", "公办", "2,100", "180人",
     "南通市崇川路1号", None, None, None, None],
]  # fmt: skip


def people(rows=None):
    rows = PEOPLE if rows is None else rows
    return workbook("通州区学校安全员名单", PEOPLE_HEADINGS, rows, ["合计", "2人"])


PEOPLE = [
    ["zhou.officer", "周安全", "１３８ ００００ １１１１", "zhou@example.org", "学校安全员",
     "通州区实验小学", PASSWORD],
    [],
    ["wu.inspector", "吴督查", "0513-8600 2222", "wu@example.org", "督查员", "NT-TZ", None],
]  # fmt: skip


def preview_of(importer, data, actor):
    return build_preview(importer, data, "名册.xlsx", actor=actor)


def statuses(preview):
    return [(row.number, row.status) for row in preview.rows]


# --- Schools --------------------------------------------------------------------------------


def test_the_importers_are_registered_under_the_kinds_of_the_flow():
    assert isinstance(registry.get("schools"), SchoolImporter)
    assert isinstance(registry.get("users"), PeopleImporter)


def test_a_messy_roster_is_previewed_and_committed_with_the_right_values(tree, city_admin):
    before = OrgUnit.objects.count()
    preview = preview_of(SchoolImporter(), roster(), city_admin)

    assert preview.header_row == 4
    mapped = {m.heading: m.field for m in preview.mapping}
    assert mapped["序号"] is None  # a column no field knows is ignored
    assert mapped["所属区县"] == "parent" and mapped["在校生数"] == "students"
    assert mapped["安全员"] == "safety_officer_name"
    assert mapped["安全员电话"] == "safety_officer_phone"
    assert preview.all_problems() == []
    assert statuses(preview) == [(5, "ready"), (7, "ready"), (8, "ready")]
    assert {reason for _row, reason in preview.skipped} == {"blank", "total", "footer"}
    assert OrgUnit.objects.count() == before  # nothing is written by a preview

    result = SchoolImporter().commit(preview.rows, actor=city_admin)
    assert result == {"created": 3, "updated": 0, "skipped": 0}
    xincheng = OrgUnit.objects.get(code="3206120201")
    assert xincheng.parent == tree.tongzhou  # the county by its name
    assert (xincheng.kind, xincheng.category, xincheng.ownership) == ("school", "primary", "public")
    assert (xincheng.students, xincheng.staff) == (1200, 86)
    assert xincheng.principal_phone == "0513-86123456"
    assert xincheng.safety_officer_phone == "13912345678"
    assert xincheng.path.startswith(tree.tongzhou.path)
    xingang = OrgUnit.objects.get(code="3206230301")
    assert (xingang.parent, xingang.ownership, xingang.staff) == (tree.rudong, "private", 25)
    assert (xingang.address, xingang.principal_phone) == ("", "")
    first = OrgUnit.objects.get(code="3206000901")
    assert (first.parent, first.category, first.students, first.staff) == (
        tree.city,
        "senior",
        2100,
        180,
    )


def test_the_same_roster_twice_creates_nothing_twice(tree, city_admin):
    importer = SchoolImporter()
    importer.commit(preview_of(importer, roster(), city_admin).rows, actor=city_admin)
    count = OrgUnit.objects.count()

    again = preview_of(importer, roster(), city_admin)
    assert again.counts()["duplicate"] == 3 and again.counts()["error"] == 0
    assert "3206120201" in again.rows[0].note
    assert importer.commit(again.rows, actor=city_admin) == {
        "created": 0,
        "updated": 0,
        "skipped": 3,
    }
    assert OrgUnit.objects.count() == count


def test_a_code_another_unit_uses_is_an_error_not_a_duplicate(tree, city_admin):
    rows = [["NT-TZ-0001", "通州区另一所小学", "通州区", "小学", "公办", 10, 2]]
    preview = preview_of(SchoolImporter(), roster(rows), city_admin)
    (problem,) = preview.all_problems()
    assert (problem.row, problem.value) == (5, "NT-TZ-0001")
    assert preview.rows[0].status == "error"


def test_a_county_out_of_scope_reads_like_one_that_does_not_exist(tree):
    yangzhou = CityFactory(name="扬州市", code="YZ")
    CountyFactory(name="江都区", code="YZ-JD", parent=yangzhou)
    admin = grant(UserFactory(username="nt-admin"), Role.CITY_ADMIN, tree.city)
    rows = [
        ["NEW-1", "江都区某小学", "江都区", "小学", "公办", 10, 2],
        ["NEW-2", "某区某小学", "某某区", "小学", "公办", 10, 2],
        ["NEW-3", "江都区某中学", "YZ-JD", "初中", "公办", 10, 2],
    ]
    preview = preview_of(SchoolImporter(), roster(rows), admin)
    first, second, third = preview.all_problems()
    assert [p.row for p in (first, second, third)] == [5, 6, 7]
    assert first.message.replace("江都区", "?") == second.message.replace("某某区", "?")
    assert first.message.replace("江都区", "?") == third.message.replace("YZ-JD", "?")
    with pytest.raises(registry.ImportRefused):
        SchoolImporter().commit(preview.rows, actor=admin)
    assert not OrgUnit.objects.filter(code__startswith="NEW-").exists()


def test_the_downloaded_template_filled_in_maps_exactly_and_imports(tree, city_admin):
    importer = SchoolImporter()
    wb = load_workbook(io.BytesIO(importer.template(city_admin)))
    row = ["TZ-T-1", "通州区模板小学", "NT-TZ", "小学", "公办", 100, 10]
    for column, value in enumerate(row, start=1):
        wb.worksheets[0].cell(row=2, column=column, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    preview = preview_of(importer, buffer.getvalue(), city_admin)
    assert preview.header_row == 1 and preview.sheet_index == 0
    assert {m.source for m in preview.mapping} == {"template"}
    assert statuses(preview) == [(2, "ready")]
    assert importer.commit(preview.rows, actor=city_admin)["created"] == 1
    assert OrgUnit.objects.get(code="TZ-T-1").parent == tree.tongzhou


# --- People ---------------------------------------------------------------------------------


def test_a_messy_list_of_people_is_previewed_and_committed(tree, county_staff):
    preview = preview_of(PeopleImporter(), people(), county_staff)
    assert preview.header_row == 4
    mapped = {m.heading: m.field for m in preview.mapping}
    assert (mapped["账号"], mapped["联系电话"], mapped["单位"], mapped["密码"]) == (
        "username",
        "phone",
        "unit",
        "password",
    )
    assert preview.all_problems() == []
    assert statuses(preview) == [(5, "ready"), (7, "ready")]
    assert PASSWORD not in str(preview.to_json()["rows"][0]["raw"])  # shown, stored: hidden
    assert not User.objects.filter(username__in=["zhou.officer", "wu.inspector"]).exists()

    result = PeopleImporter().commit(preview.rows, actor=county_staff)
    assert result == {"created": 2, "updated": 0, "skipped": 0}
    zhou = User.objects.get(username="zhou.officer")
    assert (zhou.full_name, zhou.phone, zhou.email) == ("周安全", "13800001111", "zhou@example.org")
    assert zhou.check_password(PASSWORD)
    grant_ = RoleGrant.objects.get(user=zhou)
    assert (grant_.role, grant_.unit) == (Role.SCHOOL_OFFICER, tree.tz_school)  # unit by name
    wu = User.objects.get(username="wu.inspector")
    assert wu.phone == "0513-86002222" and not wu.has_usable_password()
    assert RoleGrant.objects.get(user=wu).unit == tree.tongzhou


def test_the_same_list_twice_creates_nobody_twice(tree, county_staff):
    importer = PeopleImporter()
    importer.commit(preview_of(importer, people(), county_staff).rows, actor=county_staff)
    before = (User.objects.count(), RoleGrant.objects.count())

    again = preview_of(importer, people(), county_staff)
    assert statuses(again) == [(5, "duplicate"), (7, "duplicate")]
    assert importer.commit(again.rows, actor=county_staff)["skipped"] == 2
    assert (User.objects.count(), RoleGrant.objects.count()) == before


def test_a_taken_user_name_with_another_role_is_an_error(tree, county_staff):
    rows = [["tongzhou", "另一个人", None, "x@example.org", "学校安全员", "NT-TZ-0001", None]]
    preview = preview_of(PeopleImporter(), people(rows), county_staff)
    (problem,) = preview.all_problems()
    assert problem.row == 5 and problem.value == "tongzhou"


def test_a_unit_out_of_scope_reads_like_one_that_does_not_exist(tree, county_staff):
    rows = [
        ["a.rudong", "甲", None, "a@example.org", "学校安全员", "如东县掘港初级中学", None],
        ["b.nowhere", "乙", None, "b@example.org", "学校安全员", "不存在的学校", None],
        ["c.rudong", "丙", None, "c@example.org", "学校安全员", "NT-RD-0001", None],
    ]
    preview = preview_of(PeopleImporter(), people(rows), county_staff)
    first, second, third = preview.all_problems()
    same = first.message.replace("如东县掘港初级中学", "?")
    assert same == second.message.replace("不存在的学校", "?")
    assert same == third.message.replace("NT-RD-0001", "?")
    assert "如东" not in same
    with pytest.raises(registry.ImportRefused):
        PeopleImporter().commit(preview.rows, actor=county_staff)
    assert not User.objects.filter(username__in=["a.rudong", "b.nowhere", "c.rudong"]).exists()


def test_an_unknown_role_names_the_value_and_the_chinese_terms(tree, county_staff):
    rows = [["d.x", "丁", None, "d@example.org", "校长", "NT-TZ-0001", None]]
    preview = preview_of(PeopleImporter(), people(rows), county_staff)
    (problem,) = preview.all_problems()
    assert "校长" in problem.message and "学校安全员" in problem.message
    assert "school_officer" not in problem.message
