"""Briefings: drafting from live data, publishing in a job run, gapless numbers, the PDF."""

import subprocess
import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.models import JobRun
from core.services import jobs as core_services
from reporting.briefings import services
from reporting.models import Briefing, BriefingCounter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _publish(briefing, actor):
    run = services.briefing_publish(briefing=briefing, actor=actor)
    state = core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert state == JobRun.State.SUCCEEDED, run.error
    briefing.refresh_from_db()
    return run


def test_draft_publish_numbers_and_pdf(tree, city_staff, tmp_path, settings):
    settings.INSPECTION_ISSUING_OFFICE = "某市领导小组办公室"
    first = services.briefing_draft(city=tree.city, actor=city_staff)
    assert "county_progress" in first.snapshot
    assert first.status == Briefing.Status.DRAFT and first.number is None
    _publish(first, city_staff)
    assert first.status == Briefing.Status.PUBLISHED and first.number == 1
    # Running the job again does nothing: still one number.
    core_services.job_run_execute(job_run_id=first.job_run_id)
    assert BriefingCounter.objects.get(city=tree.city).last == 1
    second = services.briefing_draft(city=tree.city, actor=city_staff)
    assert second.since == first.published_at
    _publish(second, city_staff)
    assert second.number == 2
    path = tmp_path / "b.pdf"
    path.write_bytes(second.pdf.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    today = timezone.localdate()
    assert "工作简报" in text and "第2期" in text
    assert "某市领导小组办公室" in text
    assert f"{today.year}年{today.month}月{today.day}日" in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "Noto" in line and "CJK" in line]
    assert cjk, fonts
    for line in cjk:
        assert line.split()[-5] == "yes", line


def test_a_failed_render_takes_no_number(tree, city_staff, monkeypatch):
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    run = services.briefing_publish(briefing=briefing, actor=city_staff)

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(services, "briefing_pdf", broken)
    core_services.job_run_execute(job_run_id=run.pk)
    briefing.refresh_from_db()
    assert briefing.number is None and briefing.status != Briefing.Status.PUBLISHED
    assert not BriefingCounter.objects.filter(city=tree.city, last__gt=0).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) need PostgreSQL: set DATABASE_URL=postgres://…",
)
def test_two_concurrent_publications_get_consecutive_numbers(tree, city_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    drafts = [services.briefing_draft(city=tree.city, actor=city_staff) for _ in range(2)]
    runs = [services.briefing_publish(briefing=d, actor=city_staff) for d in drafts]
    barrier = threading.Barrier(2)
    errors = []

    def execute(run):
        try:
            barrier.wait(timeout=10)
            core_services.job_run_execute(job_run_id=run.pk)
        except Exception as exc:  # noqa: BLE001 - the test reports whatever was raised
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=execute, args=(r,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    numbers = sorted(
        Briefing.objects.filter(pk__in=[d.pk for d in drafts]).values_list("number", flat=True)
    )
    assert numbers == [1, 2]
    assert BriefingCounter.objects.get(city=tree.city).last == 2


def test_county_progress_reads_the_register_and_draws_a_chart(tree, school_officer, city_staff):
    from hazards.services import hazard_register
    from tests.hazards.conftest import five_implementations, seeded_category

    hazard_register(
        school=tree.tz_school,
        category=seeded_category(),
        level="general",
        source="self_check",
        location="教学楼",
        description="消防栓无水",
        found_on=timezone.localdate(),
        actor=school_officer,
        **five_implementations(),
    )
    briefing = services.briefing_draft(city=tree.city, actor=city_staff)
    rows = briefing.snapshot["county_progress"]["rows"]
    tz = next(r for r in rows if r["name"] == tree.tz_school.parent.name)
    assert tz["found"] == 1 and tz["closed"] == 0 and tz["five_pct"] == 100.0
    context = services.document_context(briefing, number=None, published_on=timezone.localdate())
    section = next(s for s in context["sections"] if s["key"] == "county_progress")
    assert (
        section["chart_svg"].startswith("<svg")
        and tree.tz_school.parent.name in section["chart_svg"]
    )
