"""The Nantong demo (``seed_demo``): the city bureau, its ten county-level units, about 1,200
synthetic schools and the demo users."""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from campaign import services
from campaign.demo.common import (
    DEMO_PASSWORD,
    SEED,
    Cat,
    Kind,
    county_schools,
    insert_units,
    mobile,
    school_unit,
)
from campaign.models import OrgUnit, RoleGrant, User
from campaign.roles import Role

# --- The Nantong demo -----------------------------------------------------------------------

# code, name, prefix in school names, schools, urban (街道) or not (镇)
NANTONG_COUNTIES = [
    ("NT-CC", "崇川区", "崇川区", 165, True),
    ("NT-GZ", "港闸区", "港闸区", 70, True),
    ("NT-TZ", "通州区", "通州区", 175, False),
    ("NT-HM", "海门市", "海门市", 150, False),
    ("NT-RD", "如东县", "如东县", 150, False),
    ("NT-QD", "启东市", "启东市", 145, False),
    ("NT-RG", "如皋市", "如皋市", 190, False),
    ("NT-HA", "海安市", "海安市", 120, False),
    ("NT-KFQ", "南通经济技术开发区", "南通开发区", 25, True),
    ("NT-TZW", "通州湾示范区", "通州湾", 10, False),
]
# Towns and subdistricts of each, the county seat first.
NANTONG_TOWNS = {
    "NT-CC": "和平桥 城东 观音山 狼山 新城桥 虹桥 学田 文峰 钟秀 任港",
    "NT-GZ": "唐闸 天生港 秦灶 陈桥 幸福 永兴",
    "NT-TZ": "金沙 西亭 二甲 东社 十总 骑岸 五接 兴仁 石港 刘桥 平潮 平东 张芝山 川姜 先锋 兴东",
    "NT-HM": "海门 三厂 常乐 悦来 四甲 余东 正余 包场 临江 三星 汤家 王浩 海永",
    "NT-RD": "掘港 栟茶 洋口 苴镇 长沙 大豫 丰利 曹埠 岔河 双甸 新店 河口 袁庄 马塘",
    "NT-QD": "汇龙 南阳 北新 王鲍 合作 海复 近海 寅阳 惠萍 东海 吕四港",
    "NT-RG": "如城 白蒲 林梓 下原 九华 郭园 石庄 长江 吴窑 江安 磨头 搬经 东陈 丁堰",
    "NT-HA": "海安 城东 曲塘 李堡 角斜 大公 白甸 南莫 墩头 雅周",
    "NT-KFQ": "竹行 小海 中兴 新开",
    "NT-TZW": "三余 海晏 东凌 腰沙",
}

CITY_DIRECT = [
    ("江苏省南通中学", Cat.SENIOR),
    ("南通市第一中学", Cat.SENIOR),
    ("南通大学附属中学", Cat.SENIOR),
    ("南通市第二中学", Cat.SENIOR),
    ("南通市第三中学", Cat.SENIOR),
    ("南通市第四中学", Cat.SENIOR),
    ("江苏省南通田家炳中学", Cat.SENIOR),
    ("南通市天星湖中学", Cat.SENIOR),
    ("南通市小海中学", Cat.SENIOR),
    ("南通市实验中学", Cat.SENIOR),
    ("南通市第十一中学", Cat.SENIOR),
    ("南通西藏民族中学", Cat.SENIOR),
    ("南通中等专业学校", Cat.VOCATIONAL),
    ("南通市商贸中等专业学校", Cat.VOCATIONAL),
    ("南通市旅游中等专业学校", Cat.VOCATIONAL),
    ("南通市工贸技术学校", Cat.VOCATIONAL),
    ("南通市体育运动学校", Cat.VOCATIONAL),
    ("南通市特殊教育中心", Cat.SPECIAL),
    ("南通市聋哑学校", Cat.SPECIAL),
    ("南通市启智学校", Cat.SPECIAL),
]

# username, full name, role, unit code (None: the officer's school), superuser
DEMO_USERS = [
    ("admin", "周立新", Role.CITY_ADMIN, "NT", True),
    ("city", "陈思远", Role.CITY_STAFF, "NT", False),
    ("anwen", "顾海燕", Role.SAFETY_OFFICE, "NT", False),
    ("tongzhou", "张志刚", Role.COUNTY_STAFF, "NT-TZ", False),
    ("rudong", "缪建华", Role.COUNTY_STAFF, "NT-RD", False),
    ("officer", "施卫东", Role.SCHOOL_OFFICER, None, False),
    ("inspector", "季明亮", Role.INSPECTOR, "NT", False),
    ("leader", "曹文彬", Role.LEADER, "NT", False),
]


@dataclass
class DemoResult:
    city: OrgUnit
    counties: int
    schools: int
    schools_created: int
    users_created: int
    logins: list = field(default_factory=list)  # (username, full name, role label, unit name)


def _unit_get_or_create(*, code, **fields):
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        unit = services.orgunit_create(code=code, actor=None, **fields)
    return unit


def demo_officer_school(county):
    """The school the demo ``officer`` looks after: the first primary school of 通州区."""
    return (
        OrgUnit.objects.filter(parent=county, kind=Kind.SCHOOL, category=Cat.PRIMARY)
        .order_by("code")
        .first()
    )


@transaction.atomic
def seed_demo():
    """Build (or complete) the Nantong demo; what already exists is left as it is."""
    rng = random.Random(SEED)
    city = _unit_get_or_create(code="NT", kind=Kind.CITY, name="南通市")
    counties = {}
    for code, name, *_ in NANTONG_COUNTIES:
        counties[code] = _unit_get_or_create(code=code, kind=Kind.COUNTY, name=name, parent=city)

    # Generate every school, then keep only the missing ones: the random stream stays the same.
    taken = set()
    schools = []
    for i, (name, category) in enumerate(CITY_DIRECT, 1):
        taken.add(name)
        stem = f"南通市{'崇川区' if i % 3 else '港闸区'}"
        schools.append(
            school_unit(
                rng,
                code=f"NT-{i:04d}",
                parent=city,
                name=name,
                category=category,
                private=False,
                address_stem=stem,
            )
        )
    for code, name, prefix, count, urban in NANTONG_COUNTIES:
        schools += county_schools(
            rng,
            county=counties[code],
            count=count,
            towns=NANTONG_TOWNS[code].split(),
            prefix=prefix,
            address_stem=f"南通市{name}",
            urban=urban,
            taken=taken,
        )
    existing = set(
        OrgUnit.objects.filter(code__in=[s.code for s in schools]).values_list("code", flat=True)
    )
    missing = [s for s in schools if s.code not in existing]
    insert_units(missing)

    users_created = _demo_users(rng, city=city, counties=counties)
    services.org_statistics_rebuild(unit=city)
    return DemoResult(
        city=city,
        counties=len(counties),
        schools=OrgUnit.objects.filter(path__startswith=city.path, kind=Kind.SCHOOL).count(),
        schools_created=len(missing),
        users_created=users_created,
        logins=[
            (g.user.username, g.user.full_name, Role(g.role).label, g.unit.name)
            for username, *_ in DEMO_USERS
            for g in RoleGrant.objects.filter(user__username=username).select_related(
                "user", "unit"
            )
        ],
    )


def _demo_users(rng, *, city, counties):
    units = {"NT": city, **counties}
    officer_school = demo_officer_school(counties["NT-TZ"])
    password = None  # hashed once, and only when a user is missing: hashing is slow on purpose
    created = 0
    for username, full_name, role, unit_code, superuser in DEMO_USERS:
        phone = mobile(rng)
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                username=username,
                full_name=full_name,
                phone=phone,
                email=f"{username}@example.org",
                password=password,
                is_superuser=superuser,
                is_staff=superuser,
            )
            created += 1
        unit = units[unit_code] if unit_code else officer_school
        services.role_grant(user=user, role=role, unit=unit, actor=None)
        if unit_code is None and officer_school.safety_officer_name != user.full_name:
            # The school profile names the officer who signs in as its safety officer.
            OrgUnit.objects.filter(pk=officer_school.pk).update(
                safety_officer_name=user.full_name, safety_officer_phone=user.phone
            )
    return created
