"""Thin Celery tasks of the monthly upload: they take nothing (the day decides) and call a
service; the work itself runs in job runs (core.tasks.job_run_task)."""

from celery import shared_task
from django.db import OperationalError

from reporting.monthly import services

RETRY = {
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(**RETRY)
def monthly_prepare_task():
    """From the prepare day on: queue this month's preparation for every active county
    (idempotent; the days after the prepare day only catch up what is missing)."""
    return services.monthly_prepare_all()


@shared_task(**RETRY)
def monthly_escalate_task():
    """Daily: uploads of a month that has ended without confirmation are overdue; their
    county and city are told once."""
    return services.monthly_escalate()
