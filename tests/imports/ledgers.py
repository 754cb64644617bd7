"""Messy hazard ledgers (隐患排查整治台账) as counties keep them, built in code with openpyxl.

What issue 7 saw in real ledgers, each switchable: a cover sheet; a merged title row and a
填报单位 / 填报日期 row above the header; the clerks' own headings; short school names; dates
written every way (2019年12月3日, 2019.12.3, full-width digits, a real Excel date, a date
with a time); amounts in 万元; a school cell merged down over that school's rows; a blank row
in the middle; 序号 and a 合计 as formulas; a signature footer; a second data sheet.

Formulas with a cached value. openpyxl writes a formula as ``<f>…</f><v />``: no cached value,
as a program that never calculates would (``uncached`` cells stay so). Excel would store the
value it computed in ``<v>``. ``_cache_formulas`` does that after saving: it rewrites the one
sheet part in a copy of the zip, filling the empty ``<v />`` of the named cells with the
value given. The match is on openpyxl's own, fixed output for a formula cell
(``<c r="J5"><f>…</f><v /></c>``), so nothing else in the file changes, and readers
(python-calamine, openpyxl ``data_only=True``, Excel) then see the cached value.

    data = hazard_ledger(schools=["通州区金沙小学", "通州区西亭初级中学"])
"""

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field, replace

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

HEADINGS = [
    "序号",
    "学校名称",
    "隐患类别",
    "隐患描述",
    "隐患等级(一般/重大)",
    "发现时间",
    "整改责任人",
    "联系电话",
    "整改措施",
    "整改资金(万元)",
    "整改时限",
    "应急预案",
    "整改进展",
    "备注",
]
COLUMN = {heading: index for index, heading in enumerate(HEADINGS)}  # 0-based
SCHOOL_COL = COLUMN["学校名称"]
FUNDS_COL = COLUMN["整改资金(万元)"]
FOUND_COL = COLUMN["发现时间"]

# Short names, as clerks write them: without 南通市 / 通州区 (see campaign/demo/nantong.py).
DEFAULT_SCHOOLS = ["金沙小学", "西亭初级中学", "二甲中心小学"]
TITLE = "通州区校园安全隐患排查整治台账"


def shortened(names, prefixes=("南通市", "通州区")):
    """The demo's full school names as clerks write them, without the city and county
    (通州区金沙小学 → 金沙小学): ``hazard_ledger(shortened(names))``."""
    out = []
    for name in names:
        for prefix in prefixes:
            if name.startswith(prefix) and len(name) > len(prefix) + 1:
                name = name[len(prefix) :]
        out.append(name)
    return out


# The forms a clerk writes the same day in (2019-12-03), one per row in turn.
DATE_FORMS = [
    "2019年12月3日",
    "2019.12.3",
    "2019/12/03",
    dt.date(2019, 12, 3),
    "２０１９－１２－０３",
    "2019-12-03 08:30",
    "2019．12．3",
    dt.datetime(2019, 12, 3, 0, 0),  # noqa: DTZ001 - Excel holds naive datetimes
]
PHONE_FORMS = ["１３８ 1234 5678", "138-1234-5678", "13812345678", "0513-8612 3456"]


@dataclass
class LedgerRow:
    """One hazard as a ledger row; the cells as the clerk typed them."""

    school: str
    category: str = "消防安全"
    description: str = "教学楼灭火器过期"
    level: str = "一般"
    found: object = "2019年12月3日"
    person: str = "张伟"
    phone: object = "13812345678"
    measures: str = "更换灭火器"
    funds: object = 0.5  # 万元
    deadline: object = "2019.12.31"
    plan: str = "有"
    progress: str = "整改中"
    note: str = ""

    def cells(self):
        return [
            None,  # 序号: a formula, written by the builder
            self.school,
            self.category,
            self.description,
            self.level,
            self.found,
            self.person,
            self.phone,
            self.measures,
            self.funds,
            self.deadline,
            self.plan,
            self.progress,
            self.note,
        ]


def messy_rows(schools=DEFAULT_SCHOOLS, count=None):
    """Rows for ``schools``, two for the first school (so its cell can be merged down), the
    dates and phones in every form a clerk writes; all meaning 2019-12-03 and one phone."""
    count = count or len(schools) + 1
    categories = ["消防安全", "校舍安全", "食品安全", "交通安全"]
    rows = []
    for i in range(count):
        school = schools[0] if i < 2 else schools[(i - 1) % len(schools)]
        rows.append(
            LedgerRow(
                school=school,
                category=categories[i % len(categories)],
                description=f"隐患描述{i + 1}",
                level="重大" if i % 5 == 4 else "一般",
                found=DATE_FORMS[i % len(DATE_FORMS)],
                phone=PHONE_FORMS[i % len(PHONE_FORMS)],
                funds=[0.5, "1.2", 3, "0.35万元"][i % 4],
            )
        )
    return rows


@dataclass
class Layout:
    """What the builder adds around the rows; every mess on by default."""

    cover: bool = True
    title: bool = True
    unit_line: bool = True
    merge_school: bool = True  # the first two rows' school cell merged down
    blank_row_after: int | None = 2  # a blank row after this many data rows (None: none)
    serial_formulas: bool = True  # 序号 as =ROW()-n, cached
    total: bool = True  # a 合计 row with =SUM(…) of the funds, cached
    footer: bool = True
    uncached_funds: tuple[int, ...] = ()  # data rows (0-based) whose funds are an uncached formula
    second_sheet_rows: list = field(default_factory=list)  # rows of a second data sheet


def hazard_ledger(schools=DEFAULT_SCHOOLS, rows=None, layout=None, *, sheet="2019年隐患台账"):
    """The ledger as .xlsx bytes."""
    rows = rows if rows is not None else messy_rows(schools)
    layout = layout or Layout()
    workbook = Workbook()
    first = workbook.active
    if layout.cover:
        first.title = "封面"
        first["B3"] = TITLE
        first["B5"] = "填报单位：通州区教育体育局"
        first["B6"] = "2019年12月"
        data_sheet = workbook.create_sheet(sheet)
    else:
        first.title = sheet
        data_sheet = first
    cached = {}
    _write_sheet(data_sheet, rows, layout, cached)
    if layout.second_sheet_rows:
        second = workbook.create_sheet("2020年隐患台账")
        plain = replace(layout, uncached_funds=())
        _write_sheet(second, layout.second_sheet_rows, plain, {})
    out = io.BytesIO()
    workbook.save(out)
    part = f"xl/worksheets/sheet{workbook.sheetnames.index(data_sheet.title) + 1}.xml"
    return _cache_formulas(out.getvalue(), part, cached)


def _write_sheet(ws, rows, layout, cached):
    """Write the title, the header, the rows and what follows; ``cached`` collects the
    {cell: value} of the formulas to be given a cached value."""
    width = len(HEADINGS)
    last = get_column_letter(width)
    r = 1
    if layout.title:
        ws.cell(r, 1, TITLE)
        ws.merge_cells(f"A{r}:{last}{r}")
        r += 1
    if layout.unit_line:
        ws.cell(r, 1, "填报单位：通州区教育体育局")
        ws.merge_cells(f"A{r}:G{r}")
        ws.cell(r, 8, "填报日期：2019年12月20日")
        ws.merge_cells(f"H{r}:{last}{r}")
        r += 1
    header = r
    for c, heading in enumerate(HEADINGS, 1):
        ws.cell(header, c, heading)
    r += 1
    first_data, funds, previous = r, [], None
    for i, row in enumerate(rows):
        values = row.cells()
        for c, value in enumerate(values, 1):
            if value is not None and value != "":
                ws.cell(r, c, value)
        if layout.serial_formulas:
            ws.cell(r, 1, f"=ROW()-{header}")
            cached[f"A{r}"] = r - header
        if i in layout.uncached_funds:
            ws.cell(r, FUNDS_COL + 1, "=0.2+0.3")  # left without a cached value
        elif isinstance(row.funds, int | float):
            funds.append(row.funds)
        if i == 1 and layout.merge_school and rows[0].school == row.school:
            ws.cell(r, SCHOOL_COL + 1).value = None
            col = get_column_letter(SCHOOL_COL + 1)
            ws.merge_cells(f"{col}{previous}:{col}{r}")
        previous = r
        r += 1
        if layout.blank_row_after is not None and i + 1 == layout.blank_row_after:
            r += 1
    if layout.total:
        col = get_column_letter(FUNDS_COL + 1)
        ws.cell(r, 1, "合计")
        ws.merge_cells(f"A{r}:B{r}")
        ws.cell(r, FUNDS_COL + 1, f"=SUM({col}{first_data}:{col}{r - 1})")
        cached[f"{col}{r}"] = sum(funds)
        r += 1
    if layout.footer:
        r += 1
        ws.cell(r, 1, "填表人：王芳")
        ws.cell(r, 4, "审核人：")
        ws.cell(r, 8, "负责人（签字）：")
        ws.cell(r, 12, "单位（盖章）")
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    return header


def _cache_formulas(data, part, cached):
    """The workbook with a cached value in the ``<v />`` of each formula cell named."""
    if not cached:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    xml = source.read(part).decode("utf-8")

    def fill(match):
        ref = match.group(1)
        if ref not in cached:
            return match.group(0)
        value = cached[ref]
        kind = ' t="str"' if isinstance(value, str) else ""
        text = value if isinstance(value, str) else repr(value)
        return f'<c r="{ref}"{match.group(2)}{kind}><f>{match.group(3)}</f><v>{text}</v></c>'

    xml = re.sub(r'<c r="([A-Z]+\d+)"([^>]*)><f>([^<]*)</f><v\s*/></c>', fill, xml)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = xml.encode("utf-8") if info.filename == part else source.read(info)
            target.writestr(info, content)
    return out.getvalue()


def data_row_numbers(rows, layout=None):
    """The Excel row numbers the builder gives ``rows`` (for asserting on problems)."""
    layout = layout or Layout()
    r = 1 + layout.title + layout.unit_line + 1
    numbers = []
    for i in range(len(rows)):
        numbers.append(r)
        r += 1
        if layout.blank_row_after is not None and i + 1 == layout.blank_row_after:
            r += 1
    return numbers


def written_as(day, form):
    """``day`` written in the ``form``-th of the clerks' ways (see DATE_FORMS)."""
    y, m, d = day.year, day.month, day.day
    forms = [
        f"{y}年{m}月{d}日",
        f"{y}.{m}.{d}",
        f"{y}/{m:02d}/{d:02d}",
        day,
        f"{y}-{m:02d}-{d:02d}".translate(FULL_WIDTH),
        f"{y}-{m:02d}-{d:02d} 08:30",
        f"{y}．{m}．{d}",
        dt.datetime(y, m, d),  # noqa: DTZ001 - Excel holds naive datetimes
    ]
    return forms[form % len(forms)]


FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def large_ledger(count, schools=DEFAULT_SCHOOLS):
    """A ledger of ``count`` rows (the benchmark's 20,000): title, unit line, header, rows
    with dates (a different day every few rows, in every form), amounts, phones and
    descriptions that vary, a 合计 and a footer."""
    start = dt.date(2018, 1, 1)
    rows = [
        LedgerRow(
            school=schools[i % len(schools)],
            description=f"隐患{i + 1}：教学楼{i % 7 + 1}楼灭火器过期",
            found=written_as(start + dt.timedelta(days=i % 600), i),
            deadline=written_as(start + dt.timedelta(days=i % 600 + 30), i + 3),
            phone=f"138{i:08d}" if i % 4 else f"0513-8{i % 1000:03d} {i % 9999:04d}",
            funds=(i % 50) / 10,
            person=f"责任人{i % 300}",
        )
        for i in range(count)
    ]
    layout = Layout(cover=False, merge_school=False, blank_row_after=None)
    return hazard_ledger(schools, rows, layout)
