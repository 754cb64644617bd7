"""Models of the campaign briefings (工作简报, S13) and the experience items they carry.

A briefing is drafted from live data: every registered section's snapshot is stored on the
draft (``snapshot``: ``{section key: JSON}``) with its editable text (``texts``), so the page,
the preview and the PDF show the same figures. The issue's number (第N期) is taken from the
city's ``BriefingCounter`` (row locked) in the same transaction that marks it published, so a
failed render consumes no number; unique (city, number) is the last guard.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import OrgUnit

__all__ = ["Briefing", "BriefingCounter", "ExperienceItem", "ExperienceItemPhoto"]


class BriefingCounter(models.Model):
    """The last briefing number issued per city: numbers without gaps."""

    city = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.city}: {self.last}"


class Briefing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHING = "publishing", _("being published")
        PUBLISHED = "published", _("published")
        FAILED = "failed", _("publication failed")

    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=150)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # Where the figures start: the previous issue's publication (None: the first issue).
    since = models.DateTimeField(null=True, blank=True)
    drafted_at = models.DateTimeField(default=timezone.now)
    snapshot = models.JSONField(default=dict, blank=True)
    texts = models.JSONField(default=dict, blank=True)
    # Keys of the drafted sections staff left out of the issue: kept in the snapshot so that
    # putting one back needs no new draft.
    excluded = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="briefings/", max_length=255, blank=True)
    pages = models.PositiveIntegerField(default=0)
    job_run = models.ForeignKey(
        "core.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        ordering = ["-published_at", "-drafted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "number"],
                condition=Q(number__isnull=False),
                name="briefing_number_once",
            ),
            models.CheckConstraint(
                name="briefing_published_has_number",
                condition=~Q(status="published")
                | Q(number__isnull=False, published_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"工作简报 第{self.number}期" if self.number else self.title


class ExperienceItem(models.Model):
    """经验交流: a county's or school's write-up of its good practice, for a briefing."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        CHOSEN = "chosen", _("chosen")
        NOT_CHOSEN = "not_chosen", _("not chosen")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    briefing = models.ForeignKey(
        Briefing, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )

    class Meta:
        verbose_name = _("experience item")
        verbose_name_plural = _("experience items")
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return self.title


class ExperienceItemPhoto(models.Model):
    item = models.ForeignKey(ExperienceItem, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="briefings/photos/", max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.file.name
