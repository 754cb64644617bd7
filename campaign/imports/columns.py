"""The schools and people imports' fields as data: the template's headings, the headings clerks
write for the same columns (synonyms) and the words they type for a category, a kind of
ownership or a role. The engine (``core.imports``) reads, maps and converts the cells by them;
the template (``template``) is written from them, so the two cannot drift apart.

A label is the template's Chinese heading (a file format, not UI text, never translated); a
field's code is also accepted as a heading, as the old import accepted the English code names.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from campaign.models import OrgUnit
from campaign.roles import Role
from core.imports.fields import Field, ImporterSpec

SCHOOLS = "schools"
USERS = "users"
KINDS = (SCHOOLS, USERS)

# More rows than a city has schools; beyond this an upload is more likely a mistake (or a
# zip bomb) than a roster.
MAX_ROWS = 3000
# Same bound as the school form: a few extra digits are refused, not sent to the database.
MAX_PEOPLE = 200_000
# SQLite allows a limited number of query parameters.
CHUNK = 500

# The official Chinese terms (GLOSSARY): the template's drop-down lists.
CATEGORY_NAMES = {
    OrgUnit.Category.KINDERGARTEN: "幼儿园",
    OrgUnit.Category.PRIMARY: "小学",
    OrgUnit.Category.JUNIOR: "初中",
    OrgUnit.Category.SENIOR: "高中",
    OrgUnit.Category.NINE_YEAR: "九年一贯制",
    OrgUnit.Category.VOCATIONAL: "中职",
    OrgUnit.Category.SPECIAL: "特殊教育",
}
OWNERSHIP_NAMES = {OrgUnit.Ownership.PUBLIC: "公办", OrgUnit.Ownership.PRIVATE: "民办"}
ROLE_NAMES = {
    Role.CITY_ADMIN: "市级管理员",
    Role.CITY_STAFF: "市教育局工作人员",
    Role.SAFETY_OFFICE: "安稳处",
    Role.COUNTY_STAFF: "县（市、区）教育局工作人员",
    Role.SCHOOL_OFFICER: "学校安全员",
    Role.INSPECTOR: "督查员",
    Role.LEADER: "领导（只读）",
}
# Other words rosters use for the same thing.
CATEGORY_WORDS = {
    "九年一贯制学校": OrgUnit.Category.NINE_YEAR,
    "九年制": OrgUnit.Category.NINE_YEAR,
    "初级中学": OrgUnit.Category.JUNIOR,
    "普通高中": OrgUnit.Category.SENIOR,
    "高级中学": OrgUnit.Category.SENIOR,
    "中等职业学校": OrgUnit.Category.VOCATIONAL,
    "职业学校": OrgUnit.Category.VOCATIONAL,
    "职高": OrgUnit.Category.VOCATIONAL,
    "特殊教育学校": OrgUnit.Category.SPECIAL,
    "特教": OrgUnit.Category.SPECIAL,
}
OWNERSHIP_WORDS = {"公立": OrgUnit.Ownership.PUBLIC, "私立": OrgUnit.Ownership.PRIVATE}
CHOICE_NAMES = {"category": CATEGORY_NAMES, "ownership": OWNERSHIP_NAMES, "role": ROLE_NAMES}


def spellings(names, words=None):
    """{spelling: value}: the Chinese term, the code name, the label in Chinese and English
    and the rosters' own words (the engine folds them when it looks a cell up)."""
    result = {}
    for value, chinese in names.items():
        result[chinese] = value
    result.update(words or {})
    for value in names:
        result[value.value] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                result[str(value.label)] = value
    return result


def _one_of(names):
    return gettext("One of: %(choices)s.") % {"choices": "、".join(names.values())}


one_of = lazy(_one_of, str)

OPTIONAL = gettext_lazy("Optional.")
COUNT = gettext_lazy("A whole number, 0 or more.")
SEE_UNITS = gettext_lazy("See the sheet of unit codes.")

SCHOOL_FIELDS = (
    Field("code", "学校代码", "text", required=True, max_length=40,
          synonyms=("学校标识码", "代码", "学校编码", "学校编号"),
          help=gettext_lazy("A unique code for the school, e.g. its registration code.")),
    Field("name", "学校名称", "text", required=True, max_length=100,
          synonyms=("学校", "单位名称", "学校全称"), help=gettext_lazy("The school's full name.")),
    Field("parent", "所属县（市、区）代码", "text", required=True, max_length=100,
          synonyms=("所属县区", "县（市、区）", "所属区县", "所属县（市、区）", "县区", "区县"),
          help=gettext_lazy(
              "Code of the county-level unit the school belongs to; for a city-direct school, "
              "the code of the city.")),
    Field("category", "学段类别", "choice", required=True, synonyms=("学段", "学校类型"),
          choices=spellings(CATEGORY_NAMES, CATEGORY_WORDS), help=one_of(CATEGORY_NAMES)),
    Field("ownership", "办学性质", "choice", required=True, synonyms=("性质",),
          choices=spellings(OWNERSHIP_NAMES, OWNERSHIP_WORDS), help=one_of(OWNERSHIP_NAMES)),
    Field("students", "学生数", "count", required=True, synonyms=("在校生数", "学生人数"),
          help=COUNT),
    Field("staff", "教职工数", "count", required=True, synonyms=("教职工人数",), help=COUNT),
    Field("address", "地址", "text", max_length=200, synonyms=("学校地址",), help=OPTIONAL),
    Field("principal_name", "校长", "text", max_length=60, synonyms=("校长姓名",),
          help=OPTIONAL),
    Field("principal_phone", "校长电话", "phone", max_length=30, synonyms=("校长联系电话",),
          help=OPTIONAL),
    Field("safety_officer_name", "安全负责人", "text", max_length=60, synonyms=("安全员",),
          help=OPTIONAL),
    Field("safety_officer_phone", "安全负责人电话", "phone", max_length=30,
          synonyms=("安全员电话",), help=OPTIONAL),
)  # fmt: skip

USER_FIELDS = (
    Field("username", "用户名", "text", required=True, max_length=150,
          synonyms=("账号", "登录名", "帐号", "登录账号"),
          help=gettext_lazy(
              "The name the person signs in with: letters, digits and @ . + - _ only.")),
    Field("full_name", "姓名", "text", required=True, max_length=60,
          help=gettext_lazy("The person's full name.")),
    Field("phone", "手机", "phone", max_length=30, synonyms=("手机号", "联系电话", "手机号码"),
          help=OPTIONAL),
    Field("email", "邮箱", "email", max_length=254,
          synonyms=("电子邮箱", "Email", "E-mail", "电子邮件"),
          help=gettext_lazy(
              "Needed to reset a forgotten password. Give an e-mail address or an initial "
              "password.")),
    Field("role", "角色", "choice", required=True, choices=spellings(ROLE_NAMES),
          help=one_of(ROLE_NAMES)),
    Field("unit", "单位代码", "text", required=True, max_length=100,
          synonyms=("单位", "所在单位", "单位名称"),
          help=gettext_lazy("Code of the unit where the person holds the role.")),
    Field("password", "初始密码", "password", max_length=128, synonyms=("密码",),
          help=gettext_lazy(
              "Optional. Without it the person sets a password through “forgot password”. "
              "Ask them to change it after the first sign-in.")),
)  # fmt: skip

SCHOOL_SPEC = ImporterSpec(
    kind=SCHOOLS,
    fields=SCHOOL_FIELDS,
    max_rows=MAX_ROWS,
    key_fields=("code", "name", "parent", "category"),
)
USER_SPEC = ImporterSpec(
    kind=USERS,
    fields=USER_FIELDS,
    max_rows=MAX_ROWS,
    key_fields=("username", "full_name", "role", "unit"),
)
SPECS = {SCHOOLS: SCHOOL_SPEC, USERS: USER_SPEC}


def label(spec, code):
    field = spec.field(code)
    return field.label if field else ""


# --- The template's columns -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the downloadable template: a field, with the example the template shows."""

    field: Field
    example: object

    @property
    def code(self):
        return self.field.code

    @property
    def header(self):
        return self.field.label

    @property
    def required(self):
        return self.field.required

    @property
    def help(self):
        return self.field.help

    @property
    def choices(self):
        """The Chinese names of a drop-down list, or None."""
        names = CHOICE_NAMES.get(self.code)
        return list(names.values()) if names else None

    @property
    def as_text(self):
        # Text, so that Excel keeps the leading zeros of codes and phone numbers.
        return self.field.kind in ("text", "phone")


SCHOOL_EXAMPLES = {
    "code": "3206120101",
    "name": "通州区示例小学",
    "parent": "NT-TZ",
    "category": "小学",
    "ownership": "公办",
    "students": 860,
    "staff": 62,
    "address": "南通市通州区示例路1号",
    "principal_name": "张伟",
    "principal_phone": "0513-86000000",
    "safety_officer_name": "李强",
    "safety_officer_phone": "13800000000",
}
USER_EXAMPLES = {
    "username": "zhangsan",
    "full_name": "张三",
    "phone": "13900000000",
    "email": "zhangsan@example.org",
    "role": "学校安全员",
    "unit": "3206120101",
    "password": "",
}
SCHOOL_COLUMNS = tuple(Column(f, SCHOOL_EXAMPLES[f.code]) for f in SCHOOL_FIELDS)
USER_COLUMNS = tuple(Column(f, USER_EXAMPLES[f.code]) for f in USER_FIELDS)
COLUMNS = {SCHOOLS: SCHOOL_COLUMNS, USERS: USER_COLUMNS}


def choice_names(code):
    """The Chinese names offered in the template's drop-down list for a field."""
    return list(CHOICE_NAMES[code].values())
