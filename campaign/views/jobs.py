"""Job runs: the list of runs in the user's part of the tree, one run with live progress, its
produced file, re-running a failed run and starting the organisation statistics job."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from campaign import access, policy, selectors, services
from campaign.roles import Perm
from core import jobs
from core.downloads import stored_file_response
from core.errors import NotPermitted
from core.models import JobRun

PAGE_SIZE = 25
LIVE_STATES = (JobRun.State.QUEUED, JobRun.State.RUNNING)


def _decorate(user, run):
    # Answered from the grants read once per request and the prefetched scope: no query per row.
    run.may_rerun = policy.job_run_may_rerun(user, run)
    run.may_download = bool(run.file) and policy.job_run_may_download(user, run)
    run.show_error = policy.job_run_may_see_error(user, run)
    run.is_live = run.state in LIVE_STATES
    run.scope_names = [unit.name for unit in run.scope_units()]
    run.scope_differs = run.scope_names != [run.unit.name]
    return run


@login_required
@require_GET
def job_list(request):
    page = Paginator(
        selectors.job_runs_for_user(request.user, with_scope=True), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for run in page.object_list:
        _decorate(request.user, run)
    context = {
        "page": page,
        "statistics_units": list(access.top_units(request.user, Perm.RUN_JOBS)),
    }
    return render(request, "campaign/jobs/job_list.html", context)


@login_required
@require_POST
def statistics_start(request):
    """Queue a rebuild of the organisation statistics for one unit the user may run jobs at."""
    code = request.POST.get("unit", "").strip()
    if not code:
        messages.error(request, _("Choose the unit whose statistics should be rebuilt."))
        return redirect("campaign:job_list")
    unit = access.unit_for_user(request.user, code)  # 404 outside the user's tree
    access.require_perm_at(request.user, Perm.RUN_JOBS, unit)  # 403 where they may only look
    try:
        run = services.org_statistics_request(unit=unit, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("campaign:job_list")
    messages.success(
        request,
        _("The statistics of %(unit)s are being rebuilt.") % {"unit": unit.name},
    )
    return redirect("campaign:job_detail", pk=run.pk)


@never_cache
@login_required
@require_GET
def job_detail(request, pk):
    run = _decorate(request.user, selectors.job_run_for_user(request.user, pk))
    context = {"run": run}
    if request.headers.get("HX-Request"):
        # htmx polls this while the run is queued or running; the fragment stops polling
        # itself once the run has finished.
        return render(request, "campaign/jobs/_run_status.html", context)
    return render(request, "campaign/jobs/job_detail.html", context)


@login_required
@require_GET
def job_file(request, pk):
    run = selectors.job_run_for_user(request.user, pk)
    if not run.file:
        raise Http404
    if not policy.job_run_may_download(request.user, run):
        # The requester sees their run, but its file only while they still see all it holds.
        raise NotPermitted
    return stored_file_response(run.file, run.file_name)


@login_required
@require_POST
def job_rerun(request, pk):
    run = selectors.job_run_for_user(request.user, pk)
    job = jobs.get(run.kind)
    if job is None:
        messages.error(request, _("This kind of job no longer exists and cannot be run again."))
        return redirect("campaign:job_detail", pk=run.pk)
    try:
        services.job_run_rerun(job_run=run, actor=request.user)  # 403 unless requester or admin
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("campaign:job_detail", pk=run.pk)
    messages.success(request, _("The job has been queued again."))
    return redirect("campaign:job_detail", pk=run.pk)
