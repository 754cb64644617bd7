"""The import engine on the messy ledgers of issue 7, with a fake importer (no models)."""

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core.imports import cells, registry
from core.imports.errorbook import LIST_SHEET, PROBLEM_FILL, error_workbook
from core.imports.fields import Field, ImporterSpec
from core.imports.header import choose_sheet, find_header, header_rows
from core.imports.mapping import ColumnMap, heading_key, propose_mapping, remembered_from
from core.imports.matching import NameMatcher, short_names
from core.imports.preview import Preview, Problem, build_preview
from core.imports.reading import WorkbookError, open_book
from core.imports.rows import uncached_message
from tests.imports import ledgers
from tests.imports.fake import SPEC, FakeImporter

TODAY = dt.date(2020, 1, 15)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def preview_of(data, importer=None, **kwargs):
    return build_preview(importer or FakeImporter(), data, "ledger.xlsx", actor=None,
                         today=TODAY, **kwargs)  # fmt: skip


def book_bytes(rows, merges=(), title="Sheet"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Reading ---------------------------------------------------------------------------------


def test_merged_cells_read_as_their_top_left_value_and_cached_formulas_as_their_value():
    data = ledgers.hazard_ledger(layout=ledgers.Layout(cover=False))
    sheet = open_book(data).sheets[0]
    assert sheet.rows[0] == (ledgers.TITLE,) * len(ledgers.HEADINGS)  # merged title
    first, second = ledgers.data_row_numbers(ledgers.messy_rows())[:2]
    school = ledgers.SCHOOL_COL
    assert sheet.rows[first - 1][school] == sheet.rows[second - 1][school] == "金沙小学"
    assert sheet.rows[first - 1][0] == 1 and sheet.rows[second - 1][0] == 2  # =ROW()-3, cached
    total = next(r for r in sheet.rows if r[0] == "合计")
    assert total[ledgers.FUNDS_COL] == pytest.approx(3.5)  # =SUM(…) cached: 0.5 + 3
    assert not sheet.uncached


def test_a_formula_without_a_cached_value_is_found_by_its_cell():
    data = ledgers.hazard_ledger(layout=ledgers.Layout(cover=False, uncached_funds=(1,)))
    sheet = open_book(data).sheets[0]
    row = ledgers.data_row_numbers(ledgers.messy_rows())[1]
    assert sheet.uncached == {(row - 1, ledgers.FUNDS_COL)}
    assert sheet.rows[row - 1][ledgers.FUNDS_COL] is None


def formula_book(cached):
    """序号, 学校名称, 隐患描述 with formulas: 序号 =ROW()-1 uncached on every row, and a
    description =IF(…) whose cached result is the empty text on row 3."""
    rows = [
        ["序号", "学校名称", "隐患描述", "发现日期"],
        ["=ROW()-1", "金沙小学", "灭火器过期", "2019-12-03"],
        ["=ROW()-1", None, '=IF(B3="","","x")', None],
        ["=ROW()-1", None, "=B2", None],
    ]
    return ledgers._cache_formulas(book_bytes(rows), "xl/worksheets/sheet1.xml", cached)


def test_a_formula_that_computed_empty_text_is_cached_not_missing():
    sheet = open_book(formula_book({"C3": ""})).sheets[0]
    assert sheet.uncached == {(1, 0), (2, 0), (3, 0), (3, 2)}


def test_rows_with_only_uncached_formulas_or_an_ignored_column_are_blank():
    preview = preview_of(formula_book({}))
    assert [r.number for r in preview.rows] == [2]  # 序号 is uncached but not mapped
    assert preview.rows[0].status == "ready"
    assert preview.skipped == []


def test_a_stray_cell_far_to_the_right_does_not_widen_every_row(monkeypatch):
    from core.imports import reading

    monkeypatch.setattr(reading, "MAX_COLUMNS", 5)
    workbook = Workbook()
    workbook.active.append(["学校名称", "隐患描述", "发现日期"])
    workbook.active.append(["金沙小学", "灭火器过期", "2019-12-03"])
    workbook.active.cell(1, 40, "stray")
    out = io.BytesIO()
    workbook.save(out)
    sheet = open_book(out.getvalue()).sheets[0]
    assert [len(r) for r in sheet.rows] == [5, 5]
    assert sheet.rows[1][:3] == ("金沙小学", "灭火器过期", "2019-12-03")


def test_the_builders_cached_values_read_in_openpyxl_too():
    data = ledgers.hazard_ledger(layout=ledgers.Layout(cover=False, uncached_funds=(1,)))
    values = load_workbook(io.BytesIO(data), data_only=True).active
    formulas = load_workbook(io.BytesIO(data)).active
    first, second = ledgers.data_row_numbers(ledgers.messy_rows())[:2]
    assert values.cell(first, 1).value == 1 and formulas.cell(first, 1).value == "=ROW()-3"
    funds = ledgers.FUNDS_COL + 1
    assert values.cell(second, funds).value is None  # left uncached
    assert formulas.cell(second, funds).value == "=0.2+0.3"


def test_the_large_ledger_previews_every_row_ready():
    preview = preview_of(ledgers.large_ledger(40))
    assert len(preview.rows) == 40 and preview.counts()["ready"] == 40, preview.all_problems()
    assert [reason for _n, reason in preview.skipped] == ["total", "blank", "footer"]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "a.xlsx", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "a.xlsx", ".xls"),
        (b"id,name\n1,x\n", "a.xlsx", "not an Excel workbook"),
        (b"whatever", "old.xls", ".xls"),
    ],
)
def test_files_that_are_no_workbook_are_refused_with_a_message(data, name, words):
    with pytest.raises(WorkbookError) as caught:
        open_book(data, name)
    assert words in caught.value.message


def test_a_damaged_workbook_is_refused_as_such():
    good = book_bytes([["a"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            dst.writestr(info, body)
    with pytest.raises(WorkbookError) as caught:
        open_book(out.getvalue())
    assert "damaged" in caught.value.message


def test_a_zip_bomb_is_refused(monkeypatch):
    from core.imports import reading

    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(WorkbookError) as caught:
        open_book(book_bytes([["a"]]))
    assert "too large" in caught.value.message


# --- Header ----------------------------------------------------------------------------------


def test_the_header_is_found_below_the_title_and_unit_lines():
    data = ledgers.hazard_ledger(layout=ledgers.Layout(cover=False))
    sheet = open_book(data).sheets[0]
    assert find_header(sheet, SPEC) == 2
    layout = ledgers.Layout(cover=False, title=False, unit_line=False)
    plain = open_book(ledgers.hazard_ledger(layout=layout)).sheets[0]
    assert find_header(plain, SPEC) == 0


def test_a_two_row_header_joins_the_group_heading_to_its_parts():
    rows = [
        ["隐患排查整治台账"],
        ["学校名称", "隐患描述", "五落实", None, "发现日期"],
        [None, None, "整改责任人", "整改资金(万元)", None],
        ["金沙小学", "灭火器过期", "张伟", 0.5, "2019-12-03"],
    ]
    data = book_bytes(rows, merges=["A1:E1", "A2:A3", "B2:B3", "C2:D2", "E2:E3"])
    sheet = open_book(data).sheets[0]
    header = find_header(sheet, SPEC)
    headings, first = header_rows(sheet, header)
    assert headings == [
        "学校名称", "隐患描述", "五落实 整改责任人", "五落实 整改资金(万元)", "发现日期",
    ]  # fmt: skip
    assert first == 3
    mapping = propose_mapping(headings, SPEC)
    assert [m.field for m in mapping] == [
        "school", "description", "responsible", "funds_amount", "found_on",
    ]  # fmt: skip
    assert mapping[3].scale == 10000


def test_a_heading_merged_across_two_columns_maps_its_first_column():
    rows = [
        ["学校名称", "隐患描述", None, "发现日期"],
        ["金沙小学", "灭火器", "过期", "2019-12-03"],
    ]
    preview = preview_of(book_bytes(rows, merges=["B1:C1"]))
    assert [(m.heading, m.field) for m in preview.mapping] == [
        ("学校名称", "school"), ("隐患描述", "description"), ("隐患描述", None),
        ("发现日期", "found_on"),
    ]  # fmt: skip
    assert preview.rows[0].values["description"] == "灭火器"


def test_the_unit_line_is_not_taken_for_the_header_even_when_a_field_is_called_unit():
    spec = ImporterSpec(
        "people",
        (
            Field("unit", "单位", "text", required=True, synonyms=("所在单位",)),
            Field("name", "姓名", "text", required=True),
            Field("phone", "手机", "phone", synonyms=("联系电话",)),
            Field("joined", "填报日期", "date"),
        ),
        max_rows=100,
    )
    rows = [
        ["人员名单"],
        ["填报单位：通州区教育体育局", None, "填报日期：2019年12月20日"],
        ["序号", "所在单位", "姓名", "联系电话"],
        [1, "金沙小学", "王芳", "13812345678"],
    ]
    preview = preview_of(book_bytes(rows, merges=["A1:D1", "A2:B2", "C2:D2"]), FakeImporter(spec))
    assert preview.header_row == 3
    assert preview.rows[0].values == {"unit": "金沙小学", "name": "王芳", "phone": "13812345678"}


def test_a_sheet_without_a_header_says_so():
    preview = preview_of(book_bytes([["hello"], [1, 2, 3]]))
    assert preview.header_row is None and not preview.rows
    assert "No header row" in preview.problems[0].message


# --- Mapping ---------------------------------------------------------------------------------


def test_the_clerks_headings_map_to_the_fields_with_synonyms_and_units():
    mapping = propose_mapping(ledgers.HEADINGS, SPEC)
    assert {m.heading: m.field for m in mapping} == {
        "序号": None,
        "学校名称": "school",
        "隐患类别": "category",
        "隐患描述": "description",
        "隐患等级(一般/重大)": "level",
        "发现时间": "found_on",
        "整改责任人": "responsible",
        "联系电话": "phone",
        "整改措施": "measures",
        "整改资金(万元)": "funds_amount",
        "整改时限": "deadline",
        "应急预案": "plan",
        "整改进展": "progress",
        "备注": "note",
    }
    funds = next(m for m in mapping if m.field == "funds_amount")
    assert funds.scale == 10000 and funds.index == ledgers.FUNDS_COL


def test_the_templates_own_headings_map_exactly():
    headings = [f.label for f in SPEC.fields]
    mapping = propose_mapping(headings, SPEC)
    assert [m.field for m in mapping] == [f.code for f in SPEC.fields]
    assert {m.source for m in mapping} == {"template"}
    assert next(m for m in mapping if m.field == "funds_amount").scale == 1  # 整改资金(元)


def test_a_remembered_mapping_wins_over_the_guess_and_may_ignore_a_column():
    remembered = {heading_key("整改时限"): "note", heading_key("备注 "): ""}
    mapping = propose_mapping(ledgers.HEADINGS, SPEC, remembered)
    by_heading = {m.heading: m for m in mapping}
    assert by_heading["整改时限"].field == "note"
    assert by_heading["整改时限"].source == "remembered"
    assert by_heading["备注"].field is None and by_heading["备注"].source == "remembered"
    assert remembered_from(mapping)[heading_key("整改时限")] == "note"


def test_each_field_goes_to_one_column_only():
    mapping = propose_mapping(["学校", "学校名称", "备注"], SPEC)
    assert [m.field for m in mapping] == ["school", None, "note"]


def test_headings_are_compared_folded():
    assert heading_key("整改资金（万元）") == heading_key(" 整改资金(万元) ")
    mapping = propose_mapping(["学 校 名 称", "发现时间（日期）", "ＥＭＡＩＬ"], SPEC)
    assert [m.field for m in mapping] == ["school", "found_on", "email"]  # the code name


# --- Cells -----------------------------------------------------------------------------------

DATES = [
    ("2019年12月3日", dt.date(2019, 12, 3)),
    ("2019年12月03号", dt.date(2019, 12, 3)),
    ("2019.12.3", dt.date(2019, 12, 3)),
    ("2019/12/03", dt.date(2019, 12, 3)),
    ("2019-12-3", dt.date(2019, 12, 3)),
    ("２０１９－１２－０３", dt.date(2019, 12, 3)),
    ("2019．12．3", dt.date(2019, 12, 3)),
    ("２０１９年１２月３日", dt.date(2019, 12, 3)),
    ("2019-12-03 08:30", dt.date(2019, 12, 3)),
    ("2019/12/3 8:30:15", dt.date(2019, 12, 3)),
    (" 2019 - 12 - 03 ", dt.date(2019, 12, 3)),
    ("20191203", dt.date(2019, 12, 3)),
    (20191203, dt.date(2019, 12, 3)),
    (20191203.0, dt.date(2019, 12, 3)),
    (43802, dt.date(2019, 12, 3)),  # an Excel serial in a cell formatted as a number
    (43802.35, dt.date(2019, 12, 3)),
    (dt.date(2019, 12, 3), dt.date(2019, 12, 3)),
    (dt.datetime(2019, 12, 3, 8, 30), dt.date(2019, 12, 3)),  # noqa: DTZ001 - Excel holds naive datetimes
    (None, None),
    ("", None),
]


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_dates_in_every_form_a_clerk_writes(value, expected):
    assert cells.parse_date(value, today=TODAY) == (expected, "")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("26.11.14", "four digits"),
        ("19/12/03", "four digits"),
        ("2019-02-30", "no such day"),
        ("1999-12-31", "2000-01-01"),
        ("2031-01-01", "2000-01-01"),  # beyond ten years from TODAY
        (20311203, "2000-01-01"),
        (100, "not a date"),
        (True, "not a date"),
        ("下周", "not a date"),
        ("2019-13-01", "no such day"),
    ],
)
def test_implausible_or_unreadable_dates_are_refused_with_a_message(value, words):
    found, message = cells.parse_date(value, today=TODAY)
    assert found is None and words in message


def test_a_past_only_date_refuses_the_future():
    assert cells.parse_date("2020-01-16", past_only=True, today=TODAY)[0] is None
    assert "future" in cells.parse_date("2020-01-16", past_only=True, today=TODAY)[1]
    assert cells.parse_date("2020-01-15", past_only=True, today=TODAY) == (TODAY, "")
    assert cells.parse_date("2020-01-16", today=TODAY) == (dt.date(2020, 1, 16), "")


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (0.5, 10000, Decimal("5000.00")),
        ("1.2", 10000, Decimal("12000.00")),
        ("０.３５", 10000, Decimal("3500.00")),
        ("0.35万元", 1, Decimal("3500.00")),
        ("3.5万", 10000, Decimal("35000.00")),
        ("1,200元", 1, Decimal("1200.00")),
        ("￥ 88.5", 1, Decimal("88.50")),
        (3, 1, Decimal("3.00")),
        (0.1 + 0.2, 1, Decimal("0.30")),
        (None, 10000, None),
        ("", 1, None),
    ],
)
def test_amounts_read_in_yuan_with_their_unit(value, scale, expected):
    assert cells.parse_money(value, scale) == (expected, "")


@pytest.mark.parametrize("value", ["约五千", "-3", "1e400", True, "nan"])
def test_amounts_that_are_no_amount_are_refused(value):
    amount, message = cells.parse_money(value)
    assert amount is None and message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("１３８ 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0513-8612 3456", "0513-86123456"),
        ("0513 86123456", "0513-86123456"),
        ("(0513)86123456", "0513-86123456"),
        ("０５１３－８６１２３４５６", "0513-86123456"),
        ("13812345678/0513-86123456", "13812345678/0513-86123456"),
        ("13812345678、13912345678", "13812345678/13912345678"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_numbers_are_normalised(value, expected):
    assert cells.normalise_phone(value) == expected


def test_a_phone_that_is_no_phone_is_refused():
    assert cells.check_phone(cells.normalise_phone("张老师")) != ""
    assert cells.check_phone(cells.normalise_phone("123")) != ""
    assert cells.check_phone("0513-86123456") == ""


def test_counts_yes_no_and_choices():
    assert cells.parse_count("１２") == (12, "")
    assert cells.parse_count(12.0) == (12, "")
    assert cells.parse_count("3人") == (3, "")
    assert cells.parse_count("-1")[0] is None
    assert cells.parse_bool("是") == (True, "")
    assert cells.parse_bool("无") == (False, "")
    assert cells.parse_bool("√") == (True, "")
    assert cells.parse_bool("也许")[0] is None
    choices = {"一般": "general", "重大": "major"}
    assert cells.parse_choice(" 重 大 ", choices) == ("major", "")
    value, message = cells.parse_choice("较大", choices)
    assert value is None and "一般、重大" in message


def test_fold_and_cell_text():
    assert cells.fold("（一般／重大） ＡＢ") == "(一般/重大)ab"
    assert cells.cell_text(12.0) == "12"
    assert cells.cell_text("a_x000B_b") == "a\x0bb"
    assert cells.cell_text(dt.datetime(2019, 12, 3)) == "2019-12-03"  # noqa: DTZ001 - Excel holds naive datetimes
    assert cells.cell_text(dt.datetime(2019, 12, 3, 8, 30)) == "2019-12-03 08:30"  # noqa: DTZ001 - Excel holds naive datetimes


# --- Matching --------------------------------------------------------------------------------


def schools_matcher():
    schools = [
        (1, "NT-TZ-001", "南通市通州区金沙小学"),
        (2, "NT-TZ-002", "南通市通州区实验小学"),
        (3, "NT-RD-001", "南通市如东县实验小学"),
    ]
    prefixes = {1: ["南通市", "通州区"], 2: ["南通市", "通州区"], 3: ["南通市", "如东县"]}
    return NameMatcher(
        (key, code, [name, *sorted(short_names(name, prefixes[key]))])
        for key, code, name in schools
    )


def test_short_names_take_the_prefixes_off():
    assert short_names("南通市通州区实验小学", ["南通市", "通州区"]) == {
        "通州区实验小学",
        "通州实验小学",
        "实验小学",
        "南通通州区实验小学",
    }
    assert short_names("通州区", ["通州区"]) == set()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("NT-TZ-001", 1),
        ("nt-tz-001", 1),
        ("南通市通州区金沙小学", 1),
        ("南通市通州区 金沙小学", 1),
        ("金沙小学", 1),
        ("通州区金沙小学", 1),
        ("通州实验小学", 2),
        ("如东县实验小学", 3),
    ],
)
def test_schools_match_by_code_full_or_short_name(text, key):
    assert schools_matcher().match(text) == (key, [])


def test_an_ambiguous_name_matches_none_and_suggests():
    key, suggestions = schools_matcher().match("实验小学")
    assert key is None
    assert suggestions == ["南通市如东县实验小学", "南通市通州区实验小学"]
    assert schools_matcher().match("金沙") == (None, ["南通市通州区金沙小学"])
    assert schools_matcher().match("北京小学") == (None, [])
    assert schools_matcher().match("") == (None, [])


# --- The preview -----------------------------------------------------------------------------


def test_the_messy_ledger_previews_with_the_right_values():
    importer = FakeImporter()
    data = ledgers.hazard_ledger(
        layout=ledgers.Layout(second_sheet_rows=ledgers.messy_rows(count=2))
    )
    preview = preview_of(data, importer)
    rows = ledgers.messy_rows()
    numbers = ledgers.data_row_numbers(rows)
    assert preview.sheet == "2019年隐患台账" and preview.sheet_index == 1
    assert preview.header_row == 3
    assert [r.number for r in preview.rows] == numbers
    assert all(r.status == "ready" for r in preview.rows), preview.all_problems()
    assert importer.resolved == len(rows)
    first, second = preview.rows[:2]
    assert first.values["school"] == second.values["school"] == "金沙小学"  # merged down
    assert {r.values["found_on"] for r in preview.rows} == {dt.date(2019, 12, 3)}
    assert [r.values["funds_amount"] for r in preview.rows] == [
        Decimal("5000.00"), Decimal("12000.00"), Decimal("30000.00"), Decimal("3500.00"),
    ]  # fmt: skip
    assert preview.rows[0].values["category"] == "fire"
    assert preview.rows[0].values["level"] == "general"
    assert preview.rows[-1].values["phone"] == "0513-86123456"
    assert preview.rows[0].raw["found_on"] == "2019年12月3日"
    after = numbers[-1]
    assert preview.skipped == [
        (numbers[1] + 1, "blank"),
        (after + 1, "total"),
        (after + 2, "blank"),
        (after + 3, "footer"),
    ]
    assert preview.other_sheets == [("封面", 3), ("2020年隐患台账", 7)]
    assert preview.counts() == {"ready": 4, "error": 0, "duplicate": 0, "update": 0}


def test_the_user_may_pick_another_sheet():
    second = ledgers.messy_rows(["东社小学"], count=2)
    data = ledgers.hazard_ledger(layout=ledgers.Layout(second_sheet_rows=second))
    book = open_book(data)
    assert choose_sheet(book, SPEC) == (1, 2)
    preview = preview_of(data, sheet_index=2)
    assert preview.sheet == "2020年隐患台账"
    assert {r.values["school"] for r in preview.rows} == {"东社小学"}
    assert [name for name, _n in preview.other_sheets] == ["封面", "2019年隐患台账"]


def test_an_uncached_formula_is_reported_as_such_never_as_required():
    layout = ledgers.Layout(uncached_funds=(1,))
    preview = preview_of(ledgers.hazard_ledger(layout=layout))
    row = preview.rows[1]
    assert row.status == "error"
    assert row.problems == [
        Problem(row.number, ledgers.FUNDS_COL, "整改资金(万元)", "", uncached_message())
    ]


def test_problems_carry_row_column_heading_and_value_in_column_order():
    rows = ledgers.messy_rows()
    rows[0].found = "26.11.14"
    rows[0].level = "特大"
    rows[0].description = ""
    rows[2].deadline = "2019-02-30"
    preview = preview_of(ledgers.hazard_ledger(rows=rows))
    first = preview.rows[0]
    assert [(p.column, p.heading, p.value) for p in first.problems] == [
        (3, "隐患描述", ""),
        (4, "隐患等级(一般/重大)", "特大"),
        (5, "发现时间", "26.11.14"),
    ]
    assert "required" in first.problems[0].message
    assert "four digits" in first.problems[2].message
    assert preview.counts()["error"] == 2
    ordered = preview.all_problems()
    assert ordered == sorted(ordered, key=lambda p: (p.row, p.column))


def test_a_missing_required_column_is_a_header_problem():
    rows = [["学校名称", "备注"], ["金沙小学", "x"]]
    preview = preview_of(book_bytes(rows))
    labels = {p.heading for p in preview.problems}
    assert {"隐患类别", "隐患内容", "隐患等级", "发现日期"} <= labels
    assert all(p.row == 1 and p.column is None for p in preview.problems)


def test_a_given_mapping_is_applied_as_corrected():
    data = ledgers.hazard_ledger()
    proposed = preview_of(data).mapping
    corrected = [
        ColumnMap(m.index, m.heading, "note" if m.field == "progress" else m.field, m.scale,
                  "user")
        if m.field not in ("note",) else ColumnMap(m.index, m.heading, None, 1, "user")
        for m in proposed
    ]  # fmt: skip
    preview = preview_of(data, mapping=corrected)
    assert preview.rows[0].values["note"] == "整改中"
    assert "progress" not in preview.rows[0].values


def test_a_field_mapped_twice_is_a_header_problem_and_read_from_its_first_column():
    data = ledgers.hazard_ledger()
    mapping = [
        ColumnMap(m.index, m.heading, "note" if m.heading in ("整改进展", "备注") else m.field)
        for m in preview_of(data).mapping
    ]
    preview = preview_of(data, mapping=mapping)
    twice = [p for p in preview.problems if p.column is not None]
    assert [(p.row, p.column, p.heading) for p in twice] == [(3, 13, "备注")]
    assert "already mapped to “备注”" in twice[0].message
    assert preview.rows[0].values["note"] == "整改中"  # from 整改进展, the first such column


def test_too_many_rows_is_a_file_problem():
    spec = ImporterSpec("fake", SPEC.fields, max_rows=2)
    preview = preview_of(ledgers.hazard_ledger(), FakeImporter(spec))
    assert not preview.rows
    assert "more than 2 rows" in preview.problems[0].message


def test_rows_with_only_a_serial_number_are_blank():
    rows = [["序号", "学校名称", "隐患描述"], [1, "金沙小学", "灭火器"], [2, None, None], [3]]
    preview = preview_of(book_bytes(rows))
    assert [r.number for r in preview.rows] == [2]
    assert preview.skipped == []  # trailing pre-numbered rows are the sheet's margin


def test_a_repeated_header_row_is_skipped():
    header = ["学校名称", "隐患描述", "发现日期"]
    rows = [header, ["金沙小学", "a", "2019-12-03"], header, ["金沙小学", "b", "2019-12-04"]]
    preview = preview_of(book_bytes(rows))
    assert [r.number for r in preview.rows] == [2, 4]
    assert preview.skipped == [(3, "header")]


def test_progress_is_reported_up_to_the_end():
    seen = []
    preview_of(ledgers.hazard_ledger(), progress=seen.append)
    assert seen and seen[-1] == 100 and seen == sorted(seen)


def test_a_file_problem_leaves_no_rows():
    preview = preview_of(b"")
    assert preview.rows == [] and preview.problems[0].row == 0


def test_the_preview_round_trips_through_json():
    layout = ledgers.Layout(uncached_funds=(0,))
    preview = preview_of(ledgers.hazard_ledger(layout=layout))
    preview.rows[1].target = {"hazard": 12}
    preview.rows[1].status, preview.rows[1].note = "duplicate", "duplicate of 2019-TZ-0012"
    data = json.loads(json.dumps(preview.to_json()))
    again = Preview.from_json(data)
    assert again == preview
    assert isinstance(again.rows[1].values["found_on"], dt.date)
    assert isinstance(again.rows[1].values["funds_amount"], Decimal)


# --- The error workbook ----------------------------------------------------------------------


def test_the_error_workbook_marks_the_problem_cells_of_the_users_own_file():
    rows = ledgers.messy_rows()
    rows[0].found = "26.11.14"
    rows[0].level = "特大"
    layout = ledgers.Layout(uncached_funds=(2,))
    data = ledgers.hazard_ledger(rows=rows, layout=layout)
    preview = preview_of(data)
    extra = Problem(preview.rows[3].number, None, "", "", "Duplicate of 2019-TZ-0012")
    twice = Problem(preview.rows[0].number, 5, "发现时间", "26.11.14", "Second problem")
    problems = [*preview.all_problems(), extra, twice]
    out = load_workbook(io.BytesIO(error_workbook(data, preview.sheet, problems)))
    sheet = out[preview.sheet]
    assert out.sheetnames == ["封面", "2019年隐患台账", LIST_SHEET]
    marked = {
        (c.row, c.column - 1)
        for line in sheet.iter_rows()
        for c in line
        if c.fill.fgColor.rgb == PROBLEM_FILL.fgColor.rgb
    }
    r0, r2, r3 = preview.rows[0].number, preview.rows[2].number, preview.rows[3].number
    assert marked == {(r0, 4), (r0, 5), (r2, ledgers.FUNDS_COL), (r3, 0)}
    found = sheet.cell(r0, 6)
    assert found.value == "26.11.14"  # the user's own value kept
    assert "four digits" in found.comment.text and "Second problem" in found.comment.text
    assert "did not save" in sheet.cell(r2, ledgers.FUNDS_COL + 1).comment.text
    assert sheet.cell(r3, 1).comment.text == "Duplicate of 2019-TZ-0012"
    assert sheet.cell(1, 1).value == ledgers.TITLE  # the layout kept
    assert "A1:N1" in {str(r) for r in sheet.merged_cells.ranges}
    listed = list(out[LIST_SHEET].iter_rows(values_only=True))
    assert listed[0] == ("Row", "Column", "Heading", "Value", "Problem")
    assert len(listed) == 1 + len(problems)
    assert listed[1][:4] == (r0, "E", "隐患等级(一般/重大)", "特大")


def test_a_problem_on_a_merged_cell_goes_on_its_top_left_cell():
    data = ledgers.hazard_ledger()
    preview = preview_of(data)
    second = preview.rows[1].number  # its school cell is merged into the row above
    problem = Problem(second, ledgers.SCHOOL_COL, "学校名称", "金沙小学", "Unknown school")
    sheet = load_workbook(io.BytesIO(error_workbook(data, preview.sheet, [problem])))[preview.sheet]
    top = sheet.cell(second - 1, ledgers.SCHOOL_COL + 1)
    assert top.comment.text == "Unknown school"


def test_a_value_like_a_formula_is_listed_as_text():
    problem = Problem(2, 0, "学校名称", "=1+1", "Unknown school")
    out = load_workbook(io.BytesIO(error_workbook(book_bytes([["a"], ["=1+1"]]), "Sheet",
                                                  [problem])))  # fmt: skip
    assert out[LIST_SHEET]["D2"].data_type == "s"


# --- The registry ----------------------------------------------------------------------------


def test_importers_are_registered_by_kind():
    importer = FakeImporter()
    registry.register(importer)
    try:
        assert registry.get("fake") is importer and importer in registry.all()
    finally:
        registry._IMPORTERS.pop("fake")
    assert registry.get("fake") is None
    refused = registry.ImportRefused([Problem(0, None, "", "", "no")])
    assert refused.problems[0].message == "no"


def test_a_field_of_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        Field("x", "X", "colour")


def test_a_file_that_is_no_workbook_gets_the_problem_list_alone():
    problems = preview_of(b"not a workbook").problems
    out = load_workbook(io.BytesIO(error_workbook(b"not a workbook", "", problems)))
    assert out.sheetnames == [LIST_SHEET]
    assert "not an Excel workbook" in out[LIST_SHEET]["E2"].value


def test_demo_names_are_shortened_as_clerks_write_them():
    assert ledgers.shortened(["通州区金沙小学", "南通市通州区实验小学", "通州区"]) == [
        "金沙小学", "实验小学", "通州区",
    ]  # fmt: skip
