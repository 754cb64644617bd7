from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.imports import registry as imports_registry
        from hazards import links as hazard_links
        from inspections import demo, links, notices, workbench
        from inspections.checklists.importer import ChecklistImporter
        from inspections.services import circulars

        notices.register()
        # Checklists come in through the import engine (kind "checklists").
        imports_registry.register(ChecklistImporter())
        # Circulars: the publication job (kind "circular_render") and its notification kinds.
        circulars.register()
        workbench.register()
        # A hazard's page names the finding it came from (hazards never imports inspections).
        hazard_links.register(links.hazard_links)
        # seed_demo's finished round and sealed upcoming plan; seed_scale's reset.
        demo.register()
