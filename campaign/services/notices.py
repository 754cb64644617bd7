"""Telling the people of some units: one in-app notice per active person who holds one of
the given roles at each unit itself (not above it), as directives, summonses and leave
decisions do."""

from django.contrib.auth import get_user_model

from campaign.models import Role
from core.services.notifications import notification_build, notify_many

# The people of a unit who hear of what concerns the unit: its own staff or officers.
UNIT_ROLES = (Role.COUNTY_STAFF, Role.SCHOOL_OFFICER, Role.CITY_STAFF, Role.SAFETY_OFFICE)


def notify_unit_people(*, unit_ids, kind, params, link, dedupe_key, roles=UNIT_ROLES):
    """Notify the holders of ``roles`` at each of ``unit_ids``; a ``dedupe_key`` already sent
    to a person is skipped. Returns how many notices were written."""
    if not unit_ids:
        return 0
    holders = (
        get_user_model()
        .objects.filter(
            is_active=True, role_grants__unit_id__in=unit_ids, role_grants__role__in=roles
        )
        .values_list("pk", "role_grants__unit_id")
        .distinct()
    )
    return notify_many(
        notices=(
            notification_build(
                recipient_id=user_id,
                kind=kind,
                params=params,
                link=link,
                unit_id=unit_id,
                dedupe_key=dedupe_key,
            )
            for user_id, unit_id in holders.iterator()
        )
    )
