from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from inspections import notices

        notices.register()

        from hazards import links as hazard_links
        from inspections import links, workbench

        workbench.register()
        hazard_links.register(links.hazard_links)
