"""Job runs: queue one, run one on a worker, queue a failed one again.

Who may ask for a run is the business of the app that offers the button (``campaign`` checks
the unit permission and decides the run's scope); this module only keeps the rows honest.
"""

import traceback

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.errors import Conflict
from core.models import JobRun, JobRunScope
from core.services.audit import audit


def _queue(job_run_id):
    from core.tasks import job_run_task

    transaction.on_commit(lambda: job_run_task.delay(job_run_id))


def _technical(exc):
    return f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"[:4000]


def _reset_fields():
    """A run queued afresh."""
    return {
        "state": JobRun.State.QUEUED,
        "progress": 0,
        "attempts": 0,
        "error": "",
        "reason": "",
        "started_at": None,
        "finished_at": None,
    }


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
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                kind=kind, unit=unit, period=period, requested_by=actor, params=params or {}
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
        JobRun.objects.filter(pk=run.pk).update(**_reset_fields())
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
    JobRun.objects.filter(pk=run.pk).update(**_reset_fields())
    audit(actor=actor, action="job.rerun", unit=run.unit, kind=run.kind, period=run.period)
    _queue(run.pk)
    run.refresh_from_db()
    return run


def job_run_execute(*, job_run_id):
    """Run one queued job (called by the worker). Safe to call twice: only one run proceeds."""
    claimed = JobRun.objects.filter(pk=job_run_id, state=JobRun.State.QUEUED).update(
        state=JobRun.State.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return  # already taken by another delivery of the same message, or finished
    run = JobRun.objects.select_related("unit", "requested_by").get(pk=job_run_id)
    JobRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)

    def report_progress(percent):
        JobRun.objects.filter(pk=run.pk).update(progress=max(0, min(100, int(percent))))

    job = jobs.get(run.kind)
    try:
        if job is None:
            raise jobs.JobFailed("unknown_kind", f"no job registered for kind {run.kind!r}")
        produced = job.handler(run, report_progress)
    except Exception as exc:  # the run records any failure; the worker stays up
        reason = exc.reason if isinstance(exc, jobs.JobFailed) else "error"
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.FAILED,
            finished_at=timezone.now(),
            reason=reason,
            error=_technical(exc),
        )
        return
    if produced is not None:
        run.file.save(produced.name, ContentFile(produced.content), save=False)
        JobRun.objects.filter(pk=run.pk).update(file=run.file.name)
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.SUCCEEDED, finished_at=timezone.now(), progress=100, error=""
    )
