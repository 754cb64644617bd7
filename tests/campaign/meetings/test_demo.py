"""The demo's conference of 2019-12-13: every county summoned, 海安市 on approved leave,
如皋市 and 启东市 absent without leave and on record, the minutes written. Safe to run again."""

import pytest

from campaign.meetings import demo
from campaign.models import AccountabilityEntry, Meeting, MeetingSummons
from tests.factories import CountyFactory

pytestmark = pytest.mark.django_db
Attendance = MeetingSummons.Attendance


def test_the_demo_has_the_conference_with_two_absent_and_one_on_leave(tree):
    for code, name in (("NT-HA", "海安市"), ("NT-RG", "如皋市"), ("NT-QD", "启东市")):
        CountyFactory(code=code, name=name, parent=tree.city)
    line = demo.seed(tree.city)
    assert "2 absent without leave, 1 on leave" in line
    meeting = Meeting.objects.get(unit=tree.city, kind=Meeting.Kind.CONFERENCE)
    assert meeting.held_on.isoformat() == "2019-12-13" and meeting.minutes
    states = {s.unit.code: s.attendance for s in meeting.summonses.select_related("unit")}
    assert states == {
        "NT-TZ": Attendance.ATTENDED,
        "NT-RD": Attendance.ATTENDED,
        "NT-HA": Attendance.ON_LEAVE,
        "NT-RG": Attendance.ABSENT,
        "NT-QD": Attendance.ABSENT,
    }
    on_record = AccountabilityEntry.objects.filter(
        kind=AccountabilityEntry.Kind.ABSENT_WITHOUT_LEAVE
    ).values_list("unit__code", flat=True)
    assert sorted(on_record) == ["NT-QD", "NT-RG"]
    quarterly = set(
        Meeting.objects.filter(kind=Meeting.Kind.QUARTERLY_ANALYSIS).values_list(
            "unit__code", flat=True
        )
    )
    assert "NT-TZ" in quarterly and "NT-RG" not in quarterly  # 如皋市 has not held one
    assert demo.seed(tree.city) == ""
    assert Meeting.objects.filter(kind=Meeting.Kind.CONFERENCE).count() == 1
