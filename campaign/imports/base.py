"""What every importer of the portal shares: who may import is one unit permission, and a
corrected column mapping is remembered for the outermost unit where the person holds it."""

from campaign import access
from core.imports.registry import Importer


class ScopedImporter(Importer):
    perm = ""  # the unit permission an import needs (campaign.roles.Perm)

    def may_import(self, user):
        return access.is_unrestricted(user) or bool(access.granted_paths(user).get(self.perm))

    def memory_unit_id(self, user):
        top = access.top_units(user, self.perm).order_by("path").first()
        return top.pk if top else None


class RosterImporter(ScopedImporter):
    """The schools and people imports: their template is the campaign's workbook of the kind."""

    def template(self, user):
        from campaign.imports.template import template_workbook

        return template_workbook(kind=self.kind, actor=user)
