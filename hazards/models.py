"""The hazard register: hazards, their five implementations, closed-loop events and files.

A hazard carries its school, county and city as plain keys (denormalised at registration) so
that a register of millions of rows is scoped on its own indexed columns.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Meeting, OrgUnit


class HazardCategory(models.Model):
    """The editable taxonomy of hazard areas (fire safety, canteen, …) and their items (S9)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    # Default time limits in days from the date found, by grade; editable per category.
    days_general = models.PositiveSmallIntegerField(_("time limit for general hazards (days)"))
    days_major = models.PositiveSmallIntegerField(_("time limit for major hazards (days)"))
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hazard category")
        verbose_name_plural = _("hazard categories")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name


class HazardCodeCounter(models.Model):
    """Hands out hazard numbers per prefix and year; a number is never given twice."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="hazardcode_prefix_year")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


# The fields of the five implementations (五落实, S15): responsibility, measures, funds, time
# limit, contingency plan. Forms, imports, exports and services all read this one list.
FIVE_IMPLEMENTATIONS = (
    "responsible_unit",
    "responsible_person",
    "responsible_phone",
    "measures",
    "funds_amount",
    "funds_source",
    "funds_secured",
    "deadline",
    "contingency_plan",
)
# The same without the time limit, which the forms and the import ask for apart from the others
# (it has a default by grade and category, and only the supervising level changes it later).
FIVE_WITHOUT_DEADLINE = tuple(f for f in FIVE_IMPLEMENTATIONS if f != "deadline")


class Hazard(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("registered")
        PLANNED = "planned", _("planned")
        RECTIFYING = "rectifying", _("rectifying")
        AWAITING_ACCEPTANCE = "awaiting_acceptance", _("awaiting acceptance")
        CLOSED = "closed", _("closed")

    class Level(models.TextChoices):
        GENERAL = "general", _("general hazard")
        MAJOR = "major", _("major hazard")

    class AcceptanceLevel(models.TextChoices):
        """The level that accepted a rectification: the kind of the acceptor's unit."""

        COUNTY = "county", _("county level")
        CITY = "city", _("city level")
        PROVINCE = "province", _("provincial level")

    class Source(models.TextChoices):
        SELF_CHECK = "self_check", _("school self-check")
        COUNTY_CHECK = "county_check", _("county check")
        INSPECTION = "inspection", _("unannounced inspection")
        PROVINCIAL = "provincial", _("provincial dispatch")
        PUBLIC_REPORT = "public_report", _("public report")

    OPEN_STATUSES = (
        Status.REPORTED,
        Status.PLANNED,
        Status.RECTIFYING,
        Status.AWAITING_ACCEPTANCE,
    )

    code = models.CharField(_("hazard number"), max_length=30, unique=True)
    school = models.ForeignKey(
        OrgUnit, verbose_name=_("school"), on_delete=models.PROTECT, related_name="hazards"
    )
    # Denormalised from the school at registration; county is empty for city-direct schools.
    county = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    level = models.CharField(
        _("grade"), max_length=10, choices=Level.choices, default=Level.GENERAL
    )
    category = models.ForeignKey(
        HazardCategory, verbose_name=_("category"), on_delete=models.PROTECT
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    location = models.CharField(_("where exactly"), max_length=200)
    description = models.TextField(_("description"))
    found_on = models.DateField(_("date found"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Five implementations (五落实), S15
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=60, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=30, blank=True)
    measures = models.TextField(_("measures"), blank=True)
    funds_amount = models.DecimalField(
        _("funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    funds_source = models.CharField(_("source of funds"), max_length=100, blank=True)
    funds_secured = models.BooleanField(_("funds secured"), null=True, blank=True)
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    contingency_plan = models.TextField(_("contingency plan"), blank=True)
    # Kept by the services so that the register can filter and count on it.
    five_complete = models.BooleanField(_("five implementations complete"), default=False)

    consultation_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("consultation meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )

    # Provincial campus safety risk management system (S11)
    provincial_ref = models.CharField(_("provincial reference number"), max_length=40, blank=True)
    # The number the hazard had in the ledger it was imported from (台账编号), if any: a second
    # upload of the same ledger finds it again by this number within the school.
    # db_default: the scale generator loads hazards with COPY and names only its columns.
    ledger_ref = models.CharField(
        _("ledger number"), max_length=40, blank=True, default="", db_default=""
    )
    uploaded_month = models.DateField(_("last uploaded (month)"), null=True, blank=True)

    # When the rectification was last submitted for acceptance (set by the submit service):
    # the awaiting list shows how long each has waited, oldest first.
    submitted_at = models.DateTimeField(_("submitted for acceptance"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The acceptance (验收) that closed the hazard: who, when (closed_at), at which level and
    # with what opinion. Cleared when it is reopened; the events keep the history.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_level = models.CharField(
        _("acceptance level"), max_length=10, choices=AcceptanceLevel.choices, blank=True
    )
    acceptance_opinion = models.TextField(_("acceptance opinion"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["city", "status", "-found_on"], name="hazard_city_status"),
            models.Index(fields=["county", "status", "-found_on"], name="hazard_county_status"),
            models.Index(fields=["school", "status", "-found_on"], name="hazard_school_status"),
            models.Index(fields=["-found_on", "-id"], name="hazard_recent"),
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline"),
            models.Index(fields=["school", "ledger_ref"], name="hazard_school_ledger_ref"),
        ]
        constraints = [
            # Rectification cannot be under way, awaiting acceptance or closed without the
            # five implementations (S15).
            models.CheckConstraint(
                name="hazard_five_before_rectifying",
                condition=Q(status__in=["reported"]) | Q(five_complete=True),
            ),
            # The status follows the data: a hazard stays registered exactly as long as its five
            # implementations are incomplete (with the constraint above).
            models.CheckConstraint(
                name="hazard_registered_until_five",
                condition=~Q(status="reported") | Q(five_complete=False),
            ),
            models.CheckConstraint(
                name="hazard_closed_has_acceptor",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            ),
            # Acceptance is a record: a closed hazard says at which level and with what opinion
            # it was accepted; an open one carries no acceptance.
            models.CheckConstraint(
                name="hazard_closed_is_accepted",
                condition=~Q(status="closed") | (~Q(accepted_level="") & ~Q(acceptance_opinion="")),
            ),
            models.CheckConstraint(
                name="hazard_open_not_accepted",
                condition=Q(status="closed")
                | Q(
                    accepted_level="",
                    acceptance_opinion="",
                    accepted_by__isnull=True,
                    closed_at__isnull=True,
                ),
            ),
            # DESIGN §5: a major hazard is accepted at city level (or above).
            models.CheckConstraint(
                name="hazard_major_accepted_by_city",
                condition=~Q(status="closed", level="major")
                | Q(accepted_level__in=["city", "province"]),
            ),
            models.CheckConstraint(
                name="hazard_funds_not_negative",
                condition=Q(funds_amount__isnull=True) | Q(funds_amount__gte=0),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.location}"

    def get_absolute_url(self):
        return reverse("hazards:hazard_detail", args=[self.code])

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self):
        """Overdue is derived from the time limit, never stored (DESIGN §5)."""
        return bool(self.is_open and self.deadline and self.deadline < timezone.localdate())

    @property
    def days_overdue(self):
        return (timezone.localdate() - self.deadline).days if self.is_overdue else 0

    @property
    def days_waiting(self):
        """Whole days since it was submitted, while it awaits acceptance (else None)."""
        if self.status != self.Status.AWAITING_ACCEPTANCE or self.submitted_at is None:
            return None
        return (timezone.localdate() - timezone.localdate(self.submitted_at)).days

    @property
    def is_major(self):
        return self.level == self.Level.MAJOR

    @property
    def consultation_required(self):
        """A major hazard calls a consultation meeting at once (S12) until one is linked."""
        return self.is_major and self.consultation_meeting_id is None


class HazardEvent(models.Model):
    """One immutable step of a hazard's story: a transition, an edit, a comment."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registered")
        TRANSITION = "transition", _("status changed")
        EDIT = "edit", _("edited")
        COMMENT = "comment", _("comment")
        FILE = "file", _("file added")
        MEETING = "meeting", _("consultation meeting linked")
        # Registered from a ledger that said it was already rectified or accepted: the note
        # says when and by whom, as the ledger has it; the actor is the person who imported it.
        IMPORTED = "imported", _("imported with its history")

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    # For edits: {field: [old, new]} as text.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["hazard", "at"], name="hazardevent_hazard_at")]

    def __str__(self):
        return f"{self.hazard_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def evidence_path(instance, filename):
    return f"hazards/{instance.hazard_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Evidence(models.Model):
    """A photo or document attached to a hazard, served only through a permission check."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("photo before")
        AFTER = "after", _("photo after")
        DOCUMENT = "document", _("document")
        PLAN = "plan", _("contingency plan")

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(
        HazardEvent, null=True, on_delete=models.SET_NULL, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class HazardTally(models.Model):
    """How many hazards each county-level area has per status and five-implementations state.

    Kept by the services in the same transaction as every change, so that the register's
    unfiltered counts read a few rows per county instead of counting every hazard a city or
    province user may see. ``area`` is the county, or the city for city-direct schools.
    """

    area = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    city = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Hazard.Status.choices)
    five_complete = models.BooleanField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "status", "five_complete"], name="hazardtally_cell"
            ),
            models.CheckConstraint(name="hazardtally_not_negative", condition=Q(count__gte=0)),
        ]

    def __str__(self):
        return f"{self.area_id} {self.status} {self.five_complete}: {self.count}"
