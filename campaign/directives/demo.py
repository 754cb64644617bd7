"""The directives' part of ``seed_demo``: the speech's own directive.

On 2019-12-13, after the conference, the city directs every county-level unit and every
city-direct school to hold a dedicated study meeting (专题研究) on Monday 2019-12-16 and to
upload the minutes by 2019-12-17. Every county passes it on to its schools the same day.

- most counties confirm on 2019-12-16 with the record of their study meeting; 海门市 and
  启东市 confirm late (2019-12-18); 通州区 and 如皋市 have not confirmed yet (the demo
  ``tongzhou`` can confirm it with a minutes file);
- the schools of each county: most confirmed in time, one in twelve late, one in ten not yet;
- the daily job runs for 2019-12-18: the receipts not
  confirmed by the deadline are on record, the late ones included.

Schools' confirmations are written in bulk (about 1,200 of them), the rest through the
services. Safe to run again: nothing is added once the city has issued a directive.
"""

import datetime as dt

from django.db import transaction

from campaign.directives import services
from campaign.incidents.demo import _reporter
from campaign.models import Directive, DirectiveReceipt, Meeting, OrgUnit, Role

TZ = dt.timezone(dt.timedelta(hours=8))
TITLE = "关于召开校园和校车安全专项整治专题研究会议的通知"
TEXT = (
    "根据2019年12月13日全市校园和校车安全专项整治推进会部署，请各县（市、区）教育局、"
    "各市直属学校于12月16日（星期一）召开专题研究会议，传达推进会精神，研究本单位专项整治"
    "工作，落实第一责任人和具体组织实施责任，并将会议纪要上传本系统。各县（市、区）教育局"
    "将本通知转发至所属学校。"
)
DONE_WHEN = "12月16日（周一）召开专题研究会议，并上传会议纪要"
LATE_COUNTIES = ("NT-HM", "NT-QD")
PENDING_COUNTIES = ("NT-TZ", "NT-RG")


def _at(day, hour, minute=0):
    return dt.datetime(2019, 12, day, hour, minute, tzinfo=TZ)


def _meeting(unit, actor):
    return Meeting.objects.create(
        kind=Meeting.Kind.STUDY,
        unit=unit,
        title=f"{unit.name}校园安全专项整治专题研究会议",
        held_on=dt.date(2019, 12, 16),
        attendees="局长、分管副局长、安全科全体人员",
        recorded_by=actor,
        recorded_at=_at(16, 17),
    )


def _confirm_schools(child, keep_pending=None):
    """Most schools in time, one in twelve late, one in ten not yet (and the demo officer's
    school, for the officer to confirm): in bulk."""
    receipts = list(
        DirectiveReceipt.objects.filter(directive=child, unit__kind=OrgUnit.Kind.SCHOOL)
        .select_related("unit")
        .order_by("pk")
    )
    done = [
        (r, index % 12 == 5)
        for index, r in enumerate(receipts)
        if index % 10 != 3 and r.unit_id != keep_pending
    ]
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                kind=Meeting.Kind.STUDY,
                unit=r.unit,
                title=f"{r.unit.name}专题研究会议",
                held_on=dt.date(2019, 12, 16),
                attendees="校长、分管副校长、安全员、各年级组长",
                recorded_at=_at(16, 16),
            )
            for r, _late in done
        ]
    )
    for (receipt, late), meeting in zip(done, meetings, strict=True):
        receipt.meeting = meeting
        receipt.done_on = dt.date(2019, 12, 16)
        receipt.note = "已于12月16日召开专题研究会议，传达推进会精神，部署本校专项整治工作。"
        receipt.state = DirectiveReceipt.State.LATE if late else DirectiveReceipt.State.ON_TIME
        receipt.confirmed_at = _at(18, 10) if late else _at(16, 17, 30)
    DirectiveReceipt.objects.bulk_update(
        [r for r, _late in done],
        ["meeting", "done_on", "note", "state", "confirmed_at"],
        batch_size=500,
    )
    return len(receipts)


@transaction.atomic
def seed(city):
    if Directive.objects.filter(issuer=city).exists():
        return ""
    counties = list(OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY).order_by("code"))
    if not counties:
        return ""
    city_user = _reporter(city, Role.SAFETY_OFFICE)
    direct_schools = list(
        OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.SCHOOL).order_by("code")
    )
    directive = services.directive_issue(
        issuer=city,
        title=TITLE,
        text=TEXT,
        done_when=DONE_WHEN,
        deadline=dt.date(2019, 12, 17),
        receivers=counties + direct_schools,
        actor=city_user,
        now=_at(13, 16, 0),
    )
    receipts = {
        r.unit.code: r
        for r in DirectiveReceipt.objects.filter(directive=directive).select_related("unit")
    }
    from campaign.demo.nantong import demo_officer_school

    tongzhou = next((c for c in counties if c.code == "NT-TZ"), None)
    officer_school = demo_officer_school(tongzhou) if tongzhou else None
    schools = 0
    late_receipts = []
    for county in counties:
        receipt = receipts[county.code]
        county_user = _reporter(county, Role.COUNTY_STAFF)
        child = services.directive_pass_on(
            receipt=receipt,
            deadline=dt.date(2019, 12, 17),
            note=f"请各校按市局通知要求落实，{county.name}教育局将汇总各校会议纪要。",
            receivers=services.receivers_for(county, "schools"),
            actor=county_user,
            now=_at(13, 17, 30),
        )
        schools += _confirm_schools(child, officer_school and officer_school.pk)
        if county.code in PENDING_COUNTIES:
            continue
        if county.code in LATE_COUNTIES:
            late_receipts.append((receipt, county_user))
            continue
        services.receipt_confirm(
            receipt=receipt,
            done_on=dt.date(2019, 12, 16),
            note="已于12月16日上午召开局党组专题研究会议，部署全区（县、市）专项整治工作。",
            meeting=_meeting(county, county_user),
            actor=county_user,
            now=_at(16, 18, 0),
        )
    _confirm_schools(directive)  # the city-direct schools
    recorded = services.directive_deadlines_record(today=dt.date(2019, 12, 18))
    for receipt, county_user in late_receipts:
        services.receipt_confirm(
            receipt=receipt,
            done_on=dt.date(2019, 12, 17),
            note="因局长外出，专题研究会议推迟至12月17日召开，现补传会议纪要。",
            meeting=_meeting(receipt.unit, county_user),
            actor=county_user,
            now=_at(18, 15, 0),
        )
    return (
        f"The Monday-study directive to {len(counties)} counties and {len(direct_schools)} "
        f"city-direct schools, passed on to {schools} schools ({recorded} put on record)."
    )
