"""Thin Celery tasks: they take ids and call a service."""

from celery import shared_task
from django.db import OperationalError

from campaign import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def job_run_task(job_run_id):
    services.job_run_execute(job_run_id=job_run_id)


@shared_task(ignore_result=True)
def worker_heartbeat_task():
    from celery import current_task

    services.worker_heartbeat_record(hostname=current_task.request.hostname or "worker")


@shared_task(ignore_result=True)
def org_statistics_nightly_task():
    """Rebuild the statistics of every top unit (city or province) once a night."""
    from campaign.models import OrgUnit

    for unit in OrgUnit.objects.filter(parent__isnull=True, is_active=True):
        services.org_statistics_request(unit=unit, actor=None)
