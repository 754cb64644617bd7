"""Every read of the incident reports, scoped to the user (DESIGN §4).

An incident is in scope where the user may view its reporting unit: a school sees its own, a
county its own and its schools', the city all of its city's. Never another school's: a school
officer's grant covers their school only. Out of scope is 404, like an incident that does not
exist.
"""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from campaign.access import scope_q
from campaign.models import Incident
from campaign.roles import Perm


def incidents_for_user(user):
    return Incident.objects.filter(scope_q(user, Perm.VIEW, path_field="unit__path"))


def incident_for_user(user, pk):
    incident = (
        incidents_for_user(user)
        .select_related("unit", "unit__parent", "county", "city", "reported_by", "forwarded_by")
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404
    return incident


def late_q(now):
    """Reported late at some level, or still not at the city past its deadline."""
    return (
        Q(late_to_county=True)
        | Q(late_to_city=True)
        | Q(reported_to_city_at__isnull=True, city_due_at__lt=now)
    )


def incident_list(user, *, county=None, on_campus=None, late=None, status=None, now=None):
    """The incidents the user may see, filtered, newest first, ready to show."""
    now = now or timezone.now()
    qs = incidents_for_user(user)
    if county is not None:
        qs = qs.filter(county=county)
    if on_campus is not None:
        qs = qs.filter(on_campus=on_campus)
    if late is True:
        qs = qs.filter(late_q(now))
    elif late is False:
        qs = qs.exclude(late_q(now))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("unit", "county").order_by("-occurred_at", "-id")


def _minutes(start, end):
    return int((end - start).total_seconds() // 60)


def timing(incident, now=None):
    """The steps of the time to report, for the detail page: each with who had it since when,
    when the next level received it, how long it took, its deadline and whether it was late."""
    now = now or timezone.now()
    steps = []
    if incident.county_due_at is not None:
        steps.append(
            {
                "key": "county",
                "since": incident.learned_at,
                "received_at": incident.reported_to_county_at,
                "minutes": _minutes(incident.learned_at, incident.reported_to_county_at),
                "due_at": incident.county_due_at,
                "late": incident.late_to_county,
            }
        )
        since = incident.reported_to_county_at
    else:
        since = incident.learned_at
    received = incident.reported_to_city_at
    steps.append(
        {
            "key": "city",
            "since": since,
            "received_at": received,
            "minutes": _minutes(since, received) if received else None,
            "due_at": incident.city_due_at,
            "late": incident.late_to_city if received else incident.city_due_at < now,
            "waiting": received is None,
        }
    )
    total = _minutes(incident.learned_at, received) if received else None
    return steps, total
