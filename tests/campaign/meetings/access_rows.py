"""Access-matrix rows of the meeting pages: tests/test_access_matrix.py adds them to MATRIX.

Objects, made directly with fixed dates so that every walk sees the same page: a meeting of
通州区 summoning its two schools (``in``) and one of 如东县 summoning its school (``out``), held
on 2019-12-13, each with an attachment. The leave rows are on the summons of the school
NT-TZ-0001 / NT-RD-0001.
"""

import datetime as dt

from django.core.files.base import ContentFile

from tests.hazards.conftest import PNG_1X1

LIST = "200 200 200 200 200 200 200 200 302"
# The people who report or review at a unit record its meetings (a school's officer too).
NEW = "200 200 200 200 200 403 403 403 302"
# The holder's side sees it (and the levels above); a summoned unit's people too.
READ = "200/200 200/200 200/200 200/404 200/404 200/200 200/200 404/404 302/302"
# The minutes: the holding unit's own people (the city admin may do anything).
MINUTES = "200/200 403/403 403/403 200/404 403/404 403/403 403/403 404/404 302/302"
# Attendance, and deciding leave: the holding unit's own reviewers.
ATTENDANCE = "200/200 403/403 403/403 200/404 403/404 403/403 403/403 404/404 302/302"
DECIDE = "302/302 403/403 403/403 302/404 403/404 403/403 403/403 404/404 302/302"
# Asking for leave: the summoned unit's own people (here a school's officer).
LEAVE = "200/200 403/403 403/403 403/404 200/404 403/403 403/403 404/404 302/302"

HELD_ON = dt.date(2019, 12, 13)


def _meeting(o, scope):
    from campaign.models import Meeting, MeetingAttachment, MeetingSummons
    from tests.test_access_matrix import IN

    t = o.tree
    holder, schools = (
        (t.tongzhou, [t.tz_school, t.tz_school2]) if scope == IN else (t.rudong, [t.rd_school])
    )
    meeting, created = Meeting.objects.get_or_create(
        title=f"矩阵会议-{scope}",
        defaults={"unit": holder, "kind": Meeting.Kind.CONFERENCE, "held_on": HELD_ON},
    )
    if created:
        for unit in schools:
            MeetingSummons.objects.create(meeting=meeting, unit=unit, expected_attendee="校长")
        item = MeetingAttachment(
            meeting=meeting, original_name="通知.png", content_type="image/png", size=len(PNG_1X1)
        )
        item.file.save("matrix-meeting.png", ContentFile(PNG_1X1), save=False)
        item.save()
    return meeting


def rows():
    from tests.test_access_matrix import IN, Row

    def seen(o, scope):
        return {"pk": _meeting(o, scope).pk}

    def attachment(o, scope):
        meeting = _meeting(o, scope)
        return {"pk": meeting.pk, "file_pk": meeting.attachments.get().pk}

    def school_summons(o, scope):
        meeting = _meeting(o, scope)
        school = o.tree.tz_school if scope == IN else o.tree.rd_school
        return {"pk": meeting.summonses.get(unit=school).pk}

    return {
        "campaign:meeting_list": Row(LIST),
        "campaign:meeting_new": Row(NEW),
        "campaign:meeting_quarterly": Row(LIST),
        "campaign:meeting_detail": Row(READ, kwargs=seen),
        "campaign:meeting_attachment": Row(READ, kwargs=attachment),
        "campaign:meeting_minutes": Row(MINUTES, kwargs=seen),
        "campaign:meeting_attendance": Row(ATTENDANCE, kwargs=seen),
        "campaign:meeting_leave": Row(LEAVE, kwargs=school_summons),
        "campaign:meeting_leave_decide": Row(DECIDE, kwargs=school_summons, method="POST"),
    }
