"""The monthly upload to the provincial system (月报, S11): one row per county and month.

The provincial format is data (``MonthlyTemplate``): a city's column list (heading + a field
from the whitelist in ``reporting.monthly.layout``) and its code lists for category and grade.
Editing a template writes a new version; an upload records the version it was prepared with
(``template_version`` 0: the built-in default, used while the city has none).

An upload goes not prepared → ready (the workbook is stored) → uploaded (the http uploader's
POST was accepted) → confirmed (a provincial receipt number and date), or failed (the http
uploader gave up). *Overdue* is derived: the 1st of the next month has come and it is not
confirmed (``is_overdue``); it is never stored.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import OrgUnit

__all__ = ["MonthlyTemplate", "MonthlyUpload", "MonthlyUploadRequest", "next_month"]


def next_month(month: dt.date) -> dt.date:
    """The 1st of the month after ``month`` (a 1st)."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


class MonthlyTemplate(models.Model):
    """One version of a city's provincial format; the city's highest version is in force."""

    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    # [{"heading": "隐患编号", "field": "code"}, …] in column order; fields from the whitelist.
    columns = models.JSONField(_("columns"), default=list)
    # {hazard category code: provincial code}; an item falls back to its area's code.
    category_codes = models.JSONField(_("category codes"), default=dict, blank=True)
    # {"general": "…", "major": "…"}
    level_codes = models.JSONField(_("grade codes"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("provincial format")
        verbose_name_plural = _("provincial formats")
        ordering = ["city", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["city", "version"], name="monthlytemplate_version"),
            models.CheckConstraint(name="monthlytemplate_version_1", condition=Q(version__gte=1)),
        ]

    def __str__(self):
        return f"{self.city} v{self.version}"


def upload_file_path(instance, filename):
    return f"monthly/{instance.month:%Y-%m}/{filename}"


class MonthlyUpload(models.Model):
    class Status(models.TextChoices):
        NOT_PREPARED = "not_prepared", _("not prepared")
        READY = "ready", _("ready to upload")
        UPLOADED = "uploaded", _("uploaded")
        CONFIRMED = "confirmed", _("confirmed")
        FAILED = "failed", _("upload failed")

    county = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="monthly_uploads")
    # The city above, for the city's month view without walking the tree.
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    # The 1st of the month the list covers; due before the 1st of the next month.
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_PREPARED
    )
    template = models.ForeignKey(
        MonthlyTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    template_version = models.PositiveIntegerField(_("format version"), default=0)
    # The run that prepared the workbook, and the http uploader's run.
    job_run = models.ForeignKey(
        "core.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    upload_run = models.ForeignKey(
        "core.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=upload_file_path, max_length=255, blank=True)
    rows = models.PositiveIntegerField(_("hazards listed"), default=0)
    # The hazards the workbook lists: they get ``uploaded_month`` when the upload succeeds.
    hazard_ids = models.JSONField(default=list, blank=True)
    prepared_at = models.DateTimeField(_("prepared"), null=True, blank=True)
    # Sent with every POST of this upload: the provincial system sees a retry as the same one.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), null=True, blank=True)
    receipt_number = models.CharField(_("provincial receipt number"), max_length=60, blank=True)
    receipt_date = models.DateField(_("receipt date"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why the http uploader gave up, in the portal's language (the requests say the rest).
    failure = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("monthly upload")
        verbose_name_plural = _("monthly uploads")
        ordering = ["-month", "county__path"]
        constraints = [
            models.UniqueConstraint(fields=["county", "month"], name="monthlyupload_once"),
            models.CheckConstraint(name="monthlyupload_month_first", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="monthlyupload_ready_has_file",
                condition=Q(status="not_prepared") | (~Q(file="") & Q(prepared_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="monthlyupload_confirmed_has_receipt",
                condition=~Q(status="confirmed")
                | (
                    ~Q(receipt_number="")
                    & Q(receipt_date__isnull=False, confirmed_at__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="monthlyupload_uploaded_has_time",
                condition=~Q(status__in=["uploaded", "confirmed"]) | Q(uploaded_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["city", "month"], name="monthlyupload_city_month")]

    def __str__(self):
        return f"{self.county} {self.month:%Y-%m}"

    @property
    def label(self):
        return f"{self.month:%Y-%m}"

    @property
    def due(self) -> dt.date:
        """The last day to upload: the day before the 1st of the next month."""
        return next_month(self.month) - dt.timedelta(days=1)

    def is_overdue_on(self, today: dt.date) -> bool:
        return self.status != self.Status.CONFIRMED and today >= next_month(self.month)

    @property
    def is_overdue(self):
        return self.is_overdue_on(timezone.localdate())


class MonthlyUploadRequest(models.Model):
    """One POST of the http uploader and what came back (or why nothing did): kept for ever."""

    upload = models.ForeignKey(MonthlyUpload, on_delete=models.CASCADE, related_name="requests")
    attempt = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["upload", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "attempt"], name="monthlyrequest_attempt"),
            models.CheckConstraint(
                name="monthlyrequest_answer_or_error",
                condition=Q(status_code__isnull=False) | ~Q(error=""),
            ),
        ]

    def __str__(self):
        return f"{self.upload} #{self.attempt}: {self.status_code or self.error}"
