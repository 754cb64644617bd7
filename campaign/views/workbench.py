"""The workbench: the landing page after sign-in, "what needs my action today"."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from campaign import access, selectors
from campaign import workbench as sections
from core import selectors as core_selectors

RECENT_JOB_RUNS = 5


@login_required
def workbench(request):
    user = request.user
    grants = list(selectors.role_grants_of(user))
    has_scope = bool(grants) or access.is_unrestricted(user)
    context = {
        "grants": grants,
        "has_scope": has_scope,
        "totals": selectors.scope_totals(user) if has_scope else None,
        "job_runs": list(selectors.job_runs_for_user(user)[:RECENT_JOB_RUNS]) if has_scope else [],
        "unread_notifications": core_selectors.notifications_unread_count(user) if has_scope else 0,
        # What the apps above campaign add (the hazard register, …), registered at start-up.
        "sections": sections.sections_for(user) if has_scope else [],
    }
    return render(request, "campaign/workbench.html", context)
