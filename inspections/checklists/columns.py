"""The checklist workbook's columns: one row per item. The export writes them and the import
(``inspections.checklists.importer``) reads them, so an exported file imports back unchanged.

A label is the workbook's Chinese heading (a file format, not UI text, never translated).
"""

from django.utils import translation

from core.imports.fields import Field, ImporterSpec
from hazards.models import Hazard
from inspections.models import ChecklistItem, ChecklistSection

KIND = "checklists"
MAX_ROWS = 300

DEFENCE_NAMES = {
    ChecklistSection.Defence.HUMAN: "人防",
    ChecklistSection.Defence.PHYSICAL: "物防",
    ChecklistSection.Defence.TECHNICAL: "技防",
    ChecklistSection.Defence.AREA: "重点部位",
}
ANSWER_NAMES = {
    ChecklistItem.AnswerType.PASS_FAIL: "合格/不合格",
    ChecklistItem.AnswerType.MIN_NUMBER: "数值不少于",
    ChecklistItem.AnswerType.MAX_NUMBER: "数值不超过",
}
RULE_NAMES = {
    ChecklistItem.Threshold.FIXED: "固定值",
    ChecklistItem.Threshold.GUARDS_REQUIRED: "按学校规模应配保安数",
}
LEVEL_NAMES = {Hazard.Level.GENERAL: "一般隐患", Hazard.Level.MAJOR: "重大隐患"}
OTHER_WORDS = {
    "defence": {"重点区域": "area", "重点部位和区域": "area"},
    "answer_type": {
        "合格": "pass_fail",
        "是否合格": "pass_fail",
        "最小值": "min_number",
        "不少于": "min_number",
        "最大值": "max_number",
        "不超过": "max_number",
    },
    "threshold_rule": {"固定": "fixed", "应配保安数": "guards_required"},
    "level": {"一般": "general", "重大": "major"},
}


def spellings(names, words=()):
    """{spelling: value}: the Chinese term, the code name, the labels in both languages."""
    result = {chinese: value.value for value, chinese in names.items()}
    result.update(dict(words))
    for value in names:
        result[value.value] = value.value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                result[str(value.label)] = value.value
    return result


def _spec():
    return ImporterSpec(
        kind=KIND,
        max_rows=MAX_ROWS,
        key_fields=("template", "code"),
        fields=(
            Field("template", "检查表编号", "text", required=True, max_length=40,
                  synonyms=("检查表代码",)),
            Field("template_name", "检查表名称", "text", max_length=100),
            Field("section", "分组编号", "text", required=True, max_length=40,
                  synonyms=("分组代码",)),
            Field("section_name", "分组名称", "text", required=True, max_length=60,
                  synonyms=("分组",)),
            Field("defence", "防范类别", "choice", required=True,
                  choices=spellings(DEFENCE_NAMES, OTHER_WORDS["defence"]),
                  synonyms=("三防类别",)),
            Field("code", "检查项编号", "text", required=True, max_length=40,
                  synonyms=("检查项代码", "项目编号")),
            Field("text", "检查内容", "text", required=True, max_length=200,
                  synonyms=("检查项", "检查项目")),
            Field("hint", "检查方法", "text", max_length=300, synonyms=("检查方式",)),
            Field("answer_type", "答案类型", "choice", required=True,
                  choices=spellings(ANSWER_NAMES, OTHER_WORDS["answer_type"])),
            Field("threshold", "限值", "text", max_length=20, synonyms=("标准值",)),
            Field("threshold_rule", "限值来源", "choice",
                  choices=spellings(RULE_NAMES, OTHER_WORDS["threshold_rule"])),
            Field("unit_label", "单位", "text", max_length=10, synonyms=("计量单位",)),
            Field("weight", "权重", "count", synonyms=("分值",)),
            Field("critical", "关键项", "bool", synonyms=("是否关键项",)),
            Field("category", "隐患类别编号", "text", required=True, max_length=40,
                  synonyms=("隐患类别代码", "隐患类别")),
            Field("level", "隐患等级", "choice",
                  choices=spellings(LEVEL_NAMES, OTHER_WORDS["level"])),
        ),
    )  # fmt: skip


SPEC = _spec()
LABELS = {f.code: f.label for f in SPEC.fields}
