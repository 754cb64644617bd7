"""Thin Celery tasks of the meetings."""

from celery import shared_task

from campaign.meetings import services


@shared_task(ignore_result=True)
def quarterly_meetings_daily_task():
    """Remind the units without a quarterly analysis meeting two weeks before the quarter
    ends; put on record those without one once it is over (daily)."""
    services.quarterly_daily()
