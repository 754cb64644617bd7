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
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def hazard_escalation_task():
    """Daily: due-soon, overdue and escalation notifications (safe to repeat the same day)."""
    from hazards.escalation import hazards_escalate

    return hazards_escalate()
