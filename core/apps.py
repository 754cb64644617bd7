from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom app: job runs, notifications, the audit log, workbooks, schedules.

    It knows nothing of the campaign. Units are reached only through ``settings.CORE_UNIT_MODEL``
    (the campaign's organisation tree), as users are through ``AUTH_USER_MODEL``; the apps
    above register their job kinds, schedules and notification kinds here.
    """

    name = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.imports import flow

        flow.register()
