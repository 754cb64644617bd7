"""The directive pages (S2, 交办事项): the lists (issued / received), a new directive, one
directive with its progress table, confirming, reminding, passing on, and the files. Reads go
through campaign.directives.selectors, writes through its services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.directives import policy, selectors, services
from campaign.forms.directives import (
    RECEIVERS_CHOSEN,
    ConfirmForm,
    DirectiveForm,
    PassOnForm,
    ProgressFilterForm,
)
from core.downloads import uploaded_file_response
from core.forms import run_on_form

LIST_PAGE = 20


@login_required
@require_GET
def directive_list(request):
    box = "issued" if request.GET.get("box") == "issued" else "received"
    user = request.user
    rows = selectors.issued_list(user) if box == "issued" else selectors.received_list(user)
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaign/directives/list.html",
        {
            "box": box,
            "page": page,
            "may_issue": policy.may_issue(user),
            "today": timezone.localdate(),
        },
    )


def _receivers(issuer, data):
    chosen = data["chosen_units"] if data["receivers"] == RECEIVERS_CHOSEN else ()
    return services.receivers_for(issuer, data["receivers"], chosen)


@login_required
@require_http_methods(["GET", "POST"])
def directive_new(request):
    issuers = policy.units_issuing_for(request.user)
    if not issuers:
        raise PermissionDenied
    form = DirectiveForm(request.POST or None, request.FILES or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        directive = run_on_form(
            form,
            services.directive_issue,
            issuer=data["issuer"],
            title=data["title"],
            text=data["text"],
            done_when=data["done_when"],
            deadline=data["deadline"],
            receivers=_receivers(data["issuer"], data),
            uploads=data["files"],
            actor=request.user,
        )
        if directive is not None:
            messages.success(
                request,
                _("The directive %(title)s has been issued to %(count)s units.")
                % {"title": directive.title, "count": directive.receipts.count()},
            )
            return redirect(directive)
    return render(
        request,
        "campaign/directives/form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def directive_detail(request, pk):
    user = request.user
    directive = selectors.directive_for_user(user, pk)
    form = ProgressFilterForm(request.GET or None)
    progress = selectors.progress(
        user, directive, state=form.chosen_state(), page=request.GET.get("page")
    )
    may_confirm = may_pass_on = False
    for receipt in progress["page"]:
        receipt.may_confirm = receipt.state == "pending" and policy.may_confirm(user, receipt)
        receipt.may_pass_on = receipt.child is None and policy.may_pass_on(user, receipt)
        may_confirm |= receipt.may_confirm
        may_pass_on |= receipt.may_pass_on
    return render(
        request,
        "campaign/directives/detail.html",
        {
            "directive": directive,
            "attachments": selectors.attachments(directive),
            "form": form,
            "today": timezone.localdate(),
            "sees_issuer": policy.sees_issuer(user, directive),
            "may_remind": policy.may_remind(user, directive),
            **progress,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def receipt_confirm(request, pk):
    receipt = selectors.receipt_for_user(request.user, pk)
    if not policy.may_confirm(request.user, receipt):
        raise PermissionDenied
    directive = receipt.directive
    if receipt.is_confirmed:
        messages.info(request, _("This directive has already been confirmed."))
        return redirect(directive)
    form = ConfirmForm(
        request.POST or None,
        request.FILES or None,
        meetings=services.meetings_of(receipt.unit)[:50],
        initial={"done_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_on_form(
            form,
            services.receipt_confirm,
            receipt=receipt,
            done_on=data["done_on"],
            note=data["note"],
            upload=data["file"],
            meeting=data["meeting"],
            actor=request.user,
        )
        if done is not None:
            if done.state == done.State.LATE:
                text = _("%(unit)s has confirmed the directive %(title)s, after its deadline.")
            else:
                text = _("%(unit)s has confirmed the directive %(title)s.")
            messages.success(request, text % {"unit": done.unit.name, "title": directive.title})
            return redirect(directive)
    return render(
        request,
        "campaign/directives/confirm.html",
        {"form": form, "receipt": receipt, "directive": directive},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def directive_remind(request, pk):
    directive = selectors.directive_for_user(request.user, pk)
    if not policy.may_remind(request.user, directive):
        raise PermissionDenied
    try:
        count = services.directive_remind(directive=directive, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(count)s units that have not confirmed %(title)s have been reminded.")
            % {"count": count, "title": directive.title},
        )
    return redirect(directive)


@login_required
@require_http_methods(["GET", "POST"])
def receipt_pass_on(request, pk):
    receipt = selectors.receipt_for_user(request.user, pk)
    if not policy.may_pass_on(request.user, receipt):
        raise PermissionDenied
    directive = receipt.directive
    child = selectors.passed_on(receipt)
    if child is not None:
        messages.info(request, _("This directive has already been passed on."))
        return redirect(child)
    form = PassOnForm(
        request.POST or None,
        request.FILES or None,
        unit=receipt.unit,
        initial={"deadline": directive.deadline},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = run_on_form(
            form,
            services.directive_pass_on,
            receipt=receipt,
            deadline=data["deadline"],
            note=data["note"],
            receivers=_receivers(receipt.unit, data),
            uploads=data["files"],
            actor=request.user,
        )
        if child is not None:
            messages.success(
                request,
                _("%(unit)s has passed the directive %(title)s on to %(count)s units.")
                % {
                    "unit": receipt.unit.name,
                    "title": child.title,
                    "count": child.receipts.count(),
                },
            )
            return redirect(child)
    return render(
        request,
        "campaign/directives/pass_on.html",
        {"form": form, "receipt": receipt, "directive": directive},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def attachment_download(request, pk, file_pk):
    directive = selectors.directive_for_user(request.user, pk)
    attachment = selectors.attachment_of(directive, file_pk)
    if attachment is None:
        raise Http404
    return uploaded_file_response(
        attachment.file, attachment.content_type, attachment.original_name
    )


@login_required
@require_GET
def receipt_file(request, pk):
    receipt = selectors.receipt_for_user(request.user, pk)
    if not receipt.file:
        raise Http404
    return uploaded_file_response(receipt.file, receipt.content_type, receipt.original_name)
