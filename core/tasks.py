"""Thin Celery tasks: they take ids and call a service."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from core import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def job_run_task(self, job_run_id):
    """Run one job run. A transient database error inside the job put the run back: retry with
    backoff (the run's own attempt count bounds it, and fails it after the last). A database
    error outside the job (claiming, finishing) retries the message a bounded number of times;
    should that give up, the run's lease runs out and the sweeper takes it up."""
    try:
        services.job_run_execute(job_run_id=job_run_id)
    except services.RetryLater as later:
        raise self.retry(countdown=later.countdown) from later
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(
            exc=exc,
            countdown=services.backoff_seconds(self.request.retries + 1),
            max_retries=settings.JOB_MAX_ATTEMPTS,
        ) from exc


@shared_task(ignore_result=True)
def job_runs_sweep_task():
    """Periodic: re-queue (or give up) job runs whose worker died; an infrastructure probe, not
    a job run itself (docs/decisions.md)."""
    return services.job_runs_sweep()


@shared_task(ignore_result=True)
def worker_heartbeat_task():
    from celery import current_task

    services.worker_heartbeat_record(hostname=current_task.request.hostname or "worker")
