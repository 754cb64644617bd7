"""The job-run pages: list, one run with live progress, its file, re-run and the statistics job."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaign import services
from campaign.roles import Role
from core import jobs
from core import services as core_services
from core.models import JobRun, JobRunScope
from tests.factories import UserFactory, grant

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
    """A run in a given state, with the scope a request records: its unit."""
    run = JobRun.objects.create(kind=kind, unit=unit, period=period, state=state, **extra)
    JobRunScope.objects.create(run=run, unit=unit)
    return run


def failed_run(unit, kind, actor=None):
    run = services.job_run_request(kind=kind, unit=unit, period="2019-W50", actor=actor)
    core_services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED
    return run


@pytest.fixture
def city_admin_role(tree):
    """A city administrator who is not a superuser: the role alone covers the city."""
    return grant(UserFactory(username="nt-admin"), Role.CITY_ADMIN, tree.city)


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
    tree, client_for, county_staff, city_staff, school_officer, city_admin_role, failing_job
):
    run = failed_run(tree.tongzhou, failing_job, actor=county_staff)
    rerun = reverse("campaign:job_rerun", args=[run.pk])

    def listed(user):
        return client_for(user).get(reverse("campaign:job_list")).content.decode()

    assert rerun in listed(county_staff)  # who asked for it
    assert rerun in listed(city_admin_role)  # a city administrator
    page = listed(city_staff)  # sees the run, but neither asked for it nor administers
    assert reverse("campaign:job_detail", args=[run.pk]) in page
    assert rerun not in page
    # A run at the county is outside a school officer's tree: not listed at all.
    assert rerun not in listed(school_officer)


def test_list_shows_the_reason_in_the_readers_language(tree, county_staff, client_for, failing_job):
    failed_run(tree.tongzhou, failing_job, actor=county_staff)
    client = client_for(county_staff)
    text = client.get(reverse("campaign:job_list")).content.decode()
    assert "The job stopped because of an error." in text
    assert "RuntimeError" not in text
    client.cookies["django_language"] = "zh-hans"
    text = client.get(reverse("campaign:job_list")).content.decode()
    assert "任务因错误而中止。" in text
    assert "RuntimeError" not in text


def test_list_query_count_does_not_grow_with_runs(tree, city_staff, county_staff, client_for):
    client = client_for(city_staff)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("campaign:job_list")).status_code == 200
        return len(ctx.captured_queries)

    def add(n, prefix, units, **extra):
        runs = JobRun.objects.bulk_create(
            JobRun(kind=services.ORG_STATISTICS, unit=units[0], period=f"{prefix}{i}", **extra)
            for i in range(n)
        )
        JobRunScope.objects.bulk_create(
            JobRunScope(run=run, unit=unit) for run in runs for unit in units
        )

    add(3, "p", [tree.tongzhou], requested_by=city_staff)
    add(2, "f", [tree.tongzhou, tree.rudong], state="failed", reason="error", error="x")
    few = count_queries()
    add(45, "q", [tree.rudong], requested_by=county_staff, file="jobs/x/1/a.xlsx")
    add(50, "g", [tree.tongzhou, tree.rudong], state="failed", reason="worker_lost")
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


def test_detail_tells_a_requester_why_it_failed_without_the_traceback(
    tree, county_staff, client_for, failing_job
):
    run = failed_run(tree.tongzhou, failing_job, actor=county_staff)
    assert run.reason == "error"
    assert "RuntimeError: the provincial system did not answer" in run.error  # kept for admins
    text = (
        client_for(county_staff).get(reverse("campaign:job_detail", args=[run.pk])).content.decode()
    )
    assert "The job stopped because of an error. A city administrator can see the details." in text
    assert "RuntimeError" not in text
    assert "Traceback" not in text
    assert reverse("campaign:job_rerun", args=[run.pk]) in text


@pytest.mark.parametrize("admin", ["city_admin", "city_admin_role"])
def test_detail_shows_city_admins_the_technical_error(
    request, tree, client_for, failing_job, admin
):
    run = failed_run(tree.tongzhou, failing_job)
    user = request.getfixturevalue(admin)
    text = client_for(user).get(reverse("campaign:job_detail", args=[run.pk])).content.decode()
    assert "The job stopped because of an error." in text
    assert "RuntimeError: the provincial system did not answer" in text
    assert "Traceback" in text


def test_detail_hides_the_technical_error_from_who_only_reads(
    tree, leader, client_for, failing_job
):
    run = failed_run(tree.tongzhou, failing_job)
    text = client_for(leader).get(reverse("campaign:job_detail", args=[run.pk])).content.decode()
    assert "The job stopped because of an error." in text
    assert "RuntimeError" not in text
    assert reverse("campaign:job_rerun", args=[run.pk]) not in text


def test_detail_of_a_run_put_back_after_an_error_shows_it_to_admins_only(
    tree, county_staff, city_admin, client_for
):
    run = make_run(
        tree.tongzhou, requested_by=county_staff, attempts=1, error="OperationalError: gone"
    )
    url = reverse("campaign:job_detail", args=[run.pk])
    assert "OperationalError" not in client_for(county_staff).get(url).content.decode()
    assert "OperationalError: gone" in client_for(city_admin).get(url).content.decode()


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
    run = failed_run(tree.tongzhou, failing_job, actor=county_staff)
    response = client_for(county_staff).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == JobRun.State.QUEUED
    assert (run.error, run.reason, run.attempts) == ("", "", 0)
    assert run.requested_by == county_staff
    assert run.scope_units() == [tree.tongzhou]


def test_a_city_admin_reruns_a_scheduled_run_which_stays_the_schedules(
    tree, city_admin_role, client_for, failing_job
):
    run = failed_run(tree.tongzhou, failing_job)
    response = client_for(city_admin_role).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == JobRun.State.QUEUED
    assert run.requested_by is None  # a re-run stays the run of whoever first asked for it


def test_rerun_is_403_for_who_may_only_look(tree, leader, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job)
    assert client_for(leader).post(reverse("campaign:job_rerun", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED


def test_the_leader_cannot_rerun_a_job_anyone_who_sees_may_start(
    tree, leader, county_staff, client_for
):
    """An export needs only the view permission to start; re-running it needed no more, so
    the read-only leader could re-run anyone's failed export (fails on the code before)."""

    def handler(run, report_progress):
        raise RuntimeError("disk full")

    jobs.register("test_fails_viewers", "Fails, started by viewers", handler, perm="view_orgunit")
    try:
        run = failed_run(tree.tongzhou, "test_fails_viewers", actor=county_staff)
        response = client_for(leader).post(reverse("campaign:job_rerun", args=[run.pk]))
    finally:
        jobs.registry.pop("test_fails_viewers", None)
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED


def test_rerun_is_403_for_staff_who_did_not_ask_for_the_run(
    tree, county_staff, city_staff, client_for, failing_job
):
    run = failed_run(tree.tongzhou, failing_job, actor=county_staff)
    response = client_for(city_staff).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED


def test_rerun_is_403_for_a_county_user_on_the_schedules_run(
    tree, county_staff, client_for, failing_job
):
    run = failed_run(tree.tongzhou, failing_job)
    response = client_for(county_staff).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 403


def test_rerun_out_of_scope_is_404(tree, other_county_staff, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job, actor=None)
    response = client_for(other_county_staff).post(reverse("campaign:job_rerun", args=[run.pk]))
    assert response.status_code == 404


def test_rerun_of_a_run_that_did_not_fail_changes_nothing(tree, county_staff, client_for):
    run = make_run(tree.tongzhou, state="succeeded", progress=100, requested_by=county_staff)
    response = client_for(county_staff).post(
        reverse("campaign:job_rerun", args=[run.pk]), follow=True
    )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.state == JobRun.State.SUCCEEDED


def test_rerun_refuses_get(tree, county_staff, client_for, failing_job):
    run = failed_run(tree.tongzhou, failing_job, actor=county_staff)
    assert (
        client_for(county_staff).get(reverse("campaign:job_rerun", args=[run.pk])).status_code
        == 405
    )
