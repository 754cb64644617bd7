from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from campaign import seeding
        from campaign.roles import Perm
        from core import jobs
        from core.schedules import Schedule, declare
        from hazards import escalation, excel, notices
        from hazards import workbench as hazards_workbench
        from hazards.seeding import extension

        seeding.register(extension)
        from core.imports import registry as imports_registry
        from hazards.imports.importer import HazardImporter

        imports_registry.register(HazardImporter())
        hazards_workbench.register()
        notices.register()

        # Anyone who can see hazards may export what they see; the handler reads the scope
        # recorded on the run, within what the requester may still see.
        jobs.register(
            excel.EXPORT_JOB, _("Hazard register export"), excel.export_job, perm=Perm.VIEW
        )
        jobs.register(
            escalation.ESCALATION_JOB,
            _("Daily hazard escalation"),
            escalation.escalation_job,
            perm=Perm.RUN_JOBS,
            describe=escalation.escalation_describe,
        )
        # Before the working day starts, so the morning's workbench shows today's reminders.
        declare(
            Schedule(
                name="daily hazard escalation",
                task="hazards.tasks.hazard_escalation_task",
                crontab="30 7 * * *",
                expire_seconds=6 * 3600,
                label=_("Hazard escalation reminders (every morning)"),
            )
        )
