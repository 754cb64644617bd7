"""Thin Celery tasks of the campaign app: they take ids and call a service."""

from celery import shared_task

from campaign import services


@shared_task(ignore_result=True)
def org_statistics_nightly_task():
    """Rebuild the statistics of every top unit (city or province) once a night."""
    from campaign.models import OrgUnit

    for unit in OrgUnit.objects.filter(parent__isnull=True, is_active=True):
        services.org_statistics_request(unit=unit, actor=None)
