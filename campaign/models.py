"""The organisation tree, people and their role grants, meeting records and the campaign's
governance (incidents, working groups, the accountability record).

The tree is a materialised path (``OrgUnit.path`` = ``/<id of root>/…/<own id>/``) so that
"this unit's whole subtree" is one indexed prefix match, at city and at province size.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import UserObjectPermissionBase

from core.models import StoredFile


class User(AbstractUser):
    """A person who signs in. Roles come from ``RoleGrant`` rows, not from Django groups."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # A database default too, so that bulk loads (seed_scale's COPY) need not name the column.
    email_digest = models.BooleanField(
        _("daily e-mail digest of my notifications"), default=True, db_default=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # "Zhang" and "zhang" would be two people to the database but one to a clerk.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username


class OrgUnit(models.Model):
    """A unit of the organisation tree: province → city → county-level unit → school.

    Schools carry the school fields; other kinds leave them empty (enforced below).
    City-direct schools (市直属学校) hang directly under their city.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        COUNTY = "county", _("county-level unit")
        SCHOOL = "school", _("school")

    class Category(models.TextChoices):
        KINDERGARTEN = "kindergarten", _("kindergarten")
        PRIMARY = "primary", _("primary school")
        JUNIOR = "junior", _("junior secondary school")
        SENIOR = "senior", _("senior secondary school")
        NINE_YEAR = "nine_year", _("nine-year school")
        VOCATIONAL = "vocational", _("vocational school")
        SPECIAL = "special", _("special education school")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("private")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A unique unit code, e.g. the school's registration code."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    is_active = models.BooleanField(_("active"), default=True)

    # School fields (kind = school only)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=8, choices=Ownership.choices, blank=True
    )
    students = models.PositiveIntegerField(_("number of students"), null=True, blank=True)
    staff = models.PositiveIntegerField(_("number of staff"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    principal_name = models.CharField(_("principal"), max_length=60, blank=True)
    principal_phone = models.CharField(_("principal's phone"), max_length=30, blank=True)
    safety_officer_name = models.CharField(_("safety officer"), max_length=60, blank=True)
    safety_officer_phone = models.CharField(_("safety officer's phone"), max_length=30, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"], name="orgunit_kind_path"),
            models.Index(fields=["parent", "kind", "name"], name="orgunit_parent_kind_name"),
        ]
        constraints = [
            models.CheckConstraint(
                name="orgunit_school_fields_only_on_schools",
                condition=Q(kind="school", category__gt="", ownership__gt="")
                | (~Q(kind="school") & Q(category="", ownership="")),
            ),
            models.CheckConstraint(
                name="orgunit_only_root_has_no_parent",
                condition=Q(parent__isnull=False) | Q(kind__in=["province", "city"]),
            ),
        ]
        # Object permissions granted on a unit (django-guardian) and valid for its subtree.
        # A role (campaign.roles) is a named bundle of these.
        permissions = [
            ("manage_users", _("Can manage users and their roles in the unit")),
            ("manage_units", _("Can manage units of the organisation tree")),
            ("run_jobs", _("Can start and re-run jobs for the unit")),
            ("register_hazard", _("Can register hazards in the unit")),
            ("manage_hazard", _("Can keep hazards' five implementations and rectification")),
            ("accept_hazard", _("Can accept rectifications and set time limits")),
            ("view_inspections", _("Can see the unit's inspection plans before the visits")),
            ("manage_inspections", _("Can plan inspections and publish circulars")),
            ("manage_checklists", _("Can edit inspection checklists")),
            ("submit_reports", _("Can fill and submit the unit's reports")),
            ("review_reports", _("Can review, return and accept the reports of units below")),
            ("manage_briefings", _("Can draft and publish campaign briefings")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        if self.kind == self.Kind.SCHOOL:
            return reverse("campaign:school_detail", args=[self.code])
        if self.kind == self.Kind.COUNTY:
            return reverse("campaign:county_detail", args=[self.code])
        return reverse("campaign:org_tree")

    @property
    def is_school(self):
        return self.kind == self.Kind.SCHOOL

    def ancestor_ids(self):
        """Ids from the root down to and including this unit, read from the path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_in_subtree_of(self, unit):
        return self.path.startswith(unit.path)


class SchoolManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OrgUnit.Kind.SCHOOL)


class School(OrgUnit):
    """The schools of the tree, under the glossary's name (``School.Category``)."""

    objects = SchoolManager()

    class Meta:
        proxy = True
        verbose_name = _("school")
        verbose_name_plural = _("schools")


class Role(models.TextChoices):
    """The roles of the campaign. What each may do, and where it may be held, is in
    ``campaign.roles``."""

    CITY_ADMIN = "city_admin", _("city administrator")
    CITY_STAFF = "city_staff", _("city bureau staff")
    SAFETY_OFFICE = "safety_office", _("Safety & Stability Office")
    COUNTY_STAFF = "county_staff", _("county bureau staff")
    SCHOOL_OFFICER = "school_officer", _("school safety officer")
    INSPECTOR = "inspector", _("inspector")
    LEADER = "leader", _("leader (read-only)")


class RoleGrant(models.Model):
    """That a user holds a role at a unit (and so in its whole subtree).

    The permissions the role carries are stored as django-guardian object permissions on the
    unit; this row records which role they came from, who granted it and when, so that the
    portal can show and revoke roles rather than loose permissions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="rolegrant_unique"),
            # A grant of an unknown role could not be revoked.
            models.CheckConstraint(name="rolegrant_known_role", condition=Q(role__in=Role.values)),
        ]

    def __str__(self):
        return f"{self.user} · {self.role_label} · {self.unit}"

    @property
    def role_label(self):
        return self.get_role_display()


class UnitStatistics(models.Model):
    """Counts of a city's or county's subtree, rebuilt by the org-tree statistics job."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="statistics")
    schools = models.PositiveIntegerField(default=0)
    students = models.PositiveBigIntegerField(default=0)
    staff = models.PositiveBigIntegerField(default=0)
    by_category = models.JSONField(default=dict)
    by_ownership = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("unit statistics")
        verbose_name_plural = _("unit statistics")

    def __str__(self):
        return f"{self.unit} · {self.schools}"


class OrgUnitUserPermission(UserObjectPermissionBase):
    """django-guardian object permissions on units, with a real foreign key.

    A direct key (rather than guardian's generic text ``object_pk``) lets the access module read
    a user's granted units and their paths in one indexed join.
    """

    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)


class Meeting(models.Model):
    """A meeting held by a unit (S2, S3, S12): a consultation meeting called for a major hazard,
    a quarterly analysis meeting, or a conference the unit summons lower units to
    (``summonses``, with their leave and attendance; campaign/meetings/)."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("consultation meeting")
        QUARTERLY_ANALYSIS = "quarterly_analysis", _("analysis meeting")
        COORDINATION = "coordination", _("coordination meeting")
        CONFERENCE = "conference", _("campaign promotion conference")
        STUDY = "study", _("dedicated study meeting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date held"))
    # When a summoned meeting starts: leave may be asked until then (the day's start if none).
    starts_at = models.TimeField(_("starting time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True, default="")
    convenor = models.CharField(_("convenor"), max_length=100, blank=True, default="")
    agenda = models.TextField(_("agenda"), blank=True, default="")
    minutes = models.TextField(_("minutes"), blank=True, default="")
    decisions = models.TextField(_("decisions"), blank=True, default="")
    # Who took part, as written (a summoned meeting also lists its units' attendance).
    attendees = models.TextField(_("attendees"), blank=True, default="")
    opinions = models.TextField(_("rectification opinions"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    responsible_department = models.CharField(
        _("responsible department"), max_length=100, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["unit", "kind", "held_on"], name="meeting_unit_kind_day")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaign:meeting_detail", args=[self.pk])

    @property
    def starts(self):
        """The moment the meeting starts (the day's start when no time is given)."""
        moment = dt.datetime.combine(self.held_on, self.starts_at or dt.time(0, 0))
        return timezone.make_aware(moment)


def meeting_file_path(instance, filename):
    return f"meetings/{timezone.now():%Y/%m}/{filename}"


class MeetingAttachment(StoredFile):
    """A file of the meeting (the notice, the minutes, photos), served through a check."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=meeting_file_path, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(StoredFile.Meta):
        pass


class MeetingSummons(models.Model):
    """That a unit was summoned to a meeting: whom it is expected to send, its request for
    leave (asked before the meeting, decided by the convening unit) and, after the meeting, its
    attendance. Absent means absent without leave and is put on the accountability record."""

    class Attendance(models.TextChoices):
        PENDING = "pending", pgettext_lazy("attendance", "not recorded")
        ATTENDED = "attended", pgettext_lazy("attendance", "attended")
        ON_LEAVE = "on_leave", pgettext_lazy("attendance", "on leave")
        ABSENT = "absent", pgettext_lazy("attendance", "absent without leave")

    class Leave(models.TextChoices):
        NONE = "", pgettext_lazy("leave", "not asked")
        ASKED = "asked", pgettext_lazy("leave", "asked, awaiting a decision")
        APPROVED = "approved", pgettext_lazy("leave", "approved")
        REFUSED = "refused", pgettext_lazy("leave", "refused")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="summonses")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("summoned unit"), on_delete=models.PROTECT, related_name="+"
    )
    expected_attendee = models.CharField(_("expected attendee"), max_length=100)
    attendance = models.CharField(
        _("attendance"), max_length=8, choices=Attendance.choices, default=Attendance.PENDING
    )
    attendee = models.CharField(_("who attended"), max_length=100, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    leave = models.CharField(
        _("leave"), max_length=8, choices=Leave.choices, blank=True, default=Leave.NONE
    )
    leave_reason = models.TextField(_("reason for leave"), blank=True, default="")
    leave_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leave_asked_at = models.DateTimeField(null=True, blank=True)
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leave_decided_at = models.DateTimeField(null=True, blank=True)

    # How the accountability record names a summons beside the unit it already shows.
    accountability_related = ("meeting",)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        ordering = ["meeting", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="meeting_summons_once"),
            models.CheckConstraint(
                condition=models.Q(attendance__in=["pending", "attended", "on_leave", "absent"]),
                name="meeting_summons_attendance_valid",
            ),
        ]
        indexes = [models.Index(fields=["unit", "meeting"], name="meeting_summons_unit")]

    def __str__(self):
        return f"{self.meeting} · {self.unit}"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()

    @property
    def accountability_title(self):
        return self.meeting.title  # the entry shows the meeting's day already


# --- Incident reporting (S1, issue 10) -------------------------------------------------------
# Kept together here; the rules live in campaign/incidents/. No field names a person: a
# student casualty incident is recorded by counts only (minors' names and identity numbers
# stay out by design).


class IncidentCategory(models.TextChoices):
    TRAFFIC = "traffic", _("traffic accident")
    DROWNING = "drowning", _("drowning")
    FIGHT = "fight", _("fight")
    SELF_HARM = "self_harm", _("self-harm")
    FALL = "fall", _("fall")
    FIRE = "fire", _("fire")
    FOOD = "food", _("food poisoning")
    OTHER = "other", _("other")


class Incident(models.Model):
    """A student casualty incident (学生伤害事故), on or off campus, reported by a school or a
    county, with when each level received it and whether it was reported in time."""

    Category = IncidentCategory

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident status", "open")
        CLOSED = "closed", pgettext_lazy("incident status", "closed")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("reporting unit"), on_delete=models.PROTECT, related_name="+"
    )
    # Denormalised from the unit for the scoped list and its filters; null for a city-direct
    # school (it reports straight to the city).
    county = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when it happened"))
    learned_at = models.DateTimeField(_("when the unit learned of it"))
    place = models.CharField(_("place"), max_length=200)
    on_campus = models.BooleanField(_("on campus"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("what happened"), max_length=4000)
    deaths = models.PositiveSmallIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveSmallIntegerField(_("serious injuries"), default=0)
    minor_injuries = models.PositiveSmallIntegerField(_("minor injuries"), default=0)
    handling = models.TextField(_("handling so far"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))
    # When each level received it: a school's report reaches its county when submitted; a
    # county's own report (and a city-direct school's) reaches the city at once.
    reported_to_county_at = models.DateTimeField(_("received by the county"), null=True)
    reported_to_city_at = models.DateTimeField(_("received by the city"), null=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The limits in force when it was reported (settings.INCIDENT_REPORT_LIMITS), and the
    # deadlines they gave: stored, so that a later change of the setting rewrites no history.
    limit_minutes = models.PositiveIntegerField()
    county_due_at = models.DateTimeField(null=True)
    city_due_at = models.DateTimeField()
    # Set when a step is taken after its deadline; the assessment counts these.
    late_to_county = models.BooleanField(_("reported late to the county"), default=False)
    late_to_city = models.BooleanField(_("reported late to the city"), default=False)
    closed_at = models.DateTimeField(null=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("student casualty incident")
        verbose_name_plural = _("student casualty incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["city", "-occurred_at"], name="incident_city_occurred"),
            models.Index(fields=["county", "-occurred_at"], name="incident_county_occurred"),
            models.Index(fields=["unit", "-occurred_at"], name="incident_unit_occurred"),
        ]
        constraints = [
            models.CheckConstraint(
                name="incident_learned_after_occurred",
                condition=Q(learned_at__gte=models.F("occurred_at")),
            ),
            models.CheckConstraint(
                name="incident_known_category",
                condition=Q(category__in=IncidentCategory.values),
            ),
            models.CheckConstraint(
                name="incident_closed_has_time",
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_category_display()} · {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("campaign:incident_detail", args=[self.pk])

    # How the accountability record names an incident beside the unit it already shows.
    accountability_related = ()

    @property
    def accountability_title(self):
        when = timezone.localtime(self.occurred_at)
        return f"{self.get_category_display()} · {when:%Y-%m-%d}"

    @property
    def is_serious(self):
        return self.deaths > 0 or self.serious_injuries > 0

    @property
    def is_late(self):
        return self.late_to_county or self.late_to_city


class IncidentFollowUp(models.Model):
    """A follow-up report (续报) on an incident, until it is closed; the closing note is the
    last one."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    note = models.TextField(_("progress"), max_length=4000)
    deaths = models.PositiveSmallIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveSmallIntegerField(_("serious injuries"), default=0)
    minor_injuries = models.PositiveSmallIntegerField(_("minor injuries"), default=0)
    closes = models.BooleanField(default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("incident follow-up")
        verbose_name_plural = _("incident follow-ups")
        ordering = ["written_at", "id"]

    def __str__(self):
        return f"{self.incident_id} · {self.written_at:%Y-%m-%d %H:%M}"
        return self.title


# --- Working group (S4): the campaign's leading group of the city and of each county --------


class Responsibility(models.TextChoices):
    """A person's place in a working group (GLOSSARY 第一责任人, 具体组织实施)."""

    FIRST = "first", _("First responsible person")
    IMPLEMENTER = "implementer", _("Specific implementer")
    MEMBER = "member", _("Member")
    LIAISON = "liaison", _("Liaison contact")


class LiaisonDepartment(models.TextChoices):
    """The departments a county (and the city) coordinates with (政法、公安、应急、消防)."""

    POLITICAL_LEGAL = "political_legal", _("political-legal")
    POLICE = "police", _("police")
    EMERGENCY = "emergency", _("emergency")
    # In its own context: an incident's "fire" (a category) is 火灾, this department 消防.
    FIRE = "fire", pgettext_lazy("liaison department", "fire")


class WorkingGroup(models.Model):
    """The campaign's working group (专项整治工作领导小组) of one city or county.

    Made on the first change; a unit without one has simply not set its group up. The group is
    "set up" once it names a first responsible person and a specific implementer
    (``campaign.workgroup.selectors``).
    """

    unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="working_group")
    office_name = models.CharField(_("coordinating office"), max_length=100, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign leading group")
        verbose_name_plural = _("campaign leading groups")

    def __str__(self):
        return f"{self.unit} · {self._meta.verbose_name}"


class WorkingGroupMember(models.Model):
    """A person in a working group: its first responsible person, its implementer, a member, or
    a liaison contact in another department. Not necessarily a portal user (``user`` is an
    optional link)."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    responsibility = models.CharField(
        pgettext_lazy("working group", "responsibility"),
        max_length=12,
        choices=Responsibility.choices,
    )
    department = models.CharField(
        _("department"), max_length=20, choices=LiaisonDepartment.choices, blank=True
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="working_group_roles",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")
        ordering = ["group", "responsibility", "department", "pk"]
        constraints = [
            # One first responsible person and one implementer per group.
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(responsibility="first"),
                name="workgroup_one_first",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(responsibility="implementer"),
                name="workgroup_one_implementer",
            ),
            # A liaison contact names its department and a phone; nobody else has a department.
            models.CheckConstraint(
                name="workgroup_liaison_department",
                condition=(Q(responsibility="liaison") & Q(department__gt="") & Q(phone__gt=""))
                | (~Q(responsibility="liaison") & Q(department="")),
            ),
            models.CheckConstraint(
                name="workgroup_known_responsibility",
                condition=Q(responsibility__in=Responsibility.values),
            ),
        ]

    def __str__(self):
        return self.name


# --- The accountability record (问责 / 记录在案, issue 10) --------------------------------------
# One fact a unit is held to account for, linked to the record it comes from. The governance
# parts write entries through campaign.accountability.services; the assessment reads them.
# No score is computed here.
class AccountabilityKind(models.TextChoices):
    ABSENT_WITHOUT_LEAVE = "absent_without_leave", _("absent without leave")
    LATE_INCIDENT_REPORT = "late_incident_report", _("late incident report")
    DIRECTIVE_UNCONFIRMED = "directive_unconfirmed", _("directive not confirmed by its deadline")
    QUARTERLY_MEETING_MISSING = "quarterly_meeting_missing", _("no quarterly analysis meeting")


class AccountabilityEntry(models.Model):
    Kind = AccountabilityKind

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="accountability_entries"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # The record the fact comes from: a meeting's summons row, an incident, a directive's
    # receipt, or the unit itself for a missing quarterly meeting (with ``period``).
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    # The period a recurring duty was missed in (e.g. "2019Q4"), "" for a one-off fact.
    period = models.CharField(_("period"), max_length=16, blank=True, default="")
    occurred_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    # The unit's own word on it, if it gives one; never removes the entry.
    explanation = models.TextField(_("explanation"), blank=True, default="")
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("accountability entry")
        verbose_name_plural = _("accountability record")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "source_type", "source_id", "period"],
                name="accountability_entry_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AccountabilityKind.values),
                name="accountability_entry_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["unit", "kind"], name="accountability_unit_kind")]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("campaign:accountability_detail", args=[self.pk])


# --- Key periods (S8, issue 10): heightened-duty periods and their daily safety reports ------


class KeyPeriod(models.Model):
    """A period of heightened duty (元旦、春节、两会、开学…) declared by the city for all its
    units, or by a county for its own subtree. While it lasts every county and school in the
    declaring unit's subtree files a daily safety report (平安日报 / 零报告)."""

    class Kind(models.TextChoices):
        NEW_YEAR = "new_year", _("New Year")
        SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
        NATIONAL_SESSIONS = "sessions_national", _("National Two Sessions")
        PROVINCIAL_SESSIONS = "sessions_provincial", _("Provincial Two Sessions")
        CITY_SESSIONS = "sessions_city", _("City Two Sessions")
        TERM_OPENING = "term_opening", _("Opening of the school term")
        OTHER = "other", _("Other key period")

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        related_name="key_periods",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    focus = models.TextField(_("focus areas"), max_length=2000, blank=True)
    duties = models.TextField(_("duties"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("key period")
        verbose_name_plural = _("key periods")
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="keyperiod_dates")]
        constraints = [
            models.CheckConstraint(
                name="keyperiod_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="keyperiod_known_kind",
                condition=Q(
                    kind__in=[
                        "new_year",
                        "spring_festival",
                        "sessions_national",
                        "sessions_provincial",
                        "sessions_city",
                        "term_opening",
                        "other",
                    ]
                ),
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.starts_on:%Y-%m-%d}—{self.ends_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("campaign:key_period_detail", args=[self.pk])

    @property
    def days(self):
        return (self.ends_on - self.starts_on).days + 1

    def covers(self, day):
        return self.starts_on <= day <= self.ends_on


class DailyReport(models.Model):
    """A unit's daily safety report of one day of a key period: "nothing to report" (零报告)
    or a short text of what happened, optionally linked to an incident. One per unit and day,
    whichever key period it was filed under (two overlapping periods ask for one report)."""

    period = models.ForeignKey(KeyPeriod, on_delete=models.CASCADE, related_name="daily_reports")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="daily_reports")
    day = models.DateField(_("day"))
    nothing_to_report = models.BooleanField(_("nothing to report"), default=False)
    text = models.TextField(_("what happened today"), max_length=2000, blank=True)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="daily_reports",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("daily safety report")
        verbose_name_plural = _("daily safety reports")
        ordering = ["-day", "unit__path"]
        indexes = [models.Index(fields=["day", "unit"], name="dailyreport_day_unit")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="dailyreport_one_per_unit_day"),
            # "Nothing to report" is an answer; otherwise say what happened.
            models.CheckConstraint(
                name="dailyreport_zero_or_text",
                condition=Q(nothing_to_report=True, text="")
                | Q(nothing_to_report=False, text__gt=""),
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.day:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("campaign:daily_report_mine") + f"?unit={self.unit.code}"

    @property
    def filed_late(self):
        return timezone.localtime(self.filed_at).date() > self.day


# --- Action plan (issue 10) -----------------------------------------------------------------
# Campaign documents (实施方案 and others) with versions: a draft is edited by the issuing unit
# and commented on by the units it concerns; issuing freezes the version (number, date, PDF).


class PlanDocument(models.Model):
    """A campaign document of one city or county, in versions (``PlanVersion``). A county's own
    plan points at the city's as its ``parent``."""

    class Kind(models.TextChoices):
        ACTION_PLAN = "action_plan", _("Action plan")
        OTHER = "other", _("Other campaign document")

    issuer = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="plan_documents", verbose_name=_("issuer")
    )
    kind = models.CharField(_("kind of document"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("under the document"),
    )
    concerned_units = models.ManyToManyField(
        OrgUnit, related_name="concerning_plans", blank=True, verbose_name=_("units concerned")
    )
    # 0 until the first issue; then the number of the latest issued version.
    issued_number = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign document")
        verbose_name_plural = _("campaign documents")
        ordering = ["issuer__path", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="plan_known_kind", condition=Q(kind__in=["action_plan", "other"])
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaign:plan_detail", args=[self.pk])


class PlanVersion(models.Model):
    """One version of a campaign document. A draft is edited; an issued version is frozen: it
    has its document number, its date and its PDF, and no service changes it again."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("plan version", "draft")
        ISSUED = "issued", pgettext_lazy("plan version", "issued")

    document = models.ForeignKey(PlanDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=60000, blank=True)
    edited_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    issuing_office = models.CharField(_("issued in the name of"), max_length=100, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(upload_to="plans/", max_length=255, blank=True)

    class Meta:
        verbose_name = _("campaign document version")
        verbose_name_plural = _("campaign document versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="plan_version_number"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="draft"), name="plan_one_draft"
            ),
            models.UniqueConstraint(
                fields=["doc_number"], condition=Q(status="issued"), name="plan_doc_number_once"
            ),
            # An issued version has everything that froze it; a draft has none of it.
            models.CheckConstraint(
                name="plan_version_issued_complete",
                condition=(
                    Q(status="issued")
                    & Q(doc_number__gt="")
                    & Q(issued_on__isnull=False)
                    & Q(issued_at__isnull=False)
                    & Q(issuing_office__gt="")
                    & Q(pdf__gt="")
                )
                | (
                    Q(status="draft")
                    & Q(doc_number="")
                    & Q(issued_on__isnull=True)
                    & Q(issued_at__isnull=True)
                    & Q(pdf="")
                ),
            ),
            models.CheckConstraint(name="plan_version_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self):
        return f"{self.title} · {self.number}"

    def get_absolute_url(self):
        return reverse("campaign:plan_version", args=[self.document_id, self.number])

    @property
    def is_issued(self):
        return self.status == self.Status.ISSUED


class PlanComment(models.Model):
    """A comment on a draft version, in the name of one of the units it concerns."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="comments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(pgettext_lazy("plan", "comment"), max_length=4000)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment on a campaign document")
        verbose_name_plural = _("comments on campaign documents")
        ordering = ["written_at", "id"]

    def __str__(self):
        return f"{self.unit} · {self.written_at:%Y-%m-%d %H:%M}"


# --- Directives (S2, issue 10) ---------------------------------------------------------------
# A directive (交办事项) from a higher unit to lower units, one receipt per receiving unit. A
# county passes a directive on to its schools as a child directive (``parent``, ``root``,
# ``source_receipt``); the rules live in campaign/directives/.


def directive_file_path(instance, filename):
    return f"directives/{timezone.now():%Y/%m}/{filename}"


class Directive(models.Model):
    """A directive with a deadline and what counts as done, handed down to lower units."""

    issuer = models.ForeignKey(
        OrgUnit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=8000)
    done_when = models.CharField(_("what counts as done"), max_length=500)
    deadline = models.DateField(_("deadline"))
    # A directive passed on (cascaded) by a receiving unit: the directive it came from, the
    # first directive of the chain, and the receipt of the unit that passed it on.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_receipt = models.OneToOneField(
        "DirectiveReceipt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passed_on",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["issuer", "-issued_at"], name="directive_issuer_issued"),
            models.Index(fields=["root"], name="directive_root"),
            models.Index(fields=["deadline"], name="directive_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                name="directive_child_has_chain",
                condition=Q(parent__isnull=True, root__isnull=True, source_receipt__isnull=True)
                | Q(parent__isnull=False, root__isnull=False, source_receipt__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaign:directive_detail", args=[self.pk])


class DirectiveAttachment(StoredFile):
    """A file of the directive itself, served only through a permission check."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=directive_file_path, max_length=255)

    class Meta(StoredFile.Meta):
        pass


class DirectiveReceipt(models.Model):
    """That a unit received a directive, and its confirmation (date done, note, a file or a
    meeting record of the unit). ``state`` is set when it confirms: on time or late."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("directive receipt", "not yet")
        ON_TIME = "on_time", pgettext_lazy("directive receipt", "confirmed")
        LATE = "late", pgettext_lazy("directive receipt", "confirmed late")

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    done_on = models.DateField(_("date done"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    file = models.FileField(upload_to=directive_file_path, max_length=255, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # When the daily job put the missed deadline on record (accountability), once.
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("directive receipt")
        verbose_name_plural = _("directive receipts")
        ordering = ["unit__path"]
        indexes = [
            models.Index(fields=["directive", "state"], name="dreceipt_directive_state"),
            models.Index(fields=["unit", "state"], name="dreceipt_unit_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], name="dreceipt_unique_unit"),
            models.CheckConstraint(
                name="dreceipt_confirmed_has_time",
                condition=Q(state="pending", confirmed_at__isnull=True)
                | Q(state__in=["on_time", "late"], confirmed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.directive}"

    def get_absolute_url(self):
        return f"{self.directive.get_absolute_url()}#receipt-{self.pk}"

    @property
    def is_confirmed(self):
        return self.state != self.State.PENDING
