"""Handing a stored file to the person a view has already allowed to have it."""

from django.http import FileResponse, Http404

from core.files import INLINE_TYPES


def stored_file_response(stored, filename):
    """The stored file as a download under ``filename``; 404 when it is gone (the clean-up may
    have removed it after the page was shown)."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename)


def uploaded_file_response(stored, content_type, filename, *, inline_types=INLINE_TYPES):
    """An uploaded file (evidence, an attachment, a photo) under the type ``core.files``
    sniffed for it: photos and PDFs shown in the browser, the rest downloaded; never sniffed
    again by the browser, cached only privately. 404 when the file is gone."""
    try:
        handle = stored.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not content_type.startswith(inline_types),
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
