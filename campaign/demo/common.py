"""What both seeds share: the seed, the vocabulary of names, and fast bulk writes of units."""

from django.db import connection
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from psycopg import sql

from campaign import services
from campaign.models import OrgUnit

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
