from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Circulars: the publication job (kind "circular_render") and its notification kinds.
        from inspections.services import circulars

        circulars.register()
