"""Unannounced inspections (四不两直): checklists, plans, the sealed draw, visits, answers,
findings that become hazards, results for the assessment, circulars and rectification notices.

Secrecy (DESIGN §4): a plan and its targets are seen by its team (per-object django-guardian
grants, ``InspectionPlanUserPermission``) and by city-level supervisors; a visit is revealed to
the units above its school once it has *started* (``Visit.started_at``). Every URL carries a
random ``code``, never an integer id.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import UserObjectPermissionBase

from campaign.models import OrgUnit
from hazards.models import Hazard, HazardCategory


def new_code():
    """An unguessable URL code (96 random bits, URL-safe)."""
    return secrets.token_urlsafe(12)


# --- Checklists (检查表), versioned ----------------------------------------------------------


class ChecklistTemplate(models.Model):
    """A checklist as the city keeps it; its content lives in versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def current_version(self):
        return self.versions.order_by("-number").first()


class ChecklistVersion(models.Model):
    """One version of a checklist. Once a plan has been sealed with it (``used_at``), it is never
    changed again: an edit makes the next version, and every visit keeps the one it used."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(_("first used"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="checklistversion_number")
        ]

    def __str__(self):
        return f"{self.template.name} v{self.number}"

    @property
    def is_used(self):
        return self.used_at is not None


class ChecklistSection(models.Model):
    """A group of items: a defence (人防 / 物防 / 技防) or a key area (gate, canteen, fire …)."""

    class Defence(models.TextChoices):
        HUMAN = "human", _("human defence")
        PHYSICAL = "physical", _("physical defence")
        TECHNICAL = "technical", _("technical defence")
        AREA = "area", _("key area")

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    defence = models.CharField(_("defence"), max_length=10, choices=Defence.choices)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="checklistsection_code")
        ]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    """One thing the inspector checks, and what a failure becomes in the register."""

    class AnswerType(models.TextChoices):
        PASS_FAIL = "pass_fail", _("pass / fail / not applicable")
        MIN_NUMBER = "min_number", _("a number with a required minimum")
        MAX_NUMBER = "max_number", _("a number with an allowed maximum")

    class Threshold(models.TextChoices):
        """Where a number's limit comes from."""

        FIXED = "fixed", _("the number set on the item")
        GUARDS_REQUIRED = "guards_required", _("the guards the school should have for its size")

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    # Stable across versions: the same check keeps its code, so results compare over time.
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("item"), max_length=200)
    hint = models.CharField(_("how to check"), max_length=300, blank=True)
    answer_type = models.CharField(
        _("answer type"), max_length=12, choices=AnswerType.choices, default=AnswerType.PASS_FAIL
    )
    threshold = models.DecimalField(
        _("limit"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    threshold_rule = models.CharField(
        _("limit from"), max_length=16, choices=Threshold.choices, default=Threshold.FIXED
    )
    unit_label = models.CharField(_("unit of the number"), max_length=10, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    critical = models.BooleanField(_("critical"), default=False)
    category = models.ForeignKey(
        HazardCategory, verbose_name=_("hazard category"), on_delete=models.PROTECT
    )
    level = models.CharField(
        _("grade of a failure"),
        max_length=10,
        choices=Hazard.Level.choices,
        default=Hazard.Level.GENERAL,
    )

    class Meta:
        ordering = ["version", "section__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="checklistitem_code"),
            models.CheckConstraint(
                name="checklistitem_number_has_limit",
                condition=Q(answer_type="pass_fail")
                | Q(threshold__isnull=False)
                | Q(threshold_rule="guards_required"),
            ),
            models.CheckConstraint(
                name="checklistitem_weight_positive", condition=Q(weight__gte=1)
            ),
        ]

    def __str__(self):
        return self.text


# --- Plans (督查方案) and the sealed draw --------------------------------------------------


DEFAULT_WEIGHTS = {
    # Every school in scope starts at ``base``; each risk feature adds its weight.
    "base": 1,
    "zero_data": 3,  # on the zero-data list (S7): registered nothing this campaign year
    "overdue": 2,  # has an overdue open hazard
    "major_open": 3,  # has an open major hazard
    "bad_score": 2,  # its last inspection scored below 60
    "not_inspected": 2,  # never inspected; scaled down for a recent inspection (a year: full)
}


class InspectionPlan(models.Model):
    class State(models.TextChoices):
        # Words of their own (a context): "finished" elsewhere is a job-run column (完成时间).
        DRAFT = "draft", pgettext_lazy("plan state", "draft")
        SEALED = "sealed", pgettext_lazy("plan state", "sealed")
        IN_PROGRESS = "in_progress", pgettext_lazy("plan state", "in progress")
        FINISHED = "finished", pgettext_lazy("plan state", "finished")
        CIRCULATED = "circulated", pgettext_lazy("plan state", "circulated")

    code = models.CharField(max_length=24, unique=True, default=new_code, editable=False)
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    round = models.CharField(
        _("campaign round"), max_length=60, help_text=_("For example: 2019年第四季度")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # Empty: the whole city.
    counties = models.ManyToManyField(
        OrgUnit, verbose_name=_("counties"), blank=True, related_name="+"
    )
    focus_areas = models.ManyToManyField(
        HazardCategory, verbose_name=_("focus areas"), blank=True, related_name="+"
    )
    checklist = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT
    )
    # The version pinned when the plan is sealed; every visit of the plan uses it.
    version = models.ForeignKey(
        ChecklistVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draw_size = models.PositiveSmallIntegerField(_("schools to draw"))
    weights = models.JSONField(_("risk weights"), default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sealed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-period_start", "-id"]
        # Per-object grants for the team (django-guardian): who may see the plan and visit.
        default_permissions = ("view", "change")
        permissions = [("conduct_inspection", _("Can carry out the plan's visits"))]
        constraints = [
            models.CheckConstraint(
                name="inspectionplan_period_order",
                condition=Q(period_end__gte=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="inspectionplan_sealed_has_version",
                condition=Q(state="draft") | Q(version__isnull=False, sealed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("inspections:plan_detail", args=[self.code])

    def effective_weights(self):
        return {**DEFAULT_WEIGHTS, **(self.weights or {})}


class InspectionPlanUserPermission(UserObjectPermissionBase):
    """django-guardian grants on one plan, with a real foreign key (the team's access)."""

    content_object = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE)


class TeamMember(models.Model):
    """督查组: inspectors and one team leader, who may belong to any unit."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField(_("team leader"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="teammember_once"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(is_leader=True), name="teammember_one_leader"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.plan}"


class Draw(models.Model):
    """The recorded draw of a plan: the candidates as they were, their digest and the seed.

    ``candidates`` is ``[[school_id, weight, features], …]`` in school-id order; the digest is the
    SHA-256 of its canonical JSON, so an auditor re-running the draw with ``seed`` on the stored
    candidates gets the same targets and can see the candidates were not changed since.
    """

    plan = models.OneToOneField(InspectionPlan, on_delete=models.CASCADE, related_name="draw")
    seed = models.CharField(max_length=64)
    size = models.PositiveSmallIntegerField()
    weights = models.JSONField()
    candidates = models.JSONField()
    candidates_digest = models.CharField(max_length=64)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.plan} · {self.seed}"


class Target(models.Model):
    """A school the plan inspects: drawn, added by hand, or added for a re-check."""

    class Origin(models.TextChoices):
        DRAWN = "drawn", _("drawn")
        ADDED = "added", _("added by hand")
        RECHECK = "recheck", _("re-check of a closed hazard")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="targets")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(max_length=10, choices=Origin.choices)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)  # order drawn
    weight = models.FloatField(null=True, blank=True)
    features = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # Removed by hand before sealing: kept, marked, with who and why.
    removed = models.BooleanField(default=False)
    removed_reason = models.CharField(_("reason for removal"), max_length=200, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "removed", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "school"], name="target_once_per_plan"),
            models.CheckConstraint(
                name="target_manual_has_reason",
                condition=Q(origin="drawn") | ~Q(reason=""),
            ),
            models.CheckConstraint(
                name="target_removed_has_reason",
                condition=Q(removed=False) | ~Q(removed_reason=""),
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.school}"


class Recheck(models.Model):
    """复查: a closed hazard the plan checks again at its school's visit."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="rechecks")
    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "hazard"], name="recheck_once_per_plan")
        ]

    def __str__(self):
        return f"{self.plan} · {self.hazard}"


# --- Visits, answers, photos, amendments ------------------------------------------------------


class Visit(models.Model):
    """One school's inspection under a plan. Revealed to the school's units once started;
    sealed (answers fixed, digest recorded) once finished."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("visit state", "not started")
        STARTED = "started", pgettext_lazy("visit state", "in progress")
        FINISHED = "finished", pgettext_lazy("visit state", "finished")

    code = models.CharField(max_length=24, unique=True, default=new_code, editable=False)
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="visits")
    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="visit")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="visits")
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_accuracy = models.FloatField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SHA-256 of the sealed record (answers, notes, photo digests) at finishing.
    sealed_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["plan", "planned_on", "school__path"]
        indexes = [
            models.Index(fields=["school", "started_at"], name="visit_school_started"),
            models.Index(fields=["county", "started_at"], name="visit_county_started"),
        ]
        constraints = [
            models.CheckConstraint(
                name="visit_state_follows_times",
                condition=Q(state="scheduled", started_at__isnull=True, finished_at__isnull=True)
                | Q(state="started", started_at__isnull=False, finished_at__isnull=True)
                | Q(state="finished", started_at__isnull=False, finished_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.school}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("inspections:visit_detail", args=[self.code])

    @property
    def is_revealed(self):
        return self.started_at is not None


class Answer(models.Model):
    """The inspector's answer to one item (or to one re-checked hazard) at a visit.

    Saved as it is given (``client_id``: the browser's id for it, so a resend is not a second
    answer). Fixed once the visit is finished; a correction is an ``Amendment``.
    """

    class Result(models.TextChoices):
        PASS = "pass", pgettext_lazy("inspection answer", "pass")
        FAIL = "fail", pgettext_lazy("inspection answer", "fail")
        NA = "na", pgettext_lazy("inspection answer", "not applicable")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recheck = models.ForeignKey(
        Recheck, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    result = models.CharField(max_length=4, choices=Result.choices)
    value = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    # The limit the value was judged against (for "guards required": from the school's size).
    limit = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # What a failure becomes, adjustable by the inspector before finishing.
    category = models.ForeignKey(
        HazardCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(max_length=10, choices=Hazard.Level.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    client_id = models.CharField(max_length=64, blank=True)
    # The hazard a failure became (findings → hazards), linked both ways.
    hazard = models.OneToOneField(
        Hazard, null=True, blank=True, on_delete=models.PROTECT, related_name="finding"
    )

    class Meta:
        ordering = ["visit", "item__section__order", "item__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "item"],
                condition=Q(item__isnull=False),
                name="answer_once_per_item",
            ),
            models.UniqueConstraint(
                fields=["visit", "recheck"],
                condition=Q(recheck__isnull=False),
                name="answer_once_per_recheck",
            ),
            models.CheckConstraint(
                name="answer_item_or_recheck",
                condition=Q(item__isnull=False, recheck__isnull=True)
                | Q(item__isnull=True, recheck__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.visit} · {self.item or self.recheck}"


def photo_path(photo, filename):
    return f"inspections/{photo.visit.code}/{photo.client_id or secrets.token_hex(8)}.jpg"


class AnswerPhoto(models.Model):
    """A photo taken for an answer; its SHA-256 is fixed when the visit is sealed."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="photos")
    code = models.CharField(max_length=24, unique=True, default=new_code, editable=False)
    # The browser's id for the photo: a resend after a dropped connection is not a second photo.
    client_id = models.CharField(max_length=64)
    file = models.FileField(upload_to=photo_path, max_length=255)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answer", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "client_id"], name="answerphoto_client_once")
        ]

    def __str__(self):
        return self.original_name or self.code


class Amendment(models.Model):
    """A correction of a sealed answer: the original stays, both are shown."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="amendments")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="amendments")
    field = models.CharField(max_length=10)  # result / value / note
    old = models.JSONField()
    new = models.JSONField()
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answer", "at", "id"]
        constraints = [
            models.CheckConstraint(name="amendment_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self):
        return f"{self.answer} · {self.field}"


# --- Results for the assessment: plain rows the assessment reads without recomputing -------


class VisitResult(models.Model):
    """A finished visit's score: weighted passed / applicable, in percent."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="result")
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    finished_on = models.DateField()
    items_checked = models.PositiveIntegerField()  # applicable items answered
    items_failed = models.PositiveIntegerField()
    critical_failed = models.PositiveIntegerField()
    weight_applicable = models.PositiveIntegerField()
    weight_passed = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=1)
    sections_failed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["school", "-finished_on"], name="visitresult_school")]

    def __str__(self):
        return f"{self.visit} · {self.score}"


class SectionResult(models.Model):
    visit_result = models.ForeignKey(VisitResult, on_delete=models.CASCADE, related_name="sections")
    section = models.ForeignKey(ChecklistSection, on_delete=models.PROTECT, related_name="+")
    items_checked = models.PositiveIntegerField()
    items_failed = models.PositiveIntegerField()
    critical_failed = models.PositiveIntegerField()
    weight_applicable = models.PositiveIntegerField()
    weight_passed = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    # A failed critical item fails its section.
    failed = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit_result", "section"], name="sectionresult_once")
        ]

    def __str__(self):
        return f"{self.visit_result} · {self.section}"


class PlanCountyResult(models.Model):
    """A plan's results rolled up per county (county None: the city's own schools)."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="county_results"
    )
    county = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    schools = models.PositiveIntegerField()
    items_checked = models.PositiveIntegerField()
    items_failed = models.PositiveIntegerField()
    critical_failed = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=1)  # mean of the visits' scores

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "county"], name="plancountyresult_once", nulls_distinct=False
            )
        ]

    def __str__(self):
        return f"{self.plan} · {self.county}"


# --- Circulars (通报) and rectification notices (整改通知书) ------------------------------


class CircularCounter(models.Model):
    """The last circular number issued per city and year: numbers without gaps."""

    city = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="circularcounter_city_year")
        ]

    def __str__(self):
        return f"{self.city} {self.year}: {self.last}"


class Circular(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("circular state", "draft")
        PUBLISHING = "publishing", pgettext_lazy("circular state", "being published")
        PUBLISHED = "published", pgettext_lazy("circular state", "published")

    code = models.CharField(max_length=24, unique=True, default=new_code, editable=False)
    plan = models.OneToOneField(InspectionPlan, on_delete=models.PROTECT, related_name="circular")
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    issuing_office = models.CharField(_("issuing office"), max_length=100)
    title = models.CharField(_("title"), max_length=150)
    summary = models.TextField(_("summary"))
    problems = models.TextField(_("problems found"), blank=True)
    requirements = models.TextField(_("rectification requirements"))
    deadline = models.DateField(_("rectification deadline"))
    # Given at publication, from CircularCounter: 通教安督〔2019〕3号.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    doc_number = models.CharField(_("document number"), max_length=40, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    pdf = models.FileField(upload_to="circulars/", max_length=255, blank=True)
    job_run = models.ForeignKey(
        "core.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "year", "number"],
                condition=Q(number__isnull=False),
                name="circular_number_once",
            ),
            models.CheckConstraint(
                name="circular_published_has_number",
                condition=Q(state="draft") | Q(number__isnull=False, issued_on__isnull=False),
            ),
        ]

    def __str__(self):
        return self.doc_number or self.title


class RectificationNotice(models.Model):
    """整改通知书 to one school with findings: its hazards and their deadlines (live status on
    the page)."""

    code = models.CharField(max_length=24, unique=True, default=new_code, editable=False)
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="notices")
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="notice")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("rectify by"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["school__path"]
        constraints = [
            models.UniqueConstraint(fields=["circular", "school"], name="notice_once_per_school")
        ]

    def __str__(self):
        return f"{self.circular} · {self.school}"
