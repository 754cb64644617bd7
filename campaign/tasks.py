"""Thin Celery tasks of the campaign app: they take ids and call a service.

Celery's autodiscovery imports ``<app>.tasks`` only: the governance parts keep their tasks
beside their code, so they are imported here for the worker and beat to know them.
"""

from celery import shared_task
from django.utils import timezone

from campaign import services
from campaign.directives.tasks import directive_deadlines_daily_task  # noqa: F401
from campaign.keyperiods.tasks import daily_report_reminders_task  # noqa: F401
from campaign.meetings.tasks import quarterly_meetings_daily_task  # noqa: F401


@shared_task(ignore_result=True)
def org_statistics_nightly_task():
    """Rebuild the statistics of every top unit (city or province) once a night, each as a job
    run of that unit and day."""
    services.org_statistics_schedule(day=timezone.localdate())
