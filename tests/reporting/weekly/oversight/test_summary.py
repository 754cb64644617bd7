"""The city weekly summary: the workbook read back with openpyxl, the PDF with pdftotext and
pdffonts, both as job runs; the summaries page and its re-run."""

import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.models import JobRun
from core.services import jobs as job_services
from reporting.weekly.oversight import compile as summary_compile
from reporting.weekly.oversight import summaries
from tests.reporting.weekly.oversight.conftest import LABEL, WEEK, mark


@pytest.fixture
def filled(week, tree):
    mark(tree.tz_school, found=3, closed=1, still_open=2)
    mark(tree.tz_school2, late=True, empty=True)
    mark(tree.rd_school, found=5, major_open=1)
    mark(tree.tongzhou)
    return week


def run_of(kind, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = job_services.job_run_enqueue(kind=kind, unit=city, period=LABEL, actor=None, scope=[city])
    job_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.SUCCEEDED, run.error
    return run


def test_week_title():
    assert summary_compile.week_title(WEEK) == "2026年第48周（11月23日—11月29日）"


@pytest.mark.django_db
def test_the_workbook_job_stores_its_file(filled, tree, settings, tmp_path):
    """The job writes the bureau's language (Chinese); the content is checked below."""
    run = run_of(summaries.KIND_XLSX, tree.city, settings, tmp_path)
    assert run.file.name.endswith(".xlsx") and run.progress == 100
    assert run.result == {"expected": 4, "submitted": 3, "on_time": 2}
    with run.file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()), read_only=True)
    assert book.sheetnames[1:3] == ["通州区", "如东县"] and len(book.sheetnames) == 4


@pytest.mark.django_db
def test_workbook_read_back(filled, tree):
    book = load_workbook(io.BytesIO(summary_compile.workbook(tree.city, WEEK)), read_only=True)
    assert book.sheetnames == ["Summary", "通州区", "如东县", "City-direct schools"]
    summary = list(book["Summary"].iter_rows(values_only=True))
    header, *lines = summary
    assert header[:10] == (
        "Unit", "Expected", "Submitted", "On time", "Late", "Missing",
        "Submitted but empty", "Reporting rate (%)", "On-time rate (%)", "County report",
    )  # fmt: skip
    by_name = {line[0]: line for line in lines}
    assert by_name["通州区"][1:10] == (2, 2, 1, 1, 0, 1, 100.0, 50.0, "awaiting review")
    assert by_name["通州区"][10:] == (3, 0, 1, 2, 0, 0)
    assert by_name["如东县"][1:10] == (1, 1, 1, 0, 0, 0, 100.0, 100.0, "not submitted")
    assert by_name["City-direct schools"][1:7] == (1, 0, 0, 0, 1, 0)
    assert by_name["City total"][1:7] == (4, 3, 2, 1, 1, 1)
    assert by_name["City total"][10:] == (8, 0, 1, 2, 0, 1)
    tz = list(book["通州区"].iter_rows(values_only=True))
    assert [row[:3] for row in tz[1:]] == [
        ("NT-TZ-0001", "通州区实验小学", "awaiting review"),
        ("NT-TZ-0002", "通州区金沙幼儿园", "awaiting review"),
    ]
    assert tz[1][4:7] == ("no", "no", 3) and tz[2][4:6] == ("yes", "yes")
    assert tz[1][3] is not None  # the submitted time
    direct = list(book["City-direct schools"].iter_rows(values_only=True))
    assert direct[1][:5] == ("NT-0001", "南通中学", "missing", None, None)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.django_db
def test_pdf_has_the_chinese_text_and_embeds_noto_cjk(filled, tree, settings, tmp_path):
    run = run_of(summaries.KIND_PDF, tree.city, settings, tmp_path)
    path = tmp_path / "summary.pdf"
    with run.file.open("rb") as f:
        path.write_bytes(f.read())
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    text = text.decode()
    for words in ("南通市", "通州区", "如东县", "第48周", "11月23日", "南通中学"):
        assert words in text, words
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "Noto" in line and "CJK" in line]
    assert any("Sans-CJK-SC" in line for line in cjk), fonts  # the tables
    assert any("Serif-CJK-SC" in line for line in cjk), fonts  # the title and the body
    for line in cjk:
        assert line.split()[-5] == "yes", line  # emb


@pytest.mark.django_db
def test_the_page_lists_the_city_summaries_with_downloads(
    filled, tree, settings, tmp_path, city_staff, county_staff, client_for
):
    xlsx = run_of(summaries.KIND_XLSX, tree.city, settings, tmp_path)
    pdf = run_of(summaries.KIND_PDF, tree.city, settings, tmp_path)
    client = client_for(city_staff)

    def page():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("reporting:week_summaries"))
        assert response.status_code == 200
        return response, len(ctx.captured_queries)

    _response, before = page()
    for period in ("2026-W46", "2026-W47"):
        for kind in summaries.KINDS:
            job_services.job_run_enqueue(
                kind=kind, unit=tree.city, period=period, actor=None, scope=[tree.city]
            )
    response, after = page()
    assert after == before  # the query count does not grow with the weeks listed
    assert [w.period for w in response.context["weeks"]] == ["2026-W48", "2026-W47", "2026-W46"]
    body = response.content.decode()
    for run in (xlsx, pdf):
        url = reverse("campaign:job_file", args=[run.pk])
        assert url in body
        download = client.get(url)
        assert download.status_code == 200
    # County staff: not a city reviewer, an empty list (and the file is not theirs either).
    response = client_for(county_staff).get(reverse("reporting:week_summaries"))
    assert response.context["weeks"] == [] and 'id="summaries-empty"' in response.content.decode()


@pytest.mark.django_db
def test_a_failed_summary_is_run_again_from_the_page(tree, city_staff, en_client_for):
    run = job_services.job_run_enqueue(
        kind=summaries.KIND_PDF, unit=tree.city, period=LABEL, actor=None, scope=[tree.city]
    )
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.FAILED, reason="error")
    client = en_client_for(city_staff)
    body = client.get(reverse("reporting:week_summaries")).content.decode()
    rerun = reverse("reporting:week_summary_rerun", args=[run.pk])
    assert rerun in body
    response = client.post(rerun, follow=True)
    run.refresh_from_db()
    assert run.state == JobRun.State.QUEUED
    assert "being compiled again" in str(list(response.context["messages"])[0])
    # Once queued, it is not failed: a second press says so and changes nothing.
    response = client.post(rerun, follow=True)
    assert "Only a failed run" in str(list(response.context["messages"])[0])


@pytest.mark.django_db
def test_a_handler_refuses_a_run_that_is_not_a_city_week(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = job_services.job_run_enqueue(
        kind=summaries.KIND_XLSX, unit=tree.tongzhou, period=LABEL, actor=None
    )
    job_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED and not run.file
