"""The meeting pages as their users see them: record a conference summoning the counties, a
school's own meeting, the lists, ask for leave and decide it, the attendance sheet (absent
without leave shown), the minutes, the files; bad input refused with nothing changed; the
meeting page's query count pinned, the same for 2 summoned units and for 62."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.models import AccountabilityEntry, Meeting, MeetingSummons
from tests.campaign.directives.helpers import media, png  # noqa: F401
from tests.campaign.meetings.helpers import conference, summons_of
from tests.factories import SchoolFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
NEW = reverse("campaign:meeting_new")
LIST = reverse("campaign:meeting_list")
Attendance = MeetingSummons.Attendance


def _days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def _form(**change):
    return {
        "unit": "NT",
        "kind": "conference",
        "title": "全市校园安全专项整治推进会",
        "held_on": _days(3).isoformat(),
        "starts_at": "09:00",
        "place": "市教育局三楼会议室",
        "convenor": "分管副局长",
        "agenda": "一、通报进展；二、部署工作。",
        "receivers": "counties",
        "expected_attendee": "分管局长、安全科科长",
        **change,
    }


def test_the_office_summons_every_county(tree, safety_office, county_staff, client_for):
    client = client_for(safety_office)
    assert "推进会" in client.get(NEW).content.decode()
    response = client.post(NEW, {**_form(), "files": [png("会议通知.png")]}, follow=True)
    meeting = Meeting.objects.get()
    assert response.redirect_chain[-1][0] == meeting.get_absolute_url()
    page = response.content.decode()
    assert "已通知 2 个单位参会" in page and "会议通知.png" in page
    assert set(meeting.summonses.values_list("unit__code", flat=True)) == {"NT-TZ", "NT-RD"}
    attachment = meeting.attachments.get()
    download = client.get(reverse("campaign:meeting_attachment", args=[meeting.pk, attachment.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    # The county sees the meeting in its "summoned" box, with the leave button.
    summoned = client_for(county_staff).get(LIST, {"box": "summoned"}).content.decode()
    assert "全市校园安全专项整治推进会" in summoned
    detail = client_for(county_staff).get(meeting.get_absolute_url()).content.decode()
    assert "请假" in detail and 'id="summons-NT-RD"' not in detail


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "这个字段是必填项"),
        ({"held_on": "2019-13-40"}, "日期"),
        ({"expected_attendee": ""}, "请说明各单位应派何人参会"),
        ({"receivers": "chosen"}, "请至少选择一个"),
        ({"unit": "NT-RD"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_changes_nothing(tree, safety_office, client_for, change, message):
    response = client_for(safety_office).post(NEW, _form(**change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_school_records_its_own_meeting_and_summons_no_one(tree, school_officer, client_for):
    client = client_for(school_officer)
    page = client.get(NEW).content.decode()
    assert 'name="chosen"' not in page
    data = _form(
        unit="NT-TZ-0001",
        kind="quarterly_analysis",
        title="第四季度安全分析研判会",
        receivers="none",
        expected_attendee="",
    )
    response = client.post(NEW, data, follow=True)
    meeting = Meeting.objects.get()
    assert meeting.unit == tree.tz_school and not meeting.summonses.exists()
    assert "第四季度安全分析研判会" in response.content.decode()
    refused = client.post(NEW, {**data, "receivers": "schools", "expected_attendee": "校长"})
    assert refused.status_code == 400 and Meeting.objects.count() == 1


def test_leave_asked_and_approved(tree, safety_office, county_staff, client_for):
    meeting = conference(tree.city, safety_office, [tree.tongzhou, tree.rudong], held_on=_days(2))
    summons = summons_of(meeting, tree.tongzhou)
    url = reverse("campaign:meeting_leave", args=[summons.pk])
    county = client_for(county_staff)
    assert county.post(url, {"reason": ""}).status_code == 400
    response = county.post(url, {"reason": "分管局长参加省厅会议"}, follow=True)
    assert "已请假" in response.content.decode() or "请假" in response.content.decode()
    assert summons_of(meeting, tree.tongzhou).leave == "asked"
    office = client_for(safety_office)
    page = office.get(meeting.get_absolute_url()).content.decode()
    assert "1 个请假申请待审批" in page and f'id="approve-{summons.pk}"' in page
    decide = reverse("campaign:meeting_leave_decide", args=[summons.pk])
    assert county.post(decide, {"decision": "approve"}).status_code == 403
    office.post(decide, {"decision": "approve"})
    assert summons_of(meeting, tree.tongzhou).leave == "approved"


def test_the_attendance_sheet_puts_the_absent_on_record(
    tree, safety_office, county_staff, client_for
):
    meeting = conference(tree.city, safety_office, [tree.tongzhou, tree.rudong], held_on=_days(-1))
    rudong = summons_of(meeting, tree.rudong)
    url = reverse("campaign:meeting_attendance", args=[meeting.pk])
    office = client_for(safety_office)
    sheet = office.get(url).content.decode()
    assert "未勾选的单位记为无故缺席" in sheet
    bad = office.post(url, {f"mark_{rudong.pk}": "on_leave"})
    assert bad.status_code == 400 and "没有经批准的请假" in bad.content.decode()
    assert not AccountabilityEntry.objects.exists()
    office.post(url, {f"mark_{rudong.pk}": "attended", f"who_{rudong.pk}": "王副局长"})
    assert summons_of(meeting, tree.tongzhou).attendance == Attendance.ABSENT
    entry = AccountabilityEntry.objects.get()
    assert entry.unit == tree.tongzhou
    page = office.get(meeting.get_absolute_url()).content.decode()
    assert 'data-count="absent">1<' in page and "王副局长" in page
    # 通州区 sees it on its own record, linked to the meeting.
    record = client_for(county_staff).get(reverse("campaign:accountability_list")).content.decode()
    assert "全市专项整治推进会" in record
    assert client_for(county_staff).get(url).status_code == 403


def test_the_minutes(tree, safety_office, county_staff, client_for):
    meeting = conference(tree.city, safety_office, [tree.tongzhou], held_on=_days(-1))
    url = reverse("campaign:meeting_minutes", args=[meeting.pk])
    assert client_for(county_staff).get(url).status_code == 403
    client_for(safety_office).post(
        url, {"minutes": "通报了进展。", "decisions": "周一召开专题研究会。", "attendees": ""}
    )
    page = client_for(county_staff).get(meeting.get_absolute_url()).content.decode()
    assert "通报了进展。" in page and "周一召开专题研究会。" in page


@pytest.mark.parametrize("schools", [0, 60])
def test_meeting_page_query_count_is_pinned(
    tree, county_staff, client_for, django_assert_num_queries, schools
):
    for i in range(schools):
        SchoolFactory(code=f"NT-TZ-9{i:03d}", name=f"测试学校{i}", parent=tree.tongzhou)
    from campaign.directives import services as directive_services

    summoned = directive_services.receivers_for(tree.tongzhou, "schools")
    meeting = conference(tree.tongzhou, county_staff, summoned, held_on=_days(-1))
    client = client_for(county_staff)
    client.get(meeting.get_absolute_url())
    with django_assert_num_queries(MEETING_QUERIES):
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('data-attendance="pending"') == len(summoned)


# session, user, grants, meeting, attendance summary, rows, attachments, the two grants'
# units of may_edit / the menu; the session save — whatever the number of units summoned.
MEETING_QUERIES = 10


def test_the_list_query_count_is_pinned(tree, safety_office, client_for, django_assert_num_queries):
    for n in range(25):
        conference(tree.city, safety_office, [tree.tongzhou], title=f"会议{n}")
    client = client_for(safety_office)
    client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert response.content.decode().count('class="list-group-item" id="meeting-') == 20


# session, user, grants, count, page (with its counts), the menu's two; the session save —
# whatever the number of meetings (may_record reads the grants already loaded).
LIST_QUERIES = 8
