"""The visit's pages and endpoints: before the start only the team (and the city's
supervisors) know it; the school sees it once started but cannot act in it; answers and photos
are saved once however often the phone resends them; finishing seals; a correction keeps the
original."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hazards.models import Hazard
from inspections import services
from inspections.models import Amendment, Answer, AnswerPhoto, ChecklistItem, Visit
from tests.hazards.conftest import png_upload
from tests.inspections.conftest import answer_all

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name, visit, **query):
    path = reverse(f"inspections:{name}", args=[visit.code])
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def item(visit, code):
    return ChecklistItem.objects.get(version=visit.version, code=code)


def answer(client, visit, code, **fields):
    data = {"key": f"item-{item(visit, code).pk}", **fields}
    return client.post(url("visit_answer", visit), data, **JSON)


def photo(client, visit, code, client_id, name="gate.png"):
    data = {
        "key": f"item-{item(visit, code).pk}",
        "client_id": client_id,
        "photo": png_upload(name),
    }
    return client.post(url("visit_photo", visit), data, **JSON)


@pytest.fixture
def started(visit, inspector):
    services.visit_start(visit=visit, actor=inspector)
    visit.refresh_from_db()
    return visit


# --- Secrecy: before the start ----------------------------------------------------------


@pytest.mark.parametrize("persona", ["school_officer", "county_staff", "outsider"])
def test_before_the_start_the_visit_is_not_there_for_the_school(
    request, visit, persona, client_for
):
    client = client_for(request.getfixturevalue(persona))
    for name in ("visit_detail", "visit_state", "visit_finish"):
        assert client.get(url(name, visit)).status_code == 404, name
    for name in ("visit_start", "visit_answer", "visit_photo", "visit_finish", "visit_amend"):
        assert client.post(url(name, visit), {}).status_code == 404, name
    missing = reverse("inspections:visit_detail", args=["no-such-code"])
    assert client.get(missing).status_code == 404
    listing = client.get(reverse("inspections:visit_list")).content.decode()
    assert visit.code not in listing and "通州区实验小学" not in listing
    Visit.objects.filter(pk=visit.pk).update()  # nothing changed by looking
    assert Visit.objects.get(pk=visit.pk).started_at is None


def test_the_inspector_sees_the_school_and_the_start_button(visit, inspector, en_client_for):
    response = en_client_for(inspector).get(url("visit_detail", visit))
    assert response.status_code == 200
    page = response.content.decode()
    assert "通州区实验小学" in page and "南通市某路1号" in page
    assert 'id="start-visit"' in page and "Start the inspection" in page
    assert "js/visit.js" in page and "<script>" not in page


def test_a_supervisor_sees_the_visit_but_cannot_start_it(visit, city_staff, client_for):
    client = client_for(city_staff)
    page = client.get(url("visit_detail", visit)).content.decode()
    assert 'id="start-visit"' not in page
    assert client.post(url("visit_start", visit)).status_code == 403


# --- Start -------------------------------------------------------------------------------


def test_start_sets_the_servers_time_and_the_location_allowed(visit, inspector, client_for):
    before = timezone.now()
    response = client_for(inspector).post(
        url("visit_start", visit),
        {
            "latitude": "32.0123",
            "longitude": "120.8765",
            "accuracy": "12",
            "started_at": "2019-01-01T08:00",
        },
    )
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    visit.refresh_from_db()
    assert visit.state == "started" and before <= visit.started_at <= timezone.now()
    assert visit.started_by == inspector
    assert (visit.latitude, visit.longitude, visit.location_accuracy) == (32.0123, 120.8765, 12)


def test_start_without_a_location(visit, inspector, client_for):
    client_for(inspector).post(url("visit_start", visit), {"latitude": "", "longitude": "x"})
    visit.refresh_from_db()
    assert visit.started_at is not None and visit.latitude is None and visit.longitude is None


# --- After the start: the school sees, the team acts --------------------------------------


def test_after_the_start_the_school_sees_the_visit_and_cannot_act(
    started, inspector, school_officer, county_staff, client_for
):
    answer(client_for(inspector), started, "gate-register", result="fail", note="未登记")
    for user in (school_officer, county_staff):
        client = client_for(user)
        response = client.get(url("visit_detail", started))
        assert response.status_code == 200
        page = response.content.decode()
        assert "门卫对进出人员车辆查验登记" in page and "未登记" in page
        assert "data-answer-form" not in page  # the record, not the checklist
        assert client.get(url("visit_state", started)).status_code == 200
        assert started.code in client.get(reverse("inspections:visit_list")).content.decode()
        assert answer(client, started, "guards", value="3").status_code == 403
        assert photo(client, started, "gate-register", "s-1").status_code == 403
        assert client.post(url("visit_finish", started)).status_code == 403
        assert client.post(url("visit_amend", started), {"answer": 1}).status_code == 403
        assert client.get(url("visit_finish", started)).status_code == 403
    assert Answer.objects.filter(visit=started).count() == 1
    assert not AnswerPhoto.objects.exists()


def test_the_checklist_shows_one_section_at_a_time(started, inspector, en_client_for):
    client = en_client_for(inspector)
    page = client.get(url("visit_detail", started)).content.decode()
    assert 'data-section="gate" aria-labelledby="heading-gate">' in page
    assert 'data-section="tech" aria-labelledby="heading-tech" hidden>' in page
    assert 'capture="environment"' in page
    assert "Required: at least 2 人" in page  # the school's 800 students call for two guards
    assert "Allowed: at most 5 分钟" in page
    page = client.get(url("visit_detail", started, section="tech")).content.decode()
    assert 'data-section="gate" aria-labelledby="heading-gate" hidden>' in page


# --- Answers --------------------------------------------------------------------------------


def test_an_answer_is_an_upsert_and_a_resend_is_harmless(started, inspector, client_for):
    client = client_for(inspector)
    first = answer(client, started, "gate-register", result="pass", client_id="a-1")
    assert first.status_code == 200 and first.json()["ok"]
    assert first.json()["answer"]["result"] == "pass"
    again = answer(client, started, "gate-register", result="pass", client_id="a-1")
    assert again.status_code == 200
    assert Answer.objects.filter(visit=started).count() == 1
    changed = answer(
        client,
        started,
        "gate-register",
        result="fail",
        note="外来车辆未登记",
        level="major",
        category=item(started, "gate-register").category_id,
        client_id="a-2",
    )
    assert changed.json()["answer"]["result"] == "fail"
    saved = Answer.objects.get(visit=started)
    assert (saved.result, saved.note, saved.level, saved.client_id) == (
        "fail",
        "外来车辆未登记",
        "major",
        "a-2",
    )


def test_a_number_is_judged_by_the_server_against_the_schools_limit(started, inspector, client_for):
    client = client_for(inspector)
    response = answer(client, started, "guards", value="1", result="pass")
    assert response.json()["answer"] == {
        **response.json()["answer"],
        "result": "fail",
        "value": "1.0",
        "limit": "2.0",
    }
    assert answer(client, started, "video-clock", value="3").json()["answer"]["result"] == "pass"
    assert answer(client, started, "guards", result="na").json()["answer"]["result"] == "na"


def test_a_refused_answer_says_why_and_saves_nothing(started, inspector, en_client_for):
    client = en_client_for(inspector)
    response = answer(client, started, "gate-register")
    assert response.status_code == 400 and response.json()["errors"]
    response = answer(client, started, "guards", value="")
    assert response.status_code == 400
    other = client.post(
        url("visit_answer", started), {"key": "item-999999", "result": "pass"}, **JSON
    )
    assert other.status_code == 400
    assert not Answer.objects.exists()


def test_a_plain_form_answer_comes_back_to_the_item(started, inspector, client_for):
    key = f"item-{item(started, 'video-clock').pk}"
    response = client_for(inspector).post(
        url("visit_answer", started), {"key": key, "value": "9", "section": "tech"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{started.get_absolute_url()}?section=tech#{key}"
    assert Answer.objects.get(visit=started).result == "fail"


def test_no_answer_before_the_start(visit, inspector, client_for):
    response = answer(client_for(inspector), visit, "gate-register", result="pass")
    assert response.status_code == 400
    assert not Answer.objects.exists()


# --- Photos ---------------------------------------------------------------------------------


def test_a_photo_resent_with_its_client_id_is_stored_once(started, inspector, client_for):
    client = client_for(inspector)
    assert photo(client, started, "gate-register", "p-1").status_code == 409  # answer first
    answer(client, started, "gate-register", result="fail")
    first = photo(client, started, "gate-register", "p-1")
    assert first.status_code == 200
    again = photo(client, started, "gate-register", "p-1")
    assert again.json()["photo"] == first.json()["photo"]
    assert AnswerPhoto.objects.count() == 1
    stored = AnswerPhoto.objects.get()
    assert len(stored.sha256) == 64 and first.json()["photo"]["sha256"] == stored.sha256
    state = client.get(url("visit_state", started)).json()
    assert state["photos"] == ["p-1"]
    key = f"item-{item(started, 'gate-register').pk}"
    assert state["answers"][key]["photos"] == ["p-1"]
    assert state["answers"][key]["result"] == "fail"


def test_a_photo_that_is_not_a_picture_is_refused(started, inspector, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(inspector)
    answer(client, started, "gate-register", result="fail")
    data = {
        "key": f"item-{item(started, 'gate-register').pk}",
        "client_id": "p-x",
        "photo": SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png"),
    }
    response = client.post(url("visit_photo", started), data, **JSON)
    assert response.status_code == 400 and response.json()["errors"]
    assert not AnswerPhoto.objects.exists()


def test_a_photo_is_served_through_the_visits_permission(
    started, inspector, county_staff, other_county_staff, client_for
):
    client = client_for(inspector)
    answer(client, started, "gate-register", result="fail")
    photo(client, started, "gate-register", "p-1")
    stored = AnswerPhoto.objects.get()
    path = reverse("inspections:photo_download", args=[stored.code])
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client_for(county_staff).get(path).status_code == 200  # revealed to the county
    assert client_for(other_county_staff).get(path).status_code == 404
    missing = reverse("inspections:photo_download", args=["nothing-here"])
    assert client.get(missing).status_code == 404


# --- Finish and the sealed record -------------------------------------------------------------


def test_the_finish_page_sums_up_the_failures(started, inspector, en_client_for):
    client = en_client_for(inspector)
    answer(client, started, "gate-register", result="fail", note="无登记簿")
    page = client.get(url("visit_finish", started)).content.decode()
    assert "1 failure: it becomes a hazard in the register" in page
    assert "无登记簿" in page
    assert "3 items not answered" in page
    # Finishing with items unanswered is refused and says so.
    response = client.post(url("visit_finish", started), follow=True)
    assert Visit.objects.get(pk=started.pk).state == "started"
    assert "items have no answer yet" in response.content.decode()


def test_finishing_seals_the_record_and_registers_the_hazards(started, inspector, client_for):
    client = client_for(inspector)
    answer_all(started, inspector, fail=("gate-register", "video-clock"))
    photo(client, started, "gate-register", "p-1")
    response = client.post(url("visit_finish", started))
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.state == "finished" and len(started.sealed_digest) == 64
    failed = Answer.objects.filter(visit=started, result="fail").select_related("hazard")
    assert all(a.hazard and a.hazard.source == Hazard.Source.INSPECTION for a in failed)
    page = client.get(url("visit_detail", started)).content.decode()
    stored = AnswerPhoto.objects.get()
    assert stored.sha256 in page and started.sealed_digest in page
    for a in failed:
        assert a.hazard.code in page
    assert "data-answer-form" not in page
    # Sealed: the answer endpoints refuse.
    assert answer(client, started, "alarm-live", result="fail").status_code == 400
    assert Answer.objects.get(visit=started, item__code="alarm-live").result == "pass"
    assert client.post(url("visit_finish", started)).status_code == 302
    assert client.get(url("visit_finish", started)).status_code == 302


def test_a_correction_keeps_the_original_and_both_are_shown(
    started, inspector, school_officer, client_for
):
    answers = answer_all(started, inspector, fail=("gate-register",))
    services.visit_finish(visit=started, actor=inspector)
    original = answers["gate-register"]
    officer = client_for(school_officer)
    data = {"answer": original.pk, "result": "pass", "reason": "复核登记簿，确有登记"}
    assert officer.post(url("visit_amend", started), data).status_code == 403
    client = client_for(inspector)  # the team leader
    page = client.get(url("visit_detail", started)).content.decode()
    assert f'action="{url("visit_amend", started)}"' in page
    assert officer.get(url("visit_detail", started)).content.decode().count("visit_amend") == 0
    response = client.post(url("visit_amend", started), data)
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.result == "fail"  # the original stays
    amendment = Amendment.objects.get()
    assert (amendment.field, amendment.old, amendment.new) == ("result", "fail", "pass")
    assert amendment.by == inspector and amendment.reason == "复核登记簿，确有登记"
    page = officer.get(url("visit_detail", started)).content.decode()
    assert "复核登记簿，确有登记" in page and "data-amendment" in page
    # Without a reason nothing is recorded.
    client.post(url("visit_amend", started), {"answer": original.pk, "note": "改", "reason": ""})
    assert Amendment.objects.count() == 1


# --- Lists, history, query counts ---------------------------------------------------------------


def test_the_inspectors_list_shows_todays_visit(visit, inspector, en_client_for):
    Visit.objects.filter(pk=visit.pk).update(planned_on=timezone.localdate())
    page = en_client_for(inspector).get(reverse("inspections:visit_list")).content.decode()
    assert 'id="today-visits"' in page and visit.get_absolute_url() in page


def test_the_schools_history_shows_finished_visits_only(
    started, inspector, school_officer, client_for
):
    path = reverse("inspections:school_history", args=[started.school.code])
    client = client_for(school_officer)
    assert started.code not in client.get(path).content.decode()
    answer_all(started, inspector, fail=("video-clock",))
    services.visit_finish(visit=started, actor=inspector)
    page = client.get(path).content.decode()
    assert started.get_absolute_url() in page and "data-score" in page


@pytest.mark.parametrize("answered", [1, 4])
def test_the_visit_page_makes_a_fixed_number_of_queries(
    started, inspector, client_for, django_assert_num_queries, answered
):
    """The same count for one answer with a photo as for every item with photos."""
    client = client_for(inspector)
    answers = answer_all(started, inspector, fail=("gate-register", "guards"))
    Answer.objects.filter(visit=started).exclude(
        pk__in=[a.pk for a in answers.values()][:answered]
    ).delete()
    for n, a in enumerate(list(answers.values())[:answered]):
        services.photo_add(
            visit=started, answer=a, upload=png_upload(), client_id=f"q-{n}", actor=inspector
        )
    client.get(url("visit_detail", started))
    with django_assert_num_queries(15):
        assert client.get(url("visit_detail", started)).status_code == 200


def test_the_sealed_record_makes_a_fixed_number_of_queries(
    started, inspector, school_officer, client_for, django_assert_num_queries
):
    answers = answer_all(started, inspector, fail=("gate-register",))
    services.photo_add(
        visit=started,
        answer=answers["gate-register"],
        upload=png_upload(),
        client_id="r-1",
        actor=inspector,
    )
    services.visit_finish(visit=started, actor=inspector)
    services.answer_amend(
        answer=answers["gate-register"], actor=inspector, reason="复核", result="pass"
    )
    client = client_for(school_officer)
    client.get(url("visit_detail", started))
    with django_assert_num_queries(17):
        assert client.get(url("visit_detail", started)).status_code == 200


def test_a_visit_outside_the_period_cannot_start(visit, inspector, client_for):
    plan = visit.plan
    plan.period_start = timezone.localdate() + dt.timedelta(days=3)
    plan.period_end = plan.period_start + dt.timedelta(days=3)
    plan.save()
    response = client_for(inspector).post(url("visit_start", visit), follow=True)
    assert response.status_code == 200
    assert Visit.objects.get(pk=visit.pk).started_at is None
