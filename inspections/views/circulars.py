"""Circulars (通报) and rectification notices (整改通知书): draft, edit, publish, read, download.

Who sees what:
- a draft (or one being published) is seen by its city's supervisors only;
- a published circular by every user whose view scope lies in its city (all its units);
- a notice by its school, its county and the city's supervisors (the units above it).

Out of sight answers 404 exactly like a missing code; in sight but not permitted, 403.

Every read goes through ``inspections.selectors`` (``circulars_for``, ``circular_get``,
``notices_for``, ``notice_get``, ``plan_get``).
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import access
from campaign.roles import Perm
from core import jobs
from core.downloads import stored_file_response
from core.errors import OutOfScope
from core.forms import PlausibleDateField, PortalForm
from inspections import selectors
from inspections.charts import failures_by_section_svg, svg_data_url
from inspections.models import Answer, Circular
from inspections.services import circulars as services

# --- Who may ------------------------------------------------------------------------------


def _may_manage(user, circular):
    return access.has_perm_at(user, Perm.MANAGE_INSPECTIONS, circular.city)


# --- Forms ---------------------------------------------------------------------------------


class CircularForm(PortalForm):
    issuing_office = forms.CharField(label=gettext_lazy("issuing office"), max_length=100)
    title = forms.CharField(label=gettext_lazy("title"), max_length=150)
    summary = forms.CharField(
        label=gettext_lazy("summary"), widget=forms.Textarea(attrs={"rows": 5})
    )
    problems = forms.CharField(
        label=gettext_lazy("problems found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("One paragraph a line."),
    )
    requirements = forms.CharField(
        label=gettext_lazy("rectification requirements"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One paragraph a line."),
    )
    deadline = PlausibleDateField(
        label=gettext_lazy("rectification deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


# --- Views ---------------------------------------------------------------------------------


@login_required
@require_POST
def circular_new(request, code):
    plan = selectors.plan_get(request.user, code)
    existing = Circular.objects.filter(plan=plan).first()
    if existing is not None:
        return redirect("inspections:circular_detail", code=existing.code)
    try:
        circular = services.circular_draft(plan=plan, actor=request.user)
    except OutOfScope:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(plan.get_absolute_url())
    messages.success(request, _("The circular has been drafted. Check it and publish it."))
    return redirect("inspections:circular_detail", code=circular.code)


@login_required
@require_GET
def circular_list(request):
    circulars = list(
        selectors.circulars_for(request.user)
        .select_related("city", "plan")
        .annotate(notice_count=Count("notices", distinct=True))
        .order_by("-issued_on", "-created_at", "-id")[:200]
    )
    return render(
        request,
        "inspections/circular_list.html",
        {"circulars": circulars, "nav_section": "inspections"},
    )


def _chart(plan):
    sections = services.section_rows(plan)
    if not sections:
        return ""
    return svg_data_url(failures_by_section_svg(sections))


@login_required
@require_GET
def circular_detail(request, code):
    circular = selectors.circular_get(request.user, code)
    plan = circular.plan
    context = {
        "circular": circular,
        "may_manage": _may_manage(request.user, circular),
        "summary": services.paragraphs(circular.summary),
        "problems": services.paragraphs(circular.problems),
        "requirements": services.paragraphs(circular.requirements),
        "totals": services.plan_totals(plan),
        "counties": services.county_rows(plan),
        "chart_url": _chart(plan),
        "notices": list(
            selectors.notices_for(request.user)
            .filter(circular=circular)
            .select_related("school", "county")
            .order_by("school__path")
        ),
        "nav_section": "inspections",
    }
    return render(request, "inspections/circular_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def circular_edit(request, code):
    circular = selectors.circular_get(request.user, code)
    if not _may_manage(request.user, circular):
        raise PermissionDenied
    if circular.state != Circular.State.DRAFT:
        messages.error(request, _("Only a draft circular can be edited."))
        return redirect("inspections:circular_detail", code=circular.code)
    initial = {name: getattr(circular, name) for name in services.EDITABLE}
    form = CircularForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.circular_update(circular=circular, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("inspections:circular_detail", code=circular.code)
    return render(
        request,
        "inspections/circular_edit.html",
        {"circular": circular, "form": form, "nav_section": "inspections"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def circular_publish(request, code):
    """POST: publish the draft. GET: the publication's progress (htmx polls the fragment)."""
    circular = selectors.circular_get(request.user, code)
    if not _may_manage(request.user, circular):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.circular_publish(circular=circular, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("inspections:circular_detail", code=circular.code)
        messages.info(
            request, _("The circular is being published; this page shows how far it has got.")
        )
        return redirect("inspections:circular_publish", code=circular.code)
    if circular.state == Circular.State.DRAFT:
        return redirect("inspections:circular_detail", code=circular.code)
    context = {
        "circular": circular,
        **jobs.publication_progress(
            circular.job_run,
            publishing=circular.state == Circular.State.PUBLISHING,
            done=False,  # a failed run leaves the circular publishing, its number kept
        ),
        "nav_section": "inspections",
    }
    if request.headers.get("HX-Request"):
        return render(request, "inspections/_circular_progress.html", context)
    return render(request, "inspections/circular_publish.html", context)


@login_required
@require_GET
def circular_pdf(request, code):
    circular = selectors.circular_get(request.user, code)
    if circular.state != Circular.State.PUBLISHED or not circular.pdf:
        raise Http404
    return stored_file_response(circular.pdf, services.circular_file_name(circular))


@login_required
@require_GET
def notice_list(request):
    today = timezone.localdate()
    notices = list(
        selectors.notices_for(request.user)
        .select_related("circular", "school", "county")
        .order_by("deadline", "school__path", "id")[:500]
    )
    return render(
        request,
        "inspections/notice_list.html",
        {"notices": notices, "today": today, "nav_section": "inspections"},
    )


@login_required
@require_GET
def notice_detail(request, code):
    notice = selectors.notice_get(request.user, code)
    answers = list(
        Answer.objects.filter(visit=notice.visit, result=Answer.Result.FAIL)
        .select_related("item__section", "hazard", "recheck__hazard")
        .order_by("item__section__order", "item__order", "id")
    )
    rows = [
        {
            "answer": answer,
            "problem": services.answer_text(answer),
            "section": answer.item.section.name if answer.item_id else _("re-check"),
            "hazard": services.answer_hazard(answer),
        }
        for answer in answers
    ]
    open_rows = [r for r in rows if r["hazard"] is not None and r["hazard"].is_open]
    context = {
        "notice": notice,
        "rows": rows,
        "open_count": len(open_rows),
        "overdue": notice.deadline < timezone.localdate() and bool(open_rows),
        "soon": timezone.localdate() + dt.timedelta(days=3),
        "nav_section": "inspections",
    }
    return render(request, "inspections/notice_detail.html", context)
