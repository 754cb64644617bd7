"""The import pages, one set for every importer: upload, preview, mapping, sheet, error
workbook, commit (``core.imports.flow`` does the work).

An upload is its owner's: anyone else gets 404, whatever their rights (the lookup is by the
unguessable id *and* the owner); the importer's ``may_import`` is asked on every request (403).
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import stored_file_response
from core.forms import PortalForm
from core.imports import flow
from core.models import ImportUpload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
RECENT = 5
STATUSES = ("ready", "update", "duplicate", "error")
LIVE = (ImportUpload.Status.PREVIEWING, ImportUpload.Status.COMMITTING)


class UploadForm(PortalForm):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": f".xlsx,{XLSX}"}),
    )


class SheetForm(PortalForm):
    sheet = forms.TypedChoiceField(label=gettext_lazy("Sheet"), coerce=int)

    def __init__(self, *args, sheets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(index, name) for index, name in sheets]
        self.fields["sheet"].widget.attrs["class"] = "form-select"


class MappingForm(PortalForm):
    """One select per column of the file: a field of the portal, or ignore the column."""

    def __init__(self, *args, columns, mapping, fields, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Ignore this column"))] + [(f.code, f.label) for f in fields]
        chosen = {column.index: column.field for column in mapping}
        scaled = {column.index for column in mapping if column.scale != 1}
        for column in columns:
            index = column["index"]
            samples = column.get("samples") or []
            help_text = (
                format_html(
                    "{}{}",
                    _("For example:"),
                    format_html_join(
                        "、", '<span class="text-nowrap">{}</span>', ((s,) for s in samples)
                    ),
                )
                if samples
                else _("No values below the heading.")
            )
            if index in scaled:  # the heading says 万元: say what the engine does with it
                help_text = format_html(
                    "{}<br>{}", help_text, _("Amounts in 万元 are converted to yuan.")
                )
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=column["heading"]
                or _("Column %(number)s (no heading)") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=chosen.get(index) or "",
                help_text=help_text,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        self.labels = {f.code: f.label for f in fields}

    def clean(self):
        data = super().clean()
        seen = {}
        for name in self.fields:
            code = data.get(name)
            if not code:
                continue
            if code in seen:
                self.add_error(
                    name,
                    _("%(field)s is already chosen for the column %(heading)s.")
                    % {"field": self.labels[code], "heading": self.fields[seen[code]].label},
                )
            else:
                seen[code] = name
        return data

    def chosen(self):
        return {int(name[4:]): (code or None) for name, code in self.cleaned_data.items()}


# --- Lookups ---------------------------------------------------------------------------------


def _importer(request, kind):
    importer = flow.importer_for(kind)
    if importer is None:
        raise Http404
    if not importer.may_import(request.user):
        raise PermissionDenied
    return importer


def _upload(request, public_id):
    """The signed-in person's own upload (404 for anyone else's), while they may import."""
    upload = (
        ImportUpload.objects.select_related("owner", "unit")
        .filter(public_id=public_id, owner_id=request.user.pk)
        .first()
    )
    if upload is None:
        raise Http404
    return upload, _importer(request, upload.kind)


def _list_url(importer):
    try:
        return reverse(importer.list_url_name)
    except NoReverseMatch:
        return ""


def _xlsx(content, name):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


# --- Upload ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request, kind):
    importer = _importer(request, kind)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = flow.upload_create(
                    importer=importer, actor=request.user, file=form.cleaned_data["file"]
                )
            except flow.UploadRefused as refused:
                form.add_error("file", refused.message)
            else:
                return redirect("core:import_preview", public_id=upload.public_id)
    context = {
        "importer": importer,
        "form": form,
        "max_rows": importer.spec.max_rows,
        "list_url": _list_url(importer),
        "recent": ImportUpload.objects.filter(owner=request.user, kind=kind)[:RECENT],
        "keep_days": flow.keep_days(),
    }
    return render(request, "core/imports/upload.html", context)


@login_required
@require_GET
def import_template(request, kind):
    importer = _importer(request, kind)
    return _xlsx(importer.template(request.user), _("%(kind)s-template.xlsx") % {"kind": kind})


# --- Preview ---------------------------------------------------------------------------------


def _page(request, upload):
    """(status filter, the page of rows shown): every row, or those of one status; only the
    page's rows are read from the database."""
    status = request.GET.get("status", "")
    if status not in STATUSES:
        status = ""
    page = Paginator(flow.preview_rows(upload, status), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = flow.parsed(page.object_list)
    return status, page


def _shown_columns(importer, preview):
    """(field code, label) of the mapped columns, in the file's order."""
    labels = {f.code: f.label for f in importer.spec.fields}
    return [(c.field, labels.get(c.field, c.heading)) for c in preview.mapping if c.field]


def _shown(row, code, kinds):
    """A cell as it will be stored when the engine converted it (a date, an amount in yuan —
    a 万元 column already multiplied —, yes/no, a normalised phone), else as written: the
    clerk checks what the portal understood, not only what the file says."""
    value = row.values.get(code)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, force_grouping=True)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if kinds.get(code) == "phone" and value:
        return value
    return row.raw.get(code, "")


def _decorate_rows(rows, columns, importer):
    """What a row shows: its cells in column order, (label, value) pairs for the cards, and
    its problems in column order (whole-row problems first)."""
    kinds = {f.code: f.kind for f in importer.spec.fields}
    for row in rows:
        row.cells = [_shown(row, code, kinds) for code, _label in columns]
        row.pairs = [(label, _shown(row, code, kinds)) for code, label in columns]
        row.sorted_problems = sorted(
            row.problems, key=lambda p: -1 if p.column is None else p.column
        )


@never_cache
@login_required
@require_GET
def import_preview(request, public_id):
    upload, importer = _upload(request, public_id)
    live = upload.status in LIVE
    if request.headers.get("HX-Request"):
        if not live:
            # The run finished: show the whole page again (the preview or the result).
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "core/imports/_progress.html", _progress_context(upload))
    context = {
        "upload": upload,
        "importer": importer,
        "list_url": _list_url(importer),
        "max_rows": importer.spec.max_rows,
        "form": UploadForm(),
        **_progress_context(upload),
    }
    preview = flow.preview_of(upload, rows=False)
    if preview is not None and not live:
        status, page = _page(request, upload)
        counts = upload.counts or {}
        total = sum(counts.get(s, 0) for s in STATUSES)
        columns = _shown_columns(importer, preview)
        _decorate_rows(page.object_list, columns, importer)
        context.update(
            preview=preview,
            counts=counts,
            count_list=[(s, counts.get(s, 0)) for s in STATUSES],
            status_filter=status,
            page=page,
            columns=columns,
            file_problems=sorted(preview.problems, key=lambda p: (p.row, p.column or -1)),
            total=total,
            may_commit=upload.status == ImportUpload.Status.PREVIEWED
            and not counts.get("error")
            and bool(total),
            has_problems=flow.has_problems(upload),
            sheets=flow.sheet_names(upload),
        )
        if len(context["sheets"]) > 1:
            context["sheet_form"] = SheetForm(
                sheets=context["sheets"], initial={"sheet": preview.sheet_index}
            )
    return render(request, "core/imports/preview.html", context)


def _progress_context(upload):
    run = upload.preview_run if upload.status == "previewing" else upload.commit_run
    return {"upload": upload, "run": run, "live": upload.status in LIVE}


# --- Mapping and sheet -----------------------------------------------------------------------


def _editable(request, upload):
    if upload.status != ImportUpload.Status.PREVIEWED:
        messages.error(request, _("This file can no longer be changed: upload it again."))
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, public_id):
    upload, importer = _upload(request, public_id)
    preview = flow.preview_of(upload, rows=False)
    if preview is None or not _editable(request, upload):
        return redirect("core:import_preview", public_id=upload.public_id)
    kwargs = {
        "columns": upload.book.get("columns", []),
        "mapping": preview.mapping,
        "fields": importer.spec.fields,
    }
    form = MappingForm(**kwargs)
    if request.method == "POST":
        form = MappingForm(request.POST, **kwargs)
        if form.is_valid():
            flow.mapping_save(upload=upload, actor=request.user, fields=form.chosen())
            messages.success(
                request,
                _("The columns of %(name)s were saved and will be proposed for your next file.")
                % {"name": upload.original_name},
            )
            return redirect("core:import_preview", public_id=upload.public_id)
    context = {
        "upload": upload,
        "importer": importer,
        "form": form,
        "preview": preview,
        "list_url": _list_url(importer),
        "required": [f for f in importer.spec.fields if f.required],
    }
    return render(request, "core/imports/mapping.html", context)


@login_required
@require_POST
def import_sheet(request, public_id):
    upload, _importer_ = _upload(request, public_id)
    if _editable(request, upload):
        form = SheetForm(request.POST, sheets=flow.sheet_names(upload))
        if form.is_valid():
            flow.sheet_choose(upload=upload, sheet_index=form.cleaned_data["sheet"])
        else:
            messages.error(request, _("Choose one of the sheets of the workbook."))
    return redirect("core:import_preview", public_id=upload.public_id)


# --- Files -----------------------------------------------------------------------------------


@login_required
@require_GET
def import_errors(request, public_id):
    upload, _importer_ = _upload(request, public_id)
    if not upload.file or not upload.preview:
        raise Http404
    return _xlsx(flow.error_workbook_for(upload), flow.error_workbook_name(upload))


@login_required
@require_GET
def import_file(request, public_id):
    upload, _importer_ = _upload(request, public_id)
    return stored_file_response(upload.file, upload.original_name)


# --- Commit ----------------------------------------------------------------------------------


@login_required
@require_POST
def import_commit(request, public_id):
    upload, importer = _upload(request, public_id)
    back = redirect("core:import_preview", public_id=upload.public_id)
    if upload.status != ImportUpload.Status.PREVIEWED:
        messages.error(request, _("This file can no longer be imported: upload it again."))
        return back
    if upload.counts.get("error"):
        messages.error(request, _("Nothing was imported: correct the rows in error first."))
        return back
    upload = flow.commit_request(
        upload=upload,
        actor=request.user,
        include_duplicates=request.POST.get("include_duplicates") == "1",
    )
    if upload.status == ImportUpload.Status.COMMITTED:
        messages.success(request, _result_message(upload))
        return redirect(_list_url(importer) or back.url)
    if upload.status == ImportUpload.Status.PREVIEWED:
        messages.error(request, upload.message)
    return back


def _result_message(upload):
    result = upload.result or {}
    return _(
        "%(name)s was imported: %(created)s created, %(updated)s updated, %(skipped)s skipped."
    ) % {
        "name": upload.original_name,
        "created": result.get("created", 0),
        "updated": result.get("updated", 0),
        "skipped": result.get("skipped", 0),
    }
