"""The city administrator's "run now" page: every declared periodic task (core.schedules) with
its timing and last run, and a button that sends it to the workers at once.

For the demo and for recovery (issue 9 §4): the task goes through the broker exactly as beat
would send it, so it runs on a worker with the same idempotency guards. Who may use the page is
the campaign's question, which core cannot import: an app above registers the check
(``register_permission``); without one only superusers may.
"""

from celery import current_app
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_celery_beat.models import PeriodicTask

from core import schedules
from core.services.audit import audit


def _superuser(user):
    return bool(user.is_active and user.is_superuser)


_permission = [_superuser]


def register_permission(check) -> None:
    """``check(user) -> bool``: who may see the page and run a task now."""
    _permission[0] = check


def may_run_now(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(_permission[0](user))


def offered():
    """The schedules offered on the page: those with a label (infrastructure has none)."""
    return sorted((s for s in schedules.declared() if s.label), key=lambda s: s.name)


def _timing(schedule):
    if schedule.every_seconds is not None:
        return _("every %(n)s s") % {"n": schedule.every_seconds}
    return _("cron “%(spec)s” (%(tz)s)") % {
        "spec": schedule.crontab,
        "tz": current_app.conf.timezone or "UTC",
    }


@login_required
@require_GET
def schedule_list(request):
    if not may_run_now(request.user):
        raise PermissionDenied
    shown = offered()
    # One query for every row's last run, whatever the number of schedules.
    rows = {
        t.name: t
        for t in PeriodicTask.objects.filter(name__in=[s.name for s in shown]).only(
            "name", "enabled", "last_run_at", "total_run_count"
        )
    }
    items = [
        {"schedule": s, "index": i, "timing": _timing(s), "row": rows.get(s.name)}
        for i, s in enumerate(shown)
    ]
    return render(request, "core/schedules.html", {"items": items})


@login_required
@require_POST
def schedule_run_now(request):
    if not may_run_now(request.user):
        raise PermissionDenied
    name = request.POST.get("name", "")
    schedule = next((s for s in offered() if s.name == name), None)
    if schedule is None:
        messages.error(request, _("There is no such periodic task; nothing was sent."))
        return redirect("core:schedule_list")
    options = {"expires": schedule.expire_seconds} if schedule.expire_seconds else {}
    result = current_app.send_task(schedule.task, **options)
    audit(actor=request.user, action="schedule.run_now", name=schedule.name, task=schedule.task)
    messages.success(
        request,
        _(
            "“%(label)s” was sent to the workers (message %(id)s); it runs as soon as a worker "
            "is free."
        )
        % {"label": schedule.label, "id": result.id},
    )
    return redirect("core:schedule_list")
