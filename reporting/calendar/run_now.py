"""Who may use core's "run now" page (core.views_schedules): the city administrators.

``core`` cannot import ``campaign`` (import-linter layers), so the page asks a callable that
an app above registers. This part registers it because it builds the page for issue 9; the
answer is the campaign's: a superuser, or a holder of the city administrator role at an
active unit (the same role ``campaign.policy`` lets re-run any job run).
"""

from campaign.models import RoleGrant
from campaign.roles import Role


def is_city_admin(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return RoleGrant.objects.filter(
        user_id=user.pk, role=Role.CITY_ADMIN, unit__is_active=True
    ).exists()


def register():
    from core import views_schedules

    views_schedules.register_permission(is_city_admin)
