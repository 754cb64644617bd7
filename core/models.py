"""What every app stands on: job runs, worker heartbeats, the audit log and notifications.

These tables were created by the ``campaign`` app and keep their names (``db_table``), so
moving the models here moved no data. A unit is the campaign's organisation tree, reached only
through ``settings.CORE_UNIT_MODEL``.
"""

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
