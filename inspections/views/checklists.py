"""Checklist templates (检查表): the list, a version with its history, the editor and the xlsx
export. The import goes through core's import flow (kind "checklists").

Seen by whoever supervises inspections or edits checklists at the template's city; edited by
the city's administrators (``Perm.MANAGE_CHECKLISTS``). Anyone else: 404 for a template, as for
a missing code; 403 for the list.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import NotPermitted, OutOfScope
from core.imports import flow
from inspections import selectors
from inspections.checklists import excel, services
from inspections.checklists.columns import KIND
from inspections.checklists.content import version_content
from inspections.checklists.forms import ChecklistEditor
from inspections.models import ChecklistItem, ChecklistTemplate, ChecklistVersion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY = 20
NAV = "inspections"


def _template(user, code):
    template = ChecklistTemplate.objects.select_related("city").filter(code=code).first()
    if template is None or not services.may_view(user, template):
        raise Http404
    return template


def _version(request, template):
    """The version asked for with ``?v=N`` (404 for a wrong one), else the current one."""
    number = request.GET.get("v")
    versions = template.versions.all()
    if number is None or number == "":
        return versions.order_by("-number").first()
    try:
        number = int(number)
    except ValueError:
        raise Http404 from None
    version = versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def _may_import(user):
    importer = flow.importer_for(KIND)
    return importer is not None and importer.may_import(user)


# --- The list -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checklist_list(request):
    user = request.user
    if not services.may_list(user):
        raise PermissionDenied
    cities = services.cities_to_create_in(user)
    create = {"code": "", "name": "", "city": "", "errors": {}}
    if request.method == "POST":
        if not cities:
            raise PermissionDenied
        create.update(
            code=request.POST.get("code", "").strip(),
            name=request.POST.get("name", "").strip(),
            city=request.POST.get("city", ""),
        )
        city = next((c for c in cities if str(c.pk) == create["city"]), None)
        if city is None and len(cities) == 1:
            city = cities[0]
        if city is None:
            create["errors"]["city"] = [_("Choose the city.")]
        else:
            try:
                template = services.checklist_create(
                    city=city, code=create["code"], name=create["name"], actor=user
                )
            except ValidationError as error:
                create["errors"] = error.message_dict
            else:
                messages.success(
                    request,
                    _("Checklist “%(name)s” was created: now give it its sections and items.")
                    % {"name": template.name},
                )
                return redirect("inspections:checklist_edit", code=template.code)
    templates = list(
        selectors.checklists_for(user)
        .select_related("city")
        .order_by("city__path", "-is_active", "name")
    )
    current = {}
    versions = (
        ChecklistVersion.objects.filter(template__in=templates)
        .annotate(item_count=Count("items"))
        .order_by("template", "-number")
    )
    for version in versions:
        current.setdefault(version.template_id, version)
    for template in templates:
        template.current = current.get(template.pk)
        template.editable = services.may_edit(user, template)
    context = {
        "nav_section": NAV,
        "templates": templates,
        "cities": cities,
        "create": create,
        "may_import": _may_import(user),
        "import_url": reverse("core:import_start", args=[KIND]),
    }
    status = 400 if create["errors"] else 200
    return render(request, "inspections/checklist_list.html", context, status=status)


# --- One version ----------------------------------------------------------------------------


def _history(template):
    """The versions, newest first, each with what changed from the one before."""
    versions = list(template.versions.select_related("created_by").order_by("-number")[:HISTORY])
    contents = {v.number: version_content(v) for v in versions}
    for version in versions:
        before = contents.get(version.number - 1)
        if before is None and version.number > 1:
            older = template.versions.filter(number=version.number - 1).first()
            before = version_content(older) if older else None
        version.changes = (
            services.changes_between(before, contents[version.number])
            if before is not None
            else None
        )
    return versions


@login_required
@require_GET
def checklist_detail(request, code):
    template = _template(request.user, code)
    version = _version(request, template)
    sections = []
    if version is not None:
        items = (
            ChecklistItem.objects.filter(version=version)
            .select_related("category", "category__parent")
            .order_by("section__order", "order", "id")
        )
        sections = list(
            version.sections.order_by("order", "id").prefetch_related(
                Prefetch("items", queryset=items, to_attr="shown_items")
            )
        )
    current = template.current_version()
    context = {
        "nav_section": NAV,
        "template": template,
        "version": version,
        "current": current,
        "is_current": version is not None and current is not None and version.pk == current.pk,
        "is_used": version is not None and services.version_is_used(version),
        "sections": sections,
        "item_count": sum(len(s.shown_items) for s in sections),
        "critical_count": sum(1 for s in sections for i in s.shown_items if i.critical),
        "history": _history(template),
        "may_edit": services.may_edit(request.user, template),
    }
    return render(request, "inspections/checklist_detail.html", context)


# --- The editor -----------------------------------------------------------------------------


def _more(value):
    if value == "section":
        return "section"
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request, code):
    template = _template(request.user, code)
    if not services.may_edit(request.user, template):
        raise PermissionDenied
    current = template.current_version()
    used = current is not None and services.version_is_used(current)
    status = 200
    if request.method == "POST":
        more = _more(request.POST.get("more"))
        editor = ChecklistEditor(data=request.POST, more=more)
        if more is None:
            sections = editor.check()
            if sections is not None:
                try:
                    version, outcome = services.checklist_update(
                        template=template,
                        actor=request.user,
                        sections=sections,
                        note=request.POST.get("note", ""),
                    )
                except (NotPermitted, OutOfScope):
                    raise PermissionDenied from None
                except ValidationError as error:
                    editor.errors.extend(error.messages)
                else:
                    messages.success(request, _saved_message(template, version, outcome))
                    return redirect("inspections:checklist_detail", code=template.code)
            status = 400
            messages.error(request, _("The checklist was not saved: please correct the errors."))
    else:
        editor = ChecklistEditor(content=version_content(current) if current else [])
    context = {
        "nav_section": NAV,
        "template": template,
        "current": current,
        "used": used,
        "next_number": (current.number + 1) if current else 1,
        "editor": editor,
    }
    return render(request, "inspections/checklist_edit.html", context, status=status)


def _saved_message(template, version, outcome):
    if outcome == "unchanged":
        return _("Nothing changed in “%(name)s”: it stays at version %(n)s.") % {
            "name": template.name,
            "n": version.number,
        }
    if outcome == "new":
        return _("“%(name)s” was saved as version %(n)s; plans already sealed keep theirs.") % {
            "name": template.name,
            "n": version.number,
        }
    return _("“%(name)s” version %(n)s was saved.") % {"name": template.name, "n": version.number}


# --- Export ---------------------------------------------------------------------------------


@login_required
@require_GET
def checklist_export(request, code):
    template = _template(request.user, code)
    version = _version(request, template)
    if version is None:
        raise Http404
    response = HttpResponse(excel.export_workbook(version), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=excel.export_name(version)
    )
    return response
