"""Synthetic data: the Nantong demo (``seed_demo``) and a province-sized tree (``seed_scale``).

Everything is drawn from ``random.Random`` with a fixed seed, so a run always produces the same
names, numbers and codes; that is what lets ``seed_demo`` run again without changing anything.
Units are written with ``bulk_create`` level by level (the ids come back), then their paths.
"""

import math
import random
import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField, OuterRef, ProtectedError, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from psycopg import sql

from campaign import services
from campaign.models import OrgUnit, OrgUnitUserPermission, RoleGrant, User
from campaign.roles import ROLE_PERMS, Role, all_unit_perms

DEMO_PASSWORD = "demo-pass-2019"  # noqa: S105 - the published password of the demo users
SEED = 2019
BATCH = 5000

Kind = OrgUnit.Kind
Cat = OrgUnit.Category

# --- Shared vocabulary ----------------------------------------------------------------------

CATEGORY_SHARES = {
    Cat.KINDERGARTEN: 40,
    Cat.PRIMARY: 28,
    Cat.JUNIOR: 15,
    Cat.SENIOR: 5,
    Cat.NINE_YEAR: 6,
    Cat.VOCATIONAL: 4,
    Cat.SPECIAL: 2,
}
CATEGORY_ORDER = {cat: i for i, cat in enumerate(CATEGORY_SHARES)}
PRIVATE_SHARE = {Cat.KINDERGARTEN: 0.35, Cat.SPECIAL: 0.0}  # others: 5 %
COUNTY_WIDE = {Cat.SENIOR, Cat.VOCATIONAL, Cat.SPECIAL}  # often in the county seat

# Students from, to, and students per staff member.
SIZES = {
    Cat.KINDERGARTEN: (90, 420, 8),
    Cat.PRIMARY: (260, 2600, 17),
    Cat.JUNIOR: (350, 2200, 12),
    Cat.SENIOR: (900, 3200, 11),
    Cat.NINE_YEAR: (400, 1900, 13),
    Cat.VOCATIONAL: (1000, 4500, 14),
    Cat.SPECIAL: (60, 260, 3),
}

PUBLIC_NAMES = {
    Cat.KINDERGARTEN: (
        "{c}{t}中心幼儿园",
        "{c}{t}实验幼儿园",
        "{c}{t}{a}幼儿园",
        "{c}{t}第{n}幼儿园",
    ),
    Cat.PRIMARY: ("{c}{t}中心小学", "{c}{t}实验小学", "{c}{t}{a}小学", "{c}{t}第{n}小学"),
    Cat.JUNIOR: ("{c}{t}初级中学", "{c}{t}实验初级中学", "{c}{t}{a}初级中学", "{c}第{n}初级中学"),
    Cat.SENIOR: ("{c}{t}高级中学", "{c}{t}中学", "{c}第{n}中学", "{c}{a}高级中学"),
    Cat.NINE_YEAR: ("{c}{t}学校", "{c}{t}九年制学校", "{c}{t}实验学校", "{c}{a}学校"),
    Cat.VOCATIONAL: (
        "{c}中等专业学校",
        "{c}职业教育中心",
        "{c}{t}中等专业学校",
        "{c}第{n}中等专业学校",
    ),
    Cat.SPECIAL: ("{c}特殊教育学校", "{c}启智学校", "{c}{t}特殊教育学校", "{c}{a}培智学校"),
}
PRIVATE_NAMES = {
    Cat.KINDERGARTEN: ("{c}{t}{k}幼儿园", "{c}{k}幼儿园", "{c}{t}{k}双语幼儿园"),
    Cat.PRIMARY: ("{c}{b}小学", "{c}{b}外国语小学"),
    Cat.JUNIOR: ("{c}{b}初级中学", "{c}{b}外国语初级中学"),
    Cat.SENIOR: ("{c}{b}高级中学", "{c}{b}中学"),
    Cat.NINE_YEAR: ("{c}{b}外国语学校", "{c}{b}实验学校"),
    Cat.VOCATIONAL: ("{c}{b}职业学校", "{c}{b}中等专业学校"),
    Cat.SPECIAL: ("{c}{b}特殊教育学校",),
}
AREAS = (
    "东方 城南 城北 城西 新港 育才 光明 友谊 建设 星湖 向阳 红旗 新华 长江 滨江 花园 平安 紫琅"
).split()
KINDER_BRANDS = "贝贝 小太阳 启蒙 金色摇篮 蓝天 爱心 童乐 博雅 小天鹅 新星 七色花 阳光宝贝".split()
BRANDS = "育英 启秀 崇文 树人 英才 博文 明德 文华 立达 致远 睿思 东方".split()
ROADS = (
    "人民路 建设路 长江路 青年路 工农路 解放路 新华路 文化路 育才路 朝阳路 环城路 通榆路 "
    "江海大道 世纪大道 振兴路 跃龙路 园林路 校园路 中山路 和平路"
).split()
SURNAMES = (
    "张王李陈刘杨黄赵吴周徐孙朱马胡郭何高林罗郑梁谢宋唐许"
    "韩冯邓曹彭曾肖田董袁潘蒋蔡陆顾施缪季钱邵沈姜"
)
GIVEN = (
    "建国志强海燕晓东卫明华军丽萍红伟静敏磊洋勇艳杰"
    "娟涛超秀英霞平刚桂兰文斌宇浩欣怡雪梅涵鸣思远嘉琪春新民立群"
)
MOBILE_PREFIXES = (
    "130 131 133 135 136 137 138 139 150 151 152 153 158 159 180 182 187 188 189".split()
)
CN_DIGITS = "零一二三四五六七八九"


def cn_number(n):
    """1–99 in Chinese numerals, as school names write them (第十二中学)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def allocate(total, weights):
    """Split ``total`` into whole parts proportional to ``weights`` (largest remainder)."""
    weights = list(weights)
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def mobile(rng):
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def school_name(rng, *, category, private, prefix, town, taken):
    """A plausible name not yet in ``taken`` (which it joins)."""
    patterns = (PRIVATE_NAMES if private else PUBLIC_NAMES)[category]
    for _ in range(20):
        name = rng.choice(patterns).format(
            c=prefix,
            t=town,
            a=rng.choice(AREAS),
            k=rng.choice(KINDER_BRANDS),
            b=rng.choice(BRANDS),
            n=cn_number(rng.randint(2, 9)),
        )
        if name not in taken:
            break
    k = 2
    base = name
    while name in taken:
        name = f"{base}{cn_number(k)}分校"
        k += 1
    taken.add(name)
    return name


def school_unit(rng, *, code, parent, name, category, private, address_stem):
    lo, hi, ratio = SIZES[category]
    students = round(rng.triangular(lo, hi, lo + (hi - lo) * 0.3) * (0.7 if private else 1))
    return OrgUnit(
        kind=Kind.SCHOOL,
        code=code,
        parent=parent,
        name=name,
        category=category,
        ownership=OrgUnit.Ownership.PRIVATE if private else OrgUnit.Ownership.PUBLIC,
        students=students,
        staff=max(6, round(students / ratio * rng.uniform(0.85, 1.15))),
        address=f"{address_stem}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
        principal_name=person_name(rng),
        principal_phone=mobile(rng),
        safety_officer_name=person_name(rng),
        safety_officer_phone=mobile(rng),
    )


def county_schools(rng, *, county, count, towns, prefix, address_stem, urban, taken):
    """``count`` schools of ``county`` (categories by ``CATEGORY_SHARES``), coded town by town."""
    categories = []
    for category, n in zip(CATEGORY_SHARES, allocate(count, CATEGORY_SHARES.values()), strict=True):
        categories += [category] * n
    town_weights = [3] + [1] * (len(towns) - 1)  # the county seat has more schools
    plan = []
    for category in categories:
        if category in COUNTY_WIDE and rng.random() < 0.5:
            town = 0
        else:
            town = rng.choices(range(len(towns)), weights=town_weights)[0]
        plan.append((town, CATEGORY_ORDER[category], category))
    plan.sort()
    units = []
    for i, (town, _, category) in enumerate(plan, 1):
        private = rng.random() < PRIVATE_SHARE.get(category, 0.05)
        name = school_name(
            rng, category=category, private=private, prefix=prefix, town=towns[town], taken=taken
        )
        suffix = "街道" if urban else "镇"
        units.append(
            school_unit(
                rng,
                code=f"{county.code}-{i:04d}",
                parent=county,
                name=name,
                category=category,
                private=private,
                address_stem=f"{address_stem}{towns[town]}{suffix}",
            )
        )
    return units


def insert_rows(model, fields, rows):
    """Insert plain rows (tuples in the order of ``fields``) without reading ids back.

    On PostgreSQL this is COPY, many times faster than INSERT for tens of thousands of rows
    (and no model instance is built); elsewhere ``bulk_create``.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=BATCH
        )
        return
    columns = sql.SQL(", ").join(sql.Identifier(model._meta.get_field(f).column) for f in fields)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), columns
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        # Fresh statistics: on a new database the planner would otherwise take the table for
        # empty and scan it for each row of the next statement.
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table)))


def insert_units(units):
    """Insert new units whose parents are saved, and give them their ids, paths and depths."""
    if connection.vendor == "postgresql":
        fields = [f for f in OrgUnit._meta.concrete_fields if not f.primary_key]
        insert_rows(
            OrgUnit,
            [f.attname for f in fields],
            (tuple(_db_value(unit, f) for f in fields) for unit in units),
        )
        codes = [unit.code for unit in units]
        ids = {}
        for start in range(0, len(codes), BATCH):
            chunk = codes[start : start + BATCH]
            ids.update(OrgUnit.objects.filter(code__in=chunk).values_list("code", "pk"))
        for unit in units:
            unit.pk = ids[unit.code]
            unit.parent = unit.parent  # sets parent_id from the now saved parent, keeps it cached
    else:
        OrgUnit.objects.bulk_create(units, batch_size=BATCH)
    if not units:
        return units
    for unit in units:
        services.orgunit_set_path(unit)
    # The same rule as orgunit_set_path, as one UPDATE per level (bulk_update writes a CASE
    # with a branch per row, which is slow for thousands of rows).
    parent = OrgUnit.objects.filter(pk=OuterRef("parent_id")).order_by()
    ids = [unit.pk for unit in units]
    OrgUnit.objects.filter(path="", pk__gte=min(ids), pk__lte=max(ids)).update(
        path=Concat(
            Coalesce(Subquery(parent.values("path")[:1]), Value("/")),
            Cast("pk", CharField()),
            Value("/"),
            output_field=CharField(),
        ),
        depth=Coalesce(Subquery(parent.values("depth")[:1]), Value(0)) + 1,
    )
    return units


def _db_value(obj, field):
    """The value of ``field`` to store, as bulk_create would take it (auto_now_add, FKs)."""
    if field.is_relation and field.is_cached(obj):
        related = field.get_cached_value(obj)
        return related.pk if related is not None else None
    return field.pre_save(obj, add=True)


class SeedError(Exception):
    """A seed that cannot run, with a message for the person who started it."""


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


# --- A province-sized tree ------------------------------------------------------------------

JIANGSU = [
    ("南京市", "玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区 六合区 溧水区 高淳区"),
    ("无锡市", "锡山区 惠山区 滨湖区 梁溪区 新吴区 江阴市 宜兴市"),
    ("徐州市", "鼓楼区 云龙区 贾汪区 泉山区 铜山区 丰县 沛县 睢宁县 新沂市 邳州市"),
    ("常州市", "天宁区 钟楼区 新北区 武进区 金坛区 溧阳市"),
    ("苏州市", "虎丘区 吴中区 相城区 姑苏区 吴江区 常熟市 张家港市 昆山市 太仓市"),
    ("南通市", "崇川区 港闸区 通州区 海门市 如东县 启东市 如皋市 海安市"),
    ("连云港市", "连云区 海州区 赣榆区 东海县 灌云县 灌南县"),
    ("淮安市", "淮安区 淮阴区 清江浦区 洪泽区 涟水县 盱眙县 金湖县"),
    ("盐城市", "亭湖区 盐都区 大丰区 响水县 滨海县 阜宁县 射阳县 建湖县 东台市"),
    ("扬州市", "广陵区 邗江区 江都区 宝应县 仪征市 高邮市"),
    ("镇江市", "京口区 润州区 丹徒区 丹阳市 扬中市 句容市"),
    ("泰州市", "海陵区 高港区 姜堰区 兴化市 靖江市 泰兴市"),
    ("宿迁市", "宿城区 宿豫区 沭阳县 泗阳县 泗洪县"),
]
GENERIC_TOWNS = (
    "城东 城西 城南 城北 新桥 东湖 西湖 南湖 永安 永兴 新安 太平 长安 和平 兴隆 双河 三河 "
    "白马 青山 金山 石桥 马桥 河口 新集 高桥 黄桥 东坝 龙泉 官庄 杨庄 王集 张集 周庄 沙河 柳堡"
).split()

# Role grants beyond one officer per school, per unit kind, in the order users are given them.
SCALE_QUOTAS = [
    (Kind.COUNTY, Role.COUNTY_STAFF, 6),
    (Kind.CITY, Role.CITY_STAFF, 8),
    (Kind.CITY, Role.CITY_ADMIN, 1),
    (Kind.CITY, Role.SAFETY_OFFICE, 3),
    (Kind.PROVINCE, Role.CITY_ADMIN, 1),
    (Kind.PROVINCE, Role.CITY_STAFF, 2),
    (Kind.CITY, Role.INSPECTOR, 6),
    (Kind.COUNTY, Role.INSPECTOR, 3),
    (Kind.CITY, Role.LEADER, 2),
    (Kind.COUNTY, Role.LEADER, 1),
    (Kind.PROVINCE, Role.LEADER, 1),
]
USER_FIELDS = [
    "username",
    "full_name",
    "phone",
    "password",
    "email",
    "first_name",
    "last_name",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
]
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")


@dataclass
class ScaleResult:
    root: OrgUnit
    units: dict  # kind → count
    users: int
    grants: int
    permissions: int


def scale_username(prefix, n):
    return f"{prefix.lower()}-{n:06d}"


def scale_reset(*, prefix):
    """Remove the tree and the users an earlier ``seed_scale`` built under ``prefix``."""
    root = OrgUnit.objects.filter(code=prefix, parent__isnull=True).first()
    if root is None:
        return False
    in_tree = {"content_object__path__startswith": root.path}
    user_ids = list(
        RoleGrant.objects.filter(
            unit__path__startswith=root.path, user__username__startswith=f"{prefix.lower()}-"
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    try:
        OrgUnitUserPermission.objects.filter(**in_tree).delete()
        RoleGrant.objects.filter(unit__path__startswith=root.path).delete()
        for start in range(0, len(user_ids), BATCH):
            User.objects.filter(pk__in=user_ids[start : start + BATCH]).delete()
        for kind in (Kind.SCHOOL, Kind.COUNTY, Kind.CITY, Kind.PROVINCE):
            OrgUnit.objects.filter(path__startswith=root.path, kind=kind).delete()
    except ProtectedError as exc:
        raise SeedError(
            f"Cannot reset {prefix}: other records ({len(exc.protected_objects)} or more, "
            f"e.g. {next(iter(exc.protected_objects))!r}) refer to units of its tree."
        ) from None
    return True


def _scale_units(rng, *, prefix, cities, counties, schools):
    """The unsaved tree: (province, [cities], [counties], [schools])."""
    province = OrgUnit(kind=Kind.PROVINCE, name="江苏省", code=prefix)
    city_units, county_units, school_units = [], [], []
    known = [JIANGSU[i] if i < len(JIANGSU) else (f"城市{i + 1}", "") for i in range(cities)]
    per_city = allocate(counties, [len(n.split()) or 7 for _, n in known])
    while 0 in per_city:  # every city has at least one county-level unit
        per_city[per_city.index(max(per_city))] -= 1
        per_city[per_city.index(0)] += 1
    for ci, ((city_name, names), n_counties) in enumerate(zip(known, per_city, strict=True), 1):
        city = OrgUnit(kind=Kind.CITY, name=city_name, code=f"{prefix}-{ci:02d}", parent=province)
        city_units.append(city)
        names = names.split()
        for ki in range(1, n_counties + 1):
            name = names[ki - 1] if ki <= len(names) else f"{city_name[:-1]}第{cn_number(ki)}区"
            county_units.append(
                OrgUnit(kind=Kind.COUNTY, name=name, code=f"{city.code}-{ki:02d}", parent=city)
            )

    # A few city-direct schools, the rest spread unevenly (urban and rural counties) over counties.
    direct_each = math.ceil(schools * 0.015 / cities) if schools >= 10 * cities else 0
    taken = set()
    for city in city_units:
        for i in range(1, direct_each + 1):
            category = rng.choice((Cat.SENIOR, Cat.SENIOR, Cat.VOCATIONAL, Cat.SPECIAL))
            school_units.append(
                school_unit(
                    rng,
                    code=f"{city.code}-{i:04d}",
                    parent=city,
                    name=school_name(
                        rng,
                        category=category,
                        private=False,
                        prefix=city.name,
                        town=rng.choice(GENERIC_TOWNS),
                        taken=taken,
                    ),
                    category=category,
                    private=False,
                    address_stem=f"江苏省{city.name}",
                )
            )
    weights = [rng.uniform(0.5, 1.6) for _ in county_units]
    for county, count in zip(
        county_units, allocate(schools - len(school_units), weights), strict=True
    ):
        school_units += county_schools(
            rng,
            county=county,
            count=count,
            towns=rng.sample(GENERIC_TOWNS, 10),
            prefix=county.name,
            address_stem=f"江苏省{county.parent.name}{county.name}",
            urban=county.name.endswith("区"),
            taken=taken,
        )
    return province, city_units, county_units, school_units


def _scale_slots(*, province, cities, counties, schools, users):
    """(role, unit) for each user: one officer per school first, then the quotas, then more
    officers (several per school) until the users run out."""
    slots = [(Role.SCHOOL_OFFICER, s) for s in schools[:users]]
    by_kind = {Kind.PROVINCE: [province], Kind.CITY: cities, Kind.COUNTY: counties}
    rounds = max(quota for *_, quota in SCALE_QUOTAS)
    for k in range(rounds):  # round by round, so that scarce users still cover every role
        for kind, role, quota in SCALE_QUOTAS:
            if k < quota:
                slots += [(role, unit) for unit in by_kind[kind]]
    slots = slots[:users]
    i = 0
    while schools and len(slots) < users:
        slots.append((Role.SCHOOL_OFFICER, schools[i % len(schools)]))
        i += 1
    return slots


def seed_scale(*, prefix="JS", cities=13, counties=95, schools=15600, users=50000, log=None):
    """Build a province-sized tree and its users under ``prefix`` with bulk inserts."""
    log = log or (lambda message: None)
    if not PREFIX_RE.match(prefix):
        raise SeedError("The prefix must be 1–8 capital letters or digits, starting with a letter.")
    if cities < 1 or counties < cities or schools < 0 or users < 0:
        raise SeedError("Need at least one city, at least one county per city, and no negatives.")
    if OrgUnit.objects.filter(code=prefix).exists():
        raise SeedError(
            f"A tree with the prefix {prefix} already exists. Run again with --reset to rebuild "
            f"it, or choose another --prefix."
        )
    ct = ContentType.objects.get_for_model(OrgUnit)
    perm_ids = dict(
        Permission.objects.filter(content_type=ct, codename__in=all_unit_perms()).values_list(
            "codename", "id"
        )
    )
    if len(perm_ids) != len(all_unit_perms()):
        raise SeedError("The unit permissions are missing: run `manage.py migrate` first.")

    rng = random.Random(f"{SEED}-{prefix}")
    province, city_units, county_units, school_units = _scale_units(
        rng, prefix=prefix, cities=cities, counties=counties, schools=schools
    )
    slots = _scale_slots(
        province=province,
        cities=city_units,
        counties=county_units,
        schools=school_units,
        users=users,
    )
    people = [(person_name(rng), mobile(rng)) for _ in slots]
    first_officer = {}
    for (role, unit), person in zip(slots, people, strict=True):
        if role == Role.SCHOOL_OFFICER:
            first_officer.setdefault(id(unit), person)
    for school in school_units:
        if id(school) in first_officer:
            school.safety_officer_name, school.safety_officer_phone = first_officer[id(school)]
    log(f"planned {len(school_units)} schools and {len(slots)} users")

    with transaction.atomic():
        for level in ([province], city_units, county_units, school_units):
            insert_units(level)
        log("units inserted")
        password = make_password(DEMO_PASSWORD)  # once, reused: hashing is deliberately slow
        now = timezone.now()
        usernames = [scale_username(prefix, n) for n in range(1, len(people) + 1)]
        insert_rows(
            User,
            USER_FIELDS,
            (
                (username, name, phone, password, "", "", "", False, False, True, now)
                for username, (name, phone) in zip(usernames, people, strict=True)
            ),
        )
        user_ids = {}
        for start in range(0, len(usernames), BATCH):
            chunk = usernames[start : start + BATCH]
            user_ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        log("users inserted")
        insert_rows(
            RoleGrant,
            ["user_id", "unit_id", "role", "granted_at"],
            (
                (user_ids[username], unit.pk, role.value, now)
                for username, (role, unit) in zip(usernames, slots, strict=True)
            ),
        )
        perm_rows = [
            (user_ids[username], perm_ids[perm], unit.pk)
            for username, (role, unit) in zip(usernames, slots, strict=True)
            for perm in sorted(ROLE_PERMS[role])
        ]
        insert_rows(
            OrgUnitUserPermission, ["user_id", "permission_id", "content_object_id"], perm_rows
        )
        log("role grants and permissions inserted")
        services.org_statistics_rebuild(unit=province)
        log("statistics rebuilt")
    return ScaleResult(
        root=province,
        units={
            Kind.PROVINCE: 1,
            Kind.CITY: len(city_units),
            Kind.COUNTY: len(county_units),
            Kind.SCHOOL: len(school_units),
        },
        users=len(user_ids),
        grants=len(slots),
        permissions=len(perm_rows),
    )
