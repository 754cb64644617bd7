"""Thin Celery tasks of the weekly reports: they take ids (or nothing) and call a service."""

from celery import shared_task
from django.db import OperationalError

from reporting.weekly import opening


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def week_open_task():
    """Monday morning, and hourly as a catch-up: open this week's reports (idempotent)."""
    return opening.week_open()
