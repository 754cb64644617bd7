"""Who may do what with a student casualty incident (S1), and its reporting deadlines.

- Report: the unit's own people (SUBMIT_REPORTS held at a school or a county itself, not only
  above it): a school officer for their school, county staff for their county.
- Follow up: whoever may submit reports at the incident's unit (its own people and the
  levels above, who often learn more first).
- Forward to the city: the county's reviewers (REVIEW_REPORTS at the county), once.
- Close: the level above the reporting unit (REVIEW_REPORTS at its parent unit).
"""

import datetime as dt

from django.conf import settings

from campaign import access
from campaign.models import Incident, OrgUnit
from campaign.roles import Perm

Kind = OrgUnit.Kind
REPORTING_KINDS = (Kind.SCHOOL, Kind.COUNTY)


def units_reporting_for(user):
    """The schools and counties the user reports incidents for: where their grant is."""
    return [
        u
        for u in access.top_units(user, Perm.SUBMIT_REPORTS).order_by("path")
        if u.kind in REPORTING_KINDS
    ]


def may_report(user) -> bool:
    return bool(units_reporting_for(user))


def may_follow_up(user, incident) -> bool:
    return incident.status == Incident.Status.OPEN and access.has_perm_at(
        user, Perm.SUBMIT_REPORTS, incident.unit
    )


def is_forwarder(user, incident) -> bool:
    """The county's own reviewers (a grant at the county, not above it): passing a school's
    incident on is the county's act, which the city then receives."""
    return (
        incident.county_id is not None
        and incident.unit_id != incident.county_id
        and Kind.COUNTY in access.levels_at(user, Perm.REVIEW_REPORTS, incident.county)
    )


def may_forward(user, incident) -> bool:
    return incident.reported_to_city_at is None and is_forwarder(user, incident)


def may_close(user, incident) -> bool:
    parent = incident.unit.parent
    return (
        incident.status == Incident.Status.OPEN
        and parent is not None
        and access.has_perm_at(user, Perm.REVIEW_REPORTS, parent)
    )


def is_serious(*, deaths, serious_injuries) -> bool:
    return deaths > 0 or serious_injuries > 0


def limit_for(*, deaths, serious_injuries) -> dt.timedelta:
    """The time each level has to pass the incident on (settings.INCIDENT_REPORT_LIMITS)."""
    limits = settings.INCIDENT_REPORT_LIMITS
    key = "serious" if is_serious(deaths=deaths, serious_injuries=serious_injuries) else "other"
    return dt.timedelta(minutes=limits[key])


def overdue_to_city(incident, now) -> bool:
    """Not yet at the city and past its deadline: late already, before anyone forwards it."""
    return incident.reported_to_city_at is None and incident.city_due_at < now
