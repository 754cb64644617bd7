"""The job-run pages: list, one run with live progress, its file, re-run and the statistics job."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaign import services
from core import jobs
from core import services as core_services
from core.models import JobRun

FAILING = "test_always_fails"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    # These tests read the English wording; the Chinese pages are checked elsewhere.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def failing_job():
    def handler(run, report_progress):
        report_progress(30)
        raise RuntimeError("the provincial system did not answer")

    jobs.register(FAILING, "Always fails", handler, perm="run_jobs")
    yield FAILING
    jobs.registry.pop(FAILING, None)


def make_run(unit, *, kind=services.ORG_STATISTICS, period="2019-12", state="queued", **extra):
    return JobRun.objects.create(kind=kind, unit=unit, period=period, state=state, **extra)


def failed_run(unit, kind):
    run = services.job_run_request(kind=kind, unit=unit, period="2019-W50", actor=None)
    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED
    return run


# --- list -----------------------------------------------------------------------------------


def test_list_shows_runs_in_scope_only(tree, county_staff, client_for):
    make_run(tree.tongzhou, period="2019-12-01", progress=40, state="running")
    make_run(tree.rudong, period="2019-12-02")
    page = client_for(county_staff).get(reverse("campaign:job_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "2019-12-01" in text
    assert "通州区" in text
    assert "2019-12-02" not in text
    assert "如东县" not in text
    assert 'value="40"' in text  # the progress bar
    assert "job-state-running" in text


def test_list_offers_statistics_only_to_those_who_run_jobs(tree, client_for, county_staff, leader):
    text = client_for(county_staff).get(reverse("campaign:job_list")).content.decode()
    assert reverse("campaign:statistics_start") in text
    assert 'value="NT-TZ"' in text
    text = client_for(leader).get(reverse("campaign:job_list")).content.decode()
    assert reverse("campaign:statistics_start") not in text


def test_list_shows_rerun_for_failed_runs_only_to_those_permitted(
    tree, client_for, county_staff, school_officer, failing_job
):
    run = failed_run(tree.tongzhou, failing_job)
    rerun = reverse("campaign:job_rerun", args=[run.pk])
    assert rerun in client_for(county_staff).get(reverse("campaign:job_list")).content.decode()
    # A run at the county is outside a school officer's tree: not listed at all.
    assert (
        rerun not in client_for(school_officer).get(reverse("campaign:job_list")).content.decode()
    )


def test_list_query_count_does_not_grow_with_runs(tree, city_staff, client_for):
    client = client_for(city_staff)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("campaign:job_list")).status_code == 200
        return len(ctx.captured_queries)

    JobRun.objects.bulk_create(
        JobRun(
            kind=services.ORG_STATISTICS,
            unit=tree.tongzhou,
            period=f"p{i}",
            requested_by=city_staff,
        )
        for i in range(5)
    )
    few = count_queries()
    JobRun.objects.bulk_create(
        JobRun(
            kind=services.ORG_STATISTICS, unit=tree.rudong, period=f"q{i}", requested_by=city_staff
        )
        for i in range(95)
    )
    assert count_queries() == few


def test_list_needs_sign_in(tree):
    from django.test import Client

    response = Client().get(reverse("campaign:job_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- statistics_start ------------------------------------------------------------------------


def test_county_staff_starts_statistics_for_their_county(tree, county_staff, client_for):
    response = client_for(county_staff).post(
        reverse("campaign:statistics_start"), {"unit": "NT-TZ"}
    )
    run = JobRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:job_detail", args=[run.pk])
    assert (run.kind, run.unit, run.state) == (services.ORG_STATISTICS, tree.tongzhou, "queued")
    assert run.requested_by == county_staff


def test_statistics_start_out_of_scope_is_404(tree, county_staff, client_for):
    response = client_for(county_staff).post(
        reverse("campaign:statistics_start"), {"unit": "NT-RD"}
    )
    assert response.status_code == 404
    assert not JobRun.objects.exists()


def test_statistics_start_without_permission_is_403(tree, leader, client_for):
    response = client_for(leader).post(reverse("campaign:statistics_start"), {"unit": "NT"})
    assert response.status_code == 403
    assert not JobRun.objects.exists()


def test_statistics_start_without_unit_says_so(tree, county_staff, client_for):
    response = client_for(county_staff).post(
        reverse("campaign:statistics_start"), {}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Choose the unit whose statistics should be rebuilt." in response.content.decode()
    assert not JobRun.objects.exists()


def test_statistics_start_refuses_get(tree, county_staff, client_for):
    assert client_for(county_staff).get(reverse("campaign:statistics_start")).status_code == 405


# --- detail ----------------------------------------------------------------------------------


def test_detail_of_a_running_job_polls_itself(tree, county_staff, client_for):
    run = make_run(tree.tongzhou, state="running", progress=60)
    client = client_for(county_staff)
    page = client.get(reverse("campaign:job_detail", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{reverse("campaign:job_detail", args=[run.pk])}"' in page
    assert "<html" in page

    fragment = client.get(reverse("campaign:job_detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "<html" not in text
    assert 'value="60"' in text
    assert 'hx-trigger="every 2s"' in text


def test_detail_of_a_finished_job_stops_polling(tree, county_staff, client_for):
    run = make_run(tree.tongzhou, state="succeeded", progress=100)
    text = (
        client_for(county_staff)
        .get(reverse("campaign:job_detail", args=[run.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "hx-trigger" not in text
    assert "job-state-succeeded" in text


def test_detail_out_of_scope_is_404(tree, county_staff, client_for):
    run = make_run(tree.rudong)
    assert (
        client_for(county_staff).get(reverse("campaign:job_detail", args=[run.pk])).status_code
        == 404
    )
    assert (
        client_for(county_staff).get(reverse("campaign:job_detail", args=[999999])).status_code
        == 404
    )


def test_detail_shows_the_error_of_a_failed_run(tree, county_staff, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job)
    text = (
        client_for(county_staff).get(reverse("campaign:job_detail", args=[run.pk])).content.decode()
    )
    assert "RuntimeError: the provincial system did not answer" in text
    assert reverse("campaign:job_rerun", args=[run.pk]) in text


# --- file ------------------------------------------------------------------------------------


def test_download_the_produced_workbook(tree, county_staff, client_for):
    run = services.org_statistics_request(unit=tree.tongzhou, actor=county_staff)
    core_services.job_run_execute(job_run_id=run.pk)
    response = client_for(county_staff).get(reverse("campaign:job_file", args=[run.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["通州区"][2] == 2


def test_download_out_of_scope_or_without_file_is_404(tree, county_staff, client_for, city_staff):
    run = services.org_statistics_request(unit=tree.rudong, actor=city_staff)
    core_services.job_run_execute(job_run_id=run.pk)
    client = client_for(county_staff)
    assert client.get(reverse("campaign:job_file", args=[run.pk])).status_code == 404
    no_file = make_run(tree.tongzhou)
    assert client.get(reverse("campaign:job_file", args=[no_file.pk])).status_code == 404


# --- re-run ----------------------------------------------------------------------------------


def test_rerun_a_failed_run(tree, county_staff, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job)
    response = client_for(county_staff).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == JobRun.State.QUEUED
    assert run.error == ""
    assert run.requested_by is None  # a re-run stays the run of whoever first asked for it


def test_rerun_is_403_for_who_may_only_look(tree, leader, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job)
    assert client_for(leader).post(reverse("campaign:job_rerun", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED


def test_rerun_out_of_scope_is_404(tree, other_county_staff, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job)
    response = client_for(other_county_staff).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 404


def test_rerun_of_a_run_that_did_not_fail_changes_nothing(tree, county_staff, client_for):
    run = make_run(tree.tongzhou, state="succeeded", progress=100)
    response = client_for(county_staff).post(
        reverse("campaign:job_rerun", args=[run.pk]), follow=True
    )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.state == JobRun.State.SUCCEEDED


def test_rerun_refuses_get(tree, county_staff, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job)
    assert (
        client_for(county_staff).get(reverse("campaign:job_rerun", args=[run.pk])).status_code
        == 405
    )
