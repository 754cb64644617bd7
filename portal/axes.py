"""Sign-in lockouts: django-axes locks a user name from one address after
``AXES_FAILURE_LIMIT`` wrong passwords; this handler adds a limit per address across user
names, so that password spraying (one guess at many accounts) from one address is slowed too.

The per-address limit is higher (``AXES_ADDRESS_FAILURE_LIMIT``): a bureau office signs in
from behind one shared address, and a few colleagues mistyping must not lock the office out.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def address_failures(ip_address):
    """Wrong passwords from ``ip_address`` within the cool-off time, whatever the user name."""
    if not ip_address:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def _address_locked(request):
    ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if address_failures(ip_address) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
        request.portal_address_locked = True  # the lockout page says why
        return True
    return False


class PortalAxesHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None):
        """Checked before a password is tried: the user name from here, or the address."""
        return super().is_locked(request, credentials) or _address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """After a failure is recorded, axes flags the response as a lockout from the user
        name's count only; flag it for the address too."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False):
            if _address_locked(request):
                request.axes_locked_out = True
                request.axes_credentials = credentials
