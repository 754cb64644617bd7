"""The briefings' pages: who sees what, drafting, editing (bad input changes nothing), the
preview's charts, publishing through the page, the PDF, the notices, experience items."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import JobRun, Notification
from core.services import jobs as core_services
from reporting.briefings import items as item_services
from reporting.briefings import services
from reporting.models import Briefing, ExperienceItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(name="p.png", size=(40, 30)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def register_hazard(tree, actor):
    from hazards.services import hazard_register
    from tests.hazards.conftest import five_implementations, seeded_category

    return hazard_register(
        school=tree.tz_school,
        category=seeded_category(),
        level="general",
        source="self_check",
        location="教学楼",
        description="消防栓无水",
        found_on=timezone.localdate(),
        actor=actor,
        **five_implementations(),
    )


def run_publication(briefing):
    briefing.refresh_from_db()
    state = core_services.job_run_execute(job_run_id=briefing.job_run_id)
    briefing.refresh_from_db()
    return state


def published(city, actor):
    briefing = services.briefing_draft(city=city, actor=actor)
    services.briefing_publish(briefing=briefing, actor=actor)
    assert run_publication(briefing) == JobRun.State.SUCCEEDED
    return briefing


# --- The list -----------------------------------------------------------------------------


def test_list_shows_drafts_to_city_staff_only(tree, city_staff, school_officer, client_for):
    issue = published(tree.city, city_staff)
    draft = services.briefing_draft(city=tree.city, actor=city_staff, title="下一期草稿")
    officer_page = client_for(school_officer).get(reverse("reporting:briefing_list"))
    assert officer_page.status_code == 200
    assert officer_page.context["published"] == [issue]
    assert officer_page.context["drafts"] == []
    assert not officer_page.context["cities"]
    staff_page = client_for(city_staff).get(reverse("reporting:briefing_list"))
    assert staff_page.context["drafts"] == [draft]
    assert "下一期草稿" in staff_page.content.decode()
    # The draft itself: out of the officer's sight, like a missing id.
    detail = reverse("reporting:briefing_detail", args=[draft.pk])
    assert client_for(school_officer).get(detail).status_code == 404
    assert client_for(city_staff).get(detail).status_code == 200


def test_list_query_count_does_not_grow_with_briefings(tree, city_staff, client_for):
    client = client_for(city_staff)
    url = reverse("reporting:briefing_list")
    services.briefing_draft(city=tree.city, actor=city_staff)
    client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        services.briefing_draft(city=tree.city, actor=city_staff)
    published(tree.city, city_staff)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 12, [q["sql"] for q in many.captured_queries]


# --- Drafting, editing, previewing ----------------------------------------------------------


def test_only_briefing_staff_draft(tree, city_staff, county_staff, school_officer, client_for):
    url = reverse("reporting:briefing_new")
    for user in (county_staff, school_officer):
        assert client_for(user).post(url).status_code == 403
    assert not Briefing.objects.exists()
    response = client_for(city_staff).post(url)
    briefing = Briefing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:briefing_edit", args=[briefing.pk])
    assert client_for(city_staff).get(url).status_code == 405


def _edit_data(briefing, **overrides):
    data = {"title": briefing.title}
    for key in briefing.snapshot:
        data[f"include_{key}"] = "on"
        data[f"text_{key}"] = ""
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_saves_and_bad_input_changes_nothing(tree, city_staff, client_for):
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    client = client_for(city_staff)
    url = reverse("reporting:briefing_edit", args=[briefing.pk])
    assert client.get(url).status_code == 200
    before = (briefing.title, briefing.texts, briefing.excluded)
    for bad in (
        {"title": "  "},
        {"title": "长" * 151},
        {"items": "999999"},
        {"items": "abc"},
        {"text_county_progress": "\x00控制字符"},
    ):
        response = client.post(url, _edit_data(briefing, **bad))
        assert response.status_code == 200, bad
        assert response.context["form"].errors, bad
        briefing.refresh_from_db()
        assert (briefing.title, briefing.texts, briefing.excluded) == before, bad
    response = client.post(
        url,
        _edit_data(
            briefing,
            title="第一季度工作简报",
            text_county_progress="各区县排查进展顺利。\n请如东县加快整改。",
            include_weekly_rates=None,
        ),
    )
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.title == "第一季度工作简报"
    assert briefing.texts["county_progress"].startswith("各区县排查进展顺利")
    if "weekly_rates" in briefing.snapshot:
        assert briefing.excluded == ["weekly_rates"]
    preview = client.get(reverse("reporting:briefing_detail", args=[briefing.pk])).content.decode()
    assert "请如东县加快整改。" in preview
    assert 'id="section-weekly_rates"' not in preview


def test_preview_shows_the_pdf_chart_as_svg(tree, city_staff, school_officer, client_for):
    register_hazard(tree, school_officer)
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    page = client_for(city_staff).get(reverse("reporting:briefing_detail", args=[briefing.pk]))
    section = next(s for s in page.context["sections"] if s["key"] == "county_progress")
    assert section["chart_svg"].startswith("<svg")
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()


def test_readers_may_not_edit_or_publish(tree, city_staff, school_officer, client_for):
    issue = published(tree.city, city_staff)
    client = client_for(school_officer)
    assert client.get(reverse("reporting:briefing_detail", args=[issue.pk])).status_code == 200
    for name in ("reporting:briefing_edit", "reporting:briefing_publish"):
        assert client.get(reverse(name, args=[issue.pk])).status_code == 403
        assert client.post(reverse(name, args=[issue.pk])).status_code == 403
    # A published issue is no longer edited: its staff are sent back to it.
    staff = client_for(city_staff)
    response = staff.get(reverse("reporting:briefing_edit", args=[issue.pk]))
    assert response.status_code == 302


# --- Publishing through the page -------------------------------------------------------------


def test_publish_from_the_page_numbers_notifies_and_serves_the_pdf(
    tree, city_staff, school_officer, county_staff, outsider, client_for
):
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    staff = client_for(city_staff)
    url = reverse("reporting:briefing_publish", args=[briefing.pk])
    response = staff.post(url)
    assert response.status_code == 302 and response["Location"] == url
    page = staff.get(url)
    assert page.status_code == 200 and page.context["live"]
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert staff.post(url).status_code == 302  # asked twice: the same run
    assert JobRun.objects.filter(kind=services.PUBLISH_JOB).count() == 1
    assert run_publication(briefing) == JobRun.State.SUCCEEDED
    assert briefing.number == 1
    page = staff.get(url, HTTP_HX_REQUEST="true")
    assert not page.context["live"] and 'id="briefing-pdf"' in page.content.decode()
    # Every user of the city's units is told once; the outsider is not.
    notices = Notification.objects.filter(kind=services.NOTICE_PUBLISHED)
    told = set(notices.values_list("recipient_id", flat=True))
    assert {city_staff.pk, school_officer.pk, county_staff.pk} <= told
    assert outsider.pk not in told and notices.count() == len(told)
    core_services.job_run_execute(job_run_id=briefing.job_run_id)  # finished: nothing again
    assert notices.count() == len(told)
    pdf_url = reverse("reporting:briefing_pdf", args=[briefing.pk])
    download = client_for(school_officer).get(pdf_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client_for(outsider).get(pdf_url).status_code == 404


def test_a_failed_publication_shows_a_rerun_and_takes_no_number(
    tree, city_staff, safety_office, client_for, monkeypatch
):
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    url = reverse("reporting:briefing_publish", args=[briefing.pk])
    client_for(city_staff).post(url)

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(services, "briefing_pdf", broken)
    assert run_publication(briefing) == JobRun.State.FAILED
    assert briefing.status == Briefing.Status.FAILED and briefing.number is None
    page = client_for(city_staff).get(url)
    assert page.context["failed"] and 'id="briefing-rerun"' in page.content.decode()
    monkeypatch.undo()
    # Another of the city's briefing staff runs it again (not only whoever asked first).
    assert client_for(safety_office).post(url).status_code == 302
    assert run_publication(briefing) == JobRun.State.SUCCEEDED
    assert briefing.status == Briefing.Status.PUBLISHED and briefing.number == 1
    assert JobRun.objects.filter(kind=services.PUBLISH_JOB).count() == 1


# --- Experience items -------------------------------------------------------------------------


def test_a_school_submits_an_item_with_photos(tree, school_officer, client_for):
    client = client_for(school_officer)
    url = reverse("reporting:briefing_item_new")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"unit": tree.tz_school.pk, "title": "安全晨检", "text": "每日晨检。", "photos": [png()]},
    )
    assert response.status_code == 302, response.context["form"].errors
    item = ExperienceItem.objects.get()
    assert item.unit == tree.tz_school and item.city == tree.city
    photo = item.photos.get()
    assert photo.content_type == "image/png"
    image = client.get(reverse("reporting:briefing_item_photo", args=[item.pk, photo.pk]))
    assert image.status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"title": ""},
        {"text": "   "},
        {"photos": [SimpleUploadedFile("x.png", b"not an image at all", "image/png")]},
        {"photos": [SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40, "image/png")]},
        {"photos": [png(f"{i}.png") for i in range(item_services.MAX_PHOTOS + 1)]},
        {"unit": "99999"},
    ],
    ids=["no-title", "no-text", "not-a-photo", "broken-png", "too-many", "foreign-unit"],
)
def test_bad_items_change_nothing(tree, school_officer, client_for, bad):
    data = {"unit": tree.tz_school.pk, "title": "安全晨检", "text": "每日晨检。", **bad}
    response = client_for(school_officer).post(reverse("reporting:briefing_item_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ExperienceItem.objects.exists()


def test_a_photo_too_large_is_refused(tree, school_officer, client_for, settings):
    settings.BRIEFING_PHOTO_MAX_BYTES = 100
    data = {"unit": tree.tz_school.pk, "title": "t", "text": "x", "photos": [png(size=(300, 300))]}
    response = client_for(school_officer).post(reverse("reporting:briefing_item_new"), data)
    assert response.status_code == 200 and "photos" in response.context["form"].errors
    assert not ExperienceItem.objects.exists()


def test_who_reads_items_and_choosing_them(
    tree, school_officer, county_staff, other_county_staff, city_staff, client_for, tmp_path
):
    from tests.conftest import _persona

    item = item_services.item_submit(
        unit=tree.tz_school,
        actor=school_officer,
        title="安全晨检",
        text="每日晨检。",
        photos=[png()],
    )
    photo = item.photos.get()
    other = _persona("officer-rd", "school_officer", tree.rd_school)
    detail = reverse("reporting:briefing_item_detail", args=[item.pk])
    photo_url = reverse("reporting:briefing_item_photo", args=[item.pk, photo.pk])
    assert client_for(school_officer).get(detail).status_code == 200
    assert client_for(city_staff).get(detail).status_code == 200
    for user in (county_staff, other_county_staff, other):
        assert client_for(user).get(detail).status_code == 404
        assert client_for(user).get(photo_url).status_code == 404
    listing = client_for(city_staff).get(reverse("reporting:briefing_item_list"))
    assert listing.context["items"] == [item]
    assert client_for(other).get(reverse("reporting:briefing_item_list")).context["items"] == []
    assert client_for(county_staff).get(reverse("reporting:briefing_item_new")).status_code == 200

    # City staff choose it on the edit page; once published, every unit sees its photo.
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    edit = reverse("reporting:briefing_edit", args=[briefing.pk])
    assert "安全晨检" in client_for(city_staff).get(edit).content.decode()
    response = client_for(city_staff).post(edit, _edit_data(briefing, items=str(item.pk)))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.briefing == briefing
    services.briefing_publish(briefing=briefing, actor=city_staff)
    assert run_publication(briefing) == JobRun.State.SUCCEEDED
    item.refresh_from_db()
    assert item.status == ExperienceItem.Status.CHOSEN
    # The photo is inside the PDF (inline: the renderer fetches nothing).
    path = tmp_path / "issue.pdf"
    path.write_bytes(briefing.pdf.read())
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert any(line.split()[3:5] == ["40", "30"] for line in images), images
    assert client_for(other).get(photo_url).status_code == 200
    page = client_for(other).get(reverse("reporting:briefing_detail", args=[briefing.pk]))
    assert "安全晨检" in page.content.decode() and photo_url in page.content.decode()
    # Nobody reads it through a briefing that is still a draft.
    assert client_for(other).get(detail).status_code == 404


def test_item_list_query_count_does_not_grow_with_items(
    tree, city_staff, school_officer, client_for
):
    client = client_for(city_staff)
    url = reverse("reporting:briefing_item_list")

    def submit(n):
        for i in range(n):
            item_services.item_submit(
                unit=tree.tz_school, actor=school_officer, title=f"经验{i}", text="做法。"
            )

    submit(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    submit(8)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= 10
