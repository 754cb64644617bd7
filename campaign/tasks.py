"""Thin Celery tasks of the campaign app: they take ids and call a service."""

from celery import shared_task
from django.utils import timezone

from campaign import services


@shared_task(ignore_result=True)
def org_statistics_nightly_task():
    """Rebuild the statistics of every top unit (city or province) once a night, each as a job
    run of that unit and day."""
    services.org_statistics_schedule(day=timezone.localdate())
