"""The signed-in person's notifications: newest first, unread highlighted, mark read."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import selectors, services

PAGE_SIZE = 30
# ASCII digits only, and no more than a bigint holds: "²" is a digit to str.isdigit(), and a
# 5,000-digit number is more than int() will parse.
_ID = re.compile(r"[0-9]{1,18}")


@login_required
@require_GET
def notification_list(request):
    page = Paginator(selectors.notifications_for_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "unread": selectors.notifications_unread_count(request.user),
    }
    return render(request, "core/notifications.html", context)


@login_required
@require_POST
def notification_read(request):
    """POST ``id``: mark that notification read and follow its link; POST ``all``: mark every
    one read. Another person's notification is 404."""
    if request.POST.get("all"):
        count = services.notification_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked as read."))
        if not count:
            messages.info(request, _("There were no unread notifications."))
        return redirect("core:notification_list")
    raw = request.POST.get("id", "")
    if not _ID.fullmatch(raw):
        messages.error(request, _("Choose a notification to mark as read."))
        return redirect("core:notification_list")
    notification = selectors.notification_for_user(request.user, int(raw))
    services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(link)
    return redirect("core:notification_list")
