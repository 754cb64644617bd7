"""``{% may_import "schools" as ok %}``: whether the signed-in person may use an importer, so
the pages that list schools, people or hazards can offer their import without their views
knowing the importers."""

from django import template
from django.urls import reverse

from core.imports import flow

register = template.Library()


@register.simple_tag(takes_context=True)
def import_url(context, kind):
    """The upload page of ``kind`` if the signed-in person may import it, else ""."""
    request = context.get("request")
    importer = flow.importer_for(kind)
    user = getattr(request, "user", None)
    if importer is None or user is None or not importer.may_import(user):
        return ""
    return reverse("core:import_start", args=[kind])
