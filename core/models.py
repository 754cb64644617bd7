"""What every app stands on: job runs, worker heartbeats, the audit log and notifications.

These tables were created by the ``campaign`` app and keep their names (``db_table``), so
moving the models here moved no data. A unit is the campaign's organisation tree, reached only
through ``settings.CORE_UNIT_MODEL``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UNIT_MODEL = settings.CORE_UNIT_MODEL


def job_file_path(instance, filename):
    return f"jobs/{instance.kind}/{instance.pk}/{filename}"


class JobRun(models.Model):
    """One run of a background job: its state, progress, produced file and error.

    A worker *claims* a run for a lease (``claim`` is its token, ``lease_expires_at`` when it
    ends) and keeps extending it while the handler works; a run whose lease ran out (its worker
    died) is claimed again by a redelivery or re-queued by the sweeper, a bounded number of
    times (``attempts``). Only the holder of the current claim may finish the run.

    Who may see the run and its file follows ``scope``: the units whose subtrees its content
    may come from, recorded when it is requested (DESIGN §6), never the unit it is filed under.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    unit = models.ForeignKey(UNIT_MODEL, on_delete=models.PROTECT, related_name="job_runs")
    period = models.CharField(
        _("period"),
        max_length=40,
        help_text=_("What the run covers, e.g. 2019-W50 or 2019-12; unique per kind and unit."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What the handler needs beyond kind, unit and period, e.g. an export's filters.
    params = models.JSONField(default=dict, blank=True)
    # The technical error (with traceback), for city administrators; ``reason`` is the code of
    # the short message everyone else reads in their language (core.jobs.REASONS).
    error = models.TextField(_("error"), blank=True)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    # What the handler did, e.g. {"notifications": 12, "emails": 3}; rendered by the job kind.
    result = models.JSONField(_("result"), default=dict, blank=True)
    file = models.FileField(_("produced file"), upload_to=job_file_path, blank=True, max_length=255)
    # The token of the worker attempt that holds the run, and until when (see the class doc).
    # For a queued run the lease says by when a worker should have picked it up.
    claim = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)

    class Meta:
        db_table = "campaign_jobrun"
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The last guard against a job that was queued twice.
            models.UniqueConstraint(fields=["kind", "unit", "period"], name="jobrun_once"),
            models.CheckConstraint(name="jobrun_progress_0_100", condition=Q(progress__lte=100)),
        ]
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="jobrun_unit_recent"),
            # The sweeper's question: which live runs have an expired lease.
            models.Index(
                fields=["lease_expires_at"],
                name="jobrun_live_lease",
                condition=Q(state__in=["queued", "running"]),
            ),
        ]

    def __str__(self):
        return f"{self.kind_label} · {self.unit} · {self.period}"

    @property
    def kind_label(self):
        from core.jobs import registry

        job = registry.get(self.kind)
        return job.label if job else self.kind

    @property
    def file_name(self):
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    @property
    def reason_text(self):
        """Why the run failed, in the active language (empty unless it failed)."""
        from core.jobs import reason_text

        return reason_text(self) if self.state == self.State.FAILED else ""

    @property
    def summary_text(self):
        """What the run did, in the active language, as its job kind describes it."""
        from core.jobs import summary_text

        return summary_text(self)

    def scope_units(self):
        """The units of the run's recorded scope (prefetched as ``scope`` by the selectors)."""
        return [entry.unit for entry in self.scope.all()]


class JobRunScope(models.Model):
    """One unit whose subtree a run's content may come from (recorded when it is requested).

    A person sees the run, and downloads its file, only while every scope unit of the run lies
    inside what they may view (``campaign.policy``).
    """

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="scope")
    unit = models.ForeignKey(UNIT_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("job run scope")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="jobrunscope_once"),
        ]

    def __str__(self):
        return f"{self.run_id} → {self.unit_id}"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker answered, for /healthz."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        db_table = "campaign_workerheartbeat"

    def __str__(self):
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class AuditEntry(models.Model):
    """An immutable record of who changed people, roles, units or jobs, and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    unit = models.ForeignKey(UNIT_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "campaign_auditentry"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Notification(models.Model):
    """An in-app notice to one person (reminders, escalations, results of their actions).

    It stores a ``kind`` and its ``params``; the text is rendered when the notice is shown, in
    the reader's language, by the renderer the owning app registered for the kind
    (``core.notices``). ``text`` is the rendering in the portal's language at the moment of
    writing: what older notices have, and what is shown when no renderer knows the kind.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    unit = models.ForeignKey(UNIT_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    text = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=200, blank=True)
    # Deduplicates repeated runs of the same reminder job, e.g. "hazard:123:overdue:2019-12-20".
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "campaign_notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once",
            )
        ]

    def __str__(self):
        return self.text or self.kind

    @property
    def rendered(self):
        """The text in the active language (see ``core.notices``)."""
        from core import notices

        return notices.render(self)


# --- The import flow (core.imports.flow): one uploaded file, and a unit's remembered mapping --


def import_file_path(instance, filename):
    """Where an uploaded workbook is kept: a random name (the person's own file name is kept in
    ``original_name`` and given back on download, as the evidence files are)."""
    return f"imports/{instance.kind}/{uuid.uuid4().hex}.xlsx"


class ImportUpload(models.Model):
    """One workbook a person uploaded to import, from upload through preview to commit.

    It is its owner's own data: no one else sees it, its file or its error workbook (the views
    answer 404). The preview (``core.imports.preview.Preview.to_json``) is stored here, so the
    pages read it without reading the file again; a commit reads the file again with the stored
    sheet and mapping. Uploads not committed are deleted after ``IMPORT_UPLOAD_KEEP_DAYS``.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        PREVIEWING = "previewing", _("being checked")
        PREVIEWED = "previewed", _("checked")
        COMMITTING = "committing", _("being imported")
        COMMITTED = "committed", _("imported")
        FAILED = "failed", _("could not be read")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_uploads"
    )
    # The unit whose remembered mapping was used and is updated (the importer decides it).
    unit = models.ForeignKey(
        UNIT_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=import_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    # The error workbook of a large file, built by the preview's job run: openpyxl needs
    # seconds to load and save 20,000 rows, too long for the download request.
    error_file = models.FileField(upload_to=import_file_path, max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    # None: the sheet the engine chooses (the one with the header).
    sheet_index = models.PositiveSmallIntegerField(null=True, blank=True)
    # The confirmed mapping, a list of ColumnMap fields; empty: the engine proposes one.
    mapping = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    # What the mapping screen and the sheet select show of the previewed book:
    # {"columns": [{index, heading, samples}], "sheets": [[index, name], …]}.
    book = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    # Why the file could not be read or the commit was refused, in the owner's language.
    message = models.TextField(blank=True)
    # The preview's counts by row status; after the commit, what it did (created, updated …).
    counts = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    include_duplicates = models.BooleanField(default=False)
    # How many previews were asked for: names each preview's job run (its period).
    revision = models.PositiveIntegerField(default=0)
    preview_run = models.ForeignKey(
        JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit_run = models.ForeignKey(
        JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="importupload_status_known",
                condition=Q(
                    status__in=[
                        "uploaded",
                        "previewing",
                        "previewed",
                        "committing",
                        "committed",
                        "failed",
                    ]
                ),
            ),
        ]
        indexes = [
            # The cleanup's question: which uploads not committed are older than the limit.
            models.Index(
                fields=["created_at"], name="importupload_old", condition=~Q(status="committed")
            ),
        ]

    def __str__(self):
        return f"{self.kind} · {self.original_name}"


class ImportRow(models.Model):
    """One previewed row of an upload (``ParsedRow.to_json``), kept apart from the upload so
    that a page of a 20,000-row preview reads fifty rows, not the whole preview."""

    upload = models.ForeignKey(ImportUpload, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()  # the row's place in the preview (file order)
    status = models.CharField(max_length=12)
    data = models.JSONField()

    class Meta:
        ordering = ["upload", "position"]
        indexes = [
            models.Index(fields=["upload", "status", "position"], name="importrow_page"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["upload", "position"], name="importrow_position"),
        ]

    def __str__(self):
        return f"{self.upload_id} · {self.position}"


class ImportMapping(models.Model):
    """The columns a unit's people confirmed for one kind of import: {heading key: field code,
    or "" for a column they ignore}. Proposed for the unit's next file of that kind; only what
    a person saved on the mapping screen or committed with is remembered."""

    unit = models.ForeignKey(UNIT_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("remembered import mapping")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="importmapping_once"),
        ]

    def __str__(self):
        return f"{self.unit_id} · {self.kind}"


class StoredFile(models.Model):
    """What every attachment keeps beside its file (checked by ``core.files``): the name it was
    uploaded under, its sniffed type and size. Concrete models add the ``file`` field (their
    own storage folder) and what the file belongs to."""

    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
