"""Job runs that recover by themselves: claims with a lease, the lease kept fresh while the job
works, the finishing write as a compare-and-set, real retries after a transient database
error and the sweeper that takes up a run whose worker died (DESIGN §6).

The worker test (tests/test_worker.py) kills a real worker in the middle of a job; these tests
drive the same services in this process.
"""

import importlib
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from campaign import services as campaign_services
from core import jobs, services
from core.errors import Conflict
from core.models import JobRun, JobRunScope
from core.schedules import declared
from core.tasks import job_run_task, job_runs_sweep_task

KIND = "test_recovering_job"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_MAX_ATTEMPTS = 3
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def handler():
    """Register KIND with a handler the test sets: ``handler.set(fn)``; ``handler.calls``."""

    class Handler:
        calls = 0
        fn = None

        def set(self, fn):
            self.fn = fn

        def __call__(self, run, report_progress):
            self.calls += 1
            return self.fn(run, report_progress)

    h = Handler()
    jobs.register(KIND, "Recovering job", h, perm="run_jobs")
    yield h
    jobs.registry.pop(KIND, None)


def request_run(unit, period="2019-12"):
    return services.job_run_enqueue(kind=KIND, unit=unit, period=period, actor=None)


def files_of(run):
    folder = Path(run.file.storage.location) / "jobs" / KIND / str(run.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def as_left_by_a_dead_worker(run, *, attempts=1, expired=True):
    """The row a worker leaves when it dies in the middle: running, under its claim."""
    lease = timezone.now() + timedelta(seconds=-5 if expired else 60)
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.RUNNING,
        claim="dead-worker",
        attempts=attempts,
        progress=40,
        started_at=timezone.now() - timedelta(minutes=3),
        lease_expires_at=lease,
    )


def raising(exc):
    def handler(run, report_progress):
        raise exc

    return handler


def produce(content=b"done"):
    return lambda run, report_progress: jobs.ProducedFile("result.txt", content)


# --- Claims ---------------------------------------------------------------------------------


def test_a_run_is_done_once_however_often_it_is_delivered(tree, handler):
    handler.set(produce())
    run = request_run(tree.tongzhou)
    assert services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
    assert services.job_run_execute(job_run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.state, run.attempts, handler.calls) == (JobRun.State.SUCCEEDED, 1, 1)
    assert run.lease_expires_at is None
    assert files_of(run) == [run.file_name]


def test_a_redelivery_leaves_a_run_whose_worker_is_alive_alone(tree, handler):
    handler.set(produce())
    run = request_run(tree.tongzhou)
    as_left_by_a_dead_worker(run, expired=False)
    assert services.job_run_execute(job_run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.state, run.claim, handler.calls) == (JobRun.State.RUNNING, "dead-worker", 0)


def test_a_redelivery_takes_up_a_run_whose_lease_expired(tree, handler):
    """Before leases, only queued runs were claimed: a run whose worker died stayed running
    for ever (fails on the code before this change)."""
    handler.set(produce())
    run = request_run(tree.tongzhou)
    as_left_by_a_dead_worker(run)
    assert services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
    run.refresh_from_db()
    assert (run.state, run.attempts, run.progress) == (JobRun.State.SUCCEEDED, 2, 100)
    assert files_of(run) == [run.file_name]


def test_an_expired_run_out_of_attempts_is_not_claimed(tree, handler, settings):
    handler.set(produce())
    run = request_run(tree.tongzhou)
    as_left_by_a_dead_worker(run, attempts=settings.JOB_MAX_ATTEMPTS)
    assert services.job_run_execute(job_run_id=run.pk) is None
    assert handler.calls == 0


# --- The finishing write is a compare-and-set on the claim ------------------------------------


def test_a_worker_that_lost_its_lease_writes_nothing(tree, handler):
    """The first attempt's worker stalls, its lease runs out and a second attempt finishes the
    run; when the first one finishes after all, it must not overwrite the run or add a file."""
    run = request_run(tree.tongzhou)
    results = []

    def work(job_run, report_progress):
        if handler.calls == 1:
            # Stalled past its lease: another delivery takes the run over and finishes it.
            JobRun.objects.filter(pk=job_run.pk).update(
                lease_expires_at=timezone.now() - timedelta(seconds=1)
            )
            results.append(services.job_run_execute(job_run_id=job_run.pk))
            return jobs.ProducedFile("result.txt", b"from the stale worker")
        return jobs.ProducedFile("result.txt", b"from the second attempt")

    handler.set(work)
    assert services.job_run_execute(job_run_id=run.pk) is None  # the stale worker's outcome
    assert results == [JobRun.State.SUCCEEDED]
    run.refresh_from_db()
    assert (run.state, run.attempts) == (JobRun.State.SUCCEEDED, 2)
    assert files_of(run) == [run.file_name]
    with run.file.open("rb") as handle:
        assert handle.read() == b"from the second attempt"


def test_a_worker_that_lost_its_lease_is_stopped_at_its_next_progress_report(tree, handler):
    run = request_run(tree.tongzhou)
    reached = []

    def work(job_run, report_progress):
        report_progress(10)
        JobRun.objects.filter(pk=job_run.pk).update(claim="another-worker")
        report_progress(20)  # raises: this worker no longer holds the run
        reached.append("after")

    handler.set(work)
    assert services.job_run_execute(job_run_id=run.pk) is None
    assert reached == []
    run.refresh_from_db()
    assert (run.state, run.claim, run.progress) == (JobRun.State.RUNNING, "another-worker", 10)


def test_progress_extends_the_lease(tree, handler, settings):
    settings.JOB_LEASE_SECONDS = 600
    run = request_run(tree.tongzhou)
    seen = []

    def work(job_run, report_progress):
        JobRun.objects.filter(pk=job_run.pk).update(lease_expires_at=timezone.now())
        report_progress(50)
        seen.append(JobRun.objects.get(pk=job_run.pk))

    handler.set(work)
    services.job_run_execute(job_run_id=run.pk)
    assert seen[0].progress == 50
    assert seen[0].lease_expires_at > timezone.now() + timedelta(seconds=500)


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_extended_while_the_job_is_busy_without_reporting(tree, handler, settings):
    """A handler in one long query reports nothing: a background thread with its own
    connection keeps the lease fresh, and is gone when the handler ends."""
    settings.JOB_LEASE_SECONDS = 3  # extended every second
    run = request_run(tree.tongzhou)
    observed = {}

    def busy(job_run, report_progress):
        first = JobRun.objects.get(pk=job_run.pk).lease_expires_at
        observed["threads"] = [t.name for t in threading.enumerate()]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if JobRun.objects.get(pk=job_run.pk).lease_expires_at > first:
                observed["extended"] = True
                break
            time.sleep(0.1)
        return None

    handler.set(busy)
    assert services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
    assert observed.get("extended"), "the lease was not extended while the handler worked"
    assert f"lease-{run.pk}" in observed["threads"]
    assert f"lease-{run.pk}" not in [t.name for t in threading.enumerate()]


# --- Transient database errors are retried ----------------------------------------------------


def test_a_transient_database_error_is_retried_with_backoff(tree, handler):
    """Before, the handler's every exception was caught and the run failed at once, so
    ``autoretry_for=OperationalError`` could never fire (fails on the code before)."""

    def flaky(job_run, report_progress):
        if handler.calls == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return jobs.ProducedFile("result.txt", b"done")

    handler.set(flaky)
    run = request_run(tree.tongzhou)
    job_run_task.apply(args=[run.pk])  # retries run at once when applied in-process
    run.refresh_from_db()
    assert (run.state, run.attempts, run.error) == (JobRun.State.SUCCEEDED, 2, "")
    assert files_of(run) == [run.file_name]


def test_a_transient_error_puts_the_run_back_for_later(tree, handler, settings):
    settings.JOB_LEASE_SECONDS = 60
    handler.set(raising(OperationalError("deadlock detected")))
    run = request_run(tree.tongzhou)
    with pytest.raises(services.RetryLater) as later:
        services.job_run_execute(job_run_id=run.pk)
    assert later.value.countdown == services.backoff_seconds(1) == 10
    run.refresh_from_db()
    assert (run.state, run.claim, run.attempts) == (JobRun.State.QUEUED, "", 1)
    assert "deadlock detected" in run.error
    # Not picked up again before the backoff and a lease have passed: the sweeper waits too.
    assert run.lease_expires_at > timezone.now() + timedelta(seconds=65)
    assert services.job_runs_sweep() == {"requeued": 0, "failed": 0, "resent": 0}


def test_after_the_last_retry_the_run_fails_with_a_reason(tree, handler, settings):
    handler.set(raising(OperationalError("too many clients")))
    run = request_run(tree.tongzhou)
    job_run_task.apply(args=[run.pk])
    run.refresh_from_db()
    assert (run.state, run.reason) == (JobRun.State.FAILED, "database")
    assert run.attempts == handler.calls == settings.JOB_MAX_ATTEMPTS
    assert "too many clients" in run.error
    assert run.reason_text == (
        "The database could not be reached; the job was given up after 3 attempts."
    )


def test_backoff_grows_and_is_bounded():
    assert [services.backoff_seconds(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert services.backoff_seconds(30) == 600


# --- The sweeper ------------------------------------------------------------------------------


def test_the_sweeper_requeues_a_run_whose_worker_died(
    tree, handler, django_capture_on_commit_callbacks
):
    handler.set(produce())
    run = request_run(tree.tongzhou)
    as_left_by_a_dead_worker(run)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.job_runs_sweep() == {"requeued": 1, "failed": 0, "resent": 0}
    assert len(queued) == 1  # a new message for the run
    run.refresh_from_db()
    assert (run.state, run.claim, run.attempts) == (JobRun.State.QUEUED, "", 1)
    assert services.job_run_execute(job_run_id=run.pk) == JobRun.State.SUCCEEDED
    run.refresh_from_db()
    assert run.attempts == 2


def test_the_sweeper_fails_a_run_out_of_attempts_with_the_reason(tree, handler, settings):
    run = request_run(tree.tongzhou)
    as_left_by_a_dead_worker(run, attempts=settings.JOB_MAX_ATTEMPTS)
    assert services.job_runs_sweep() == {"requeued": 0, "failed": 1, "resent": 0}
    run.refresh_from_db()
    assert (run.state, run.reason) == (JobRun.State.FAILED, "worker_lost")
    assert run.finished_at is not None
    assert "3 attempts" in run.reason_text


def test_the_sweeper_leaves_live_and_finished_runs_alone(tree, handler):
    handler.set(produce())
    alive = request_run(tree.tongzhou, "alive")
    as_left_by_a_dead_worker(alive, expired=False)
    done = request_run(tree.tongzhou, "done")
    services.job_run_execute(job_run_id=done.pk)
    fresh = request_run(tree.tongzhou, "fresh")  # queued, its message on its way
    assert services.job_runs_sweep() == {"requeued": 0, "failed": 0, "resent": 0}
    assert JobRun.objects.get(pk=alive.pk).claim == "dead-worker"
    assert JobRun.objects.get(pk=fresh.pk).state == JobRun.State.QUEUED


def test_the_sweeper_resends_a_queued_run_nobody_picked_up(
    tree, handler, django_capture_on_commit_callbacks
):
    run = request_run(tree.tongzhou)
    JobRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.job_runs_sweep() == {"requeued": 0, "failed": 0, "resent": 1}
        assert services.job_runs_sweep()["resent"] == 0  # once per lease, not every minute
    assert len(queued) == 1
    run.refresh_from_db()
    assert run.state == JobRun.State.QUEUED
    assert run.lease_expires_at > timezone.now()


def test_the_sweeper_is_a_periodic_task_not_a_job_run(tree, handler, settings):
    schedule = {s.name: s for s in declared()}["job run sweeper"]
    assert schedule.task == "core.tasks.job_runs_sweep_task"
    assert schedule.every_seconds == settings.JOB_SWEEP_SECONDS
    assert job_runs_sweep_task.apply().get() == {"requeued": 0, "failed": 0, "resent": 0}
    assert not JobRun.objects.exists()


# --- Asking again, re-running -----------------------------------------------------------------


def failed(handler, unit, period="2019-12", actor=None):
    handler.set(raising(RuntimeError("boom")))
    run = services.job_run_enqueue(kind=KIND, unit=unit, period=period, actor=actor)
    services.job_run_execute(job_run_id=run.pk)
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED
    return run


def test_a_rerun_gets_every_attempt_again_and_keeps_the_scope(tree, handler, county_staff):
    run = services.job_run_enqueue(
        kind=KIND,
        unit=tree.tongzhou,
        period="2019-12",
        actor=county_staff,
        scope=[tree.tongzhou, tree.rudong],
    )
    as_left_by_a_dead_worker(run, attempts=3)
    services.job_runs_sweep()
    run.refresh_from_db()
    assert (run.state, run.reason) == (JobRun.State.FAILED, "worker_lost")
    run = services.job_run_requeue(job_run=run, actor=None)
    assert (run.state, run.attempts, run.reason, run.error) == (JobRun.State.QUEUED, 0, "", "")
    assert run.requested_by == county_staff
    assert set(JobRunScope.objects.filter(run=run).values_list("unit__code", flat=True)) == {
        "NT-TZ",
        "NT-RD",
    }


def test_only_a_failed_run_is_run_again(tree, handler):
    handler.set(produce())
    run = request_run(tree.tongzhou)
    with pytest.raises(Conflict):
        services.job_run_requeue(job_run=run, actor=None)


def test_the_schedule_asking_again_requeues_its_failed_run(tree, handler):
    run = failed(handler, tree.city)
    again = services.job_run_enqueue(kind=KIND, unit=tree.city, period="2019-12", actor=None)
    assert again.pk == run.pk
    assert again.state == JobRun.State.QUEUED


def test_someone_else_asking_for_a_failed_run_does_not_take_it_over(
    tree, handler, county_staff, city_staff
):
    run = failed(handler, tree.tongzhou, actor=county_staff)
    with pytest.raises(Conflict):
        campaign_services.job_run_request(
            kind=KIND, unit=tree.tongzhou, period="2019-12", actor=city_staff
        )
    run.refresh_from_db()
    assert (run.state, run.requested_by) == (JobRun.State.FAILED, county_staff)


def test_a_run_needs_a_scope(tree, handler):
    with pytest.raises(ValueError, match="scope"):
        services.job_run_enqueue(kind=KIND, unit=tree.city, period="p", actor=None, scope=[])


def test_an_unknown_kind_fails_with_its_reason(tree, handler):
    run = request_run(tree.tongzhou)
    jobs.registry.pop(KIND)
    assert services.job_run_execute(job_run_id=run.pk) == JobRun.State.FAILED
    run.refresh_from_db()
    assert run.reason == "unknown_kind"
    assert run.reason_text == "This kind of job no longer exists."


# --- Existing rows --------------------------------------------------------------------------


def test_existing_runs_get_their_unit_as_scope(tree):
    """core.0004 gives every run made before scopes were recorded its unit as its scope."""
    from django.apps import apps

    migration = importlib.import_module("core.migrations.0004_jobrun_scope_from_unit")
    ok = JobRun.objects.create(kind="org_statistics", unit=tree.rudong, period="a")
    bad = JobRun.objects.create(
        kind="org_statistics", unit=tree.city, period="b", state="failed", error="x"
    )
    recorded = services.job_run_enqueue(
        kind="org_statistics", unit=tree.city, period="c", actor=None, scope=[tree.tongzhou]
    )
    migration.scope_from_unit(apps, None)
    assert JobRun.objects.get(pk=ok.pk).scope_units() == [tree.rudong]
    assert JobRun.objects.get(pk=bad.pk).scope_units() == [tree.city]
    assert JobRun.objects.get(pk=bad.pk).reason == "error"
    assert JobRun.objects.get(pk=recorded.pk).scope_units() == [tree.tongzhou]  # left alone


def test_the_admin_shows_a_run_with_its_scope(tree, handler, city_admin, client_for):
    handler.set(produce())
    run = services.job_run_enqueue(
        kind=KIND, unit=tree.tongzhou, period="p", actor=None, scope=[tree.tongzhou, tree.rudong]
    )
    client = client_for(city_admin)
    assert client.get(reverse("admin:core_jobrun_changelist")).status_code == 200
    page = client.get(reverse("admin:core_jobrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert "如东县" in page.content.decode()
