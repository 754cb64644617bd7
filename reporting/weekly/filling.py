"""Filling and submitting a weekly report (S10): the draft saved as the officer types, the
submission that fixes the figures and opens a review round, the attached files.

Every write locks the report's row. A draft save carries the ``version`` the page started from:
when another tab (or a colleague) saved in between, nothing is overwritten and ``Conflict``
hands back what is stored, so that the page can show both and the officer chooses; what they
typed stays in their page until then (nothing a user entered is lost).
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.files import check_upload, storage_name
from core.services.audit import audit
from core.text import CONTROL_CHARACTER_MESSAGE, has_control_characters
from reporting.models import WeeklyReport, WeeklyReportAttachment, WeeklyReportRound
from reporting.weekly import emptiness, figures, periods, policy

TEXT_FIELDS = ("work_done", "problems", "next_week")
TEXT_MAX = 5000
ATTACHMENTS_MAX = 10


class Conflict(Exception):
    """The draft was saved elsewhere since the page loaded it: ``report`` is what is stored."""

    def __init__(self, report):
        super().__init__("weekly report changed since it was loaded")
        self.report = report


def clean_texts(data) -> dict:
    """The three texts from ``data`` (a dict or QueryDict), checked; ValidationError with
    every problem at once."""
    texts, errors = {}, []
    for name in TEXT_FIELDS:
        value = (data.get(name) or "").replace("\r\n", "\n")
        if len(value) > TEXT_MAX:
            errors.append(
                _("%(field)s is too long (at most %(n)d characters).")
                % {"field": WeeklyReport._meta.get_field(name).verbose_name, "n": TEXT_MAX}
            )
        if has_control_characters(value):
            errors.append(str(CONTROL_CHARACTER_MESSAGE))
        texts[name] = value
    if errors:
        raise ValidationError(errors)
    return texts


def _locked_for_edit(user, report):
    if not policy.may_fill(user, report):
        raise PermissionDenied
    locked = (
        WeeklyReport.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=report.pk)
    )
    reason = policy.why_not_editable(locked)
    if reason:
        raise ValidationError(reason)
    return locked


def save_draft(user, report, data, *, version):
    """Save the texts of an editable report; ``Conflict`` when ``version`` is not the stored
    one. Returns the saved report (its new version)."""
    texts = clean_texts(data)
    with transaction.atomic():
        locked = _locked_for_edit(user, report)
        # The same words again (a save the page sent as it was left, repeated when it came
        # back) are no conflict, whatever version they started from.
        if all(getattr(locked, k) == v for k, v in texts.items()):
            return locked
        if locked.version != version:
            raise Conflict(locked)
        for name, value in texts.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*TEXT_FIELDS, "version", "updated_at"])
    return locked


def _previous_texts(report):
    """The texts last submitted for the unit's previous week, or None."""
    previous = (
        WeeklyReportRound.objects.filter(report__unit=report.unit_id, report__week__lt=report.week)
        .order_by("-report__week", "-number")
        .values_list("texts", flat=True)
        .first()
    )
    return previous


def submit(user, report, data, *, version):
    """Submit the report with the texts in ``data``: its figures are fixed as they are now,
    a new round awaits review. A returned report is submitted again the same way."""
    texts = clean_texts(data)
    with transaction.atomic():
        locked = _locked_for_edit(user, report)
        if locked.version != version:
            raise Conflict(locked)
        now = timezone.now()
        fixed = figures.current(locked)
        figures.apply(locked, fixed, at=now)
        for name, value in texts.items():
            setattr(locked, name, value)
        locked.is_empty = emptiness.is_empty(fixed, texts, _previous_texts(locked))
        number = locked.rounds.count() + 1
        WeeklyReportRound.objects.create(
            report=locked,
            number=number,
            submitted_at=now,
            submitted_by=user,
            figures=fixed,
            texts=texts,
            is_empty=locked.is_empty,
        )
        locked.status = WeeklyReport.Status.SUBMITTED
        locked.first_submitted_at = locked.first_submitted_at or now
        locked.submitted_at = now
        locked.submitted_by = user
        locked.version += 1
        locked.updated_at = now
        locked.save()
        audit(
            actor=user,
            action="weekly.submit",
            unit=locked.unit,
            week=periods.label(locked.week),
            round=number,
            late=locked.is_late,
            empty=locked.is_empty,
        )
    return locked


def attach(user, report, upload):
    """Attach a checked file (photos, PDF, Office documents) to an editable report."""
    check_upload(upload)
    name = (upload.name or "").rsplit("/", 1)[-1][:200] or "file"
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        locked = _locked_for_edit(user, report)
        if locked.attachments.count() >= ATTACHMENTS_MAX:
            raise ValidationError(
                _("A weekly report takes at most %(n)d files.") % {"n": ATTACHMENTS_MAX}
            )
        attachment = WeeklyReportAttachment(
            report=locked,
            name=name,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        attachment.file.save(storage_name(name), ContentFile(upload.read()), save=False)
        attachment.save()
    return attachment


def detach(user, report, attachment_id):
    """Remove a file from an editable report (the stored file goes with it)."""
    with transaction.atomic():
        locked = _locked_for_edit(user, report)
        attachment = locked.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise ValidationError(_("That file is no longer attached."))
        stored = attachment.file
        attachment.delete()
        transaction.on_commit(lambda: stored.delete(save=False))
    return locked
