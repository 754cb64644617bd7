"""Weekly progress reports (S10): one per school and per county and ISO week.

A row is opened for every active school and county when the week starts (the beat job
``weekly_open``); the unique (unit, week) constraint is the last guard against opening twice.
A school's figures are prefilled from the register and refreshed until it submits; submitting
fixes them. Each submission is a *round*; the reviewing unit (the county; the city for a
school directly under it, and for a county's own report) accepts it or returns it with a
reason, and the officer edits and submits the next round. Timeliness is decided by the first
submission against ``due_at``, which is copied from the settings when the row is opened, so
that changing a deadline later does not rewrite past weeks.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign.models import OrgUnit

__all__ = ["WeeklyReport", "WeeklyReportRound", "WeeklyReportAttachment", "FIGURES"]

# The figures a weekly report carries, in the order forms, workbooks and PDFs show them, with
# their labels. Schools' are read from the register (reporting.weekly.figures); a county's are
# the sum of its schools' submitted figures.
FIGURES = (
    ("found", _("hazards found")),
    ("started", _("rectification started")),
    ("closed", _("closed")),
    ("still_open", _("still open")),
    ("overdue", _("overdue")),
    ("major_open", _("major, open")),
)


class WeeklyReport(models.Model):
    class Level(models.TextChoices):
        SCHOOL = "school", _("school")
        COUNTY = "county", _("county")

    class Status(models.TextChoices):
        # Opened, not yet submitted (a draft may be saved as the officer types).
        DRAFT = "draft", _("not submitted")
        SUBMITTED = "submitted", _("awaiting review")
        RETURNED = "returned", _("returned")
        # A school's accepted by its reviewing unit; a county's received by the city. Its own
        # context: a hazard's "accepted" is 已验收, a report's 已通过.
        ACCEPTED = "accepted", pgettext_lazy("weekly report", "accepted")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="weekly_reports")
    level = models.CharField(_("level"), max_length=6, choices=Level.choices)
    # The Monday of the ISO week (Asia/Shanghai): reporting.weekly.periods.
    week = models.DateField(_("week"))
    # Who reviews it: a school's county (the city for a city-direct school); a county's city.
    review_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    # The city above, for the city's week view without walking the tree.
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    found = models.PositiveIntegerField(_("hazards found"), default=0)
    started = models.PositiveIntegerField(_("rectification started"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    still_open = models.PositiveIntegerField(_("still open"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    major_open = models.PositiveIntegerField(_("major, open"), default=0)
    figures_at = models.DateTimeField(_("figures as of"), null=True, blank=True)

    work_done = models.TextField(_("work done this week"), blank=True)
    problems = models.TextField(_("problems met"), blank=True)
    next_week = models.TextField(_("plan for next week"), blank=True)

    # The first submission decides on time / late; the latest is shown.
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "Submitted but empty" (S7): all figures zero and no text of substance; decided at each
    # submission. Counts as submitted for timeliness; shown in the key-supervision view.
    is_empty = models.BooleanField(_("submitted but empty"), default=False)
    # Set when the city has received the county report above it: the school report is final.
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    # Bumped on every save of the draft: an autosave carries the version it started from, so
    # that two tabs cannot overwrite each other silently (compare-and-set).
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "week"], name="weeklyreport_one_per_week"),
            models.CheckConstraint(
                name="weeklyreport_submitted_has_time",
                condition=Q(status="draft") | Q(first_submitted_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["review_unit", "week", "level"], name="weeklyreport_review"),
            models.Index(fields=["city", "week", "level"], name="weeklyreport_city_week"),
        ]

    def __str__(self):
        return f"{self.unit} {self.week:%G-W%V}"

    @property
    def is_submitted(self):
        return self.first_submitted_at is not None

    @property
    def is_late(self):
        """Submitted after its deadline (a report never submitted is *missing*, not late)."""
        return self.first_submitted_at is not None and self.first_submitted_at > self.due_at

    def figures(self):
        return {name: getattr(self, name) for name, _label in FIGURES}


class WeeklyReportRound(models.Model):
    """One submission of a report and what became of it: kept for ever, every round."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # What was submitted: {figure: n} and {"work_done", "problems", "next_week"}.
    figures = models.JSONField(default=dict)
    texts = models.JSONField(default=dict)
    is_empty = models.BooleanField(default=False)
    # Returned with a reason, or accepted; both empty while it awaits review.
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="weeklyround_number"),
            models.CheckConstraint(
                name="weeklyround_returned_with_reason",
                condition=Q(returned_at__isnull=True) | ~Q(return_reason=""),
            ),
            models.CheckConstraint(
                name="weeklyround_returned_or_accepted",
                condition=Q(returned_at__isnull=True) | Q(accepted_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.report} #{self.number}"


def attachment_path(instance, filename):
    return f"reporting/weekly/{instance.report_id}/{instance.sha256[:16]}-{filename}"


class WeeklyReportAttachment(models.Model):
    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name
