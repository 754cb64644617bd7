"""Circulars (通报) and rectification notices (整改通知书): the draft from a finished plan's
results, publication through the job run (as a worker runs it), the PDF read back with
poppler's tools, numbering without gaps, notices with their hazards' live status, who sees what
and the circular list's query count."""

import datetime as dt
import re
import shutil
import subprocess
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import services as core_services
from core.errors import Conflict, NotPermitted, OutOfScope
from core.models import JobRun, Notification
from hazards import services as hazard_services
from hazards.models import Evidence, Hazard
from inspections.models import Circular, CircularCounter, InspectionPlan, RectificationNotice
from inspections.services import circulars
from tests.hazards.conftest import five_implementations, png_upload
from tests.inspections.circular_data import make_checklist, make_finished_plan

POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(tree, inspector):
    """通州区实验小学 fails two items (one critical), 如东县掘港初级中学 one critical item, 南通中学
    (city-direct) one item; 通州区金沙幼儿园 passes everything."""
    return make_finished_plan(
        city=tree.city,
        inspector=inspector,
        failures={
            tree.tz_school: ["guards", "food-samples"],
            tree.tz_school2: [],
            tree.rd_school: ["video-black"],
            tree.city_school: ["perimeter-alarm"],
        },
    )


def _publish(circular, actor):
    run = circulars.circular_publish(circular=circular, actor=actor)
    state = core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert state == JobRun.State.SUCCEEDED, run.error
    circular.refresh_from_db()
    return run


# --- The draft -----------------------------------------------------------------------------


def test_draft_reads_the_plans_results(plan, city_staff, tree):
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    assert circular.state == Circular.State.DRAFT
    assert circular.issuing_office == "南通市校园和校车安全专项整治工作领导小组办公室"
    assert "2019年第四季度" in circular.title
    assert circular.deadline == timezone.localdate() + dt.timedelta(days=30)
    assert circular.number is None and circular.doc_number == ""
    # Summary figures: 4 schools, 24 items, 4 failures, 2 critical, 3 schools with findings.
    for figure in ("4", "24", "2", "3"):
        assert figure in circular.summary
    # Problems with the schools' names (county first), items and notes, in tree order.
    problems = circular.problems.splitlines()
    assert len(problems) == 3
    assert "通州区实验小学" in problems[0] and "专职保安员在岗人数达到要求" in problems[0]
    assert "食堂按规定留存48小时食品留样" in problems[0]
    assert "现场检查发现" in problems[0]
    assert "如东县掘港初级中学" in circular.problems and "南通中学" in circular.problems
    assert "通州区金沙幼儿园" not in circular.problems
    assert f"{circular.deadline.year}年" in circular.requirements
    rows = circulars.county_rows(plan)
    assert [r["name"] for r in rows][-1] in ("City-direct schools", "市直属学校")
    tz = next(r for r in rows if r["name"] == "通州区")
    assert (tz["schools"], tz["items_checked"], tz["items_failed"], tz["critical_failed"]) == (
        2,
        12,
        2,
        1,
    )
    assert circulars.section_rows(plan) == [("人防", 1), ("物防", 1), ("技防", 2)]


def test_draft_settings_and_refusals(plan, city_staff, leader, county_staff, tree, settings):
    settings.INSPECTION_ISSUING_OFFICE = "某市领导小组办公室"
    with pytest.raises(OutOfScope):
        circulars.circular_draft(plan=plan, actor=county_staff)
    with pytest.raises(NotPermitted):  # a leader reads plans but does not publish
        circulars.circular_draft(plan=plan, actor=leader)
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    assert circular.issuing_office == "某市领导小组办公室"
    with pytest.raises(Conflict):
        circulars.circular_draft(plan=plan, actor=city_staff)


def test_only_a_finished_plan_is_drafted(plan, city_staff):
    InspectionPlan.objects.filter(pk=plan.pk).update(state=InspectionPlan.State.IN_PROGRESS)
    plan.refresh_from_db()
    with pytest.raises(ValidationError):
        circulars.circular_draft(plan=plan, actor=city_staff)


def test_update_edits_drafts_only(plan, city_staff, safety_office, leader):
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    deadline = timezone.localdate() + dt.timedelta(days=20)
    circulars.circular_update(
        circular=circular, actor=safety_office, title="关于专项督查情况的通报", deadline=deadline
    )
    circular.refresh_from_db()
    assert (circular.title, circular.deadline) == ("关于专项督查情况的通报", deadline)
    # The requirements name the new deadline.
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in circular.requirements
    with pytest.raises(ValidationError):
        circulars.circular_update(
            circular=circular, actor=city_staff, deadline=timezone.localdate() - dt.timedelta(1)
        )
    with pytest.raises(NotPermitted):
        circulars.circular_update(circular=circular, actor=leader, title="x")
    circulars.circular_publish(circular=circular, actor=city_staff)
    with pytest.raises(Conflict):
        circulars.circular_update(circular=circular, actor=city_staff, title="改")


# --- Publishing in the worker's path ---------------------------------------------------------


def test_publish_renders_stores_notifies(plan, city_staff, school_officer, county_staff, tree):
    other_officer = school_officer.__class__.objects.create(username="officer2", full_name="二")
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    run = circulars.circular_publish(circular=circular, actor=city_staff)
    circular.refresh_from_db()
    year = timezone.localdate().year
    assert circular.state == Circular.State.PUBLISHING
    assert circular.doc_number == f"通教安督〔{year}〕1号"
    assert circular.job_run_id == run.pk and run.kind == "circular_render"
    assert not circular.pdf

    assert core_services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
    circular.refresh_from_db()
    plan.refresh_from_db()
    assert circular.state == Circular.State.PUBLISHED and circular.published_at
    assert circular.pdf and circular.pdf.size > 10_000
    assert plan.state == InspectionPlan.State.CIRCULATED
    notices = list(circular.notices.order_by("school__path"))
    assert {n.school for n in notices} == {tree.tz_school, tree.rd_school, tree.city_school}
    for notice in notices:  # due when its last hazard is, never after the circular
        last = max(a.hazard.deadline for a in notice.visit.answers.filter(hazard__isnull=False))
        assert notice.deadline == min(last, circular.deadline)
    # The school's officer hears of its notice, the county's staff of the circular.
    officer_note = Notification.objects.get(recipient=school_officer)
    notice = circular.notices.get(school=tree.tz_school)
    assert officer_note.link == reverse("inspections:notice_detail", args=[notice.code])
    assert circular.doc_number in officer_note.text
    county_note = Notification.objects.get(recipient=county_staff)
    assert county_note.link == reverse("inspections:circular_detail", args=[circular.code])
    assert not Notification.objects.filter(recipient=other_officer).exists()

    # Run again (a redelivered message, a re-run): nothing new.
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.QUEUED)
    assert core_services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
    assert circular.notices.count() == 3
    assert Notification.objects.count() == 2


@pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (pdftotext, pdffonts)")
def test_pdf_reads_back_with_its_fonts(plan, city_staff, tmp_path):
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    _publish(circular, city_staff)
    path = tmp_path / "circular.pdf"
    path.write_bytes(circular.pdf.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    year = timezone.localdate().year
    assert f"通教安督〔{year}〕1号" in text
    assert "南通市校园和校车安全专项整治工作领导小组办公室" in text
    assert "通州区实验小学" in text and "专职保安员在岗人数达到要求" in text
    assert re.search(r"—\s*1\s*—", text)  # the page number at the foot
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in text
    assert "人防" in text and "技防" in text  # the chart's labels (SVG text)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "Noto" in line and "CJK" in line]
    assert any("Serif-CJK-SC" in line for line in cjk), fonts
    assert any("Sans-CJK-SC" in line for line in cjk), fonts
    for line in cjk:
        assert line.split()[-5] == "yes", line  # emb


def test_numbers_follow_without_gaps(tree, inspector, city_staff):
    version = make_checklist(tree.city)
    plans = [
        make_finished_plan(
            city=tree.city,
            inspector=inspector,
            failures={tree.tz_school: ["guards"]},
            version=version,
            title=f"督查{n}",
        )
        for n in range(3)
    ]
    drafts = [circulars.circular_draft(plan=p, actor=city_staff) for p in plans]
    circulars.circular_publish(circular=drafts[0], actor=city_staff)
    # A publication whose transaction rolls back gives its number back.
    with pytest.raises(RuntimeError), transaction.atomic():
        circulars.circular_publish(circular=drafts[1], actor=city_staff)
        raise RuntimeError("the request failed after publishing")
    drafts[1].refresh_from_db()
    assert drafts[1].state == Circular.State.DRAFT and drafts[1].number is None
    circulars.circular_publish(circular=drafts[2], actor=city_staff)
    circulars.circular_publish(circular=drafts[1], actor=city_staff)
    numbers = [Circular.objects.get(pk=d.pk).number for d in drafts]
    assert numbers == [1, 3, 2]
    assert CircularCounter.objects.get(city=tree.city).last == 3
    with pytest.raises(Conflict):
        circulars.circular_publish(circular=drafts[0], actor=city_staff)


def test_settings_name_the_prefix(plan, city_staff, settings):
    settings.INSPECTION_DOC_PREFIX = "通教督"
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    circulars.circular_publish(circular=circular, actor=city_staff)
    circular.refresh_from_db()
    assert circular.doc_number == f"通教督〔{timezone.localdate().year}〕1号"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) need PostgreSQL: set DATABASE_URL=postgres://…",
)
def test_two_concurrent_publications_get_consecutive_numbers(tree, inspector, city_staff):
    version = make_checklist(tree.city)
    drafts = []
    for n in range(2):
        plan = make_finished_plan(
            city=tree.city,
            inspector=inspector,
            failures={tree.tz_school: ["guards"]},
            version=version,
            title=f"并发{n}",
        )
        drafts.append(circulars.circular_draft(plan=plan, actor=city_staff))
    barrier = threading.Barrier(2)
    errors = []

    def publish(circular):
        try:
            barrier.wait(timeout=10)
            circulars.circular_publish(circular=circular, actor=city_staff)
        except Exception as exc:  # noqa: BLE001 - the test reports whatever was raised
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    numbers = sorted(
        Circular.objects.filter(pk__in=[d.pk for d in drafts]).values_list("number", flat=True)
    )
    assert numbers == [1, 2]
    assert CircularCounter.objects.get(city=tree.city).last == 2


# --- Notices and who sees what -----------------------------------------------------------


@pytest.fixture
def published(plan, city_staff):
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    _publish(circular, city_staff)
    return circular


def test_notices_are_seen_by_their_school_county_and_city(
    published, tree, client_for, school_officer, county_staff, other_county_staff, city_staff
):
    def listed(user):
        response = client_for(user).get(reverse("inspections:notice_list"))
        assert response.status_code == 200
        return {n.school for n in response.context["notices"]}

    assert listed(school_officer) == {tree.tz_school}
    assert listed(county_staff) == {tree.tz_school}
    assert listed(other_county_staff) == {tree.rd_school}
    assert listed(city_staff) == {tree.tz_school, tree.rd_school, tree.city_school}
    rd_notice = published.notices.get(school=tree.rd_school)
    url = reverse("inspections:notice_detail", args=[rd_notice.code])
    assert client_for(school_officer).get(url).status_code == 404
    assert client_for(county_staff).get(url).status_code == 404
    assert client_for(other_county_staff).get(url).status_code == 200


def test_notice_shows_each_hazards_live_status(
    published, tree, client_for, school_officer, county_staff
):
    notice = published.notices.get(school=tree.tz_school)
    hazards = list(Hazard.objects.filter(finding__visit=notice.visit).order_by("code"))
    assert len(hazards) == 2
    url = reverse("inspections:notice_detail", args=[notice.code])
    page = client_for(school_officer).get(url).content.decode()
    for hazard in hazards:
        assert hazard.code in page and hazard.get_absolute_url() in page
        assert hazard.deadline.isoformat() in page
    assert 'data-status="reported"' in page
    # The school works the first through the register: the notice shows it at once.
    hazard_services.hazard_update(hazard=hazards[0], actor=school_officer, **five_implementations())
    hazard_services.hazard_start_rectification(hazard=hazards[0], actor=school_officer)
    page = client_for(school_officer).get(url).content.decode()
    assert 'data-status="rectifying"' in page and 'data-status="reported"' in page
    # Accepted and closed, and the other one past its time limit: shown as they are now.
    hazard_services.hazard_attach(
        hazard=hazards[0], actor=school_officer, kind=Evidence.Kind.AFTER, upload=png_upload()
    )
    hazard_services.hazard_submit_for_acceptance(hazard=hazards[0], actor=school_officer)
    hazard_services.hazard_accept(hazard=hazards[0], actor=county_staff, opinion="整改到位")
    Hazard.objects.filter(pk=hazards[1].pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    response = client_for(school_officer).get(url)
    page = response.content.decode()
    assert 'data-status="closed"' in page
    assert response.context["open_count"] == 1
    assert "text-bg-danger" in page  # overdue 2 days


def test_who_sees_a_draft_and_a_published_circular(
    plan, tree, client_for, city_staff, leader, school_officer, county_staff, outsider
):
    circular = circulars.circular_draft(plan=plan, actor=city_staff)
    url = reverse("inspections:circular_detail", args=[circular.code])
    assert client_for(city_staff).get(url).status_code == 200
    assert client_for(leader).get(url).status_code == 200
    for user in (school_officer, county_staff, outsider):
        assert client_for(user).get(url).status_code == 404
    assert (
        client_for(leader)
        .get(reverse("inspections:circular_edit", args=[circular.code]))
        .status_code
        == 403
    )
    _publish(circular, city_staff)
    for user in (city_staff, school_officer, county_staff):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert circular.doc_number in response.content.decode()
    assert client_for(outsider).get(url).status_code == 404
    pdf = client_for(school_officer).get(reverse("inspections:circular_pdf", args=[circular.code]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert (
        client_for(outsider)
        .get(reverse("inspections:circular_pdf", args=[circular.code]))
        .status_code
        == 404
    )


def test_pages_draft_edit_publish_and_progress(plan, tree, client_for, city_staff):
    client = client_for(city_staff)
    response = client.post(reverse("inspections:circular_new", args=[plan.code]))
    circular = Circular.objects.get(plan=plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:circular_detail", args=[circular.code])
    page = client.get(response["Location"]).content.decode()
    assert "data:image/svg+xml;base64," in page  # the chart
    edit_url = reverse("inspections:circular_edit", args=[circular.code])
    assert client.get(edit_url).status_code == 200
    data = {
        "issuing_office": circular.issuing_office,
        "title": "关于第四季度专项督查的通报",
        "summary": circular.summary,
        "problems": circular.problems,
        "requirements": circular.requirements,
        "deadline": (timezone.localdate() + dt.timedelta(days=15)).isoformat(),
    }
    assert client.post(edit_url, data).status_code == 302
    circular.refresh_from_db()
    assert circular.title == "关于第四季度专项督查的通报"
    publish_url = reverse("inspections:circular_publish", args=[circular.code])
    response = client.post(publish_url)
    assert response.status_code == 302 and response["Location"] == publish_url
    fragment = client.get(publish_url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    circular.refresh_from_db()
    core_services.job_run_execute(job_run_id=circular.job_run_id)
    fragment = client.get(publish_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("inspections:circular_pdf", args=[circular.code]) in fragment


def test_circular_new_is_refused_below_the_city(plan, client_for, county_staff, leader):
    url = reverse("inspections:circular_new", args=[plan.code])
    assert client_for(county_staff).post(url).status_code == 404
    assert client_for(leader).post(url).status_code == 403
    assert not Circular.objects.exists()


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("inspections:circular_list"))
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["circulars"])


def test_circular_list_query_count_is_pinned(
    tree, inspector, city_staff, client_for, school_officer
):
    version = make_checklist(tree.city)

    def add(n):
        for i in range(n):
            plan = make_finished_plan(
                city=tree.city,
                inspector=inspector,
                failures={tree.tz_school: ["guards"]},
                version=version,
                title=f"清单{i}",
            )
            circular = circulars.circular_draft(plan=plan, actor=city_staff)
            _publish(circular, city_staff)

    add(2)
    city, officer = client_for(city_staff), client_for(school_officer)
    small = (_list_queries(city), _list_queries(officer))
    add(4)
    large = (_list_queries(city), _list_queries(officer))
    assert [s[1] for s in small] == [2, 2] and [s[1] for s in large] == [6, 6]
    assert [s[0] for s in small] == [s[0] for s in large]
    # session, user, grants, the list: a handful whatever the number of circulars
    assert all(s[0] <= 8 for s in large), large
    assert RectificationNotice.objects.count() == 6


def test_chart_is_a_libraries_svg_with_chinese_labels():
    from inspections.charts import failures_by_section_svg

    svg = failures_by_section_svg([("人防", 3), ("物防", 0), ("技防", 5)])
    assert svg.startswith("<svg") and "pygal" in svg
    for label in ("人防", "物防", "技防"):
        assert f">{label}<" in svg  # drawn on the axis, not only in a tooltip
    assert "Noto Sans CJK SC" in svg
    assert "<script src" not in svg and "//kozea" not in svg  # nothing from a CDN
