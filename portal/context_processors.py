"""What the shell layout needs on every page: the user's navigation, built from their grants."""

from campaign import access
from campaign.roles import Perm


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_manage_users": access.is_unrestricted(user)
        or bool(access.granted_paths(user).get(Perm.MANAGE_USERS)),
        "nav_can_run_jobs": access.is_unrestricted(user)
        or bool(access.granted_paths(user).get(Perm.RUN_JOBS)),
    }
