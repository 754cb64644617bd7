"""Checks on every uploaded file (hazard evidence, a weekly report's attachment, a directive's
files, a unit's minutes): images and PDF/Office documents only, recognised by content; the
name a file is stored under; which types a download may show inline."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (magic bytes at offset 0, content type). Office files are zip (docx/xlsx/pptx) or OLE (doc/xls).
_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-office"),
]

# Shown in the browser on download; anything else is sent as an attachment.
INLINE_TYPES = ("image/", "application/pdf")


def sniff(head: bytes):
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    return None


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
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            _("Only photos (JPEG, PNG, GIF, WebP, HEIC) and PDF or Office documents are accepted.")
        )
    return content_type


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def storage_name(original):
    """The name an upload is stored under: random, with the original's extension when it is
    a plain one. The person's own file name (any length, any script) is kept in the database
    and given back on download; on disk a name of ~90 Chinese characters would pass the
    file system's limit of 255 bytes."""
    match = _EXTENSION.search(original or "")
    return f"{uuid.uuid4().hex}{match.group(0).lower() if match else ''}"
