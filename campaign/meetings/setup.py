"""How the meetings plug into the registries (called from ``CampaignConfig.ready``): their
notices, the demo, the calendar, the workbench and the daily quarterly-meeting job."""

from django.utils.translation import gettext_lazy as _


def ready():
    from campaign.meetings import calendar as meeting_calendar
    from campaign.meetings import demo, services, workbench
    from campaign.seeding import SeedExtension, register
    from campaign.workbench import register_section
    from core import calendar
    from core.schedules import Schedule, declare

    services.register_notices()
    declare(
        Schedule(
            name="daily quarterly meetings",
            task="campaign.meetings.tasks.quarterly_meetings_daily_task",
            crontab="40 1 * * *",
            expire_seconds=6 * 3600,
            label=_(
                "Quarterly analysis meetings: the reminder two weeks before the quarter ends, "
                "the units without one put on record after it (every day)"
            ),
        )
    )
    register(SeedExtension(name="meetings", demo=demo.seed))
    calendar.register(
        meeting_calendar.NAME, meeting_calendar.LABEL, meeting_calendar.entries, order=35
    )
    register_section("campaign/meetings/_workbench.html", workbench.section_context, order=14)
