"""The register import's fields as data: the template's headings, the headings real ledgers
use for the same columns (synonyms), and the words clerks write for grades, sources and yes/no.

A label is the template's Chinese heading and the register export's (a file format, not UI
text, never translated), so that the template and an exported register both map exactly.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy

from core.imports.fields import Field, ImporterSpec
from hazards.models import Hazard

KIND = "hazards"
# A county's ledger of several years; more is more likely a mistake than a ledger.
MAX_ROWS = 20_000

LEVEL_NAMES = {Hazard.Level.GENERAL: "一般隐患", Hazard.Level.MAJOR: "重大隐患"}
SOURCE_NAMES = {
    Hazard.Source.SELF_CHECK: "学校自查",
    Hazard.Source.COUNTY_CHECK: "县区检查",
    Hazard.Source.INSPECTION: "暗访督查",
    Hazard.Source.PROVINCIAL: "省级交办",
    Hazard.Source.PUBLIC_REPORT: "群众举报",
}
BOOL_NAMES = {
    "是": True,
    "否": False,
    "已落实": True,
    "未落实": False,
    "已到位": True,
    "未到位": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "√": True,
    "×": False,
}
# Other words for a grade and a source that ledgers use.
LEVEL_WORDS = {"一般": Hazard.Level.GENERAL, "重大": Hazard.Level.MAJOR, "较大": Hazard.Level.MAJOR}
SOURCE_WORDS = {
    "自查": Hazard.Source.SELF_CHECK,
    "学校自查": Hazard.Source.SELF_CHECK,
    "县区检查": Hazard.Source.COUNTY_CHECK,
    "县级检查": Hazard.Source.COUNTY_CHECK,
    "检查": Hazard.Source.COUNTY_CHECK,
    "督查": Hazard.Source.INSPECTION,
    "暗访": Hazard.Source.INSPECTION,
    "省级交办": Hazard.Source.PROVINCIAL,
    "交办": Hazard.Source.PROVINCIAL,
    "举报": Hazard.Source.PUBLIC_REPORT,
}


def spellings(names, words):
    """{spelling: value}: the Chinese term, the code name, the label in Chinese and English and
    the ledgers' own words (the engine folds them when it looks a cell up)."""
    result = dict(words)
    for value, chinese in names.items():
        result[chinese] = value
        result[value.value] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                result[str(value.label)] = value
    return result


OPTIONAL = gettext_lazy("Optional.")

FIELDS = (
    Field("code", "隐患编号", "text", max_length=30, synonyms=("平台隐患编号", "平台编号"),
          help=gettext_lazy("The portal's hazard number, to update a hazard exported from the "
                            "register. Empty for a new hazard.")),
    Field("ledger_ref", "台账编号", "text", max_length=40,
          synonyms=("原台账编号", "原编号", "隐患台账编号"),
          help=gettext_lazy("The hazard's number in your own ledger, if it has one.")),
    Field("school", "学校代码", "text", max_length=40,
          synonyms=("学校编码", "单位代码", "学校标识码"),
          help=gettext_lazy("The school's code (or give its name).")),
    Field("school_name", "学校名称", "text", max_length=100,
          synonyms=("学校", "单位名称", "学校(单位)名称", "学校（单位）", "单位", "学校全称"),
          help=gettext_lazy("The school's full or short name (or give its code).")),
    Field("category", "隐患类别代码", "text", required=True, max_length=100,
          synonyms=("隐患类别", "类别", "隐患类型", "隐患分类", "类别代码", "隐患种类", "类型"),
          help=gettext_lazy("The code or name of the hazard category or item (see the "
                            "categories sheet).")),
    Field("level", "隐患等级", "choice", required=True,
          synonyms=("等级", "隐患等级(一般/重大)", "隐患级别", "级别", "隐患等级（一般、重大）"),
          choices=spellings(LEVEL_NAMES, LEVEL_WORDS), help=gettext_lazy("General or major.")),
    Field("source", "隐患来源", "choice", synonyms=("来源", "发现途径", "排查方式", "隐患来源方式"),
          choices=spellings(SOURCE_NAMES, SOURCE_WORDS),
          help=gettext_lazy("How the hazard was found; empty: a school's self-check when a school "
                            "imports, a county check otherwise.")),
    Field("location", "具体位置", "text", max_length=200,
          synonyms=("隐患部位", "位置", "隐患位置", "部位", "地点", "隐患地点", "具体部位"),
          help=gettext_lazy("Where exactly.")),
    Field("description", "隐患描述", "text", required=True, max_length=2000,
          synonyms=("隐患内容", "存在问题", "问题描述", "隐患情况", "存在的问题", "隐患问题",
                    "隐患具体情况", "主要问题"),
          help=gettext_lazy("What is wrong.")),
    Field("found_on", "发现日期", "date", required=True, past_only=True,
          synonyms=("发现时间", "排查时间", "排查日期", "检查时间", "检查日期", "发现日期(年月日)"),
          help=gettext_lazy("A date, not in the future, e.g. 2019-11-05 or 2019年11月5日.")),
    Field("responsible_unit", "责任单位", "text", max_length=100,
          synonyms=("整改责任单位", "责任部门", "整改单位", "整改责任部门"), help=OPTIONAL),
    Field("responsible_person", "责任人", "text", max_length=60,
          synonyms=("整改责任人", "负责人", "整改负责人", "责任人姓名"), help=OPTIONAL),
    Field("responsible_phone", "责任人电话", "phone", max_length=30,
          synonyms=("联系电话", "电话", "手机", "联系方式", "手机号码", "责任人联系电话",
                    "联系电话(手机)"), help=OPTIONAL),
    Field("measures", "整改措施", "text", max_length=2000,
          synonyms=("措施", "整改方案", "整改措施及方案", "整改措施(方案)"), help=OPTIONAL),
    Field("funds_amount", "整改资金（元）", "money",
          synonyms=("整改资金(万元)", "整改资金", "资金", "整改经费", "资金(万元)", "投入资金",
                    "整改资金（万元）", "资金（元）", "经费"),
          help=gettext_lazy("An amount in yuan, 0 or more; a heading that says 万元 is read in "
                            "ten thousands.")),
    Field("funds_source", "资金来源", "text", max_length=100, synonyms=("经费来源",),
          help=OPTIONAL),
    Field("funds_secured", "资金是否落实", "bool", choices=BOOL_NAMES,
          synonyms=("资金落实", "资金是否到位", "资金落实情况", "资金到位"),
          help=gettext_lazy("是 or 否.")),
    Field("deadline", "整改时限", "date",
          synonyms=("整改期限", "完成时限", "整改完成时限", "计划完成时间", "整改时间"),
          help=gettext_lazy("A date; empty: the default time limit for the grade and category.")),
    Field("contingency_plan", "应急预案", "text", max_length=2000,
          synonyms=("预案", "应急措施", "临时管控措施", "防控措施", "应急处置预案"), help=OPTIONAL),
    Field("progress", "整改进展", "text", max_length=500,
          synonyms=("整改情况", "进展", "整改进度", "完成情况", "整改完成情况", "整改状态"),
          help=gettext_lazy("Empty or 未整改 for a new hazard; 整改中, 已整改 or 已验收 with a "
                            "date and who, e.g. 已验收 2019-12-20 张三, to import it in that "
                            "state.")),
    Field("progress_on", "完成时间", "date", past_only=True,
          synonyms=("整改完成时间", "完成日期", "整改完成日期", "验收时间", "验收日期",
                    "销号时间", "销号日期"), help=OPTIONAL),
    Field("progress_by", "验收人", "text", max_length=60,
          synonyms=("验收人员", "整改人", "验收责任人"), help=OPTIONAL),
    Field("provincial_ref", "省平台编号", "text", max_length=40,
          synonyms=("省平台隐患编号", "省级编号"), help=OPTIONAL),
    Field("remarks", "备注", "text", max_length=1000, synonyms=("说明",), help=OPTIONAL),
)  # fmt: skip

SPEC = ImporterSpec(
    kind=KIND,
    fields=FIELDS,
    max_rows=MAX_ROWS,
    key_fields=("school", "school_name", "category", "description", "found_on", "level"),
)
LABELS = {f.code: f.label for f in FIELDS}

# The template's columns, in order, and those it marks required (the file it has always been).
TEMPLATE_COLUMNS = (
    ("school", True),
    ("category", True),
    ("level", True),
    ("source", True),
    ("location", True),
    ("description", True),
    ("found_on", True),
    ("responsible_unit", False),
    ("responsible_person", False),
    ("responsible_phone", False),
    ("measures", False),
    ("funds_amount", False),
    ("funds_source", False),
    ("funds_secured", False),
    ("deadline", False),
    ("contingency_plan", False),
    ("provincial_ref", False),
)
