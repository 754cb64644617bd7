from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """The reporting systems (S10, S11, S13) and the campaign calendar.

    Each part is a package (``weekly``, ``monthly``, ``briefings``, ``calendar``) whose
    ``setup.ready`` plugs it into the registries of the apps below: job kinds and schedules
    (core), calendar sources (core.calendar), workbench sections and seed_demo extensions
    (campaign); briefing sections (reporting.briefings.sections) within the app.
    """

    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reporting.briefings import setup as briefings_setup
        from reporting.calendar import setup as calendar_setup
        from reporting.monthly import setup as monthly_setup
        from reporting.weekly import setup as weekly_setup
        from reporting.weekly.oversight import setup as oversight_setup

        weekly_setup.ready()
        oversight_setup.ready()
        monthly_setup.ready()
        briefings_setup.ready()
        calendar_setup.ready()
