"""Job runs: queue one, and run one on a worker.

Who may ask for a run is the business of the app that offers the button (``campaign`` checks
the unit permission and records the run's scope); this module only keeps the rows honest.
"""

import traceback

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import jobs
from core.models import JobRun
from core.services.audit import audit


def _queue(job_run_id):
    from core.tasks import job_run_task

    transaction.on_commit(lambda: job_run_task.delay(job_run_id))


@transaction.atomic
def job_run_enqueue(*, kind, unit, period, actor, params=None):
    """Queue a run of ``kind`` for ``unit`` and ``period``; one row per (kind, unit, period).

    Asking again for a run that already succeeded or is under way returns that run; a failed
    run is queued again (that is the re-run button), still as the run of whoever first asked
    for it: its ``requested_by`` and ``params`` stay. ``actor`` is None for scheduled runs.
    """
    if jobs.get(kind) is None:
        raise LookupError(f"no job registered for kind {kind!r}")
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                kind=kind, unit=unit, period=period, requested_by=actor, params=params or {}
            )
    except IntegrityError:
        run = JobRun.objects.select_for_update().get(kind=kind, unit=unit, period=period)
        if run.state != JobRun.State.FAILED:
            return run
        run.state = JobRun.State.QUEUED
        run.progress = 0
        run.error = ""
        run.started_at = run.finished_at = None
        run.save()
    audit(actor=actor, action="job.request", unit=unit, kind=kind, period=period)
    _queue(run.pk)
    return run


def job_run_execute(*, job_run_id):
    """Run one queued job (called by the worker). Safe to call twice: only one run proceeds."""
    claimed = JobRun.objects.filter(pk=job_run_id, state=JobRun.State.QUEUED).update(
        state=JobRun.State.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return  # already taken by another delivery of the same message, or finished
    run = JobRun.objects.select_related("unit").get(pk=job_run_id)
    JobRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)

    def report_progress(percent):
        JobRun.objects.filter(pk=run.pk).update(progress=max(0, min(100, int(percent))))

    job = jobs.get(run.kind)
    try:
        if job is None:
            raise LookupError(f"no job registered for kind {run.kind!r}")
        produced = job.handler(run, report_progress)
    except Exception as exc:  # the run records any failure; the worker stays up
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=5)}"[:4000],
        )
        return
    if produced is not None:
        run.file.save(produced.name, ContentFile(produced.content), save=False)
        JobRun.objects.filter(pk=run.pk).update(file=run.file.name)
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.SUCCEEDED, finished_at=timezone.now(), progress=100, error=""
    )
