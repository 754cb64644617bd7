"""Job runs: queue one, run one on a worker under a lease, and sweep up runs whose worker died.

Who may ask for a run is the business of the app that offers the button (``campaign`` checks
the unit permission and decides the run's scope); this module keeps the rows honest:

- A worker *claims* a run: queued, or running with an expired lease (its worker died), in one
  conditional UPDATE that also counts the attempt and hands the worker a claim token.
- While the handler works, the lease is extended on every progress report and, for a handler
  busy in one long query, every third of the lease from a background thread with its own
  database connection.
- Finishing (success, failure, putting the run back) is a compare-and-set on the claim token:
  a worker that lost its lease writes nothing and adds no file.
- A transient database error puts the run back and the task retries with backoff; the sweeper
  re-queues runs whose lease expired. Both stop after ``JOB_MAX_ATTEMPTS`` starts and fail the
  run with a reason.
"""

import logging
import threading
import traceback
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.errors import Conflict
from core.models import JobRun, JobRunScope
from core.services.audit import audit

log = logging.getLogger(__name__)

# Errors after which the same work may well succeed a little later.
TRANSIENT = (OperationalError, InterfaceError)
BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 600
SWEEP_BATCH = 500


class RetryLater(Exception):
    """The run was put back after a transient error: retry the task after ``countdown`` s."""

    def __init__(self, countdown):
        super().__init__(f"retry in {countdown} s")
        self.countdown = countdown


class LeaseLost(Exception):
    """This worker no longer holds the run: its lease ran out and the run was taken over."""


def _lease():
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def backoff_seconds(attempt):
    """Seconds to wait before attempt ``attempt + 1`` after a transient error: 10, 20, 40 …"""
    return min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))


def _queue(job_run_id, *, expires=None):
    from core.tasks import job_run_task

    transaction.on_commit(lambda: job_run_task.apply_async((job_run_id,), expires=expires))


def _technical(exc):
    return f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"[:4000]


def _reset_fields(now):
    """A run queued afresh: every attempt ahead of it, picked up within one lease."""
    return {
        "state": JobRun.State.QUEUED,
        "progress": 0,
        "attempts": 0,
        "error": "",
        "reason": "",
        "result": {},
        "claim": "",
        "started_at": None,
        "finished_at": None,
        "lease_expires_at": now + _lease(),
    }


# --- Asking for a run -----------------------------------------------------------------------


@transaction.atomic
def job_run_enqueue(*, kind, unit, period, actor, params=None, scope=None):
    """Queue a run of ``kind`` for ``unit`` and ``period``; one row per (kind, unit, period).

    ``scope`` is the units whose subtrees the run's content may come from (default: ``unit``);
    it is recorded on the run and decides who sees it. Asking again for a run that already
    succeeded or is under way returns that run. A failed run asked for again by the schedule
    (``actor`` None) or by its requester is queued again, still with its first requester,
    params and scope; anyone else gets a ``Conflict`` (re-running is for the requester or a
    city administrator: ``job_run_requeue``).
    """
    if jobs.get(kind) is None:
        raise LookupError(f"no job registered for kind {kind!r}")
    units = {u.pk: u for u in (scope if scope is not None else [unit])}
    if not units:
        raise ValueError("a job run needs a scope of at least one unit")
    now = timezone.now()
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                kind=kind,
                unit=unit,
                period=period,
                requested_by=actor,
                params=params or {},
                lease_expires_at=now + _lease(),
            )
            JobRunScope.objects.bulk_create(JobRunScope(run=run, unit=u) for u in units.values())
    except IntegrityError:
        run = JobRun.objects.select_for_update().get(kind=kind, unit=unit, period=period)
        if run.state != JobRun.State.FAILED:
            return run
        if actor is not None and actor.pk != run.requested_by_id:
            raise Conflict(
                _(
                    "This job already ran and failed; only the person who asked for it or a "
                    "city administrator can run it again."
                )
            ) from None
        JobRun.objects.filter(pk=run.pk).update(**_reset_fields(now))
        run.refresh_from_db()
    audit(actor=actor, action="job.request", unit=unit, kind=kind, period=period)
    _queue(run.pk)
    return run


@transaction.atomic
def job_run_requeue(*, job_run, actor):
    """Queue a failed run again (the re-run button), keeping its requester, params and scope.

    Who may is ``campaign.policy``'s question; here only the state is checked.
    """
    run = JobRun.objects.select_for_update().get(pk=job_run.pk)
    if run.state != JobRun.State.FAILED:
        raise Conflict(_("Only a failed run can be run again."))
    JobRun.objects.filter(pk=run.pk).update(**_reset_fields(timezone.now()))
    audit(actor=actor, action="job.rerun", unit=run.unit, kind=run.kind, period=run.period)
    _queue(run.pk)
    run.refresh_from_db()
    return run


# --- Running one ----------------------------------------------------------------------------


def _claim(job_run_id):
    """Take the run for this worker if it is free; the claim token, or None."""
    token = uuid.uuid4().hex
    now = timezone.now()
    expired = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    claimable = Q(state=JobRun.State.QUEUED) | (
        Q(state=JobRun.State.RUNNING) & expired & Q(attempts__lt=settings.JOB_MAX_ATTEMPTS)
    )
    claimed = JobRun.objects.filter(claimable, pk=job_run_id).update(
        state=JobRun.State.RUNNING,
        claim=token,
        attempts=F("attempts") + 1,
        lease_expires_at=now + _lease(),
        started_at=now,
        finished_at=None,
        progress=0,
    )
    return token if claimed else None


def _held(run_id, token):
    return JobRun.objects.filter(pk=run_id, claim=token, state=JobRun.State.RUNNING)


class _Lease:
    """Keeps a claimed run's lease fresh while its handler works.

    Every progress report extends it; so does a background thread every third of the lease,
    with its own database connection (closed when the handler ends), for a handler busy in one
    long query. When the claim is gone (the lease ran out and the run was taken over), the next
    progress report raises ``LeaseLost`` so that the handler stops.
    """

    def __init__(self, run_id, token):
        self.run_id, self.token = run_id, token
        self.lost = threading.Event()
        self._stop = threading.Event()

    def _extend(self, **fields):
        return _held(self.run_id, self.token).update(
            lease_expires_at=timezone.now() + _lease(), **fields
        )

    def report_progress(self, percent):
        if self.lost.is_set() or not self._extend(progress=max(0, min(100, int(percent)))):
            self.lost.set()
            raise LeaseLost(f"job run {self.run_id} was taken over")

    def _keep(self):
        interval = max(1.0, settings.JOB_LEASE_SECONDS / 3)
        try:
            while not self._stop.wait(interval):
                try:
                    if not self._extend():
                        self.lost.set()
                        return
                except DatabaseError:
                    # The next tick tries again; if the database stays away the lease runs out
                    # and the sweeper takes the run up: the safe outcome.
                    log.warning("could not extend the lease of job run %s", self.run_id)
        finally:
            connections.close_all()  # this thread's connections only

    @contextmanager
    def kept(self):
        thread = threading.Thread(target=self._keep, name=f"lease-{self.run_id}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def _drop_broken_connection():
    # After a lost connection, the next query must open a new one (not inside a test's or a
    # caller's transaction, which must not be closed under it).
    if connection.connection is not None and not connection.in_atomic_block:
        if not connection.is_usable():
            connection.close()


def job_run_execute(*, job_run_id):
    """Claim one run and run its handler (called by the worker). Safe to call twice and from a
    redelivered message: only a free run is claimed. Returns the run's state afterwards, or
    None when this call did not (or no longer) hold the run.

    Raises ``RetryLater`` after a transient database error that put the run back.
    """
    token = _claim(job_run_id)
    if token is None:
        return None  # another delivery holds it, or it is finished
    run = JobRun.objects.select_related("unit", "requested_by").get(pk=job_run_id)
    job = jobs.get(run.kind)
    lease = _Lease(run.pk, token)
    try:
        with lease.kept():
            if job is None:
                raise jobs.JobFailed("unknown_kind", f"no job registered for kind {run.kind!r}")
            outcome = job.handler(run, lease.report_progress)
    except LeaseLost:
        log.warning("job run %s: lease lost, another worker has taken it over", run.pk)
        return None
    except jobs.JobFailed as exc:
        return _fail(run, token, reason=exc.reason, error=_technical(exc))
    except TRANSIENT as exc:
        _drop_broken_connection()
        if run.attempts >= settings.JOB_MAX_ATTEMPTS:
            return _fail(run, token, reason="database", error=_technical(exc))
        countdown = backoff_seconds(run.attempts)
        put_back = _held(run.pk, token).update(
            state=JobRun.State.QUEUED,
            claim="",
            error=_technical(exc),
            lease_expires_at=timezone.now() + timedelta(seconds=countdown) + _lease(),
        )
        if not put_back:
            return None
        log.warning("job run %s: %s; retrying in %s s", run.pk, exc, countdown)
        raise RetryLater(countdown) from exc
    except Exception as exc:  # the run records any failure; the worker stays up
        return _fail(run, token, reason="error", error=_technical(exc))
    return _succeed(run, token, outcome)


def _fail(run, token, *, reason, error):
    failed = _held(run.pk, token).update(
        state=JobRun.State.FAILED,
        finished_at=timezone.now(),
        reason=reason,
        error=error,
        lease_expires_at=None,
    )
    return JobRun.State.FAILED if failed else None


def _succeed(run, token, outcome):
    """Record the outcome if this worker still holds the run; its file is written only then."""
    if isinstance(outcome, jobs.ProducedFile):
        outcome = jobs.Outcome(file=outcome)
    elif outcome is None:
        outcome = jobs.Outcome()
    saved = ""
    try:
        with transaction.atomic():
            # The row lock (PostgreSQL) or the write transaction (SQLite) makes the check and
            # the write one step: a worker that lost its lease meanwhile stops here.
            if not _held(run.pk, token).select_for_update().exists():
                log.warning("job run %s: lease lost before finishing; nothing written", run.pk)
                return None
            if outcome.file is not None:
                run.file.save(outcome.file.name, ContentFile(outcome.file.content), save=False)
                saved = run.file.name
            _held(run.pk, token).update(
                state=JobRun.State.SUCCEEDED,
                finished_at=timezone.now(),
                progress=100,
                error="",
                reason="",
                result=outcome.result,
                file=saved,
                lease_expires_at=None,
            )
    except BaseException:
        if saved:
            run.file.storage.delete(saved)  # the row does not point at it: no orphan file
        raise
    return JobRun.State.SUCCEEDED


# --- The sweeper ----------------------------------------------------------------------------


def job_runs_sweep(*, now=None):
    """Take up the runs whose worker died, and re-send the runs no worker picked up.

    A running run whose lease expired is queued again (and a message sent) while it has been
    started fewer than ``JOB_MAX_ATTEMPTS`` times, otherwise it fails with the reason
    ``worker_lost``. A queued run not picked up within its lease (its message was lost with a
    worker) gets a new message, which expires after one lease so that a stopped cluster does
    not come back to a pile of them. Returns the counts.
    """
    now = now or timezone.now()
    expired = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    running = JobRun.objects.filter(expired, state=JobRun.State.RUNNING)
    for run_id, claim, attempts in running.values_list("id", "claim", "attempts")[:SWEEP_BATCH]:
        # Compare-and-set on the claim seen: a run claimed again meanwhile is left alone.
        same = JobRun.objects.filter(expired, pk=run_id, state=JobRun.State.RUNNING, claim=claim)
        note = f"The worker stopped holding this run during attempt {attempts}."
        with transaction.atomic():
            if attempts < settings.JOB_MAX_ATTEMPTS:
                if same.update(
                    state=JobRun.State.QUEUED,
                    claim="",
                    error=note,
                    lease_expires_at=now + _lease(),
                ):
                    _queue(run_id)
                    counts["requeued"] += 1
            elif same.update(
                state=JobRun.State.FAILED,
                finished_at=now,
                reason="worker_lost",
                error=note,
                lease_expires_at=None,
            ):
                counts["failed"] += 1
    queued = JobRun.objects.filter(expired, state=JobRun.State.QUEUED)
    for run_id in queued.values_list("id", flat=True)[:SWEEP_BATCH]:
        with transaction.atomic():
            if JobRun.objects.filter(expired, pk=run_id, state=JobRun.State.QUEUED).update(
                lease_expires_at=now + _lease()
            ):
                _queue(run_id, expires=settings.JOB_LEASE_SECONDS)
                counts["resent"] += 1
    if any(counts.values()):
        log.warning("job run sweep: %s", counts)
    return counts
