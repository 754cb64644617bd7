"""How the monthly part plugs into the registries below it (called from ReportingConfig.ready)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def ready():
    from campaign.roles import Perm
    from core import calendar, jobs
    from core.schedules import Schedule, declare
    from reporting.monthly import calendar as monthly_calendar

    # Celery's autodiscovery imports ``reporting.tasks`` only: importing the part's tasks here
    # registers them with the worker, so the beat's messages are understood.
    from reporting.monthly import services, tasks, uploaders  # noqa: F401

    jobs.register(
        services.PREPARE_JOB,
        _("Prepare the monthly hazard list for the provincial system"),
        services.monthly_prepare_job,
        perm=Perm.RUN_JOBS,
        describe=services.prepare_describe,
    )
    jobs.register(
        services.UPLOAD_JOB,
        _("Upload the monthly hazard list to the provincial system"),
        uploaders.http_upload_job,
        perm=Perm.RUN_JOBS,
        describe=uploaders.upload_describe,
    )
    services.register_notices()
    day = settings.REPORTING_MONTHLY_PREPARE_DAY
    # On the prepare day and every day after it to the month's end: the first run queues every
    # county, the later ones only what is missing (a county added, a beat that was down).
    declare(
        Schedule(
            name="monthly upload: prepare the lists",
            task="reporting.monthly.tasks.monthly_prepare_task",
            crontab=f"30 1 {day}-31 * *",
            expire_seconds=6 * 3600,
            label=_("Prepare this month's hazard lists for the provincial system (all counties)"),
        )
    )
    declare(
        Schedule(
            name="monthly upload: overdue escalation",
            task="reporting.monthly.tasks.monthly_escalate_task",
            crontab="10 8 * * *",
            expire_seconds=6 * 3600,
            label=_("Tell counties and the city of monthly uploads not confirmed by the 1st"),
        )
    )
    from reporting.briefings import sections
    from reporting.monthly import briefing

    sections.register(
        "monthly_uploads",
        _("Monthly upload to the provincial system"),
        briefing.monthly_status,
        "reporting/monthly/briefing_section.html",
        order=25,
    )
    calendar.register("monthly", _("Monthly upload"), monthly_calendar.calendar_entries, order=20)
