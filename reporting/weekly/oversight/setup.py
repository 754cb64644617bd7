"""How the weekly oversight part (rates, reminders, the city summary) plugs into the registries
below it (called from ReportingConfig.ready)."""

from django.utils.translation import gettext_lazy as _


def ready():
    from core.schedules import Schedule, declare
    from reporting.weekly.oversight import (
        reminders,
        summaries,
        tasks,  # noqa: F401 - registers the beat's tasks
    )

    reminders.register_notices()
    summaries.register_jobs()

    # 08:30 each day (settings.TIME_ZONE): the day before a deadline and its morning; which of
    # the two is decided by each report's due_at. Idempotent (dedupe key per report and day).
    declare(
        Schedule(
            name="weekly reports: remind who has not submitted",
            task="reporting.weekly.oversight.tasks.week_reminders_task",
            crontab="30 8 * * *",
            expire_seconds=6 * 3600,
            label=_(
                "Remind the schools and counties whose weekly report is due today or tomorrow "
                "(every day at 08:30)"
            ),
        )
    )
    # Hourly at :20: once the county deadline has passed, the city summary of that week.
    declare(
        Schedule(
            name="weekly reports: city summaries",
            task="reporting.weekly.oversight.tasks.week_summaries_task",
            crontab="20 * * * *",
            expire_seconds=3000,
            label=_(
                "Compile the city weekly summaries of the last week whose county deadline has "
                "passed (every hour; compiles each week once)"
            ),
        )
    )
