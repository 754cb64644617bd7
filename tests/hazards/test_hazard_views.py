"""One hazard's screens through the test client: register, the closed loop, files, meeting."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaign.roles import Role
from hazards import services
from hazards.models import Evidence, Hazard, HazardEvent
from tests.factories import UserFactory, grant
from tests.hazards.conftest import five_implementations, png_bytes, png_upload

pytestmark = pytest.mark.django_db

FIVE_POST = {
    "responsible_unit": "总务处",
    "responsible_person": "王主任",
    "responsible_phone": "13900000000",
    "measures": "更换阀门",
    "funds_amount": "1200",
    "funds_source": "公用经费",
    "funds_secured": "true",
    "contingency_plan": "设置警示标志",
}


def new_post(hazard_category, **extra):
    data = {
        "category": str(hazard_category.pk),
        "level": "general",
        "source": "self_check",
        "location": "教学楼一楼东侧",
        "description": "消防栓打开无水",
        "found_on": timezone.localdate().isoformat(),
    }
    data.update(extra)
    return data


def detail(client, hazard):
    return client.get(reverse("hazards:hazard_detail", args=[hazard.code]))


def act(client, hazard, action, **data):
    return client.post(reverse("hazards:hazard_transition", args=[hazard.code, action]), data)


def upload(client, hazard, kind="after", name="after.png", content=None):
    f = SimpleUploadedFile(name, content if content is not None else png_bytes())
    return client.post(
        reverse("hazards:hazard_upload", args=[hazard.code]), {"kind": kind, "file": f}
    )


def test_the_whole_loop_through_the_views(
    client_for, school_officer, county_staff, hazard_category, tree
):
    officer = client_for(school_officer)
    page = officer.get(reverse("hazards:hazard_new"))
    assert page.status_code == 200
    assert 'capture="environment"' in page.content.decode()
    assert "通州区实验小学" in page.content.decode()  # the officer's school is fixed

    data = new_post(hazard_category)
    data["photos"] = [SimpleUploadedFile("before.png", png_bytes())]
    response = officer.post(reverse("hazards:hazard_new"), data)
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == hazard.get_absolute_url()
    assert hazard.school == tree.tz_school
    assert hazard.evidence.get().kind == Evidence.Kind.BEFORE

    page = detail(officer, hazard)
    assert page.status_code == 200
    assert page.context["missing"]
    assert "start" not in page.context["actions"]

    edit_url = reverse("hazards:hazard_edit", args=[hazard.code])
    assert officer.get(edit_url).status_code == 200
    edit = {
        "category": str(hazard_category.pk),
        "level": "general",
        "source": "self_check",
        "location": hazard.location,
        "description": hazard.description,
        "found_on": hazard.found_on.isoformat(),
        "provincial_ref": "",
        **FIVE_POST,
    }
    assert officer.post(edit_url, edit).status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.PLANNED
    assert detail(officer, hazard).context["actions"] == ["start"]

    assert act(officer, hazard, "start").status_code == 302
    assert upload(officer, hazard).status_code == 302
    assert act(officer, hazard, "submit").status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE

    county = client_for(county_staff)
    assert detail(county, hazard).context["actions"] == ["accept", "reject"]
    response = act(county, hazard, "accept", opinion="现场复查合格")
    assert response.status_code == 302
    page = county.get(response["Location"])
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.CLOSED
    html = page.content.decode()
    assert 'data-status="closed"' in html
    # Who accepted, when, at which level and with what opinion: on the hazard's facts.
    assert zh("Hazard %(code)s was accepted and closed.") % {"code": hazard.code} in html
    facts = between(html, 'id="acceptance"', "</dl>")
    assert county_staff.display_name in facts
    assert zh("county level") in facts
    assert timezone.localtime(hazard.closed_at).strftime("%Y-%m-%d %H:%M") in facts
    assert "现场复查合格" in facts
    kinds = [e.kind for e in page.context["events"]]
    assert kinds[0] == HazardEvent.Kind.REGISTERED
    to = [e.to_status for e in page.context["events"] if e.kind == HazardEvent.Kind.TRANSITION]
    assert to == ["planned", "rectifying", "awaiting_acceptance", "closed"]
    assert page.context["actions"] == ["reopen"]
    # Nothing closed can be edited.
    response = officer.get(edit_url)
    assert response.status_code == 302


def test_bad_photo_stores_nothing_and_keeps_the_text(client_for, school_officer, hazard_category):
    officer = client_for(school_officer)
    data = new_post(hazard_category, description="一段很长的描述", **FIVE_POST)
    data["photos"] = [
        SimpleUploadedFile("good.png", png_bytes()),
        SimpleUploadedFile("fake.jpg", b"just some text, not a photo"),
    ]
    response = officer.post(reverse("hazards:hazard_new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "fake.jpg" in html
    assert "一段很长的描述" in html and "更换阀门" in html
    assert not Hazard.objects.exists() and not Evidence.objects.exists()


def test_county_registers_by_school_code_within_scope(
    client_for, county_staff, hazard_category, tree
):
    county = client_for(county_staff)
    response = county.post(
        reverse("hazards:hazard_new"), new_post(hazard_category, school_code="NT-RD-0001")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["school_code"]
    assert not Hazard.objects.exists()
    response = county.post(
        reverse("hazards:hazard_new"), new_post(hazard_category, school_code="NT-TZ-0002")
    )
    assert response.status_code == 302
    assert Hazard.objects.get().school == tree.tz_school2


def test_leader_cannot_register(client_for, leader):
    assert client_for(leader).get(reverse("hazards:hazard_new")).status_code == 403


def _awaiting(make_planned_hazard, school_officer, level=Hazard.Level.GENERAL):
    hazard = make_planned_hazard(level=level)
    services.hazard_start_rectification(hazard=hazard, actor=school_officer)
    services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    services.hazard_submit_for_acceptance(hazard=hazard, actor=school_officer)
    return hazard


def test_school_officer_cannot_accept(client_for, school_officer, make_planned_hazard):
    hazard = _awaiting(make_planned_hazard, school_officer)
    officer = client_for(school_officer)
    assert "accept" not in detail(officer, hazard).context["actions"]
    assert act(officer, hazard, "accept", opinion="同意").status_code == 403
    assert act(officer, hazard, "accept").status_code == 403  # no opinion: still 403 first
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE


def test_county_cannot_accept_a_major_hazard(
    client_for, school_officer, county_staff, city_staff, make_planned_hazard
):
    hazard = _awaiting(make_planned_hazard, school_officer, level=Hazard.Level.MAJOR)
    county = client_for(county_staff)
    page = detail(county, hazard)
    assert "accept" not in page.context["actions"]
    response = act(county, hazard, "accept", opinion="整改到位")
    assert response.status_code == 200  # the page again, with what was typed
    messages = [str(m) for m in response.context["messages"]]
    # The page speaks Chinese: the user reads what was refused and exactly the rule.
    refused = zh("Hazard %(code)s was not accepted: %(reason)s") % {
        "code": hazard.code,
        "reason": zh("A major hazard is accepted by the city."),
    }
    assert messages == [refused]
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE
    page = detail(client_for(city_staff), hazard)
    assert 'id="badge-major"' in page.content.decode()
    assert reverse("hazards:hazard_meeting", args=[hazard.code]) in page.content.decode()


def test_the_rectifier_cannot_accept_their_own(client_for, county_staff, make_hazard):
    hazard = make_hazard(actor=county_staff, **five_implementations())
    services.hazard_start_rectification(hazard=hazard, actor=county_staff)
    services.hazard_attach(
        hazard=hazard, actor=county_staff, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    services.hazard_submit_for_acceptance(hazard=hazard, actor=county_staff)
    county = client_for(county_staff)
    assert detail(county, hazard).context["actions"] == ["reject"]
    response = act(county, hazard, "accept", opinion="整改到位")
    assert response.status_code == 200
    assert zh("The person who rectified a hazard cannot also accept it.") in str(
        list(response.context["messages"])
    )
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE


def test_reject_without_reason_changes_nothing(
    client_for, school_officer, county_staff, make_planned_hazard
):
    hazard = _awaiting(make_planned_hazard, school_officer)
    county = client_for(county_staff)
    events = hazard.events.count()
    response = act(county, hazard, "reject", note="   ")
    assert response.status_code == 200
    assert response.context["open_action"] == "reject"  # the reason's box is open again
    reason = zh("Give the reason for sending it back.")
    assert response.context["reject_form"].errors["note"] == [reason]
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        zh("Hazard %(code)s was not sent back: %(reason)s")
        % {"code": hazard.code, "reason": reason}
    ]
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE
    assert hazard.events.count() == events
    act(county, hazard, "reject", note="照片不清楚")
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.RECTIFYING


def test_conflict_is_a_message_not_a_500(client_for, school_officer, make_planned_hazard):
    hazard = make_planned_hazard()
    officer = client_for(school_officer)
    act(officer, hazard, "start")
    response = act(officer, hazard, "start")
    assert response.status_code == 302
    messages = [str(m) for m in officer.get(response["Location"]).context["messages"]]
    assert any(hazard.code in m for m in messages)


def test_text_renamed_jpg_is_refused(client_for, school_officer, make_planned_hazard):
    hazard = make_planned_hazard()
    officer = client_for(school_officer)
    response = upload(officer, hazard, name="photo.jpg", content=b"hello, I am text")
    assert response.status_code == 302
    messages = [str(m) for m in officer.get(response["Location"]).context["messages"]]
    prefix = zh("The file was not added: %(reason)s").split("%(reason)s")[0]
    assert any(m.startswith(prefix) for m in messages)
    assert not Evidence.objects.exists()
    assert not hazard.events.filter(kind=HazardEvent.Kind.FILE).exists()


def test_evidence_download(client_for, school_officer, other_county_staff, make_hazard, tree):
    hazard = make_hazard()
    evidence = services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.BEFORE, upload=png_upload()
    )
    url = reverse("hazards:evidence_download", args=[hazard.code, evidence.pk])
    response = client_for(school_officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == png_bytes()
    assert client_for(other_county_staff).get(url).status_code == 404
    other = make_hazard()
    wrong = reverse("hazards:evidence_download", args=[other.code, evidence.pk])
    assert client_for(school_officer).get(wrong).status_code == 404


def test_document_is_an_attachment(client_for, school_officer, make_hazard):
    hazard = make_hazard()
    doc = SimpleUploadedFile("plan.docx", b"PK\x03\x04 rest of a zip")
    evidence = services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.PLAN, upload=doc
    )
    response = client_for(school_officer).get(
        reverse("hazards:evidence_download", args=[hazard.code, evidence.pk])
    )
    assert response["Content-Disposition"].startswith("attachment")


def test_scope_and_methods(client_for, school_officer, make_hazard, tree):
    hazard = make_hazard()
    neighbour = grant(UserFactory(username="tz-officer2"), Role.SCHOOL_OFFICER, tree.tz_school2)
    other_officer = client_for(neighbour)
    assert detail(other_officer, hazard).status_code == 404
    officer = client_for(school_officer)
    assert act(officer, hazard, "explode").status_code == 404
    for name in ("hazards:hazard_transition",):
        assert officer.get(reverse(name, args=[hazard.code, "start"])).status_code == 405
    for name in ("hazards:hazard_comment", "hazards:hazard_upload"):
        assert officer.get(reverse(name, args=[hazard.code])).status_code == 405


def test_comment_appears_in_the_timeline(client_for, school_officer, make_hazard):
    hazard = make_hazard()
    officer = client_for(school_officer)
    officer.post(reverse("hazards:hazard_comment", args=[hazard.code]), {"note": "已通知总务处"})
    assert "已通知总务处" in detail(officer, hazard).content.decode()
    officer.post(reverse("hazards:hazard_comment", args=[hazard.code]), {"note": ""})
    assert hazard.events.filter(kind=HazardEvent.Kind.COMMENT).count() == 1


def test_deadline_is_disabled_for_the_school(
    client_for, school_officer, county_staff, make_planned_hazard, hazard_category
):
    hazard = make_planned_hazard()
    url = reverse("hazards:hazard_edit", args=[hazard.code])
    form = client_for(school_officer).get(url).context["form"]
    assert form.fields["deadline"].disabled
    new_deadline = hazard.deadline + dt.timedelta(days=10)
    data = {
        "category": str(hazard_category.pk),
        "level": "general",
        "source": "self_check",
        "location": hazard.location,
        "description": hazard.description,
        "found_on": hazard.found_on.isoformat(),
        "provincial_ref": "",
        "deadline": new_deadline.isoformat(),
        **FIVE_POST,
    }
    client_for(school_officer).post(url, data)
    hazard.refresh_from_db()
    assert hazard.deadline != new_deadline
    client_for(county_staff).post(url, data)
    hazard.refresh_from_db()
    assert hazard.deadline == new_deadline


def test_emptying_the_five_once_planned_changes_nothing(
    client_for, school_officer, make_planned_hazard, hazard_category
):
    hazard = make_planned_hazard()
    services.hazard_start_rectification(hazard=hazard, actor=school_officer)
    data = {
        "category": str(hazard_category.pk),
        "level": "general",
        "source": "self_check",
        "location": "改过的位置",
        "description": hazard.description,
        "found_on": hazard.found_on.isoformat(),
        "provincial_ref": "",
        **{**FIVE_POST, "measures": ""},
    }
    response = client_for(school_officer).post(
        reverse("hazards:hazard_edit", args=[hazard.code]), data
    )
    assert response.status_code == 200
    hazard.refresh_from_db()
    assert hazard.location != "改过的位置" and hazard.measures


def test_meeting(client_for, city_staff, county_staff, school_officer, make_hazard):
    major = make_hazard(level=Hazard.Level.MAJOR)
    url = reverse("hazards:hazard_meeting", args=[major.code])
    assert client_for(school_officer).get(url).status_code == 403
    # The county sees the hazard and its warning, but the city records the meeting.
    county = client_for(county_staff)
    page = detail(county, major).content.decode()
    assert 'id="consultation-warning"' in page and 'id="record-meeting"' not in page
    assert county.get(url).status_code == 403
    assert county.post(url, {"held_on": timezone.localdate().isoformat()}).status_code == 403
    city = client_for(city_staff)
    assert 'id="record-meeting"' in detail(city, major).content.decode()
    assert city.get(url).status_code == 200
    response = city.post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "attendees": "市教育局、通州区教育局",
            "opinions": "立即停用",
            "measures": "更换设备",
            "deadline": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "responsible_department": "通州区教育局",
        },
    )
    assert response.status_code == 302
    major.refresh_from_db()
    assert major.consultation_meeting is not None
    assert 'id="consultation-warning"' not in detail(city, major).content.decode()
    general = make_hazard()
    response = city.get(reverse("hazards:hazard_meeting", args=[general.code]))
    assert response.status_code == 302


def test_an_empty_opinion_is_refused_next_to_the_field(
    client_for, school_officer, county_staff, make_planned_hazard
):
    hazard = _awaiting(make_planned_hazard, school_officer)
    response = act(client_for(county_staff), hazard, "accept", opinion="   ")
    assert response.status_code == 200
    assert response.context["accept_form"].errors["opinion"] == [zh("Give the acceptance opinion.")]
    form = between(response.content.decode(), 'id="accept-form"', "</form>")
    assert zh("Give the acceptance opinion.") in form
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE
    assert not hazard.events.filter(to_status=Hazard.Status.CLOSED).exists()


def test_a_refused_opinion_keeps_what_was_typed(
    client_for, school_officer, county_staff, make_planned_hazard
):
    hazard = _awaiting(make_planned_hazard, school_officer)
    typed = "经现场复查，" + "整改到位。" * 400  # over the 2,000 characters an opinion takes
    response = act(client_for(county_staff), hazard, "accept", opinion=typed)
    assert response.status_code == 200
    assert response.context["accept_form"].errors["opinion"]
    assert typed in between(response.content.decode(), 'id="accept-opinion"', "</textarea>")
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.AWAITING_ACCEPTANCE


def test_a_leader_reads_but_does_not_comment(client_for, leader, inspector, make_hazard):
    hazard = make_hazard()
    page = detail(client_for(leader), hazard)
    assert page.status_code == 200
    assert page.context["comment_form"] is None
    assert 'id="comment-form"' not in page.content.decode()
    url = reverse("hazards:hazard_comment", args=[hazard.code])
    assert client_for(leader).post(url, {"note": "请尽快整改"}).status_code == 403
    assert client_for(leader).post(url, {"note": ""}).status_code == 403
    assert not hazard.events.filter(kind=HazardEvent.Kind.COMMENT).exists()
    # An inspector, who registers hazards, takes part: they may comment.
    assert 'id="comment-form"' in detail(client_for(inspector), hazard).content.decode()
    assert client_for(inspector).post(url, {"note": "复查时再看"}).status_code == 302
    assert hazard.events.filter(kind=HazardEvent.Kind.COMMENT).count() == 1


def next_step(client, hazard):
    return detail(client, hazard).context["next_step"]


def test_the_page_names_the_next_step(
    client_for, school_officer, county_staff, city_staff, make_hazard, hazard_category
):
    officer, county = client_for(school_officer), client_for(county_staff)
    hazard = make_hazard()
    assert next_step(officer, hazard) == "complete_five"
    assert next_step(client_for(city_staff), hazard) == "complete_five"
    hazard = services.hazard_update(hazard=hazard, actor=school_officer, **five_implementations())
    assert next_step(officer, hazard) == "start"
    act(officer, hazard, "start")
    page = detail(officer, hazard)
    assert page.context["next_step"] == "add_evidence"
    html = page.content.decode()
    # The after-photo upload sits next to the submit button, with the camera on a phone.
    action = html[html.index('id="hz-next-action"') :]
    assert action.index('id="after-photo-file"') < action.index('id="action-submit"')
    assert 'capture="environment"' in action[: action.index('id="action-submit"')]
    upload(officer, hazard)
    assert next_step(officer, hazard) == "submit"
    act(officer, hazard, "submit")
    assert next_step(officer, hazard) == "wait_acceptance"
    assert next_step(county, hazard) == "accept"
    act(county, hazard, "accept", opinion="整改到位")
    assert next_step(officer, hazard) is None
    major = make_hazard(level=Hazard.Level.MAJOR, **five_implementations())
    act(officer, major, "start")
    upload(officer, major)
    act(officer, major, "submit")
    assert next_step(officer, major) == "wait_major"
    assert next_step(county, major) == "wait_major"  # the county may not accept a major one
    assert next_step(client_for(city_staff), major) == "accept"


def test_detail_query_count_does_not_grow(client_for, school_officer, make_planned_hazard):
    hazard = make_planned_hazard()
    officer = client_for(school_officer)
    detail(officer, hazard)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert detail(officer, hazard).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(38):
        services.hazard_comment(hazard=hazard, actor=school_officer, note=f"第{i}条")
    services.hazard_attach(
        hazard=hazard, actor=school_officer, kind=Evidence.Kind.BEFORE, upload=png_upload()
    )
    assert count() == few


def between(html, start, end):
    """The part of the page from ``start`` up to the next ``end``."""
    assert start in html, start
    return html.split(start, 1)[1].split(end, 1)[0]


def zh(msgid):
    with translation.override("zh-hans"):
        return gettext(msgid)
