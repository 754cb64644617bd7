"""The incidents' part of ``seed_demo``: three incidents of the demo city in December 2019.

- an off-campus drowning at a 如东县 school, learned of on a Saturday evening and reported to
  the county only the next morning, and passed to the city later still (late at both levels:
  the speech's complaint), still open with a follow-up;
- a fall in the 通州区 officer's school's playground (a minor injury), reported and passed on
  in time, closed;
- a traffic accident reported by 通州区 itself (a serious injury) within the hour, open.

Safe to run again: nothing is added once the city has an incident.
"""

import datetime as dt

from django.contrib.auth import get_user_model

from campaign.incidents import services
from campaign.models import Incident, OrgUnit, Role, RoleGrant

TZ = dt.timezone(dt.timedelta(hours=8))


def _at(day, hour, minute=0):
    return dt.datetime(2019, 12, day, hour, minute, tzinfo=TZ)


def _user(role, unit):
    grant = RoleGrant.objects.filter(role=role, unit=unit).select_related("user").first()
    return grant.user if grant else None


def _reporter(unit, role):
    """Someone who reports for ``unit``: its demo user, or a demo stand-in made for the seed."""
    user = _user(role, unit)
    if user is None:
        from campaign import services as campaign_services

        user, created = get_user_model().objects.get_or_create(
            username=f"demo-{unit.code.lower()}", defaults={"full_name": f"{unit.name}安全员"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        campaign_services.role_grant(user=user, role=role, unit=unit, actor=None)
    return user


def seed(city):
    if Incident.objects.filter(city=city).exists():
        return ""
    counties = {u.code: u for u in OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY)}
    tongzhou, rudong = counties.get("NT-TZ"), counties.get("NT-RD")
    if tongzhou is None or rudong is None:
        return ""
    from campaign.demo.nantong import demo_officer_school

    rd_school = (
        OrgUnit.objects.filter(parent=rudong, kind=OrgUnit.Kind.SCHOOL).order_by("code").first()
    )
    officer_school = demo_officer_school(tongzhou)
    made = 0
    if rd_school is not None:
        drowning = services.incident_report(
            unit=rd_school,
            occurred_at=_at(7, 16, 20),
            learned_at=_at(7, 18, 5),
            place="掘港镇东郊河塘（校外）",
            on_campus=False,
            category=Incident.Category.DROWNING,
            description="周六下午，本校一名五年级男生与同伴在校外河塘边玩耍时落水，经打捞送医抢救无效死亡。",
            deaths=1,
            serious_injuries=0,
            minor_injuries=0,
            handling="学校接报后立即派员赶赴医院，配合公安、镇政府做好家属安抚；已在全校开展防溺水专题教育。",
            actor=_reporter(rd_school, Role.SCHOOL_OFFICER),
            now=_at(8, 9, 40),
        )
        services.incident_forward(
            incident=drowning, actor=_reporter(rudong, Role.COUNTY_STAFF), now=_at(8, 15, 10)
        )
        services.incident_follow_up(
            incident=drowning,
            note="县教育局已约谈学校负责人，组织全县中小学排查校外危险水域，设立警示标牌 36 处。",
            deaths=1,
            serious_injuries=0,
            minor_injuries=0,
            actor=_reporter(rudong, Role.COUNTY_STAFF),
            now=_at(9, 10, 0),
        )
        made += 1
    if officer_school is not None:
        fall = services.incident_report(
            unit=officer_school,
            occurred_at=_at(10, 10, 5),
            learned_at=_at(10, 10, 10),
            place="学校操场单杠区",
            on_campus=True,
            category=Incident.Category.FALL,
            description="课间活动时一名三年级学生从单杠上跌落，左臂擦伤。",
            deaths=0,
            serious_injuries=0,
            minor_injuries=1,
            handling="校医现场处置后送区人民医院检查，无骨折；已通知家长，单杠区下方加铺软垫。",
            actor=_reporter(officer_school, Role.SCHOOL_OFFICER),
            now=_at(10, 11, 0),
        )
        county_user = _reporter(tongzhou, Role.COUNTY_STAFF)
        services.incident_forward(incident=fall, actor=county_user, now=_at(10, 15, 30))
        services.incident_close(
            incident=fall,
            note="学生已返校上课，家长无异议；学校完成运动器材安全检查。",
            actor=county_user,
            now=_at(12, 9, 0),
        )
        made += 1
    services.incident_report(
        unit=tongzhou,
        occurred_at=_at(16, 7, 25),
        learned_at=_at(16, 7, 50),
        place="金沙镇人民路与银河路交叉口（校外）",
        on_campus=False,
        category=Incident.Category.TRAFFIC,
        description="上学途中一名初二学生骑电动自行车与货车相撞，右腿骨折，送医治疗。",
        deaths=0,
        serious_injuries=1,
        minor_injuries=0,
        handling="区教育局会同交警调查，学校派员陪护；已部署全区开展上下学交通安全教育。",
        actor=_reporter(tongzhou, Role.COUNTY_STAFF),
        now=_at(16, 8, 30),
    )
    made += 1
    return f"{made} student casualty incidents (one off-campus drowning reported late)."
