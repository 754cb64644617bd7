"""The import flow: upload → preview → correct the mapping or pick the sheet → preview again →
commit, for every importer of ``core.imports.registry``.

The uploaded file is its owner's own bytes (``ImportUpload.file``); nothing reaches the
importer's tables before the commit, and the commit reads the stored file again with the sheet
and mapping the owner last saw, resolves the rows again (the database may have changed) and
writes all of them or none. A small file is previewed and committed while the request waits;
a larger one in a job run (``PREVIEW_JOB``, ``COMMIT_JOB``) whose progress the page polls.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import jobs
from core.models import ImportMapping, ImportRow, ImportUpload

PREVIEW_JOB = "import_preview"
COMMIT_JOB = "import_commit"
SAMPLES = 3
MAX_SAMPLE_CHARS = 40
# A job run's period is unique per kind and unit: the upload and the how-many-th preview.
PERIOD = "u{pk}-r{revision}"


def inline_max_bytes():
    """Files up to this size are checked while the request waits (a ledger of about 500 rows
    is some 60 KB); larger ones in a job run."""
    return getattr(settings, "IMPORT_INLINE_MAX_BYTES", 100 * 1024)


def keep_days():
    return getattr(settings, "IMPORT_UPLOAD_KEEP_DAYS", 7)


class UploadRefused(Exception):
    """The file cannot be taken in at all; ``message`` is for the user. Nothing was stored."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _registry():
    from core.imports import registry

    return registry


def importer_for(kind):
    return _registry().get(kind)


# --- Checking and storing a file ------------------------------------------------------------


def read_upload(file):
    """The upload's bytes after the checks that need no parsing (size, empty, the old .xls
    format, not a zip, a zip bomb); ``UploadRefused`` with the user's message otherwise."""
    from core.imports.reading import WorkbookError, check_bytes

    limit = settings.IMPORT_MAX_BYTES
    size = getattr(file, "size", None)
    data = None
    if size is None or size <= limit:
        file.seek(0)
        data = file.read(limit + 1)
    try:
        check_bytes(data, getattr(file, "name", "") or "")
    except WorkbookError as exc:
        raise UploadRefused(exc.message) from None
    return data


def upload_create(*, importer, actor, file):
    """Store ``file`` as ``actor``'s upload of ``importer.kind`` and preview it (inline when
    small). A file that cannot be read at all raises ``UploadRefused`` and leaves nothing."""
    data = read_upload(file)
    original = (getattr(file, "name", "") or "workbook.xlsx").rsplit("/", 1)[-1][:255]
    upload = ImportUpload(
        kind=importer.kind,
        owner=actor,
        unit_id=importer.memory_unit_id(actor),
        original_name=original,
        size=len(data),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    upload.file.save(original, ContentFile(data), save=False)
    upload.save()
    if len(data) <= inline_max_bytes():
        # A small file: a file-level problem is said on the upload page and nothing is kept.
        try:
            _preview_now(upload, data=data)
        except UploadRefused:
            upload_delete(upload=upload)
            raise
        return upload
    preview_request(upload=upload)
    return upload


def upload_delete(*, upload):
    _drop_files(upload, upload.file, upload.error_file)
    upload.delete()


def _drop_files(upload, *files):
    for stored in files:
        if stored:
            stored.storage.delete(stored.name)


def stored_bytes(upload):
    with upload.file.open("rb") as handle:
        return handle.read()


# --- Previewing -----------------------------------------------------------------------------


def remembered_mapping(upload):
    """{heading key: field code or ""} the upload's unit confirmed before, or None."""
    if upload.unit_id is None:
        return None
    entry = ImportMapping.objects.filter(unit_id=upload.unit_id, kind=upload.kind).first()
    return entry.mapping if entry else None


def columns_from_json(items):
    from core.imports.mapping import ColumnMap

    return [ColumnMap.from_json(item) for item in items]


def _build(upload, data, *, progress=None):
    """The Preview of the stored file with the upload's sheet and mapping."""
    from core.imports.preview import build_preview
    from core.imports.reading import WorkbookError

    importer = importer_for(upload.kind)
    try:
        preview = build_preview(
            importer,
            data,
            upload.original_name,
            actor=upload.owner,
            sheet_index=upload.sheet_index,
            mapping=columns_from_json(upload.mapping) if upload.mapping else None,
            remembered=remembered_mapping(upload),
            progress=progress,
        )
    except WorkbookError as exc:
        raise UploadRefused(exc.message) from exc
    if not preview.sheet and preview.problems:
        # The book could not be opened at all: there is nothing to preview or correct.
        raise UploadRefused(preview.problems[0].message)
    return preview


def _book_outline(data, preview):
    """The sheets of the book, and each column of the previewed sheet with its heading and a
    few values below the header: what the mapping screen and the sheet select show."""
    from core.imports.cells import cell_text
    from core.imports.reading import open_book

    book = open_book(data, "", max_rows=(preview.header_row or 0) + 50)
    sheet = book.sheets[preview.sheet_index]
    start = preview.header_row or 0  # the header's Excel row number: the index of the next row
    columns = []
    for column in preview.mapping:
        values = []
        for row in sheet.rows[start : start + 50]:
            text = cell_text(row[column.index]) if column.index < len(row) else ""
            if text:
                values.append(text[:MAX_SAMPLE_CHARS])
            if len(values) == SAMPLES:
                break
        columns.append({"index": column.index, "heading": column.heading, "samples": values})
    sheets = [[index, s.name] for index, s in enumerate(book.sheets)]
    return {"columns": columns, "sheets": sheets}


ROW_BATCH = 1000


@transaction.atomic
def _store_preview(upload, preview, data):
    """The preview's head (sheet, mapping, file problems) on the upload, its rows apart."""
    _drop_files(upload, upload.error_file)  # it marked the problems of the previous preview
    upload.error_file = ""
    head = preview.to_json()
    head["rows"] = []
    head["row_problems"] = sum(len(row.problems) for row in preview.rows)
    upload.preview = head
    upload.counts = preview.counts()
    upload.sheet_index = preview.sheet_index
    upload.book = _book_outline(data, preview)
    upload.status = ImportUpload.Status.PREVIEWED
    upload.message = ""
    upload.save()
    ImportRow.objects.filter(upload=upload).delete()
    ImportRow.objects.bulk_create(
        (
            ImportRow(upload=upload, position=i, status=row.status, data=row.to_json())
            for i, row in enumerate(preview.rows)
        ),
        batch_size=ROW_BATCH,
    )


def _preview_now(upload, *, data=None, progress=None):
    data = stored_bytes(upload) if data is None else data
    with translation.override(upload.language or settings.LANGUAGE_CODE):
        preview = _build(upload, data, progress=progress)
        _store_preview(upload, preview, data)
    return preview


def preview_request(*, upload):
    """Preview the upload again (after a new mapping or sheet): inline when small, else as a
    job run the page follows."""
    upload.revision += 1
    upload.status = ImportUpload.Status.PREVIEWING
    upload.message = ""
    if upload.size <= inline_max_bytes() or upload.unit_id is None:
        upload.save()
        try:
            _preview_now(upload)
        except UploadRefused as exc:
            _fail(upload, exc.message)
        return upload
    upload.preview_run = _enqueue(upload, PREVIEW_JOB)
    upload.save()
    return upload


def _enqueue(upload, kind):
    from core import services

    return services.job_run_enqueue(
        kind=kind,
        unit=upload.unit,
        period=PERIOD.format(pk=upload.pk, revision=upload.revision)
        + ("c" if kind == COMMIT_JOB else ""),
        actor=upload.owner,
        params={"upload": upload.pk},
        scope=[upload.unit],
    )


def _fail(upload, message):
    upload.status = ImportUpload.Status.FAILED
    upload.message = message
    upload.save(update_fields=["status", "message", "updated_at"])


def preview_of(upload, *, rows=True):
    """The stored Preview, or None before the first one; ``rows=False``: its head only
    (sheet, mapping, file problems), without reading the rows."""
    from core.imports.preview import ParsedRow, Preview

    if not upload.preview:
        return None
    preview = Preview.from_json(upload.preview)
    if rows:
        stored = ImportRow.objects.filter(upload=upload).order_by("position")
        preview.rows = [ParsedRow.from_json(d) for d in stored.values_list("data", flat=True)]
    return preview


def has_problems(upload):
    """Whether the stored preview found any problem (so the error workbook has marks)."""
    head = upload.preview or {}
    return bool(head.get("problems") or head.get("row_problems"))


def preview_rows(upload, status=""):
    """The stored rows in file order (of one status), for a paginator: ParsedRows are made
    only for the page shown (``parsed``)."""
    stored = ImportRow.objects.filter(upload=upload)
    if status:
        stored = stored.filter(status=status)
    return stored.order_by("position").values_list("data", flat=True)


def parsed(page_data):
    from core.imports.preview import ParsedRow

    return [ParsedRow.from_json(d) for d in page_data]


def _upload_for_run(run, status):
    upload = (
        ImportUpload.objects.select_related("owner", "unit")
        .filter(pk=run.params.get("upload"))
        .first()
    )
    run_field = "preview_run_id" if status == ImportUpload.Status.PREVIEWING else "commit_run_id"
    if upload is None or upload.status != status or getattr(upload, run_field) != run.pk:
        # Deleted, previewed again since, or already done: this run has nothing left to do.
        raise jobs.JobFailed("import_stale", "the upload moved on without this run")
    if not upload.owner.is_active:
        raise jobs.JobFailed("requester_gone", "the owner of the upload is gone")
    return upload


def preview_job(run, report_progress):
    """The job handler: preview the stored file; a file that cannot be read fails the upload
    (its page says why), not the run."""
    upload = _upload_for_run(run, ImportUpload.Status.PREVIEWING)
    try:
        preview = _preview_now(upload, progress=_part(report_progress, 0, 80))
    except UploadRefused as exc:
        _fail(upload, exc.message)
        return jobs.Outcome(result={"failed": 1})
    if preview.all_problems():
        # Built here, once, so that the download is instant whatever the file's size.
        content = _error_workbook(upload, preview)
        upload.error_file.save("errors.xlsx", ContentFile(content), save=False)
        upload.save(update_fields=["error_file", "updated_at"])
    report_progress(100)
    return jobs.Outcome(result=preview.counts())


# --- Correcting the mapping and the sheet ---------------------------------------------------


def mapping_save(*, upload, actor, fields):
    """Apply ``fields`` ({column index: field code or None}) as the upload's mapping, remember
    it for the unit and preview again."""
    preview = preview_of(upload, rows=False)
    columns = []
    for column in preview.mapping:
        chosen = fields.get(column.index, column.field)
        changed = chosen != column.field
        columns.append(
            column.to_json() | {"field": chosen, "source": "user" if changed else column.source}
        )
    upload.mapping = columns
    remember(upload=upload, actor=actor, columns=columns)
    return preview_request(upload=upload)


def remember(*, upload, actor, columns):
    """Keep the confirmed headings for the upload's unit, beside what it confirmed before."""
    from core.imports.mapping import remembered_from

    if upload.unit_id is None:
        return
    confirmed = remembered_from(columns_from_json(columns))
    with transaction.atomic():
        entry, _created = ImportMapping.objects.select_for_update().get_or_create(
            unit_id=upload.unit_id, kind=upload.kind, defaults={"mapping": {}}
        )
        entry.mapping = {**entry.mapping, **confirmed}
        entry.updated_by = actor
        entry.save()


def sheet_choose(*, upload, sheet_index):
    """Read another sheet of the book: its headings differ, so the mapping is proposed again."""
    upload.sheet_index = sheet_index
    upload.mapping = []
    return preview_request(upload=upload)


def sheet_names(upload):
    """[(index, name)] of every sheet of the previewed book."""
    return [tuple(item) for item in upload.book.get("sheets", [])]


# --- Committing -----------------------------------------------------------------------------


def commit_request(*, upload, actor, include_duplicates):
    """Import the upload's rows: inline when small, else as a job run."""
    upload.include_duplicates = include_duplicates
    upload.status = ImportUpload.Status.COMMITTING
    upload.message = ""
    if upload.size <= inline_max_bytes() or upload.unit_id is None:
        upload.save()
        _commit_now(upload)
        return upload
    upload.commit_run = _enqueue(upload, COMMIT_JOB)
    upload.save()
    return upload


def _commit_now(upload, *, progress=None):
    """Read the file again with the sheet and mapping of the last preview, refuse if any row is
    in error now, else write every row in one transaction (the importer's commit)."""
    from core.imports.registry import ImportRefused

    importer = importer_for(upload.kind)
    last = preview_of(upload, rows=False)
    upload.sheet_index = last.sheet_index
    upload.mapping = [column.to_json() for column in last.mapping]
    data = stored_bytes(upload)
    with translation.override(upload.language or settings.LANGUAGE_CODE):
        try:
            preview = _build(upload, data, progress=_part(progress, 0, 40))
        except UploadRefused as exc:
            _fail(upload, exc.message)
            return upload
        if preview.counts().get("error"):
            _store_preview(upload, preview, data)
            upload.message = _(
                "Nothing was imported: the file now has rows in error (the register changed "
                "since the preview). Correct them and upload the file again."
            )
            upload.save(update_fields=["message", "updated_at"])
            return upload
        try:
            result = importer.commit(
                preview.rows,
                actor=upload.owner,
                include_duplicates=upload.include_duplicates,
                progress=_part(progress, 40, 99),
            )
        except ImportRefused as refused:
            preview.problems.extend(refused.problems)
            _store_preview(upload, preview, data)
            upload.message = _(
                "Nothing was imported. Correct the problems listed and upload the file again."
            )
            upload.save(update_fields=["message", "updated_at"])
            return upload
    remember(upload=upload, actor=upload.owner, columns=upload.mapping)
    upload.result = result
    upload.status = ImportUpload.Status.COMMITTED
    upload.committed_at = timezone.now()
    upload.save()
    return upload


def _part(progress, low, high):
    """A progress callback for one stage of the work, spread over [low, high] percent."""
    if progress is None:
        return None
    return lambda percent: progress(int(low + (high - low) * min(100, max(0, percent)) / 100))


def commit_job(run, report_progress):
    upload = _upload_for_run(run, ImportUpload.Status.COMMITTING)
    upload = _commit_now(upload, progress=report_progress)
    return jobs.Outcome(result=upload.result if upload.status == "committed" else {"refused": 1})


# --- The error workbook ---------------------------------------------------------------------


def error_workbook_for(upload):
    """The owner's file with the problem cells marked and a comment on each (xlsx bytes):
    the one the preview's job run built for a large file, else built now (a small file takes
    well under a second)."""
    if upload.error_file:
        with upload.error_file.open("rb") as handle:
            return handle.read()
    return _error_workbook(upload, preview_of(upload))


def _error_workbook(upload, preview):
    from core.imports.errorbook import error_workbook

    with translation.override(upload.language or settings.LANGUAGE_CODE):
        return error_workbook(stored_bytes(upload), preview.sheet, preview.all_problems())


def error_workbook_name(upload):
    stem = upload.original_name.rsplit(".", 1)[0] or "workbook"
    return _("%(name)s-problems.xlsx") % {"name": stem}


# --- Cleaning up ----------------------------------------------------------------------------


def uploads_cleanup(*, now=None):
    """Delete uploads not committed after ``IMPORT_UPLOAD_KEEP_DAYS`` days, with their files;
    a committed one keeps its row (who imported what, and the counts) but loses its file and
    preview, which hold the owner's data."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days())
    old = ImportUpload.objects.filter(created_at__lt=cutoff)
    deleted = 0
    for upload in old.exclude(status=ImportUpload.Status.COMMITTED).iterator():
        upload_delete(upload=upload)
        deleted += 1
    emptied = 0
    for upload in old.filter(status=ImportUpload.Status.COMMITTED).exclude(file="").iterator():
        _drop_files(upload, upload.file, upload.error_file)
        upload.file = upload.error_file = ""
        upload.preview = {}
        upload.book = {}
        ImportRow.objects.filter(upload=upload).delete()
        upload.save(update_fields=["file", "error_file", "preview", "book", "updated_at"])
        emptied += 1
    return {"deleted": deleted, "emptied": emptied}


@shared_task(ignore_result=True)
def import_uploads_cleanup_task():
    """Daily: the uploads nobody committed go (core.schedules)."""
    return uploads_cleanup()


# --- Registration (core.apps) ---------------------------------------------------------------


def _describe(result):
    if result.get("failed") or result.get("refused"):
        return _("The file could not be imported; its page says why.")
    if "created" in result:
        return _("%(created)s created, %(updated)s updated, %(skipped)s skipped.") % {
            "created": result.get("created", 0),
            "updated": result.get("updated", 0),
            "skipped": result.get("skipped", 0),
        }
    return _("%(ready)s rows ready, %(error)s in error, %(duplicate)s duplicates.") % {
        "ready": result.get("ready", 0) + result.get("update", 0),
        "error": result.get("error", 0),
        "duplicate": result.get("duplicate", 0),
    }


def register():
    # Who may start them is the importer's may_import, checked by the views; the run's perm
    # only lets its requester re-run it from the job page, where a stale run does nothing.
    jobs.register(
        PREVIEW_JOB,
        gettext_lazy("Import check"),
        preview_job,
        perm="view_orgunit",
        describe=_describe,
    )
    jobs.register(
        COMMIT_JOB, gettext_lazy("Import"), commit_job, perm="view_orgunit", describe=_describe
    )
    jobs.register_reason(
        "import_stale",
        gettext_lazy("The upload was checked again or imported since; this run had nothing to do."),
    )
