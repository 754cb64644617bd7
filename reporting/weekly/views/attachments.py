"""The files attached to a weekly report: add (while it can be edited), download, remove."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.downloads import stored_file_response
from reporting.weekly import filling, periods, policy, selectors


def _back(report):
    url = reverse("reporting:week_report", args=[report.unit.code, periods.label(report.week)])
    return redirect(url + "#files")


@login_required
@require_POST
def week_attach(request, unit_code, week_label):
    report = selectors.weekly_report_for_user(request.user, unit_code, week_label)
    if not policy.may_fill(request.user, report):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return _back(report)
    try:
        attachment = filling.attach(request.user, report, upload)
    except ValidationError as error:
        messages.error(
            request,
            _("%(name)s was not attached: %(reason)s")
            % {"name": upload.name[:100], "reason": " ".join(error.messages)},
        )
    else:
        messages.success(request, _("%(name)s attached.") % {"name": attachment.name})
    return _back(report)


@login_required
@require_GET
def week_attachment(request, unit_code, week_label, pk):
    report = selectors.weekly_report_for_user(request.user, unit_code, week_label)
    attachment = report.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return stored_file_response(attachment.file, attachment.name)


@login_required
@require_POST
def week_detach(request, unit_code, week_label, pk):
    report = selectors.weekly_report_for_user(request.user, unit_code, week_label)
    if not policy.may_fill(request.user, report):
        raise PermissionDenied
    attachment = report.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    try:
        filling.detach(request.user, report, pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s removed.") % {"name": attachment.name})
    return _back(report)
