"""Checklist templates (检查表): the campaign's seed, versions, the xlsx round trip, the import's
all-or-nothing rule and who may see and edit them."""

import copy
import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaign.roles import Role
from core.errors import NotPermitted, OutOfScope
from core.imports import flow
from core.imports.preview import build_preview
from core.models import ImportUpload
from inspections.checklists import services
from inspections.checklists.content import version_content
from inspections.checklists.excel import export_workbook
from inspections.checklists.importer import ChecklistImporter
from inspections.checklists.seed import (
    S9_ITEMS,
    S15_ITEMS,
    S16_ITEMS,
    checklist_seed,
    seed_content,
)
from inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    InspectionPlan,
    Target,
    Visit,
)
from tests.factories import UserFactory, grant

# --- The seed -------------------------------------------------------------------------------


def test_the_seed_covers_every_s9_and_s16_point(tree):
    template = checklist_seed(tree.city)
    version = template.current_version()
    assert template.code == "campaign-2019" and version.number == 1
    items = {i.code: i for i in version.items.select_related("section", "category")}
    assert set(S9_ITEMS) | set(S16_ITEMS) | set(S15_ITEMS) <= set(items)
    assert 30 <= len(items) <= 45
    # The numbers: the clock within 5 minutes, the guards against the school's requirement.
    clock = items["video-clock"]
    assert (clock.answer_type, clock.threshold, clock.unit_label) == ("max_number", 5, "分钟")
    guards = items["guards-on-duty"]
    assert (guards.answer_type, guards.threshold_rule) == ("min_number", "guards_required")
    # Failures become hazards of the taxonomy's categories.
    assert items["video-black"].category.code == "video-black"
    assert items["fire-hydrant"].category.code == "fire-hydrant"
    assert items["food-samples"].category.code == "food-samples"
    assert "48小时" in items["food-samples"].text
    assert "测试" in items["alarm-live-test"].text
    assert any(i.critical for i in items.values()) and not all(i.critical for i in items.values())
    defences = set(version.sections.values_list("defence", flat=True))
    assert defences == {"human", "physical", "technical", "area"}
    names = set(version.sections.values_list("name", flat=True))
    assert {"人防", "物防", "技防", "门卫", "食堂", "消防", "校车", "宿舍"} <= names


def test_the_seed_is_idempotent_and_valid(tree):
    first = checklist_seed(tree.city)
    assert checklist_seed(tree.city) == first
    assert ChecklistVersion.objects.filter(template=first).count() == 1
    clean, errors = services.content_errors(seed_content())
    assert errors == []
    assert version_content(first.current_version()) == seed_content()


# --- Versions -------------------------------------------------------------------------------


def _visit_on(version, school):
    """A visit that used ``version``, made directly (as plan_seal would)."""
    city = version.template.city
    plan = InspectionPlan.objects.create(
        city=city,
        title="专项督查",
        round="2019年第四季度",
        period_start=dt.date(2019, 12, 1),
        period_end=dt.date(2019, 12, 31),
        checklist=version.template,
        version=version,
        draw_size=1,
        state=InspectionPlan.State.SEALED,
        sealed_at=timezone.now(),
    )
    target = Target.objects.create(plan=plan, school=school, origin=Target.Origin.DRAWN)
    ChecklistVersion.objects.filter(pk=version.pk).update(used_at=timezone.now())
    return Visit.objects.create(
        plan=plan, target=target, school=school, county=school.parent, city=city, version=version
    )


def _edited(content):
    content = copy.deepcopy(content)
    content[2]["items"][2]["threshold"] = Decimal("3")  # the clock: 3 minutes now
    content[0]["items"].append(
        {"code": "guards-training", "text": "保安每季度参加培训", "category": "gate-security"}
    )
    return content


def test_editing_a_used_version_makes_a_new_one_and_the_visit_keeps_its_own(tree, city_admin):
    template = checklist_seed(tree.city)
    v1 = template.current_version()
    before = version_content(v1)
    visit = _visit_on(v1, tree.tz_school)

    v2, outcome = services.checklist_update(
        template=template, actor=city_admin, sections=_edited(before)
    )
    assert outcome == "new" and v2.number == 2
    assert template.current_version() == v2
    assert "guards-training" in v2.note and "video-clock" in v2.note
    visit.refresh_from_db()
    assert visit.version == v1
    assert version_content(v1) == before  # the old version is unchanged
    assert v1.items.get(code="video-clock").threshold == 5
    assert v2.items.get(code="video-clock").threshold == 3
    assert not v1.items.filter(code="guards-training").exists()


def test_editing_an_unused_version_replaces_it(tree, city_admin):
    template = checklist_seed(tree.city)
    v1 = template.current_version()
    version, outcome = services.checklist_update(
        template=template, actor=city_admin, sections=_edited(version_content(v1))
    )
    assert (outcome, version.pk, version.number) == ("replaced", v1.pk, 1)
    assert ChecklistVersion.objects.filter(template=template).count() == 1
    assert version.items.get(code="video-clock").threshold == 3


def test_the_same_content_changes_nothing(tree, city_admin):
    template = checklist_seed(tree.city)
    v1 = template.current_version()
    _visit_on(v1, tree.tz_school)
    version, outcome = services.checklist_update(
        template=template, actor=city_admin, sections=version_content(v1)
    )
    assert (outcome, version) == ("unchanged", v1)


def test_refused_content_says_where_in_chinese(tree, city_admin):
    template = checklist_seed(tree.city)
    content = version_content(template.current_version())
    content[2]["items"][2]["threshold"] = None  # a maximum without its limit
    content[0]["items"][0]["code"] = content[1]["items"][0]["code"]  # a code twice
    content[3]["items"][0]["category"] = "no-such-category"
    with pytest.raises(ValidationError) as refused:
        services.checklist_update(template=template, actor=city_admin, sections=content)
    text = "\n".join(refused.value.messages)
    assert "video-clock" in text and "no-such-category" in text
    assert "guard-equipment" in text
    assert version_content(template.current_version()) == seed_content()


def test_checklist_create(tree, city_admin, city_staff, county_staff):
    template = services.checklist_create(
        city=tree.city, code="canteen-2020", name="食堂专项检查表", actor=city_admin
    )
    assert template.current_version() is None
    with pytest.raises(ValidationError):
        services.checklist_create(city=tree.city, code="canteen-2020", name="x", actor=city_admin)
    with pytest.raises(NotPermitted):
        services.checklist_create(city=tree.city, code="c2", name="x", actor=city_staff)
    with pytest.raises(OutOfScope):
        services.checklist_create(city=tree.city, code="c3", name="x", actor=county_staff)


def test_only_city_admins_edit(tree, city_admin, city_staff, county_staff):
    template = checklist_seed(tree.city)
    content = _edited(version_content(template.current_version()))
    with pytest.raises(NotPermitted):
        services.checklist_update(template=template, actor=city_staff, sections=content)
    with pytest.raises(OutOfScope):
        services.checklist_update(template=template, actor=county_staff, sections=content)


# --- xlsx: export, import -------------------------------------------------------------------


def _book(data):
    return load_workbook(io.BytesIO(data))


def _bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(data, actor, name="checklist.xlsx"):
    upload = flow.upload_create(
        importer=flow.importer_for("checklists"),
        actor=actor,
        file=SimpleUploadedFile(name, data),
    )
    return upload


def test_the_export_imports_back_unchanged(tree, city_admin):
    template = checklist_seed(tree.city)
    v1 = template.current_version()
    data = export_workbook(v1)
    sheet = _book(data)["检查表"]
    assert sheet.max_row == 1 + v1.items.count()
    preview = build_preview(ChecklistImporter(), data, "x.xlsx", actor=city_admin)
    assert preview.problems == [] and preview.counts()["error"] == 0
    assert preview.counts()["duplicate"] == v1.items.count()
    upload = _import(data, city_admin)
    flow.commit_request(upload=upload, actor=city_admin, include_duplicates=False)
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.COMMITTED
    assert ChecklistVersion.objects.filter(template=template).count() == 1
    assert version_content(template.current_version()) == seed_content()


def test_the_round_trip_into_a_new_checklist(tree, city_admin):
    template = checklist_seed(tree.city)
    book = _book(export_workbook(template.current_version()))
    sheet = book["检查表"]
    for row in sheet.iter_rows(min_row=2):
        row[0].value = "campaign-2020"
        row[1].value = "2020年检查表"
    upload = _import(_bytes(book), city_admin)
    assert upload.counts["ready"] == template.current_version().items.count()
    flow.commit_request(upload=upload, actor=city_admin, include_duplicates=False)
    new = ChecklistTemplate.objects.get(code="campaign-2020")
    assert new.city == tree.city and new.name == "2020年检查表"
    assert version_content(new.current_version()) == seed_content()


def test_an_import_makes_a_new_version_only_when_used_and_changed(tree, city_admin):
    template = checklist_seed(tree.city)
    v1 = template.current_version()
    _visit_on(v1, tree.tz_school)
    book = _book(export_workbook(v1))
    sheet = book["检查表"]
    headings = [c.value for c in sheet[1]]
    limit, code = headings.index("限值"), headings.index("检查项编号")
    for row in sheet.iter_rows(min_row=2):
        if row[code].value == "video-clock":
            row[limit].value = 2
    upload = _import(_bytes(book), city_admin)
    assert upload.counts["update"] == v1.items.count()
    flow.commit_request(upload=upload, actor=city_admin, include_duplicates=False)
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.COMMITTED
    assert upload.result["updated"] == 1 and upload.result["version"] == 2
    assert template.current_version().items.get(code="video-clock").threshold == 2
    assert v1.items.get(code="video-clock").threshold == 5


def test_one_bad_row_imports_nothing_and_says_why(tree, city_admin):
    template = checklist_seed(tree.city)
    v1 = template.current_version()
    book = _book(export_workbook(v1))
    sheet = book["检查表"]
    headings = [c.value for c in sheet[1]]
    text, limit = headings.index("检查内容"), headings.index("限值")
    rows = list(sheet.iter_rows(min_row=2))
    rows[0][text].value = "新的检查内容"  # a good change …
    clock = next(r for r in rows if r[headings.index("检查项编号")].value == "video-clock")
    clock[limit].value = "五分钟"  # … and a bad row
    upload = _import(_bytes(book), city_admin)
    assert upload.counts["error"] == 1
    problems = [p for p in flow.preview_of(upload).all_problems()]
    assert len(problems) == 1
    assert problems[0].row == clock[0].row and problems[0].heading == "限值"
    flow.commit_request(upload=upload, actor=city_admin, include_duplicates=False)
    upload.refresh_from_db()
    assert upload.status != ImportUpload.Status.COMMITTED
    assert version_content(template.current_version()) == seed_content()


def test_an_import_refuses_a_mixed_file_and_a_bad_category(tree, city_admin):
    template = checklist_seed(tree.city)
    book = _book(export_workbook(template.current_version()))
    sheet = book["检查表"]
    rows = list(sheet.iter_rows(min_row=2))
    rows[3][0].value = "another"
    rows[5][14].value = "no-such"
    preview = build_preview(ChecklistImporter(), _bytes(book), "x.xlsx", actor=city_admin)
    messages = {p.row: p.message for p in preview.all_problems()}
    assert "another" in messages[rows[3][0].row]
    assert preview.counts()["error"] >= 1


def test_only_city_admins_import(tree, city_admin, city_staff):
    template = checklist_seed(tree.city)
    importer = ChecklistImporter()
    assert importer.may_import(city_admin)
    assert not importer.may_import(city_staff)
    assert template  # the city staff cannot even start an upload (the view answers 403)


# --- Pages ----------------------------------------------------------------------------------


@pytest.fixture
def seeded(tree):
    return checklist_seed(tree.city)


def test_the_list_and_detail(seeded, client_for, city_admin, city_staff, leader):
    for user in (city_admin, city_staff):
        page = client_for(user).get(reverse("inspections:checklist_list"))
        assert page.status_code == 200 and seeded.name in page.content.decode()
        page = client_for(user).get(reverse("inspections:checklist_detail", args=[seeded.code]))
        assert page.status_code == 200
        assert "视频监控无黑屏" in page.content.decode()


def test_pages_for_the_county(seeded, client_for, county_staff):
    client = client_for(county_staff)
    assert client.get(reverse("inspections:checklist_list")).status_code == 403
    for name in ("checklist_detail", "checklist_edit", "checklist_export"):
        assert client.get(reverse(f"inspections:{name}", args=[seeded.code])).status_code == 404


def test_editing_is_for_the_city_admin(seeded, client_for, city_admin, city_staff):
    url = reverse("inspections:checklist_edit", args=[seeded.code])
    assert client_for(city_staff).get(url).status_code == 403
    assert client_for(city_staff).post(url, {}).status_code == 403
    assert client_for(city_admin).get(url).status_code == 200


def test_the_export_download(seeded, client_for, city_staff):
    page = client_for(city_staff).get(reverse("inspections:checklist_export", args=[seeded.code]))
    assert page.status_code == 200
    sheet = _book(page.content)["检查表"]
    assert sheet.max_row == 1 + ChecklistItem.objects.filter(version__template=seeded).count()


def test_an_older_version_and_the_history(seeded, client_for, city_admin):
    v1 = seeded.current_version()
    _visit_on(v1, seeded.city.children.first().children.first())
    services.checklist_update(
        template=seeded, actor=city_admin, sections=_edited(version_content(v1))
    )
    client = client_for(city_admin)
    url = reverse("inspections:checklist_detail", args=[seeded.code])
    current = client.get(url).content.decode()
    assert "保安每季度参加培训" in current and "guards-training" in current
    old = client.get(url, {"v": 1}).content.decode()
    assert "保安每季度参加培训" not in old
    assert client.get(url, {"v": 9}).status_code == 404
    assert client.get(url, {"v": "x"}).status_code == 404


# --- The editor -----------------------------------------------------------------------------


class _FormValues(HTMLParser):
    """The values a browser would post from the page's checklist form (no button pressed)."""

    def __init__(self):
        super().__init__()
        self.values, self.in_form, self.select, self.option = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "checklist-form":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "on")
            elif kind != "submit":
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name")
            self.values.setdefault(self.select, None)
        elif tag == "option" and self.select:
            if self.values.get(self.select) is None:
                self.values[self.select] = a.get("value", "")  # the first, unless one is selected
            if "selected" in a:
                self.values[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form":
            self.in_form = False


def _form_values(page):
    parser = _FormValues()
    parser.feed(page.content.decode())
    return {k: v for k, v in parser.values.items() if v is not None}


def _item_prefix(values, code):
    return next(k[: -len("-code")] for k, v in values.items() if k.endswith("-code") and v == code)


def test_the_editor_posts_back_what_it_shows(seeded, client_for, city_admin):
    client = client_for(city_admin)
    url = reverse("inspections:checklist_edit", args=[seeded.code])
    values = _form_values(client.get(url))
    assert values["s0-code"] == "human"
    page = client.post(url, values)
    assert page.status_code == 302
    assert ChecklistVersion.objects.filter(template=seeded).count() == 1
    assert version_content(seeded.current_version()) == seed_content()


def test_the_editor_makes_version_2_of_a_used_version(seeded, client_for, city_admin, tree):
    v1 = seeded.current_version()
    _visit_on(v1, tree.tz_school)
    client = client_for(city_admin)
    url = reverse("inspections:checklist_edit", args=[seeded.code])
    page = client.get(url)
    note = page.content.decode().split('id="checklist-version-note"')[1].split("</div>")[0]
    assert "1" in note and "2" in note  # version 1 was used: saving creates version 2
    values = _form_values(page)
    clock = _item_prefix(values, "video-clock")
    values[f"{clock}-threshold"] = "3"
    # A new item in the first section's blank row, and one item removed.
    count = int(values["s0-items"])
    blank = f"s0-i{count - 1}"
    values.update({f"{blank}-code": "guards-training", f"{blank}-text": "保安每季度参加培训",
                   f"{blank}-category": "gate-security"})  # fmt: skip
    values[f"{_item_prefix(values, 'campus-patrol')}-delete"] = "on"
    values["note"] = "时钟误差改为3分钟"
    assert client.post(url, values).status_code == 302
    v2 = seeded.current_version()
    assert v2.number == 2 and v2.note == "时钟误差改为3分钟"
    assert v2.items.get(code="video-clock").threshold == 3
    assert v2.items.filter(code="guards-training").exists()
    assert not v2.items.filter(code="campus-patrol").exists()
    assert version_content(v1) == seed_content()


def test_a_refused_edit_keeps_what_was_typed(seeded, client_for, city_admin):
    client = client_for(city_admin)
    url = reverse("inspections:checklist_edit", args=[seeded.code])
    values = _form_values(client.get(url))
    clock = _item_prefix(values, "video-clock")
    values[f"{clock}-threshold"] = "五分钟"
    values[f"{clock}-text"] = "监控时间误差（已改）"
    page = client.post(url, values)
    assert page.status_code == 400
    html = page.content.decode()
    assert "五分钟" in html and "监控时间误差（已改）" in html
    assert f'id="id_{clock}-threshold_error"' in html
    assert version_content(seeded.current_version()) == seed_content()


def test_more_rows_and_a_new_section_save_nothing(seeded, client_for, city_admin):
    client = client_for(city_admin)
    url = reverse("inspections:checklist_edit", args=[seeded.code])
    values = _form_values(client.get(url))
    values[f"{_item_prefix(values, 'video-clock')}-text"] = "改过的文字"
    page = client.post(url, {**values, "more": "section"})
    assert page.status_code == 200
    again = _form_values(page)
    assert int(again["sections"]) == int(values["sections"]) + 1
    assert again[f"{_item_prefix(values, 'video-clock')}-text"] == "改过的文字"
    page = client.post(url, {**again, "more": "0"})
    assert int(_form_values(page)["s0-items"]) == int(values["s0-items"]) + 5
    assert version_content(seeded.current_version()) == seed_content()


def test_a_new_checklist_from_the_list(tree, client_for, city_admin, city_staff):
    url = reverse("inspections:checklist_list")
    assert client_for(city_staff).post(url, {"code": "x", "name": "y"}).status_code == 403
    client = client_for(city_admin)
    page = client.post(url, {"code": "bad code!", "name": "食堂检查表"})
    assert page.status_code == 400 and "食堂检查表" in page.content.decode()
    page = client.post(url, {"code": "canteen", "name": "食堂检查表"})
    assert page.status_code == 302
    template = ChecklistTemplate.objects.get(code="canteen")
    values = _form_values(client.get(page.url))
    values.update({"s0-code": "canteen", "s0-name": "食堂", "s0-defence": "area",
                   "s0-i0-code": "food-samples", "s0-i0-text": "留样48小时",
                   "s0-i0-category": "food-samples", "s0-i0-critical": "on"})  # fmt: skip
    assert client.post(page.url, values).status_code == 302
    item = template.current_version().items.get()
    assert item.critical and item.category.code == "food-samples" and item.weight == 1


# --- Who may: a city administrator without the superuser flag ------------------------------


@pytest.fixture
def plain_admin(tree):
    """The city's administrator as the role makes one (the ``city_admin`` persona is also a
    superuser, who may do anything anyway)."""
    return grant(UserFactory(username="admin2"), Role.CITY_ADMIN, tree.city)


def test_the_city_administrators_role_edits_imports_and_creates(
    seeded, tree, client_for, plain_admin
):
    client = client_for(plain_admin)
    assert client.get(reverse("inspections:checklist_list")).status_code == 200
    url = reverse("inspections:checklist_edit", args=[seeded.code])
    values = _form_values(client.get(url))
    values[f"{_item_prefix(values, 'video-clock')}-threshold"] = "4"
    assert client.post(url, values).status_code == 302
    assert seeded.current_version().items.get(code="video-clock").threshold == 4
    assert client.get(reverse("core:import_start", args=["checklists"])).status_code == 200
    assert services.cities_to_create_in(plain_admin) == [tree.city]


def test_who_may_see_and_edit(seeded, client_for, city_staff, safety_office, leader, inspector,
                              school_officer, county_staff):  # fmt: skip
    detail = reverse("inspections:checklist_detail", args=[seeded.code])
    edit = reverse("inspections:checklist_edit", args=[seeded.code])
    start = reverse("core:import_start", args=["checklists"])
    for user in (city_staff, safety_office, leader):
        client = client_for(user)
        assert client.get(detail).status_code == 200
        assert client.get(edit).status_code == 403
        assert client.get(start).status_code == 403
    for user in (inspector, school_officer, county_staff):
        client = client_for(user)
        assert client.get(detail).status_code == 404
        assert client.get(edit).status_code == 404
        assert client.get(reverse("inspections:checklist_list")).status_code == 403


def test_the_import_pages(seeded, client_for, plain_admin):
    """Upload → preview → commit through core's pages, as the administrator does it."""
    client = client_for(plain_admin)
    book = _book(export_workbook(seeded.current_version()))
    sheet = book["检查表"]
    headings = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headings.index("检查项编号")].value == "fire-hydrant":
            row[headings.index("检查内容")].value = "消防栓有水，放水测试压力不低于0.1兆帕"
    template = client.get(reverse("core:import_template", args=["checklists"]))
    assert template.status_code == 200 and "检查表编号" in [
        c.value for c in _book(template.content)["检查表"][1]
    ]
    start = reverse("core:import_start", args=["checklists"])
    page = client.post(start, {"file": SimpleUploadedFile("检查表.xlsx", _bytes(book))})
    assert page.status_code == 302
    preview = client.get(page.url)
    assert preview.status_code == 200 and "fire-hydrant" in preview.content.decode()
    upload = ImportUpload.objects.get(owner=plain_admin)
    done = client.post(reverse("core:import_commit", args=[upload.public_id]))
    assert done.status_code == 302
    assert done.url == reverse("inspections:checklist_list")
    item = seeded.current_version().items.get(code="fire-hydrant")
    assert "0.1兆帕" in item.text


def test_a_tampered_count_of_rows_is_bounded(seeded, client_for, city_admin):
    url = reverse("inspections:checklist_edit", args=[seeded.code])
    values = _form_values(client_for(city_admin).get(url))
    values.update({"sections": "100000", "s0-items": "100000", "s1-items": "-5", "s2-items": "x"})
    page = client_for(city_admin).post(url, values)
    assert page.status_code == 400  # section 2 has no items now: refused, nothing saved
    assert page.content.decode().count('name="s0-i') <= 400 * 14
    assert version_content(seeded.current_version()) == seed_content()
