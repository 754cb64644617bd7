"""Every write of the key periods (S8): declare or change a period, file a unit's daily
safety report, and remind the units that have not filed today's.

Each service checks the actor through ``campaign.keyperiods.policy``, runs in one transaction
and writes the audit row. Reminders are in-app notifications (``core.services.notifications``)
to the people who file for the unit, at most one per unit and day however often the job runs
or the button is pressed.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access
from campaign.keyperiods import policy, selectors
from campaign.models import DailyReport, Incident, KeyPeriod, OrgUnit, OrgUnitUserPermission
from campaign.roles import Perm
from core import notices
from core.services.audit import audit
from core.services.notifications import notification_build, notify_many

NOTICE_REMINDER = "daily_report_reminder"
TEXT_MAX = 2000
TITLE_MAX = 100
# A key period is a matter of days or weeks, not a season.
DAYS_MAX = 60


def _render_reminder(params):
    return (
        _(
            "%(unit)s has not yet filed today's daily safety report (%(period)s, %(day)s). "
            '"Nothing to report" is an answer too: file it by %(due)s.'
        )
        % params
    )


def register_notices():
    notices.register(NOTICE_REMINDER, _render_reminder)


def _check_period_fields(*, unit, kind, title, starts_on, ends_on, focus, duties):
    if unit.kind not in policy.DECLARING_KINDS:
        raise ValidationError(_("A key period is declared by the city or by a county."))
    if kind not in KeyPeriod.Kind.values:
        raise ValidationError(_("Choose the kind of key period."))
    if not (title or "").strip():
        raise ValidationError(_("Give the key period a title."))
    if len(title) > TITLE_MAX:
        raise ValidationError(
            _("The title is at most %(max)s characters long.") % {"max": TITLE_MAX}
        )
    for value in (focus, duties):
        if len(value or "") > TEXT_MAX:
            raise ValidationError(
                _("The focus areas and the duties are at most %(max)s characters long each.")
                % {"max": TEXT_MAX}
            )
    if starts_on is None or ends_on is None:
        raise ValidationError(_("Give the first and the last day."))
    if ends_on < starts_on:
        raise ValidationError(_("The last day cannot be before the first day."))
    if (ends_on - starts_on).days + 1 > DAYS_MAX:
        raise ValidationError(_("A key period lasts at most %(max)s days.") % {"max": DAYS_MAX})


@transaction.atomic
def key_period_declare(*, unit, kind, title, starts_on, ends_on, focus="", duties="", actor):
    """The city (for all its units) or a county (for its subtree) declares a key period."""
    if not access.has_perm_at(actor, Perm.REVIEW_REPORTS, unit):
        raise PermissionDenied
    _check_period_fields(
        unit=unit,
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        focus=focus,
        duties=duties,
    )
    period = KeyPeriod.objects.create(
        unit=unit,
        kind=kind,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        focus=focus,
        duties=duties,
        created_by=actor,
    )
    audit(actor=actor, action="key_period.declare", unit=unit, key_period=period.pk)
    return period


@transaction.atomic
def key_period_update(*, period, kind, title, starts_on, ends_on, focus="", duties="", actor):
    """Change a key period's kind, title, dates, focus areas or duties. Its dates cannot be
    moved so that reports already filed fall outside it."""
    period = (
        KeyPeriod.objects.select_for_update(of=("self",)).select_related("unit").get(pk=period.pk)
    )
    if not policy.may_edit(actor, period):
        raise PermissionDenied
    _check_period_fields(
        unit=period.unit,
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        focus=focus,
        duties=duties,
    )
    if period.daily_reports.exclude(day__range=(starts_on, ends_on)).exists():
        raise ValidationError(
            _("Daily reports have been filed on days these dates leave out: keep those days.")
        )
    before = {"starts_on": str(period.starts_on), "ends_on": str(period.ends_on)}
    period.kind, period.title = kind, title.strip()
    period.starts_on, period.ends_on = starts_on, ends_on
    period.focus, period.duties = focus, duties
    period.save()
    audit(
        actor=actor,
        action="key_period.update",
        unit=period.unit,
        key_period=period.pk,
        before=before,
        after={"starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return period


@transaction.atomic
def daily_report_file(
    *, period, unit, nothing_to_report, text="", incident=None, actor, day=None, now=None
):
    """File (or, on the same day, change) ``unit``'s daily safety report of ``day`` (today
    by default) in ``period``. Refused for a day outside the period, a future day, and a
    report of an earlier day; one report per unit and day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day = day or today
    if not policy.may_file(actor, unit):
        raise PermissionDenied
    if not policy.expects(period, unit):
        raise ValidationError(_("This unit does not file daily reports in this key period."))
    if not period.covers(day):
        raise ValidationError(
            _("Daily reports are filed only for the days of the key period (%(start)s to %(end)s).")
            % {"start": period.starts_on.isoformat(), "end": period.ends_on.isoformat()}
        )
    if day > today:
        raise ValidationError(_("A daily report cannot be filed for a day still to come."))
    text = (text or "").strip()
    if nothing_to_report:
        text, incident = "", None
    elif not text:
        raise ValidationError(_('Write what happened today, or choose "nothing to report".'))
    if len(text) > TEXT_MAX:
        raise ValidationError(
            _("The report is at most %(max)s characters long.") % {"max": TEXT_MAX}
        )
    if incident is not None and not (
        isinstance(incident, Incident) and incident.unit.path.startswith(unit.path)
    ):
        raise ValidationError(_("Link an incident of this unit only."))
    existing = DailyReport.objects.select_for_update().filter(unit=unit, day=day).first()
    if existing is not None:
        if day != today:
            raise ValidationError(
                _(
                    "The daily report of %(day)s was filed already; "
                    "it can be changed on its day only."
                )
                % {"day": day.isoformat()}
            )
        existing.nothing_to_report, existing.text, existing.incident = (
            nothing_to_report,
            text,
            incident,
        )
        existing.filed_by, existing.updated_at = actor, now
        existing.save(
            update_fields=["nothing_to_report", "text", "incident", "filed_by", "updated_at"]
        )
        audit(actor=actor, action="daily_report.change", unit=unit, daily_report=existing.pk)
        return existing
    try:
        with transaction.atomic():
            report = DailyReport.objects.create(
                period=period,
                unit=unit,
                day=day,
                nothing_to_report=nothing_to_report,
                text=text,
                incident=incident,
                filed_by=actor,
                filed_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            _("Today's daily report of this unit was filed just now by someone else.")
        ) from None
    audit(
        actor=actor,
        action="daily_report.file",
        unit=unit,
        daily_report=report.pk,
        nothing_to_report=nothing_to_report,
        late=day < today,
    )
    return report


def _filers(unit_ids):
    """{unit id: [user id]} of the people who file for each unit: SUBMIT_REPORTS held at the
    unit itself (one query)."""
    holders = defaultdict(list)
    rows = (
        OrgUnitUserPermission.objects.filter(
            content_object_id__in=list(unit_ids),
            permission__codename=Perm.SUBMIT_REPORTS,
            user__is_active=True,
        )
        .values_list("content_object_id", "user_id")
        .order_by("content_object_id", "user_id")
        .distinct()
    )
    for unit_id, user_id in rows:
        holders[unit_id].append(user_id)
    return holders


def _reminders(missing, *, day):
    """Write the reminders for ``missing`` [(period, unit)], one per person, unit and day."""
    holders = _filers({unit.pk for _period, unit in missing})
    built = []
    for period, unit in missing:
        params = {
            "unit": unit.name,
            "period": period.title,
            "day": day.isoformat(),
            "due": policy.DUE_TIME.strftime("%H:%M"),
        }
        for user_id in holders.get(unit.pk, []):
            built.append(
                notification_build(
                    recipient_id=user_id,
                    kind=NOTICE_REMINDER,
                    params=params,
                    link=reverse("campaign:key_period_report", args=[period.pk]),
                    unit_id=unit.pk,
                    dedupe_key=f"daily-report:{unit.pk}:{day.isoformat()}",
                )
            )
    return notify_many(notices=built)


def daily_reports_remind(*, period, actor, now=None):
    """The "remind those missing" button: the units missing today's report in ``period`` that
    ``actor`` oversees (REVIEW_REPORTS). Returns (units, people written to)."""
    today = timezone.localdate(now or timezone.now())
    if not policy.may_remind(actor):
        raise PermissionDenied
    if not period.covers(today):
        raise ValidationError(_("Reminders are sent only on the days of the key period."))
    units = list(
        selectors.missing_units(period, actor, today).filter(
            access.scope_q(actor, Perm.REVIEW_REPORTS)
        )
    )
    written = _reminders([(period, u) for u in units], day=today)
    audit(
        actor=actor,
        action="daily_report.remind",
        unit=period.unit,
        key_period=period.pk,
        units=len(units),
        people=written,
    )
    return len(units), written


def daily_reports_remind_all(*, day):
    """The daily job: every unit missing ``day``'s report in a key period running that day."""
    missing, seen = [], set()
    for period in KeyPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).select_related(
        "unit"
    ):
        units = OrgUnit.objects.filter(
            path__startswith=period.unit.path, kind__in=policy.REPORTING_KINDS, is_active=True
        ).exclude(selectors.filed_q(day))
        for unit in units.only("pk", "name", "path"):
            if unit.pk not in seen:
                seen.add(unit.pk)
                missing.append((period, unit))
    return _reminders(missing, day=day) if missing else 0
