"""Every read of the hazard register, scoped through campaign.access.

Hazards are scoped on their own denormalised school/county/city keys
(``access.scope_q_by_level``), never by joining to the unit tree.
"""

from django.http import Http404

from campaign import access
from campaign.roles import Perm
from hazards.models import Hazard


def hazards_for_user(user, perm=Perm.VIEW):
    return Hazard.objects.filter(access.scope_q_by_level(user, perm))


def hazard_for_user(user, code):
    """The hazard with ``code`` if the user may see it; 404 otherwise, whether or not it exists."""
    if "\x00" in code:
        raise Http404
    hazard = (
        hazards_for_user(user)
        .select_related("school", "county", "city", "category", "category__parent")
        .filter(code=code)
        .first()
    )
    if hazard is None:
        raise Http404
    return hazard
