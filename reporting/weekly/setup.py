"""How the weekly reports plug into the registries below them (called from ReportingConfig)."""

from django.utils.translation import gettext_lazy as _


def ready():
    from core.schedules import Schedule, declare
    from reporting.weekly import calendar, demo, review, workbench

    # Each week's deadlines in the user's scope, on the calendar (reporting.calendar).
    calendar.register()

    # seed_demo's weeks of reports; seed_scale --reset removes the benchmark tree's reports.
    demo.register()
    # This week's report (or the reports awaiting review) on the workbench.
    workbench.register()
    # The notices a reviewer's accept / return sends to the officer who submitted.
    review.register_notices()

    # Every hour at :05: Monday 00:05 opens the week, the later runs open it for units added
    # since (and after a beat that was down on Monday). Idempotent.
    declare(
        Schedule(
            name="weekly reports: open the week",
            task="reporting.weekly.tasks.week_open_task",
            crontab="5 * * * *",
            expire_seconds=3000,
            label=_("Open this week's weekly reports (every hour; creates only what is missing)"),
        )
    )
