"""How the directives plug into the registries (called from ``CampaignConfig.ready``): their
notices, the demo, the calendar, the workbench and the daily record of missed deadlines."""

from django.utils.translation import gettext_lazy as _


def ready():
    from campaign.directives import calendar as directive_calendar
    from campaign.directives import demo, services, workbench
    from campaign.seeding import SeedExtension, register
    from campaign.workbench import register_section
    from core import calendar
    from core.schedules import Schedule, declare

    services.register_notices()
    register(SeedExtension(name="directives", demo=demo.seed))
    calendar.register(
        directive_calendar.NAME, directive_calendar.LABEL, directive_calendar.entries, order=40
    )
    register_section("campaign/directives/_workbench.html", workbench.section_context, order=15)
    declare(
        Schedule(
            name="daily directive deadlines",
            task="campaign.directives.tasks.directive_deadlines_daily_task",
            crontab="20 1 * * *",
            expire_seconds=6 * 3600,
            label=_("Directives not confirmed by their deadline put on record (every day)"),
        )
    )
