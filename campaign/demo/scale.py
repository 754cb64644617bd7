"""A province-sized tree (``seed_scale``): 13 cities, 95 county-level units, 15,600 schools and
50,000 users, written with COPY on PostgreSQL."""

import math
import random
import re
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from campaign import services
from campaign.demo.common import (
    BATCH,
    DEMO_PASSWORD,
    SEED,
    Cat,
    Kind,
    SeedError,
    allocate,
    cn_number,
    county_schools,
    insert_rows,
    insert_units,
    mobile,
    person_name,
    school_name,
    school_unit,
)
from campaign.models import OrgUnit, OrgUnitUserPermission, RoleGrant, User
from campaign.roles import ROLE_PERMS, Role, all_unit_perms

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
