from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from inspections import notices

        notices.register()
        from core.imports import registry as imports_registry
        from inspections.checklists.importer import ChecklistImporter

        imports_registry.register(ChecklistImporter())
        from inspections import demo

        demo.register()
