"""A tiny importer for the engine's tests and benchmark: the register's columns as data, and
a ``resolve`` that touches no database (the engine knows no models)."""

from core.imports.fields import Field, ImporterSpec
from core.imports.registry import Importer

LEVELS = {"一般": "general", "一般隐患": "general", "重大": "major", "重大隐患": "major"}
CATEGORIES = {"消防安全": "fire", "校舍安全": "building", "食品安全": "food", "交通安全": "traffic"}

FIELDS = (
    Field("school", "学校", "text", required=True, max_length=100, synonyms=("学校名称",)),
    Field("category", "隐患类别", "choice", required=True, choices=CATEGORIES,
          synonyms=("类别", "隐患类型")),
    Field("description", "隐患内容", "text", required=True, max_length=500,
          synonyms=("隐患描述", "存在问题")),
    Field("level", "隐患等级", "choice", required=True, choices=LEVELS, synonyms=("等级",)),
    Field("found_on", "发现日期", "date", required=True, past_only=True,
          synonyms=("发现时间", "排查时间", "排查日期")),
    Field("responsible", "整改责任人", "text", max_length=50, synonyms=("责任人",)),
    Field("phone", "联系电话", "phone", synonyms=("电话", "手机")),
    Field("measures", "整改措施", "text", max_length=500),
    Field("funds_amount", "整改资金(元)", "money", synonyms=("整改资金", "资金")),
    Field("deadline", "整改期限", "date", synonyms=("整改时限", "完成时限")),
    Field("plan", "应急预案", "bool", synonyms=("预案",)),
    Field("progress", "整改进展", "text", synonyms=("进展",)),
    Field("note", "备注", "text", max_length=200),
    Field("staff", "人数", "count"),
    Field("email", "邮箱", "email"),
)  # fmt: skip
SPEC = ImporterSpec(kind="fake", fields=FIELDS, max_rows=20_000, key_fields=("school",))


class FakeImporter(Importer):
    kind = "fake"
    label = "fake ledger"
    spec = SPEC

    def __init__(self, spec=SPEC):
        self.spec = spec
        self.resolved = None

    def resolve(self, rows, *, actor, progress=None, mapping=None):
        self.resolved = len(rows)
        for row in rows:
            row.status = "error" if row.problems else "ready"
        if progress:
            progress(100)
