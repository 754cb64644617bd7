from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.imports import registry as imports_registry
        from inspections import notices
        from inspections.checklists.importer import ChecklistImporter

        notices.register()
        imports_registry.register(ChecklistImporter())
        # Circulars: the publication job (kind "circular_render") and its notification kinds.
        from inspections.services import circulars

        circulars.register()

        from hazards import links as hazard_links
        from inspections import links, workbench

        workbench.register()
        hazard_links.register(links.hazard_links)
