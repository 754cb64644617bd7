"""Bulk import of schools and people from a workbook, and the workbook templates."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from campaign import access, imports
from campaign.forms.imports import ImportForm
from campaign.roles import Perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERM_FOR_KIND = {imports.SCHOOLS: Perm.MANAGE_UNITS, imports.USERS: Perm.MANAGE_USERS}


def _may_import(user, kind):
    """Whether ``user`` holds the kind's permission at any unit."""
    perm = PERM_FOR_KIND[kind]
    return access.is_unrestricted(user) or bool(access.granted_paths(user).get(perm))


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Which import to start (schools, people); a POST imports one workbook or lists its errors."""
    allowed = [kind for kind in imports.KINDS if _may_import(request.user, kind)]
    if not allowed:
        raise PermissionDenied
    if request.method == "GET":
        # Each import now runs through the upload → preview → commit flow (core.views_imports);
        # a POST here is the older one-step import, kept for the callers that still send one.
        return render(
            request,
            "campaign/imports/choose.html",
            {"nav_section": "people", "kinds": allowed, "max_rows": imports.MAX_ROWS},
        )
    forms = {kind: ImportForm(prefix=kind) for kind in allowed}
    kind = result = None
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind not in imports.KINDS:
            kind, status = None, 400
        elif kind not in allowed:
            raise PermissionDenied
        else:
            form = forms[kind] = ImportForm(request.POST, request.FILES, prefix=kind)
            if form.is_valid():
                service = {
                    imports.SCHOOLS: imports.schools_import,
                    imports.USERS: imports.users_import,
                }[kind]
                result = service(file=form.cleaned_data["file"], actor=request.user)
    errors = result.errors if result else []
    context = {
        "nav_section": "people",
        "kind": kind,
        "result": result,
        "file_errors": [e for e in errors if e.row == 0],
        "row_errors": [e for e in errors if e.row != 0],
        "schools_form": forms.get(imports.SCHOOLS),
        "users_form": forms.get(imports.USERS),
        "max_rows": imports.MAX_ROWS,
    }
    return render(request, "campaign/imports/upload.html", context, status=status)


@login_required
@require_GET
def import_template(request, kind):
    """The empty workbook of ``kind`` to fill in, with the codes of the user's units."""
    if kind not in imports.KINDS:
        raise Http404
    if not _may_import(request.user, kind):
        raise PermissionDenied
    content = imports.template_workbook(kind=kind, actor=request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"import-{kind}.xlsx"
    )
    return response
