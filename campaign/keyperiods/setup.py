"""How the key periods plug into the registries (called from ``CampaignConfig.ready``)."""


def ready():
    from django.utils.translation import gettext_lazy as _

    from campaign.keyperiods import calendar, demo, policy, services, workbench
    from campaign.seeding import SeedExtension, register
    from core.schedules import Schedule, declare

    services.register_notices()
    calendar.register()
    workbench.register()
    register(SeedExtension(name="key-periods", demo=demo.seed))
    declare(
        Schedule(
            name="daily safety report reminders",
            task="campaign.keyperiods.tasks.daily_report_reminders_task",
            crontab=policy.REMINDER_CRONTAB,
            expire_seconds=3 * 3600,
            label=_("Daily safety report reminders (every day at 16:00 during a key period)"),
        )
    )
