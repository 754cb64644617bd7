"""The key periods' part of ``seed_demo``: the city's 2020 New Year (2019-12-30 to 2020-01-02)
and Spring Festival (2020-01-20 to 2020-02-08) key periods, with the daily safety reports of
every county and school: most units filed on most days (mostly "nothing to report", some a
short text), about one in twenty-five missing. Written with ``bulk_create`` (about 30,000
rows in a few seconds).

Safe to run again: nothing is added once the city has its New Year period.
"""

import datetime as dt
import random

from campaign.keyperiods import policy
from campaign.models import DailyReport, KeyPeriod, OrgUnit, Role, RoleGrant

TZ = dt.timezone(dt.timedelta(hours=8))
SEED = 20200101
MISSING_RATE = 0.04
TEXT_RATE = 0.05
TEXTS = [
    "校园周边发现流动摊贩聚集，已联系城管劝离，并加强放学时段护导。",
    "寒假留校学生 12 人，已落实 24 小时值班和夜间巡查。",
    "门卫室监控一路画面黑屏，已报修，当日修复。",
    "食堂液化气钢瓶检查发现一只过期，已更换并登记。",
    "接镇派出所通报，校外网吧有未成年人出入，已通知家长并开展教育。",
]
DUTY_ROSTER = "实行 24 小时值班和领导带班制度"
DUTY_DAILY = "每日 17:00 前报送平安日报，无事报零报告"
PERIODS = [
    {
        "kind": KeyPeriod.Kind.NEW_YEAR,
        "title": "2020年元旦假期",
        "starts_on": dt.date(2019, 12, 30),
        "ends_on": dt.date(2020, 1, 2),
        "focus": "校园及周边治安、消防安全、食品安全、学生假期交通与防溺水安全。",
        "duties": "\n".join((DUTY_ROSTER, DUTY_DAILY, "重大情况随时报告")),
    },
    {
        "kind": KeyPeriod.Kind.SPRING_FESTIVAL,
        "title": "2020年春节假期",
        "starts_on": dt.date(2020, 1, 20),
        "ends_on": dt.date(2020, 2, 8),
        "focus": "烟花爆竹燃放安全、校舍防火防盗、寒假留校学生管理、返校前校园安全检查。",
        "duties": "\n".join((DUTY_ROSTER, DUTY_DAILY, "节后开学前完成校园安全大检查")),
    },
]


def _author(city):
    grant = (
        RoleGrant.objects.filter(role=Role.SAFETY_OFFICE, unit=city).select_related("user").first()
    )
    return grant.user if grant else None


def seed(city):
    if KeyPeriod.objects.filter(unit=city, kind=KeyPeriod.Kind.NEW_YEAR).exists():
        return ""
    author = _author(city)
    periods = [KeyPeriod.objects.create(unit=city, created_by=author, **p) for p in PERIODS]
    units = list(
        OrgUnit.objects.filter(
            path__startswith=city.path, kind__in=policy.REPORTING_KINDS, is_active=True
        )
        .order_by("path")
        .values_list("pk", flat=True)
    )
    rng = random.Random(SEED)
    rows = []
    for period in periods:
        for n in range(period.days):
            day = period.starts_on + dt.timedelta(days=n)
            for unit_id in units:
                if rng.random() < MISSING_RATE:
                    continue
                at = dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ) + dt.timedelta(
                    minutes=rng.randrange(0, 8 * 60)
                )
                text = rng.choice(TEXTS) if rng.random() < TEXT_RATE else ""
                rows.append(
                    DailyReport(
                        period=period,
                        unit_id=unit_id,
                        day=day,
                        nothing_to_report=not text,
                        text=text,
                        filed_at=at,
                        updated_at=at,
                    )
                )
    DailyReport.objects.bulk_create(rows, batch_size=5000)
    return (
        f"{len(periods)} key periods (New Year, Spring Festival) with {len(rows)} daily "
        "safety reports, some missing."
    )
