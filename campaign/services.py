"""Every write of the campaign app: units, people, role grants, job runs, heartbeats.

Services are keyword-only, take the acting user, run in one transaction, write an audit entry
and queue background work with ``transaction.on_commit``.
"""

import io
import traceback

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from campaign import access, jobs
from campaign.models import (
    AuditEntry,
    JobRun,
    OrgUnit,
    RoleGrant,
    UnitStatistics,
    User,
    WorkerHeartbeat,
)
from campaign.roles import ROLE_MAY_GRANT, ROLE_PERMS, ROLE_UNIT_KINDS, Perm, Role

SCHOOL_FIELDS = (
    "category",
    "ownership",
    "students",
    "staff",
    "address",
    "principal_name",
    "principal_phone",
    "safety_officer_name",
    "safety_officer_phone",
)


def audit(*, actor, action, unit=None, target_user=None, **detail):
    AuditEntry.objects.create(
        actor=actor, action=action, unit=unit, target_user=target_user, detail=detail
    )


# --- Organisation tree ----------------------------------------------------------------------


def orgunit_set_path(unit):
    """Fill ``path`` and ``depth`` from the parent (the unit must have its id)."""
    prefix = unit.parent.path if unit.parent_id else "/"
    unit.path = f"{prefix}{unit.pk}/"
    unit.depth = unit.path.count("/") - 1


@transaction.atomic
def orgunit_create(*, kind, name, code, parent=None, actor=None, **school_fields):
    """Create a unit under ``parent``. Raises ``ValidationError`` with a message for the user."""
    allowed_parents = {
        OrgUnit.Kind.PROVINCE: {None},
        OrgUnit.Kind.CITY: {None, OrgUnit.Kind.PROVINCE},
        OrgUnit.Kind.COUNTY: {OrgUnit.Kind.CITY},
        OrgUnit.Kind.SCHOOL: {OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY},
    }[kind]
    if (parent.kind if parent else None) not in allowed_parents:
        raise ValidationError(_("A unit of this kind cannot be placed there."))
    if actor is not None and parent is not None:
        access.require_perm_at(actor, Perm.MANAGE_UNITS, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError(_("The code %(code)s is already used.") % {"code": code})
    unit = OrgUnit(kind=kind, name=name, code=code, parent=parent)
    for field in SCHOOL_FIELDS:
        if field in school_fields:
            setattr(unit, field, school_fields[field])
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    orgunit_set_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit(actor=actor, action="unit.create", unit=unit, code=code)
    return unit


@transaction.atomic
def school_update(*, school, actor, **fields):
    """Change a school's profile fields (name and the school fields)."""
    access.require_perm_at(actor, Perm.MANAGE_UNITS, school)
    changed = {}
    for field, value in fields.items():
        if field not in SCHOOL_FIELDS + ("name",):
            raise ValueError(f"{field} is not a school field")
        if getattr(school, field) != value:
            changed[field] = [str(getattr(school, field)), str(value)]
            setattr(school, field, value)
    school.full_clean(exclude=["path", "depth"])
    school.save()
    if changed:
        audit(actor=actor, action="school.update", unit=school, changed=changed)
    return school


# --- People and roles -----------------------------------------------------------------------


def roles_grantable(*, actor, unit):
    """The roles ``actor`` may grant at ``unit`` (empty when they may manage nobody there)."""
    if access.is_unrestricted(actor):
        grantable = set(Role)
    else:
        if not access.has_perm_at(actor, Perm.MANAGE_USERS, unit):
            return []
        grantable = set()
        for grant in actor.role_grants.select_related("unit"):
            if unit.path.startswith(grant.unit.path):
                grantable |= ROLE_MAY_GRANT.get(Role(grant.role), set())
    return [r for r in Role if r in grantable and unit.kind in ROLE_UNIT_KINDS[r]]


@transaction.atomic
def role_grant(*, user, role, unit, actor):
    """Give ``user`` the ``role`` at ``unit`` (and so in its subtree)."""
    role = Role(role)
    if actor is not None and role not in roles_grantable(actor=actor, unit=unit):
        if not access.has_perm_at(actor, Perm.MANAGE_USERS, unit):
            raise ValidationError(_("You may not manage people in this unit."))
        raise ValidationError(
            _("You may not grant the role “%(role)s” at %(unit)s.")
            % {"role": role.label, "unit": unit.name}
        )
    if unit.kind not in ROLE_UNIT_KINDS[role]:
        raise ValidationError(
            _("The role “%(role)s” cannot be held at %(unit)s.")
            % {"role": role.label, "unit": unit.name}
        )
    grant, created = RoleGrant.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"granted_by": actor}
    )
    if created:
        for perm in ROLE_PERMS[role]:
            assign_perm(f"campaign.{perm}", user, unit)
        audit(actor=actor, action="role.grant", unit=unit, target_user=user, role=role.value)
    access.forget(user)
    return grant


@transaction.atomic
def role_revoke(*, grant, actor):
    """Take a role grant away, keeping the permissions other grants at the unit still give."""
    if actor is not None:
        access.require_perm_at(actor, Perm.MANAGE_USERS, grant.unit)
        if Role(grant.role) not in roles_grantable(actor=actor, unit=grant.unit):
            raise ValidationError(_("You may not revoke this role."))
    user, unit = grant.user, grant.unit
    role = grant.role
    grant.delete()
    still_given = set()
    for other in RoleGrant.objects.filter(user=user, unit=unit):
        still_given |= ROLE_PERMS[Role(other.role)]
    for perm in ROLE_PERMS[Role(role)] - still_given:
        remove_perm(f"campaign.{perm}", user, unit)
    audit(actor=actor, action="role.revoke", unit=unit, target_user=user, role=role)
    access.forget(user)


def role_grants_sync():
    """Bring every grant's guardian permissions in line with ``ROLE_PERMS`` (after a change)."""
    for grant in RoleGrant.objects.select_related("user", "unit"):
        for perm in ROLE_PERMS[Role(grant.role)]:
            assign_perm(f"campaign.{perm}", grant.user, grant.unit)


@transaction.atomic
def user_create(*, username, full_name, role, unit, actor, email="", phone="", password=None):
    """Create a person with a first role grant. Without a password they must reset it."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name %(name)s is already taken.") % {"name": username})
    user = User(username=username, full_name=full_name, email=email, phone=phone)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same name created at the same moment by someone else
        raise ValidationError(
            _("The user name %(name)s is already taken.") % {"name": username}
        ) from None
    audit(actor=actor, action="user.create", unit=unit, target_user=user)
    role_grant(user=user, role=role, unit=unit, actor=actor)
    return user


def _require_manages(actor, user):
    """Actor must manage people at *every* unit where the person holds a role.

    Otherwise a county could deactivate, say, a city staff member who also holds a grant in
    that county.
    """
    if access.is_unrestricted(actor):
        return
    grants = list(user.role_grants.select_related("unit"))
    if not grants or not all(
        access.has_perm_at(actor, Perm.MANAGE_USERS, grant.unit) for grant in grants
    ):
        raise ValidationError(_("You may not manage this person."))


@transaction.atomic
def user_set_active(*, user, active, actor):
    """Deactivate (or reactivate) a person: a deactivated person cannot sign in."""
    _require_manages(actor, user)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate yourself."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        target_user=user,
    )
    return user


@transaction.atomic
def user_update(*, user, actor, full_name, email, phone):
    _require_manages(actor, user)
    user.full_name, user.email, user.phone = full_name, email, phone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "email", "phone"])
    audit(actor=actor, action="user.update", target_user=user)
    return user


# --- Job runs -------------------------------------------------------------------------------


def _queue(job_run_id):
    from campaign.tasks import job_run_task

    transaction.on_commit(lambda: job_run_task.delay(job_run_id))


@transaction.atomic
def job_run_request(*, kind, unit, period, actor, params=None):
    """Queue a run of ``kind`` for ``unit`` and ``period``; one row per (kind, unit, period).

    Asking again for a run that already succeeded or is under way returns that run; a failed
    run is queued again (that is the re-run button).
    """
    job = jobs.get(kind)
    if job is None:
        raise ValidationError(_("Unknown job."))
    if actor is not None:
        access.require_perm_at(actor, job.perm, unit)
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                kind=kind, unit=unit, period=period, requested_by=actor, params=params or {}
            )
    except IntegrityError:
        run = JobRun.objects.select_for_update().get(kind=kind, unit=unit, period=period)
        if run.state != JobRun.State.FAILED:
            return run
        run.state = JobRun.State.QUEUED
        run.progress = 0
        run.error = ""
        run.started_at = run.finished_at = None
        run.requested_by = actor
        run.save()
    audit(actor=actor, action="job.request", unit=unit, kind=kind, period=period)
    _queue(run.pk)
    return run


def job_run_rerun(*, job_run, actor):
    if job_run.state != JobRun.State.FAILED:
        raise ValidationError(_("Only a failed run can be run again."))
    return job_run_request(kind=job_run.kind, unit=job_run.unit, period=job_run.period, actor=actor)


def job_run_execute(*, job_run_id):
    """Run one queued job (called by the worker). Safe to call twice: only one run proceeds."""
    claimed = JobRun.objects.filter(pk=job_run_id, state=JobRun.State.QUEUED).update(
        state=JobRun.State.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return  # already taken by another delivery of the same message, or finished
    run = JobRun.objects.select_related("unit").get(pk=job_run_id)
    JobRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)

    def report_progress(percent):
        JobRun.objects.filter(pk=run.pk).update(progress=max(0, min(100, int(percent))))

    job = jobs.get(run.kind)
    try:
        if job is None:
            raise LookupError(f"no job registered for kind {run.kind!r}")
        produced = job.handler(run, report_progress)
    except Exception as exc:  # the run records any failure; the worker stays up
        JobRun.objects.filter(pk=run.pk).update(
            state=JobRun.State.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=5)}"[:4000],
        )
        return
    if produced is not None:
        run.file.save(produced.name, ContentFile(produced.content), save=False)
        JobRun.objects.filter(pk=run.pk).update(file=run.file.name)
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.SUCCEEDED, finished_at=timezone.now(), progress=100, error=""
    )


# --- Org-tree statistics (the foundation's demo job) ---------------------------------------


def org_statistics_rebuild(*, unit, report_progress=lambda p: None):
    """Recount schools, students and staff under ``unit`` and each city/county below it.

    Returns the statistics workbook (one row per unit) as a ``ProducedFile``.
    """
    from openpyxl import Workbook

    now = timezone.now()
    totals_units = list(
        OrgUnit.objects.filter(
            path__startswith=unit.path,
            kind__in=[OrgUnit.Kind.PROVINCE, OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY],
        ).order_by("path")
    )
    schools = OrgUnit.objects.filter(
        path__startswith=unit.path, kind=OrgUnit.Kind.SCHOOL, is_active=True
    )
    # One grouped query: counts per direct parent; ancestors are summed in Python.
    per_parent = schools.values("parent_id", "category", "ownership").annotate(
        n=Count("id"), students=Sum("students"), staff=Sum("staff")
    )
    stats = {
        u.pk: {"schools": 0, "students": 0, "staff": 0, "cat": {}, "own": {}} for u in totals_units
    }
    path_of = {u.pk: u for u in totals_units}
    for row in per_parent:
        parent = path_of.get(row["parent_id"])
        if parent is None:
            continue
        for ancestor_id in parent.ancestor_ids():
            s = stats.get(ancestor_id)
            if s is None:
                continue
            s["schools"] += row["n"]
            s["students"] += row["students"] or 0
            s["staff"] += row["staff"] or 0
            s["cat"][row["category"]] = s["cat"].get(row["category"], 0) + row["n"]
            s["own"][row["ownership"]] = s["own"].get(row["ownership"], 0) + row["n"]
    report_progress(50)

    with transaction.atomic():
        UnitStatistics.objects.filter(unit_id__in=stats.keys()).delete()
        UnitStatistics.objects.bulk_create(
            UnitStatistics(
                unit_id=pk,
                schools=s["schools"],
                students=s["students"],
                staff=s["staff"],
                by_category=s["cat"],
                by_ownership=s["own"],
                computed_at=now,
            )
            for pk, s in stats.items()
        )
    report_progress(80)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Statistics"))
    categories = list(OrgUnit.Category)
    ws.append(
        [_("Unit"), _("Kind"), _("Schools"), _("Students"), _("Staff")]
        + [str(c.label) for c in categories]
        + [str(OrgUnit.Ownership.PUBLIC.label), str(OrgUnit.Ownership.PRIVATE.label)]
    )
    for u in totals_units:
        s = stats[u.pk]
        ws.append(
            [u.name, str(u.get_kind_display()), s["schools"], s["students"], s["staff"]]
            + [s["cat"].get(c.value, 0) for c in categories]
            + [s["own"].get("public", 0), s["own"].get("private", 0)]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    report_progress(95)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    return jobs.ProducedFile(name=f"org-statistics-{stamp}.xlsx", content=buffer.getvalue())


def _org_statistics_job(run, report_progress):
    return org_statistics_rebuild(unit=run.unit, report_progress=report_progress)


ORG_STATISTICS = "org_statistics"


def register_jobs():
    """Called from ``CampaignConfig.ready``."""
    from django.utils.translation import gettext_lazy

    jobs.register(
        ORG_STATISTICS,
        gettext_lazy("Organisation tree statistics"),
        _org_statistics_job,
        perm=Perm.RUN_JOBS,
    )


def org_statistics_request(*, unit, actor):
    """Queue a statistics rebuild for ``unit``; each request is its own run."""
    period = timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S.%f")
    return job_run_request(kind=ORG_STATISTICS, unit=unit, period=period, actor=actor)


# --- Worker heartbeat -----------------------------------------------------------------------


def worker_heartbeat_record(*, hostname):
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:200], defaults={"seen_at": timezone.now()}
    )


# --- People pages (forms and buttons) -------------------------------------------------------


def roles_grantable_anywhere(*, actor):
    """The roles ``actor`` may grant at some unit of their scope: the choices of a form.

    ``role_grant`` still checks the exact role and unit when the form is submitted.
    """
    if access.is_unrestricted(actor):
        return list(Role)
    grantable = set()
    for role in actor.role_grants.filter(unit__is_active=True).values_list("role", flat=True):
        grantable |= ROLE_MAY_GRANT.get(role, set())
    return [r for r in Role if r in grantable]


def grants_revocable(*, actor, grants):
    """The ids of those ``grants`` that ``actor`` may revoke (the rule of ``role_revoke``),
    read with one query however many grants are shown."""
    if access.is_unrestricted(actor):
        return {g.pk for g in grants}
    own = list(actor.role_grants.values_list("role", "unit__path"))
    revocable = set()
    for grant in grants:
        if not access.has_perm_at(actor, Perm.MANAGE_USERS, grant.unit):
            continue
        may = set()
        for role, path in own:
            if grant.unit.path.startswith(path):
                may |= ROLE_MAY_GRANT.get(role, set())
        if grant.role in may:
            revocable.add(grant.pk)
    return revocable


# --- Notifications --------------------------------------------------------------------------


def notify(*, recipients, kind, text, link="", unit=None, dedupe_key=""):
    """Write one in-app notification per recipient; a repeated ``dedupe_key`` is skipped.

    ``text`` is rendered by the caller (in the recipient's language where it matters).
    """
    from campaign.models import Notification

    rows = [
        Notification(
            recipient=user,
            kind=kind,
            text=str(text)[:300],
            link=link,
            unit=unit,
            dedupe_key=dedupe_key,
        )
        for user in recipients
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    return len(rows)


def notification_mark_read(*, user, notification_ids=None):
    """Mark the user's notifications (all, or the given ones) as read."""
    from campaign.models import Notification

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def notify_many(*, notices, batch_size=1000):
    """Write many in-app notifications at once, skipping any (recipient, dedupe_key) already
    there, so that a daily job run twice writes nothing new. ``notices`` is an iterable of
    unsaved ``Notification`` rows with a ``dedupe_key``. Returns how many were written."""
    from itertools import islice

    from campaign.models import Notification

    notices = iter(notices)
    written = 0
    while batch := list(islice(notices, batch_size)):
        existing = set(
            Notification.objects.filter(
                recipient_id__in={n.recipient_id for n in batch},
                dedupe_key__in={n.dedupe_key for n in batch},
            ).values_list("recipient_id", "dedupe_key")
        )
        new = {(n.recipient_id, n.dedupe_key): n for n in batch}
        new = [n for key, n in new.items() if key not in existing]
        # ignore_conflicts: a run racing this one must not fail the batch.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        written += len(new)
    return written


def notification_digest_mark_emailed(*, notification_ids):
    """Record that these notifications went out in an e-mail digest."""
    from campaign.models import Notification

    return Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


@transaction.atomic
def user_update_own_settings(*, user, full_name, phone, email, email_digest):
    """The signed-in person's own settings; they are their own actor, so no manage check."""
    user.full_name, user.phone, user.email = full_name, phone, email
    user.email_digest = email_digest
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "phone", "email", "email_digest"])
    audit(actor=user, action="user.settings", target_user=user, email_digest=email_digest)
    return user
