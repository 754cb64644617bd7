"""Telling the people concerned about a hazard's event (run by a task after the commit)."""

from campaign.roles import Perm
from campaign.selectors import people_with_perm_at
from core.services import notify
from hazards import notices
from hazards.models import Hazard, HazardEvent

Status = Hazard.Status


def hazard_event_notify(*, event_id):
    """Tell the people concerned about one event: a new hazard its school (and the city, for a
    major one), a rectification awaiting acceptance the acceptors, an acceptance or a sending
    back the school. Returns how many notices were written."""
    event = HazardEvent.objects.select_related("hazard", "hazard__school").filter(pk=event_id)
    event = event.first()
    if event is None:
        return 0
    hazard = event.hazard
    acceptor_units = (
        [hazard.city_id]
        if hazard.is_major
        else [u for u in (hazard.county_id, hazard.city_id) if u]
    )
    # Every notice names the school and the place at it (hazards.notices).
    params = {"code": hazard.code, "school": hazard.school.name, "location": hazard.location}
    if event.kind == HazardEvent.Kind.REGISTERED:
        recipients = people_with_perm_at([hazard.school_id], Perm.MANAGE_HAZARD)
        if hazard.is_major:
            recipients += people_with_perm_at(acceptor_units, Perm.ACCEPT_HAZARD)
        kind = notices.REGISTERED
    elif event.to_status == Status.AWAITING_ACCEPTANCE:
        recipients = people_with_perm_at(acceptor_units, Perm.ACCEPT_HAZARD)
        kind = notices.AWAITING
    elif (
        event.kind == HazardEvent.Kind.TRANSITION
        and event.to_status in (Status.CLOSED, Status.RECTIFYING)
        and event.from_status in (Status.AWAITING_ACCEPTANCE, Status.CLOSED)
    ):
        recipients = people_with_perm_at([hazard.school_id], Perm.MANAGE_HAZARD)
        kind = notices.STATUS
        params["status"] = event.to_status
    else:
        return 0
    recipients = [u for u in {u.pk: u for u in recipients}.values() if u.pk != event.actor_id]
    return notify(
        recipients=recipients,
        kind=kind,
        params=params,
        link=hazard.get_absolute_url(),
        unit=hazard.school,
        dedupe_key=f"hazard-event:{event.pk}",
    )
