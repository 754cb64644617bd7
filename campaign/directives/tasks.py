"""Thin Celery tasks of the directives."""

from celery import shared_task

from campaign.directives import services


@shared_task(ignore_result=True)
def directive_deadlines_daily_task():
    """Put on record the receipts not confirmed by their directive's deadline (daily)."""
    services.directive_deadlines_record()
