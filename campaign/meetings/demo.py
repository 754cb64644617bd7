"""The meetings' part of ``seed_demo``: the speech's own conference.

On 2019-12-13 at 09:00 the city holds the campus and school-bus safety campaign promotion
conference (推进会) and summons every county-level unit, each to send its leader in charge
and the head of its safety section:

- 海安市 asked for leave on 2019-12-12 (its leader was at the provincial meeting) and the
  city's Safety & Stability Office approved it: on leave;
- 如皋市 and 启东市 sent no one and asked for no leave: absent without leave, on record;
- the others attended, with the names of who came.

The fourth quarter's analysis meetings (分析研判会): nine in ten counties and schools held one
in December 2019, written in bulk; 如皋市 and one school in ten have not yet (the quarterly page
shows who). Safe to run again: nothing is added once the city has held a conference.
"""

import datetime as dt

from django.db import transaction

from campaign.incidents.demo import _reporter
from campaign.meetings import services
from campaign.models import Meeting, MeetingSummons, OrgUnit, Role

TZ = dt.timezone(dt.timedelta(hours=8))
TITLE = "全市校园和校车安全专项整治推进会"
ON_LEAVE = "NT-HA"
ABSENT = ("NT-RG", "NT-QD")
QUARTER_MISSING_COUNTY = "NT-RG"
Attendance = MeetingSummons.Attendance


def _at(day, hour, minute=0):
    return dt.datetime(2019, 12, day, hour, minute, tzinfo=TZ)


@transaction.atomic
def seed(city):
    if Meeting.objects.filter(unit=city, kind=Meeting.Kind.CONFERENCE).exists():
        return ""
    counties = list(OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY).order_by("code"))
    if not counties:
        return ""
    office = _reporter(city, Role.SAFETY_OFFICE)
    meeting = services.meeting_record(
        unit=city,
        kind=Meeting.Kind.CONFERENCE,
        title=TITLE,
        held_on=dt.date(2019, 12, 13),
        starts_at=dt.time(9, 0),
        place="市教育局三楼会议室",
        convenor="市教育局分管副局长",
        agenda=(
            "一、通报全市校园和校车安全隐患排查整治情况；\n"
            "二、部署“四不两直”暗查暗访和“三防”建设达标工作；\n"
            "三、各县（市、区）教育局交流发言；\n"
            "四、局领导讲话。"
        ),
        summoned=counties,
        expected_attendee="分管局长、安全科科长",
        actor=office,
    )
    summonses = {
        s.unit.code: s
        for s in MeetingSummons.objects.filter(meeting=meeting).select_related("unit")
    }
    if ON_LEAVE in summonses:
        asked = services.leave_ask(
            summons=summonses[ON_LEAVE],
            reason="分管局长12月13日参加省教育厅安全工作会议，安全科科长带队督查校车，无法参会。",
            actor=_reporter(summonses[ON_LEAVE].unit, Role.COUNTY_STAFF),
            now=_at(12, 15, 30),
        )
        services.leave_decide(summons=asked, approve=True, actor=office, now=_at(12, 17, 0))
    marks = {
        s.pk: (Attendance.ATTENDED, f"{s.unit.name}教育局分管局长、安全科科长")
        for code, s in summonses.items()
        if code not in ABSENT and code != ON_LEAVE
    }
    services.attendance_record(meeting=meeting, marks=marks, actor=office, now=_at(13, 12, 0))
    services.meeting_minutes(
        meeting=meeting,
        minutes=(
            "会议通报了全市校园和校车安全隐患排查整治进展，部署了下一阶段专项整治工作。"
            "如皋市、启东市教育局未派员参会，亦未请假，记录在案。"
        ),
        decisions=(
            "一、各县（市、区）教育局、各市直属学校于12月16日（周一）召开专题研究会议；\n"
            "二、每月1日前完成隐患清单上传；\n"
            "三、寒假前开展一次“四不两直”暗查暗访。"
        ),
        attendees="市教育局分管副局长、安稳处全体人员、各县（市、区）教育局分管局长和安全科科长",
        actor=office,
    )
    held = _quarterly_meetings(city)
    return (
        f"The 2019-12-13 conference with {len(counties)} counties summoned "
        f"({len(ABSENT)} absent without leave, 1 on leave); {held} quarterly analysis meetings."
    )


def _quarterly_meetings(city):
    units = OrgUnit.objects.filter(
        path__startswith=city.path,
        kind__in=(OrgUnit.Kind.COUNTY, OrgUnit.Kind.SCHOOL),
        is_active=True,
    ).order_by("path")
    meetings = [
        Meeting(
            kind=Meeting.Kind.QUARTERLY_ANALYSIS,
            unit=unit,
            title=f"{unit.name}2019年第四季度校园安全分析研判会",
            held_on=dt.date(2019, 12, 2 + index % 18),
            attendees="主要负责人、分管负责人、安全管理人员",
            minutes="分析本季度校园安全形势，研判寒假及春节期间风险，明确下一阶段整治重点。",
            recorded_at=_at(20, 17),
        )
        for index, unit in enumerate(units.iterator())
        if index % 10 != 7 and unit.code != QUARTER_MISSING_COUNTY
    ]
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    return len(meetings)
