"""The columns of the schools and people workbooks, and the Chinese names a clerk types."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from campaign.models import OrgUnit
from campaign.roles import Role

SCHOOLS = "schools"
USERS = "users"
KINDS = (SCHOOLS, USERS)

# More rows than a city has schools; beyond this an upload is more likely a mistake (or a
# zip bomb) than a roster, and would hold the request too long.
MAX_ROWS = 3000
# Same bound as the school form: a few extra digits are refused, not sent to the database.
MAX_PEOPLE = 200_000
# SQLite allows a limited number of query parameters.
_CHUNK = 500


@dataclass(frozen=True)
class Column:
    code: str  # English code name, accepted in the header instead of the Chinese one
    header: str  # Chinese header of the template (the file format, not UI text)
    required: bool
    kind: str  # text | count | category | ownership | role | email | password
    max_length: int
    example: object
    help: str  # what to enter, shown on the instructions sheet


# The official Chinese terms (GLOSSARY) and other spellings a clerk may type.
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

OPTIONAL = gettext_lazy("Optional.")
ONE_OF = gettext_lazy("One of: %(choices)s.")
COUNT = gettext_lazy("A whole number, 0 or more.")
SEE_UNITS = gettext_lazy("See the sheet of unit codes.")

SCHOOL_COLUMNS = (
    Column("code", "学校代码", True, "text", 40, "3206120101", gettext_lazy(
        "A unique code for the school, e.g. its registration code.")),
    Column("name", "学校名称", True, "text", 100, "通州区示例小学", gettext_lazy(
        "The school's full name.")),
    Column("parent", "所属县（市、区）代码", True, "text", 40, "NT-TZ", gettext_lazy(
        "Code of the county-level unit the school belongs to; for a city-direct school, the "
        "code of the city.")),
    Column("category", "学段类别", True, "category", 0, "小学", ONE_OF),
    Column("ownership", "办学性质", True, "ownership", 0, "公办", ONE_OF),
    Column("students", "学生数", True, "count", 0, 860, COUNT),
    Column("staff", "教职工数", True, "count", 0, 62, COUNT),
    Column("address", "地址", False, "text", 200, "南通市通州区示例路1号", OPTIONAL),
    Column("principal_name", "校长", False, "text", 60, "张伟", OPTIONAL),
    Column("principal_phone", "校长电话", False, "text", 30, "0513-86000000", OPTIONAL),
    Column("safety_officer_name", "安全负责人", False, "text", 60, "李强", OPTIONAL),
    Column("safety_officer_phone", "安全负责人电话", False, "text", 30, "13800000000", OPTIONAL),
)  # fmt: skip

USER_COLUMNS = (
    Column("username", "用户名", True, "text", 150, "zhangsan", gettext_lazy(
        "The name the person signs in with: letters, digits and @ . + - _ only.")),
    Column("full_name", "姓名", True, "text", 60, "张三", gettext_lazy(
        "The person's full name.")),
    Column("phone", "手机", False, "text", 30, "13900000000", OPTIONAL),
    Column("email", "邮箱", False, "email", 254, "zhangsan@example.org", gettext_lazy(
        "Needed to reset a forgotten password. Give an e-mail address or an initial password.")),
    Column("role", "角色", True, "role", 0, "学校安全员", ONE_OF),
    Column("unit", "单位代码", True, "text", 40, "3206120101", gettext_lazy(
        "Code of the unit where the person holds the role.")),
    Column("password", "初始密码", False, "password", 128, "", gettext_lazy(
        "Optional. Without it the person sets a password through “forgot password”. Ask them "
        "to change it after the first sign-in.")),
)  # fmt: skip

COLUMNS = {SCHOOLS: SCHOOL_COLUMNS, USERS: USER_COLUMNS}


def choice_names(kind):
    """The Chinese names offered in the template's drop-down list for a column kind."""
    return list(
        {"category": CATEGORY_NAMES, "ownership": OWNERSHIP_NAMES, "role": ROLE_NAMES}[
            kind
        ].values()
    )
