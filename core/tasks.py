"""Thin Celery tasks: they take ids and call a service."""

from celery import shared_task
from django.db import OperationalError

from core import services


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
