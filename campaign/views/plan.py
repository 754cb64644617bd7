"""The campaign document pages (S5, 实施方案): the list, a new document, one document with its
versions, one version (text, what changed, comments, PDF), editing the draft, commenting,
issuing, the next draft and the issued PDF. Reads go through campaign.plan.selectors, writes
through its services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.forms.plan import CommentForm, DocumentForm, IssueForm, VersionForm
from campaign.models import OrgUnit, PlanDocument, PlanVersion
from campaign.plan import policy, selectors, services
from core.downloads import stored_file_response
from core.forms import run_on_form


@login_required
@require_GET
def plan_list(request):
    documents = list(selectors.document_list(request.user))
    for d in documents:
        versions = list(d.versions.all())
        d.latest_issued = next((v for v in reversed(versions) if v.is_issued), None)
        d.has_draft = any(not v.is_issued for v in versions)
    return render(
        request,
        "campaign/plan/list.html",
        {
            "documents": documents,
            "may_create": bool(policy.issuing_units_for(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    issuers = policy.issuing_units_for(request.user)
    if not issuers:
        raise PermissionDenied
    issuer_qs = OrgUnit.objects.filter(pk__in=[u.pk for u in issuers]).order_by("path")
    parents = (
        selectors.documents_for_user(request.user)
        .filter(issued_number__gt=0, issuer__kind=OrgUnit.Kind.CITY)
        .order_by("-created_at")
    )
    concerned = OrgUnit.objects.filter(parent__in=issuer_qs, is_active=True).order_by("path")
    form = DocumentForm(
        request.POST or None,
        issuers=issuer_qs,
        parents=parents,
        concerned=concerned,
        initial={"kind": PlanDocument.Kind.ACTION_PLAN},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = run_on_form(
            form,
            services.document_create,
            issuer=data["issuer"],
            kind=data["kind"],
            title=data["title"],
            text=data["text"],
            concerned_units=data["concerned_units"],
            parent=data["parent"],
            actor=request.user,
        )
        if document is not None:
            messages.success(request, _("The draft of the document has been saved."))
            return redirect(document)
    return render(
        request,
        "campaign/plan/new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def plan_detail(request, pk):
    document = selectors.document_for_user(request.user, pk)
    versions = selectors.versions_of(document)
    children = list(
        selectors.documents_for_user(request.user)
        .filter(parent=document)
        .select_related("issuer")
        .order_by("issuer__path")
    )
    return render(
        request,
        "campaign/plan/detail.html",
        {
            "document": document,
            "versions": versions,
            "children": children,
            "may_manage": policy.may_manage(request.user, document),
            "has_draft": any(not v.is_issued for v in versions),
        },
    )


def _version_context(request, document, version):
    versions = selectors.versions_of(document)
    previous = next((v for v in reversed(versions) if v.number < version.number), None)
    comment_units = policy.comment_units(request.user, document, document.concerned)
    return {
        "document": document,
        "version": version,
        "versions": versions,
        "previous": previous,
        "diff": selectors.diff_lines(previous.text, version.text) if previous else None,
        "paragraphs": services.paragraphs(version.text),
        "comments": list(version.comments.select_related("unit", "author")),
        "may_manage": policy.may_manage(request.user, document),
        "may_comment": not version.is_issued and bool(comment_units),
        "comment_form": CommentForm(units=comment_units),
    }


@login_required
@require_GET
def plan_version(request, pk, number):
    document = selectors.document_for_user(request.user, pk)
    version = selectors.version_for(document, number)
    return render(
        request, "campaign/plan/version.html", _version_context(request, document, version)
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk, number):
    document = selectors.document_for_user(request.user, pk)
    version = selectors.version_for(document, number)
    if not policy.may_manage(request.user, document):
        raise PermissionDenied
    concerned = services.concerned_choices(document.issuer)
    if version.is_issued:
        messages.error(request, _(services.ISSUED_REFUSAL))
        if request.method == "POST":
            return render(
                request,
                "campaign/plan/version.html",
                _version_context(request, document, version),
                status=409,
            )
        return redirect(version)
    form = VersionForm(
        request.POST or None,
        concerned=concerned,
        initial={
            "title": version.title,
            "text": version.text,
            "concerned_units": document.concerned,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_on_form(
            form,
            services.version_edit,
            version=version,
            title=data["title"],
            text=data["text"],
            concerned_units=data["concerned_units"],
            actor=request.user,
        )
        if saved is not None:
            messages.success(request, _("The draft of the document has been saved."))
            return redirect(saved)
    return render(
        request,
        "campaign/plan/edit.html",
        {"form": form, "document": document, "version": version},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def plan_comment(request, pk, number):
    document = selectors.document_for_user(request.user, pk)
    version = selectors.version_for(document, number)
    units = policy.comment_units(request.user, document, document.concerned)
    if not units:
        raise PermissionDenied
    data = request.POST.copy()
    if len(units) == 1:  # the page sends it hidden: one unit needs no choice
        data.setdefault("unit", str(units[0].pk))
    form = CommentForm(data, units=units)
    if version.is_issued:
        form.is_valid()
        form.add_error(None, _(services.ISSUED_REFUSAL))
    elif form.is_valid():
        comment = run_on_form(
            form,
            services.comment_add,
            version=version,
            unit=form.cleaned_data["unit"],
            text=form.cleaned_data["text"],
            actor=request.user,
        )
        if comment is not None:
            messages.success(request, _("Your comment has been added."))
            return redirect(f"{version.get_absolute_url()}#comments")
    context = _version_context(request, document, version)
    context["comment_form"] = form
    return render(request, "campaign/plan/version.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def plan_issue(request, pk, number):
    document = selectors.document_for_user(request.user, pk)
    version = selectors.version_for(document, number)
    if not policy.may_manage(request.user, document):
        raise PermissionDenied
    if version.is_issued:
        messages.error(request, _(services.ISSUED_REFUSAL))
        return redirect(version)
    form = IssueForm(request.POST or None, initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        issued = run_on_form(
            form,
            services.version_issue,
            version=version,
            doc_number=form.cleaned_data["doc_number"],
            issued_on=form.cleaned_data["issued_on"],
            actor=request.user,
        )
        if issued is not None:
            messages.success(
                request,
                _("Issued as %(number)s: every unit under %(unit)s can read it now.")
                % {"number": issued.doc_number, "unit": document.issuer.name},
            )
            return redirect(issued)
    return render(
        request,
        "campaign/plan/issue.html",
        {
            "form": form,
            "document": document,
            "version": version,
            "issuing_office": services.issuing_office_for(document.issuer),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def plan_new_draft(request, pk):
    document = selectors.document_for_user(request.user, pk)
    if not policy.may_manage(request.user, document):
        raise PermissionDenied
    try:
        draft = services.draft_start(document=document, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(document)
    messages.success(
        request, _("Version %(n)s has been started from the issued text.") % {"n": draft.number}
    )
    return redirect(reverse_edit(draft))


def reverse_edit(version):
    from django.urls import reverse

    return reverse("campaign:plan_edit", args=[version.document_id, version.number])


def pdf_file_name(version):
    return f"{version.doc_number or version.title}.pdf"


@login_required
@require_GET
def plan_pdf(request, pk, number):
    document = selectors.document_for_user(request.user, pk)
    version = selectors.version_for(document, number)
    if version.status != PlanVersion.Status.ISSUED or not version.pdf:
        raise Http404
    return stored_file_response(version.pdf, pdf_file_name(version))
