from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaign")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from campaign.services import register_jobs

        register_jobs()
