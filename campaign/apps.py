from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from campaign.services import register_jobs
        from core.schedules import Schedule, declare

        register_jobs()
        from campaign import seeding
        from campaign.incidents import demo as incidents_demo
        from campaign.incidents import services as incident_services

        incident_services.register_notices()
        from campaign.accountability import workbench as accountability_workbench

        accountability_workbench.register()
        seeding.register(seeding.SeedExtension(name="incidents", demo=incidents_demo.seed))
        from campaign.workgroup import setup as workgroup_setup

        # The working groups in seed_demo.
        workgroup_setup.ready()
        from campaign.keyperiods import setup as keyperiods_setup

        # Key periods: notices, calendar source, workbench section, reminder job, demo.
        keyperiods_setup.ready()
        from campaign.plan import setup as plan_setup

        # The action plan (S5): its notice on issue, its demo.
        plan_setup.ready()
        from campaign.directives import setup as directives_setup

        # Directives: notices, demo, calendar, workbench, the daily deadline record.
        directives_setup.ready()
        from campaign.meetings import setup as meetings_setup

        # Meetings: notices, demo, calendar, workbench.
        meetings_setup.ready()
        from campaign.imports import PeopleImporter, SchoolImporter
        from core.imports import registry as imports_registry

        imports_registry.register(SchoolImporter())
        imports_registry.register(PeopleImporter())
        declare(
            Schedule(
                name="nightly organisation statistics",
                task="campaign.tasks.org_statistics_nightly_task",
                crontab="30 2 * * *",
                expire_seconds=6 * 3600,
                label=_("Organisation statistics (every night)"),
            )
        )
