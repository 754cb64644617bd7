"""Checks on uploaded directive files (the directive's attachments, a unit's minutes): photos
and PDF/Office documents only, recognised by content; the name a file is stored under.

The same rules as the hazard register's evidence (hazards.files), which ``campaign`` cannot
import (it sits below ``hazards``).
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-office"),
]
INLINE_TYPES = ("image/", "application/pdf")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def check_upload(upload):
    """The upload's content type, or a ValidationError with a message for the user."""
    limit = getattr(settings, "EVIDENCE_MAX_BYTES", 15 * 1024 * 1024)
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    raise ValidationError(
        _("Only photos (JPEG, PNG, GIF) and PDF or Office documents are accepted.")
    )


def storage_name(original):
    """A random name with the original's plain extension (the original is kept in the row)."""
    match = _EXTENSION.search(original or "")
    return f"{uuid.uuid4().hex}{match.group(0).lower() if match else ''}"
