"""Thin Celery tasks of the hazard register: they take ids and call a service."""

from celery import shared_task
from django.db import OperationalError

from hazards import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def hazard_event_notify_task(event_id):
    services.hazard_event_notify(event_id=event_id)


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def hazard_escalation_task():
    """Daily: ask for today's escalation job runs, one per top unit (each safe to repeat the
    same day); ``core.tasks.job_run_task`` runs them. Returns the run ids."""
    from hazards.escalation import hazards_escalation_request

    return [run.pk for run in hazards_escalation_request()]
