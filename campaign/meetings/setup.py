"""How the meetings plug into the registries (called from ``CampaignConfig.ready``): their
notices, the demo, the calendar and the workbench."""


def ready():
    from campaign.meetings import calendar as meeting_calendar
    from campaign.meetings import demo, services, workbench
    from campaign.seeding import SeedExtension, register
    from campaign.workbench import register_section
    from core import calendar

    services.register_notices()
    register(SeedExtension(name="meetings", demo=demo.seed))
    calendar.register(
        meeting_calendar.NAME, meeting_calendar.LABEL, meeting_calendar.entries, order=35
    )
    register_section("campaign/meetings/_workbench.html", workbench.section_context, order=14)
