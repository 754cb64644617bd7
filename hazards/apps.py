from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from campaign import jobs, seeding
        from campaign.roles import Perm
        from hazards import excel
        from hazards import workbench as hazards_workbench
        from hazards.seeding import extension

        seeding.register(extension)
        hazards_workbench.register()

        # Anyone who can see hazards may export what they see; the handler re-applies the
        # requesting user's scope.
        jobs.register(
            excel.EXPORT_JOB, _("Hazard register export"), excel.export_job, perm=Perm.VIEW
        )
