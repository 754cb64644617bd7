"""Thin Celery tasks of the weekly oversight: the daily reminders and the hourly summaries."""

from celery import shared_task
from django.db import OperationalError

RETRY = {
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(**RETRY)
def week_reminders_task():
    """08:30 every day: remind whoever has not submitted a report due today or tomorrow."""
    from reporting.weekly.oversight import reminders

    return reminders.reminders_due().people


@shared_task(**RETRY)
def week_summaries_task():
    """Hourly: ask for the city summaries of the latest week past its county deadline."""
    from reporting.weekly.oversight import summaries

    return summaries.summaries_enqueue()
