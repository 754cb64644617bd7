"""Every write of the incident reports (S1): report, forward to the city, follow up, close.

Each service locks what it changes, checks the actor through ``campaign.incidents.policy``,
writes the audit row and queues its notices on commit. A serious incident (a death or a
serious injury) notifies the city's Safety & Stability Office at once, in the portal and,
where real mail is configured, by e-mail. A late step is put on the accountability record
of the unit that owed it.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.accountability import services as accountability
from campaign.incidents import policy
from campaign.models import AccountabilityEntry, Incident, IncidentFollowUp, OrgUnit, Role
from core import notices
from core.services.audit import audit
from core.services.notifications import digest_enabled, notify

log = logging.getLogger(__name__)

NOTICE_SERIOUS = "incident_serious"
NOTICE_REPORTED = "incident_reported"
NOTICE_AT_CITY = "incident_at_city"
TEXT_MAX = 4000
COUNT_MAX = 1000


def _render_serious(params):
    return (
        _(
            "Serious student casualty incident at %(unit)s: %(category)s, %(deaths)s dead, "
            "%(serious)s seriously injured. Reported at %(when)s."
        )
        % params
    )


def _render_reported(params):
    return (
        _("%(unit)s reported a student casualty incident (%(category)s): pass it on to the city.")
        % params
    )


def _render_at_city(params):
    return (
        _("A student casualty incident of %(unit)s (%(category)s) has reached the city.") % params
    )


def register_notices():
    notices.register(NOTICE_SERIOUS, _render_serious)
    notices.register(NOTICE_REPORTED, _render_reported)
    notices.register(NOTICE_AT_CITY, _render_at_city)


def _holders(role, unit):
    return list(
        get_user_model()
        .objects.filter(role_grants__role=role, role_grants__unit=unit, is_active=True)
        .distinct()
    )


def _params(incident):
    with translation.override(settings.LANGUAGE_CODE):
        category = str(incident.get_category_display())
    return {
        "unit": incident.unit.name,
        "category": category,
        "deaths": incident.deaths,
        "serious": incident.serious_injuries,
        "when": timezone.localtime(incident.reported_at).strftime("%Y-%m-%d %H:%M"),
    }


def _email(recipients, kind, params, link):
    """An immediate e-mail (not the daily digest) to those with an address, when mail is set up."""
    if not digest_enabled():
        return 0
    addresses = [u.email for u in recipients if u.email]
    if not addresses:
        return 0
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        text = notices.render_params(kind, params) or ""
        subject = _("Serious student casualty incident: report at once")
    try:
        return mail.send_mail(
            subject, f"{text}\n{base}{link}", settings.DEFAULT_FROM_EMAIL, addresses
        )
    except Exception:  # the report is recorded; a mail server down must not undo it
        log.exception("incident e-mail to the Safety & Stability Office failed")
        return 0


def _notify_serious(incident):
    """The city's Safety & Stability Office, at once (once per incident)."""
    recipients = _holders(Role.SAFETY_OFFICE, incident.city)
    params = _params(incident)
    link = incident.get_absolute_url()
    notify(
        recipients=recipients,
        kind=NOTICE_SERIOUS,
        params=params,
        link=link,
        unit=incident.unit,
        dedupe_key=f"incident:{incident.pk}:serious",
    )
    _email(recipients, NOTICE_SERIOUS, params, link)


def _notify_level(incident, *, role, unit, kind, step):
    """Tell the holders of ``role`` at ``unit`` that the incident reached their level (once:
    the dedupe key names the incident and the ``step``)."""
    notify(
        recipients=_holders(role, unit),
        kind=kind,
        params=_params(incident),
        link=incident.get_absolute_url(),
        unit=incident.unit,
        dedupe_key=f"incident:{incident.pk}:{step}",
    )


def _notify_at_city(incident):
    _notify_level(
        incident, role=Role.SAFETY_OFFICE, unit=incident.city, kind=NOTICE_AT_CITY, step="city"
    )


def _notify_county(incident):
    _notify_level(
        incident, role=Role.COUNTY_STAFF, unit=incident.county, kind=NOTICE_REPORTED, step="county"
    )


def _check_counts(deaths, serious_injuries, minor_injuries):
    for value in (deaths, serious_injuries, minor_injuries):
        if value is None or not 0 <= value <= COUNT_MAX:
            raise ValidationError(
                _("Casualty counts are whole numbers from 0 to %(max)s.") % {"max": COUNT_MAX}
            )


def _check_text(value, what):
    if len(value or "") > TEXT_MAX:
        raise ValidationError(
            _("%(what)s is at most %(max)s characters long.") % {"what": what, "max": TEXT_MAX}
        )


def _levels(unit):
    """(county, city) above a reporting unit; county is None for a city-direct school."""
    ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids())
    by_kind = {u.kind: u for u in ancestors}
    return by_kind.get(OrgUnit.Kind.COUNTY), by_kind.get(OrgUnit.Kind.CITY)


@transaction.atomic
def incident_report(
    *,
    unit,
    occurred_at,
    learned_at,
    place,
    on_campus,
    category,
    description,
    deaths,
    serious_injuries,
    minor_injuries,
    handling,
    actor,
    now=None,
):
    """Record an incident reported by ``unit`` (a school or a county) and start its clock.

    A school's report reaches its county now; the county must pass it to the city within the
    limit. A county's own report, and a city-direct school's, reach the city now.
    """
    now = now or timezone.now()
    if unit.pk not in {u.pk for u in policy.units_reporting_for(actor)}:
        raise PermissionDenied
    if category not in Incident.Category.values:
        raise ValidationError(_("Choose the kind of incident."))
    _check_counts(deaths, serious_injuries, minor_injuries)
    for value, what in ((description, _("What happened")), (handling, _("Handling so far"))):
        _check_text(value, what)
    if learned_at < occurred_at:
        raise ValidationError(_("The unit cannot have learned of it before it happened."))
    if learned_at > now:
        raise ValidationError(_("When the unit learned of it cannot be in the future."))
    county, city = _levels(unit)
    if city is None:
        raise ValidationError(_("This unit is not under a city and cannot report incidents."))
    limit = policy.limit_for(deaths=deaths, serious_injuries=serious_injuries)
    incident = Incident(
        unit=unit,
        county=county,
        city=city,
        occurred_at=occurred_at,
        learned_at=learned_at,
        place=place,
        on_campus=on_campus,
        category=category,
        description=description,
        deaths=deaths,
        serious_injuries=serious_injuries,
        minor_injuries=minor_injuries,
        handling=handling,
        reported_by=actor,
        reported_at=now,
        limit_minutes=int(limit.total_seconds() // 60),
    )
    if unit.kind == OrgUnit.Kind.SCHOOL and county is not None:
        incident.reported_to_county_at = now
        incident.county_due_at = learned_at + limit
        incident.late_to_county = now > incident.county_due_at
        incident.city_due_at = now + limit
    else:
        incident.reported_to_city_at = now
        incident.city_due_at = learned_at + limit
        incident.late_to_city = now > incident.city_due_at
    incident.save()
    audit(
        actor=actor,
        action="incident.report",
        unit=unit,
        incident=incident.pk,
        serious=incident.is_serious,
        late=incident.is_late,
    )
    _put_late_on_record(incident, actor)
    if incident.is_serious:
        transaction.on_commit(lambda: _notify_serious(incident))
    if incident.reported_to_city_at is not None:
        transaction.on_commit(lambda: _notify_at_city(incident))
    else:
        transaction.on_commit(lambda: _notify_county(incident))
    return incident


def _put_late_on_record(incident, actor):
    """A late step is an accountability entry (记录在案) of the unit that owed it: the
    reporting school for a late report to its county; for a late report to the city, the
    county that passed it on, or the unit itself when it reports to the city directly."""
    occurred_on = timezone.localtime(incident.learned_at).date()
    kind = AccountabilityEntry.Kind.LATE_INCIDENT_REPORT
    if incident.late_to_county:
        accountability.entry_record(
            unit=incident.unit, kind=kind, source=incident, occurred_on=occurred_on, actor=actor
        )
    if incident.late_to_city:
        forwarder = incident.county if incident.unit_id != incident.county_id else None
        accountability.entry_record(
            unit=forwarder or incident.unit,
            kind=kind,
            source=incident,
            occurred_on=occurred_on,
            actor=actor,
        )


def _locked(incident):
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__parent", "county", "city")
        .get(pk=incident.pk)
    )


@transaction.atomic
def incident_forward(*, incident, actor, now=None):
    """The county passes a school's incident to the city; late if past its deadline."""
    now = now or timezone.now()
    incident = _locked(incident)
    if incident.reported_to_city_at is not None:
        raise ValidationError(_("This incident has already been reported to the city."))
    if not policy.may_forward(actor, incident):
        raise PermissionDenied
    incident.reported_to_city_at = now
    incident.forwarded_by = actor
    incident.late_to_city = now > incident.city_due_at
    incident.save(update_fields=["reported_to_city_at", "forwarded_by", "late_to_city"])
    audit(
        actor=actor,
        action="incident.forward",
        unit=incident.unit,
        incident=incident.pk,
        late=incident.late_to_city,
    )
    _put_late_on_record(incident, actor)
    transaction.on_commit(lambda: _notify_at_city(incident))
    return incident


@transaction.atomic
def incident_follow_up(
    *, incident, note, deaths, serious_injuries, minor_injuries, actor, now=None
):
    """A follow-up report: what has happened since, with the casualty counts as now known."""
    incident = _locked(incident)
    if incident.status != Incident.Status.OPEN:
        raise ValidationError(_("This incident is closed: no more follow-ups can be added."))
    if not policy.may_follow_up(actor, incident):
        raise PermissionDenied
    if not (note or "").strip():
        raise ValidationError(_("Write what has happened since the last report."))
    _check_text(note, _("Progress"))
    _check_counts(deaths, serious_injuries, minor_injuries)
    was_serious = incident.is_serious
    follow_up = IncidentFollowUp.objects.create(
        incident=incident,
        note=note,
        deaths=deaths,
        serious_injuries=serious_injuries,
        minor_injuries=minor_injuries,
        written_by=actor,
        written_at=now or timezone.now(),
    )
    incident.deaths, incident.serious_injuries, incident.minor_injuries = (
        deaths,
        serious_injuries,
        minor_injuries,
    )
    incident.save(update_fields=["deaths", "serious_injuries", "minor_injuries"])
    audit(actor=actor, action="incident.follow_up", unit=incident.unit, incident=incident.pk)
    if incident.is_serious and not was_serious:
        transaction.on_commit(lambda: _notify_serious(incident))
    return follow_up


@transaction.atomic
def incident_close(*, incident, note, actor, now=None):
    """The level above the reporting unit closes the incident with a final note."""
    now = now or timezone.now()
    incident = _locked(incident)
    if incident.status != Incident.Status.OPEN:
        raise ValidationError(_("This incident is already closed."))
    if not policy.may_close(actor, incident):
        raise PermissionDenied
    if not (note or "").strip():
        raise ValidationError(_("Write how the incident was settled."))
    _check_text(note, _("Progress"))
    IncidentFollowUp.objects.create(
        incident=incident,
        note=note,
        deaths=incident.deaths,
        serious_injuries=incident.serious_injuries,
        minor_injuries=incident.minor_injuries,
        closes=True,
        written_by=actor,
        written_at=now,
    )
    incident.status = Incident.Status.CLOSED
    incident.closed_at = now
    incident.closed_by = actor
    incident.save(update_fields=["status", "closed_at", "closed_by"])
    audit(actor=actor, action="incident.close", unit=incident.unit, incident=incident.pk)
    return incident
