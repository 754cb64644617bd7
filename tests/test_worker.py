"""Real Celery workers run jobs: web → broker → worker → database, and a job whose worker is
killed in the middle is completed by another.

The worker is a separate process started with ``celery -A portal worker`` against the current
test database, on the embedded filesystem broker (in a private folder, so no leftover message
can reach it) and, when CELERY_BROKER_URL names a Redis server (CI), on Redis. Beat is started
once too, to show that the schedules written by ``sync_schedules`` reach the worker.
"""

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu import pools as kombu_pools
from openpyxl import load_workbook

from campaign import services
from campaign.models import UnitStatistics
from core.models import AuditEntry, JobRun, WorkerHeartbeat
from core.tasks import job_runs_sweep_task
from portal.celery import app
from tests import slow_job

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")
TIMEOUT = 60
ENV_BROKER = os.environ.get("CELERY_BROKER_URL", "")


def _database_url():
    """The URL of the database this test runs on (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def wait_for(condition, what, proc, log):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    output = log.read_text(errors="replace")[-4000:] if log.exists() else ""
    pytest.fail(f"timed out waiting for {what}; celery said:\n{output}")


class Broker:
    """Point this process's Celery app (and /healthz) at the test's broker, then restore it."""

    def __init__(self, url, folder, settings, monkeypatch):
        self.url, self.folder, self.settings = url, folder, settings
        self.monkeypatch = monkeypatch

    @property
    def transport_options(self):
        if not self.url.startswith("filesystem://"):
            return {"visibility_timeout": 3600}
        for sub in ("queue", "control", "processed"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(self.folder / "queue"),
            "data_folder_out": str(self.folder / "queue"),
            "processed_folder": str(self.folder / "processed"),
            "store_processed": False,
            "control_folder": str(self.folder / "control"),
        }

    def _reset_pools(self):
        # The producer pool keeps connections made with the old URL and options. kombu keeps
        # its pools in a global registry keyed by URL: closing one without forgetting it hands
        # the closed pool back to the next user of that URL, so reset the registry itself.
        kombu_pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    def __enter__(self):
        self.saved = (app.conf.broker_url, app.conf.broker_transport_options)
        self.settings.CELERY_BROKER_URL = self.url
        self.settings.BROKER_DIR = self.folder
        # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
        self.monkeypatch.setenv("CELERY_BROKER_URL", self.url)
        app.conf.broker_url = self.url
        app.conf.broker_transport_options = self.transport_options
        self._reset_pools()
        return self

    def __exit__(self, *exc):
        app.conf.broker_url, app.conf.broker_transport_options = self.saved
        self.monkeypatch.undo()
        self._reset_pools()

    def env(self, tmp_path):
        env = dict(os.environ)
        env.setdefault("DEBUG", "true")
        env.update(
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=self.url,
            CELERY_FS_BROKER_DIR=str(self.folder),
            MEDIA_ROOT=str(tmp_path / "files"),
            WORKER_HEARTBEAT_SECONDS="5",
            PYTHONUNBUFFERED="1",
        )
        return env


def start(argv, env, log):
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so that the whole group (pool children too) can be stopped
    )


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.fixture(
    params=[
        pytest.param("filesystem://", id="embedded"),
        pytest.param(ENV_BROKER, id="redis"),
    ]
)
def broker(request, transactional_db, settings, tmp_path, monkeypatch):
    url = request.param
    if request.node.callspec.id.endswith("redis") and not url.startswith(("redis://", "rediss://")):
        pytest.skip("CELERY_BROKER_URL does not name a Redis server (CI sets it)")
    settings.MEDIA_ROOT = tmp_path / "files"
    with Broker(url, tmp_path / "broker", settings, monkeypatch) as broker:
        yield broker


def start_worker(broker, tmp_path, name="worker", *, env=None, include=()):
    """A real ``celery -A portal worker`` on the test's broker and database, once it is ready.

    ``env``: more environment (e.g. a short JOB_LEASE_SECONDS); ``include``: modules the worker
    imports besides the apps' tasks (``-I``), e.g. a job kind only a test needs.
    """
    hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log = tmp_path / f"{name}.log"
    argv = [CELERY, "-A", "portal", "worker", "--pool", "solo", "-l", "info", "-n", hostname]
    argv += ["--without-mingle", "--without-gossip"]
    if include:
        argv += ["-I", ",".join(include)]
    proc = start(argv, {**broker.env(tmp_path), **(env or {})}, log)
    try:
        # The worker records a heartbeat as soon as it is ready (portal.celery).
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname=hostname).exists(),
            f"{name} to start",
            proc,
            log,
        )
    except BaseException:
        stop(proc)
        raise
    proc.broker, proc.hostname, proc.log = broker, hostname, log
    return proc


@pytest.fixture
def worker(broker, tmp_path):
    proc = start_worker(broker, tmp_path)
    try:
        yield proc
    finally:
        stop(proc)


def test_statistics_job_runs_on_a_real_worker(worker, tree, city_admin, client_for, tmp_path):
    WorkerHeartbeat.objects.all().delete()  # from here on only a task can write one
    run = services.org_statistics_request(unit=tree.city, actor=city_admin)
    assert run.state == JobRun.State.QUEUED

    def finished():
        run.refresh_from_db()
        return run.state in (JobRun.State.SUCCEEDED, JobRun.State.FAILED)

    wait_for(finished, "the statistics job", worker, worker.log)
    assert run.state == JobRun.State.SUCCEEDED, run.error
    assert run.progress == 100
    assert run.started_at <= run.finished_at

    stats = {s.unit.name: s for s in UnitStatistics.objects.select_related("unit")}
    assert stats["南通市"].schools == 4
    assert stats["南通市"].students == 4 * 800
    assert stats["通州区"].schools == 2
    assert stats["通州区"].by_category == {"primary": 1, "kindergarten": 1}
    assert stats["通州区"].by_ownership == {"public": 1, "private": 1}
    assert stats["如东县"].schools == 1

    with run.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["通州区"][2] == 2
    assert rows["南通市"][2] == 4

    # The file is served to the city admin through the permission-checked view.
    client = client_for(city_admin)
    response = client.get(reverse("campaign:job_file", args=[run.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"

    # A heartbeat task reaches the worker, and /healthz then reports it alive.
    from core.tasks import worker_heartbeat_task

    worker_heartbeat_task.delay()
    wait_for(
        lambda: WorkerHeartbeat.objects.filter(hostname=worker.hostname).exists(),
        "the heartbeat task",
        worker,
        worker.log,
    )
    health = client.get("/healthz")
    assert health.status_code == 200, health.content
    assert health.json()["worker"]["ok"] is True


def test_beat_sends_the_declared_heartbeat_to_the_worker(worker, tmp_path):
    """sync_schedules writes the schedule; a real beat sends it; the worker records it."""
    call_command("sync_schedules", stdout=io.StringIO())
    # This process's settings say 30 s; the subprocesses run with 5 s (see Broker.env).
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    task = PeriodicTask.objects.get(name="worker heartbeat")
    task.interval = IntervalSchedule.objects.get_or_create(every=5, period="seconds")[0]
    task.save()
    WorkerHeartbeat.objects.all().delete()
    started = timezone.now()
    log = tmp_path / "beat.log"
    beat = start(
        [CELERY, "-A", "portal", "beat", "-l", "info", "-s", str(tmp_path / "beat-schedule")],
        worker.broker.env(tmp_path),
        log,
    )
    try:
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(seen_at__gt=started).exists(),
            "beat's heartbeat",
            beat,
            log,
        )
    finally:
        stop(beat)
    assert django_settings.CELERY_BEAT_SCHEDULER.endswith("DatabaseScheduler")


def test_a_job_whose_worker_was_killed_completes_once_on_another(
    broker, tree, county_staff, tmp_path
):
    """DESIGN §6: a run is claimed with a lease its worker extends; when the worker dies, the
    sweeper re-queues the run and another worker completes it, exactly once, with one file.
    (Before leases the run stayed *running* for ever: fails on the code before this change.)"""
    short_lease = {"JOB_LEASE_SECONDS": "3"}
    run = services.job_run_request(
        kind=slow_job.KIND, unit=tree.tongzhou, period="kill-test", actor=county_staff
    )
    first = start_worker(broker, tmp_path, "first", env=short_lease, include=["tests.slow_job"])
    try:
        wait_for(
            lambda: JobRun.objects.filter(pk=run.pk, state="running", progress__gt=0).exists(),
            "the job to make progress",
            first,
            first.log,
        )
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies in the middle of the job
        first.wait()
    run.refresh_from_db()
    assert (run.state, run.attempts) == (JobRun.State.RUNNING, 1)
    assert not AuditEntry.objects.filter(action=slow_job.DONE).exists()

    second = start_worker(broker, tmp_path, "second", env=short_lease, include=["tests.slow_job"])
    try:
        wait_for(
            lambda: JobRun.objects.filter(pk=run.pk, lease_expires_at__lt=timezone.now()).exists(),
            "the dead worker's lease to run out",
            second,
            second.log,
        )
        job_runs_sweep_task.delay()  # what beat sends every JOB_SWEEP_SECONDS

        def finished():
            run.refresh_from_db()
            return run.state in (JobRun.State.SUCCEEDED, JobRun.State.FAILED)

        wait_for(finished, "the job to finish on the second worker", second, second.log)
    finally:
        stop(second)

    assert run.state == JobRun.State.SUCCEEDED, (run.reason, run.error)
    assert run.attempts == 2
    assert run.result == {"steps": slow_job.STEPS}
    folder = Path(django_settings.MEDIA_ROOT) / "jobs" / slow_job.KIND / str(run.pk)
    assert [p.name for p in folder.iterdir()] == [run.file_name]
    with run.file.open("rb") as handle:
        assert handle.read() == f"run {run.pk}".encode()
    done = AuditEntry.objects.filter(action=slow_job.DONE)
    assert [entry.detail for entry in done] == [{"run": run.pk, "attempt": 2}]
