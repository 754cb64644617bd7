"""The daily reminder of the key periods' daily safety reports (thin: calls the service)."""

from celery import shared_task
from django.utils import timezone

from campaign.keyperiods import services


@shared_task(ignore_result=True)
def daily_report_reminders_task():
    """Remind every unit that has not filed today's daily report in a running key period."""
    services.daily_reports_remind_all(day=timezone.localdate())
