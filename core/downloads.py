"""Handing a stored file to the person a view has already allowed to have it."""

from django.http import FileResponse, Http404


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
