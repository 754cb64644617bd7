"""Preview and commit in one call, for the pages that import in one step (until the upload
flow replaces them): any problem → nothing written and every problem listed."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.imports.preview import build_preview
from core.imports.registry import ImportRefused
from core.workbooks import ImportResult, RowError, read_bytes


def _errors(problems):
    return [RowError(p.row, p.heading, p.message) for p in problems]


def import_in_one_step(importer, *, file, actor):
    """``ImportResult``: the rows imported (created and updated), or every problem."""
    if not importer.may_import(actor):
        raise PermissionDenied
    data = read_bytes(file)
    if data is None:
        from django.conf import settings

        size = f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):g}"
        return ImportResult(
            errors=[RowError(0, "", _("The file is larger than %(size)s MB. Split it into "
                                     "smaller files.") % {"size": size})]
        )  # fmt: skip
    preview = build_preview(importer, data, getattr(file, "name", "") or "", actor=actor)
    problems = preview.all_problems()
    if not problems and not preview.rows:
        problems = [_no_rows()]
    if problems:
        return ImportResult(errors=_errors(problems))
    try:
        counts = importer.commit(preview.rows, actor=actor)
    except ImportRefused as refused:
        return ImportResult(errors=_errors(refused.problems))
    return ImportResult(imported=counts.get("created", 0) + counts.get("updated", 0))


def _no_rows():
    from core.imports.preview import file_problem

    return file_problem(_("The workbook has no rows below the header."))
