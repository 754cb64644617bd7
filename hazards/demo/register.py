"""The Nantong demo register (``seed_demo``): 3,000 hazards whose stories were walked through
the closed loop up to the moment of seeding."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from campaign.demo import SEED, mobile, person_name
from campaign.models import Meeting, OrgUnit, User
from hazards.models import (
    FIVE_IMPLEMENTATIONS,
    Hazard,
    HazardCategory,
    HazardCodeCounter,
    HazardEvent,
)

Status = Hazard.Status
Level = Hazard.Level
Source = Hazard.Source
EventKind = HazardEvent.Kind


# seed_scale's year; the demo register is dated relative to the day it is seeded.
DEMO_YEAR = 2019
DEMO_TOTAL = 3000
DEMO_DAYS = 120  # hazards were found over this many days up to today
# Of the open hazards: the share left overdue, the share due within DUE_SOON_DAYS.
OVERDUE_SHARE = 0.07
DUE_SOON_SHARE = 0.10
DUE_SOON_DAYS = 3
ZERO_SHARE = 0.12  # schools that registered nothing at all (the zero-data list)
MAJOR_SHARE = 0.03

# Per area (top-level category code): (where exactly, what was found) to combine.
VOCABULARY = {
    "fire": (
        "教学楼一楼走廊 学生宿舍三楼楼梯口 食堂后厨 图书馆阅览室 实验楼二楼 行政楼消防通道 "
        "体育馆看台",
        "消防栓无水 灭火器压力不足已过期 安全出口指示灯不亮 消防通道堆放杂物 应急照明灯损坏 "
        "疏散指示标志缺失 消防水带老化破损 烟感报警器失灵",
    ),
    "food": (
        "食堂后厨 食堂留样间 食品仓库 学生餐厅 配餐间",
        "食堂留样不足48小时 留样未标注日期和餐次 食品原料过期未清理 生熟食品混放 "
        "从业人员健康证过期 冷藏柜温度不达标 食品霉变未及时处理 防鼠防蝇设施缺失",
    ),
    "buildings": (
        "教学楼外墙 老校舍二层 围墙东段 操场看台 楼梯扶手 学生宿舍阳台 风雨操场屋顶",
        "外墙瓷砖空鼓有脱落风险 楼梯扶手松动 围墙局部开裂倾斜 屋顶漏水 护栏高度不足 "
        "窗户限位器缺失 地面破损易绊倒 吊顶局部脱落",
    ),
    "bus-traffic": (
        "校门口道路 校车停靠点 接送学生等候区 学校南门路口",
        "校门口缺少减速带和警示标志 校车安全带损坏 校车驾驶员未按规定年审 "
        "接送车辆乱停乱放 校车随车照管人员未到岗 学校路段缺少交通信号灯",
    ),
    "gate-security": (
        "学校大门门卫室 南门 东侧小门 门卫值班室",
        "门卫未登记来访车辆 来访人员未查验证件 门卫夜间脱岗 防冲撞设施未设置 "
        "护校器材配备不全 保安人员未持证上岗 上放学时段未落实护学岗",
    ),
    "video": (
        "监控室 校门口监控点 操场监控点 教学楼走廊监控点 食堂监控点",
        "监控黑屏 部分监控画面显示不全 监控录像保存不足30天 监控时间误差大 "
        "监控未与公安联网 监控室无人值守",
    ),
    "perimeter-alarm": (
        "围墙北段 围墙西段 后门区域 宿舍区围墙",
        "周界报警失灵 周界报警有盲区 红外对射探头被遮挡 报警主机未布防",
    ),
    "one-button-alarm": (
        "门卫室 校长室 学生宿舍值班室",
        "一键式紧急报警未与公安联网 一键报警按钮故障 报警测试无响应",
    ),
    "power-gas": (
        "食堂燃气间 配电房 学生宿舍 计算机教室 锅炉房",
        "燃气管道老化 燃气报警器失效 电线私拉乱接 配电箱未上锁 宿舍违规使用大功率电器 "
        "漏电保护器失灵",
    ),
    "lab-chemicals": (
        "化学实验室 危化品仓库 生物实验室 实验准备室",
        "危险化学品未双人双锁管理 危化品台账不全 实验室通风设施损坏 洗眼器无水 废液未按规定处置",
    ),
    "water-drowning": (
        "学校东侧河道 校园景观池 附近水塘 学校游泳池",
        "临水区域缺少防护栏 防溺水警示牌缺失 救生器材配备不足 游泳池无救生员值守",
    ),
    "other": (
        "体育器材室 操场 多功能厅 校园绿化带",
        "体育器材固定不牢 篮球架底座松动 树木枯枝有坠落风险 应急预案未演练",
    ),
}
SOURCE_WEIGHTS = {
    Source.SELF_CHECK: 55,
    Source.COUNTY_CHECK: 25,
    Source.INSPECTION: 12,
    Source.PROVINCIAL: 5,
    Source.PUBLIC_REPORT: 3,
}
RESPONSIBLE_UNITS = "总务处 后勤处 安全办 保卫科 食堂管理办公室 教务处".split()
FUNDS_SOURCES = "学校公用经费 县区教育局专项资金 市级校园安全专项资金 学校自筹".split()
ACCEPT_OPINIONS = (
    "经现场复查，整改到位，同意销号。",
    "整改措施已落实，现场核查合格，同意验收销号。",
    "复查整改前后照片及现场情况，隐患已消除，同意销号。",
)
# How the five implementations came: filled in at registration (planned at once), completed
# by an edit some days later, or never (the hazard stays registered and becomes overdue).
PLAN_WEIGHTS = {"at_registration": 75, "later": 19, "never": 6}
REJECT_REASONS = (
    "整改照片不清晰，请补充整改后现场照片",
    "整改未到位，现场复查仍存在问题",
    "缺少整改验收材料，请补充",
)


def _local(moment):
    return timezone.make_aware(moment)


def _categories():
    """[(category, area code)] of the active categories, areas and items alike."""
    cats = list(HazardCategory.objects.filter(is_active=True).select_related("parent"))
    return [(c, c.parent.code if c.parent_id else c.code) for c in cats]


def _what(rng, category, area):
    places, findings = VOCABULARY.get(area, VOCABULARY["other"])
    place = rng.choice(places.split())
    if category.parent_id:  # an item names the finding itself
        finding = category.name
    else:
        finding = rng.choice(findings.split())
    return place, finding


def _five(rng, hazard, school_name):
    """Fill the five implementations; return the edit's changes ({field: [old, new]})."""
    before = {name: getattr(hazard, name) for name in FIVE_IMPLEMENTATIONS}
    hazard.responsible_unit = f"{school_name}{rng.choice(RESPONSIBLE_UNITS)}"
    hazard.responsible_person = person_name(rng)
    hazard.responsible_phone = mobile(rng)
    hazard.measures = f"针对“{hazard.description}”制定整改方案，明确责任人，限期整改到位并复查。"
    hazard.funds_amount = Decimal(rng.choice((0, 200, 500, 800, 1500, 3000, 8000, 20000, 65000)))
    hazard.funds_source = rng.choice(FUNDS_SOURCES)
    hazard.funds_secured = rng.random() < 0.9
    hazard.contingency_plan = "整改期间设置警示标志和临时防护措施，安排专人值守，禁止学生靠近。"
    hazard.five_complete = True
    return {
        name: ["" if old is None else str(old), str(getattr(hazard, name))]
        for name, old in before.items()
        if getattr(hazard, name) != old
    }


def _found_on(rng, today):
    return today - dt.timedelta(days=rng.randrange(DEMO_DAYS))


def _open_deadline(rng, hazard, today, *, overdue_share, due_soon_share):
    """The time limit of a hazard still open today: a minority overdue, some due within
    DUE_SOON_DAYS, the rest later (never before the category's default)."""
    age = (today - hazard.found_on).days
    r = rng.random()
    if r < overdue_share and age > DUE_SOON_DAYS:
        return today - dt.timedelta(days=rng.randint(1, min(30, age - 1)))
    if r < overdue_share + due_soon_share:
        return today + dt.timedelta(days=rng.randint(0, DUE_SOON_DAYS))
    return max(hazard.deadline, today + dt.timedelta(days=rng.randint(DUE_SOON_DAYS + 1, 45)))


def _now():
    """Local wall time of this minute (made aware on saving): the demo is "as of" now."""
    return timezone.localtime().replace(tzinfo=None, second=0, microsecond=0)


def _at(rng, day, *, after=None):
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randrange(60)))
    if after is not None and moment <= after:
        moment = after + dt.timedelta(minutes=rng.randint(5, 90))
    return moment


class _Actors:
    """Who acts for a school: the demo users where they exist, else nobody (None)."""

    def __init__(self, city):
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_ACTORS)}
        from campaign.demo import demo_officer_school

        tz = OrgUnit.objects.filter(code="NT-TZ").first()
        self.officer_school_id = getattr(demo_officer_school(tz), "pk", None) if tz else None
        self.users = users
        self.county_staff = {}
        for username, code in (("tongzhou", "NT-TZ"), ("rudong", "NT-RD")):
            unit = OrgUnit.objects.filter(code=code).first()
            if unit and username in users:
                self.county_staff[unit.pk] = users[username]

    def school(self, hazard):
        if hazard.school_id == self.officer_school_id:
            return self.users.get("officer")
        return None

    def county(self, hazard):
        return self.county_staff.get(hazard.county_id)

    def acceptor(self, hazard):
        if hazard.level == Level.MAJOR:
            return self.users.get("city")
        return self.county(hazard)


DEMO_ACTORS = ("officer", "tongzhou", "rudong", "city", "inspector")


def _acceptance_level(hazard):
    """The level the demo's acceptor works at: the city for major hazards and city-direct
    schools, the county for the others (DESIGN §5)."""
    if hazard.level == Level.MAJOR or hazard.county_id is None:
        return Hazard.AcceptanceLevel.CITY
    return Hazard.AcceptanceLevel.COUNTY


def _story(rng, hazard, actors, *, now, plan, complete):
    """Walk the hazard's loop forward from registration; return its events (unsaved).

    As the services do, a hazard is planned the moment its five implementations are complete
    (``complete()`` fills them and returns the edit's changes): at registration, or by an edit
    some days later. One whose plan never arrives stays registered, its five incomplete.
    """
    events = []
    t = _at(rng, hazard.found_on + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2))))
    if t > now:
        t = now - dt.timedelta(minutes=rng.randint(10, 600))
    hazard.created_at = _local(t)
    events.append(
        HazardEvent(kind=EventKind.REGISTERED, actor=hazard.found_by, at=t, to_status="reported")
    )
    major = hazard.level == Level.MAJOR
    # A few stall (the work drags on): these become overdue.
    stall = rng.choices((None, Status.PLANNED, Status.RECTIFYING), (86, 4, 10))[0]
    if plan == "never":
        stall = Status.REPORTED
    steps = [
        (Status.REPORTED, Status.PLANNED, (0, 4), actors.school(hazard)),
        (Status.PLANNED, Status.RECTIFYING, (1, 6), actors.school(hazard)),
        (Status.RECTIFYING, Status.AWAITING_ACCEPTANCE, (10, 40) if major else (3, 25), None),
        (Status.AWAITING_ACCEPTANCE, Status.CLOSED, (1, 8), actors.acceptor(hazard)),
    ]
    rejected = False
    i = 0
    if plan == "at_registration":
        complete()
        events.append(
            HazardEvent(
                kind=EventKind.TRANSITION,
                actor=hazard.found_by,
                at=t,
                from_status=Status.REPORTED,
                to_status=Status.PLANNED,
            )
        )
        hazard.status = Status.PLANNED
        i = 1
    while i < len(steps):
        frm, to, (low, high), actor = steps[i]
        if stall == frm:
            break
        nxt = _at(rng, (t + dt.timedelta(days=rng.randint(low, high))).date(), after=t)
        if nxt > now:
            break
        if frm == Status.REPORTED:  # the plan completed by an edit; planned at once
            events.append(HazardEvent(kind=EventKind.EDIT, actor=actor, at=nxt, changes=complete()))
        if frm == Status.RECTIFYING:
            actor = actors.school(hazard)
            hazard.rectified_by = actor
        if to == Status.CLOSED and not rejected and rng.random() < 0.05:
            # Sent back once: the acceptor was not satisfied.
            events.append(
                HazardEvent(
                    kind=EventKind.TRANSITION,
                    actor=actor,
                    at=nxt,
                    from_status=frm,
                    to_status=Status.RECTIFYING,
                    note=rng.choice(REJECT_REASONS),
                )
            )
            rejected, t, i = True, nxt, 2
            hazard.status = Status.RECTIFYING
            continue
        note = ""
        if to == Status.CLOSED:
            note = rng.choice(ACCEPT_OPINIONS)
            hazard.accepted_by = actor
            hazard.accepted_level = _acceptance_level(hazard)
            hazard.acceptance_opinion = note
            hazard.closed_at = _local(nxt)
        events.append(
            HazardEvent(
                kind=EventKind.TRANSITION,
                actor=actor,
                at=nxt,
                from_status=frm,
                to_status=to,
                note=note,
            )
        )
        hazard.status = to
        t = nxt
        i += 1
    hazard.updated_at = _local(t)
    for event in events:
        event.at = _local(event.at)
    return events


@transaction.atomic
def seed_demo_hazards(*, city, total=DEMO_TOTAL, now=None):
    """A realistic register for the Nantong demo, dated up to ``now`` (a naive local datetime,
    default: this minute); nothing is done when the city has hazards."""
    if Hazard.objects.filter(city=city).exists():
        return 0
    now = now or _now()
    today = now.date()
    rng = random.Random(f"{SEED}-hazards")
    categories = _categories()
    actors = _Actors(city)
    schools = list(
        OrgUnit.objects.filter(path__startswith=city.path, kind=OrgUnit.Kind.SCHOOL, is_active=True)
        .select_related("parent")
        .order_by("code")
    )
    if not schools or not categories:
        return 0
    quiet = {
        s.pk
        for s in rng.sample(schools, int(len(schools) * ZERO_SHARE))
        if s.pk != actors.officer_school_id
    }
    active = [s for s in schools if s.pk not in quiet]
    weights = [(s.students or 300) ** 0.5 for s in active]
    if actors.officer_school_id:
        officer_school = next(s for s in active if s.pk == actors.officer_school_id)
    picks = rng.choices(active, weights=weights, k=total)
    if actors.officer_school_id:
        picks[:12] = [officer_school] * 12  # the demo officer has a register to work with

    inspector = actors.users.get("inspector")
    hazards, stories = [], []
    for school in picks:
        category, area = rng.choice(categories)
        place, finding = _what(rng, category, area)
        county_id = school.parent_id if school.parent.kind == OrgUnit.Kind.COUNTY else None
        level = Level.MAJOR if rng.random() < MAJOR_SHARE else Level.GENERAL
        source = rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0]
        found_on = _found_on(rng, today)
        days = category.days_major if level == Level.MAJOR else category.days_general
        hazard = Hazard(
            school=school,
            county_id=county_id,
            city=city,
            category=category,
            level=level,
            source=source,
            location=f"{school.name}{place}",
            description=f"{finding}。{place}检查发现，需限期整改。",
            found_on=found_on,
            deadline=found_on + dt.timedelta(days=days),
        )
        if source == Source.COUNTY_CHECK:
            hazard.found_by = actors.county(hazard)
        elif source == Source.INSPECTION:
            hazard.found_by = inspector
        else:
            hazard.found_by = actors.school(hazard)
        hazard.description = hazard.description[:500]
        plan = rng.choices(list(PLAN_WEIGHTS), weights=list(PLAN_WEIGHTS.values()))[0]
        if plan != "at_registration":  # a first part of the plan, not yet all five
            hazard.responsible_unit = f"{school.name}{rng.choice(RESPONSIBLE_UNITS)}"
        events = _story(
            rng,
            hazard,
            actors,
            now=now,
            plan=plan,
            complete=lambda h=hazard, name=school.name: _five(rng, h, name),
        )
        if hazard.status != Status.CLOSED:
            # The demo officer's school gets more to act on, so the workbench shows it.
            mine = school.pk == actors.officer_school_id
            hazard.deadline = _open_deadline(
                rng,
                hazard,
                today,
                overdue_share=0.25 if mine else OVERDUE_SHARE,
                due_soon_share=0.25 if mine else DUE_SOON_SHARE,
            )
        hazards.append(hazard)
        stories.append(events)

    # Numbers per year found, in the order registered, as registration would have handed them
    # out; after any number already given for that year (a number is never given twice).
    order = sorted(range(len(hazards)), key=lambda i: (hazards[i].created_at, i))
    last = dict(HazardCodeCounter.objects.filter(prefix=city.code).values_list("year", "last"))
    for i in order:
        h = hazards[i]
        year = h.found_on.year
        n = last[year] = last.get(year, 0) + 1
        h.code = f"{city.code}-{year}-{n:06d}"
        # Uploaded to the provincial system with the monthly upload after it was found.
        month = dt.date(year, h.found_on.month, 1)
        upload = (month + dt.timedelta(days=32)).replace(day=1)
        if upload <= today and rng.random() < 0.7:
            h.uploaded_month = upload
            h.provincial_ref = f"JSXA{year}{n:07d}"
    Hazard.objects.bulk_create([hazards[i] for i in order], batch_size=1000)

    # Consultation meetings for about two thirds of the major hazards.
    city_user = actors.users.get("city")
    meetings, linked = [], []
    for h in hazards:
        if h.level == Level.MAJOR and rng.random() < 0.67:
            registered = timezone.localdate(h.created_at)
            held = max(h.found_on + dt.timedelta(days=rng.randint(1, 5)), registered)
            if held > today:
                continue
            meetings.append(
                Meeting(
                    kind=Meeting.Kind.CONSULTATION,
                    unit=city,  # recorded by the city, which accepts major hazards
                    title=f"关于{h.code}重大隐患的会商会",
                    held_on=held,
                    attendees="市教育局安稳办、县区教育局、学校校长及分管安全副校长",
                    opinions=f"{h.description[:40]}列入挂牌督办，限期整改。",
                    measures="落实专项资金，整改期间采取临时防护措施，每周报告进度。",
                    deadline=h.deadline,
                    responsible_department="县区教育局安全科",
                    recorded_by=city_user,
                    recorded_at=_local(min(dt.datetime.combine(held, dt.time(16, 30)), now)),
                )
            )
            linked.append(h)
    Meeting.objects.bulk_create(meetings)
    for h, meeting in zip(linked, meetings, strict=True):
        h.consultation_meeting = meeting
    Hazard.objects.bulk_update(linked, ["consultation_meeting"], batch_size=500)

    events = []
    for h, story in zip(hazards, stories, strict=True):
        for event in story:
            event.hazard = h
        if h.consultation_meeting_id:
            story.append(
                HazardEvent(
                    hazard=h,
                    kind=EventKind.MEETING,
                    actor=city_user,
                    at=h.consultation_meeting.recorded_at,
                    note=h.consultation_meeting.title,
                )
            )
        events += story
    HazardEvent.objects.bulk_create(events, batch_size=2000)
    for year, n in last.items():
        HazardCodeCounter.objects.update_or_create(
            prefix=city.code, year=year, defaults={"last": n}
        )
    return len(hazards)
