"""The briefings' pages (工作简报, S13): the list, a new draft, edit, preview, publish, the PDF.

Who sees what (``reporting.briefings.selectors``): a published briefing every unit of its
city; a draft only who holds MANAGE_BRIEFINGS at the city. Out of sight answers 404 like a
missing id; in sight but not permitted, 403. Writes go through ``services``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.models import OrgUnit
from core import jobs
from core.downloads import stored_file_response
from core.forms import PortalForm
from inspections.charts import svg_data_url
from reporting.briefings import sections as registry
from reporting.briefings import selectors, services
from reporting.models import Briefing

NAV = "briefings"
LIST_LIMIT = 200


def _require_manage(user, briefing):
    if not selectors.may_manage(user, briefing):
        raise PermissionDenied


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- The list and a new draft --------------------------------------------------------------


@login_required
@require_GET
def briefing_list(request):
    briefings = list(
        selectors.briefings_for(request.user)
        .select_related("city")
        .order_by("-published_at", "-drafted_at", "-id")[:LIST_LIMIT]
    )
    managed = selectors.managed_city_ids(request.user)
    cities = list(OrgUnit.objects.filter(pk__in=managed).order_by("path")) if managed else []
    context = {
        "published": [b for b in briefings if b.status == Briefing.Status.PUBLISHED],
        "drafts": [b for b in briefings if b.status != Briefing.Status.PUBLISHED],
        "cities": cities,
        "nav_section": NAV,
    }
    return render(request, "reporting/briefings/list.html", context)


@login_required
@require_POST
def briefing_new(request):
    managed = selectors.managed_city_ids(request.user)
    if not managed:
        raise PermissionDenied
    city_pk = _pk(request.POST.get("city")) if len(managed) > 1 else next(iter(managed))
    if city_pk not in managed:
        messages.error(request, _("Choose the city whose briefing to draft."))
        return redirect("reporting:briefing_list")
    city = OrgUnit.objects.get(pk=city_pk)
    briefing = services.briefing_draft(city=city, actor=request.user)
    messages.success(
        request, _("The briefing has been drafted from today's figures. Check it and edit it.")
    )
    return redirect("reporting:briefing_edit", pk=briefing.pk)


# --- Preview / read ------------------------------------------------------------------------


def page_sections(briefing):
    """The document's sections for the page: the same snapshot and the same SVG charts as the
    PDF, the charts as ``data:`` images (the page's CSP refuses the chart's inline styles)."""
    context = services.document_context(
        briefing,
        number=briefing.number,
        published_on=timezone.localdate(briefing.published_at)
        if briefing.published_at
        else timezone.localdate(),
        inline_photos=False,
    )
    for section in context["sections"]:
        section["chart_url"] = svg_data_url(section["chart_svg"]) if section["chart_svg"] else ""
    return context


@login_required
@require_GET
def briefing_detail(request, pk):
    briefing = selectors.briefing_get(request.user, pk)
    context = page_sections(briefing)
    context.update(
        {
            "may_manage": selectors.may_manage(request.user, briefing),
            "editable": briefing.status in services.EDITABLE_STATES,
            "nav_section": NAV,
        }
    )
    return render(request, "reporting/briefings/detail.html", context)


# --- Edit ----------------------------------------------------------------------------------


class BriefingForm(PortalForm):
    """Title, per drafted section "include" and its text, and the experience items chosen."""

    title = forms.CharField(label=gettext_lazy("title"), max_length=services.TITLE_MAX)
    items = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Experience items in this issue"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, briefing, item_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.briefing = briefing
        self.keys = [s.key for s in registry.sections() if s.key in briefing.snapshot]
        for key in self.keys:
            section = registry.get(key)
            self.fields[f"include_{key}"] = forms.BooleanField(
                label=gettext_lazy("Include this section"), required=False
            )
            self.fields[f"text_{key}"] = forms.CharField(
                label=section.title,
                required=False,
                max_length=services.TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=gettext_lazy("One paragraph a line; it stands above the figures."),
            )
        self.fields["items"].choices = item_choices
        self.fields["title"].widget.attrs["class"] = "form-control"
        for key in self.keys:
            self.fields[f"text_{key}"].widget.attrs["class"] = "form-control"
            self.fields[f"include_{key}"].widget.attrs["class"] = "form-check-input"

    def section_rows(self):
        return [
            {
                "key": key,
                "title": registry.get(key).title,
                "include": self[f"include_{key}"],
                "text": self[f"text_{key}"],
            }
            for key in self.keys
        ]

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "title": data["title"],
            "texts": {key: data.get(f"text_{key}", "") for key in self.keys},
            "included": [key for key in self.keys if data.get(f"include_{key}")],
            "item_ids": data["items"],
        }


def _initial(briefing):
    excluded = set(briefing.excluded or ())
    initial = {"title": briefing.title, "items": list(briefing.items.values_list("pk", flat=True))}
    for key in briefing.snapshot:
        initial[f"include_{key}"] = key not in excluded
        initial[f"text_{key}"] = briefing.texts.get(key, "")
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def briefing_edit(request, pk):
    briefing = selectors.briefing_get(request.user, pk)
    _require_manage(request.user, briefing)
    if briefing.status not in services.EDITABLE_STATES:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("reporting:briefing_detail", pk=briefing.pk)
    items = list(selectors.items_to_choose(briefing))
    choices = [(item.pk, f"{item.title}（{item.unit.name}）") for item in items]
    form = BriefingForm(
        request.POST or None, briefing=briefing, item_choices=choices, initial=_initial(briefing)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.briefing_update(briefing=briefing, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The briefing draft has been saved."))
            return redirect("reporting:briefing_detail", pk=briefing.pk)
    context = {"briefing": briefing, "form": form, "items": items, "nav_section": NAV}
    return render(request, "reporting/briefings/edit.html", context)


# --- Publish, its progress, the PDF ---------------------------------------------------------


def _progress_context(briefing):
    return {
        "briefing": briefing,
        **jobs.publication_progress(
            briefing.job_run,
            # A failed publication is still "publishing" while it is run again.
            publishing=briefing.status in (Briefing.Status.PUBLISHING, Briefing.Status.FAILED),
            done=briefing.status == Briefing.Status.PUBLISHED,
        ),
        "nav_section": NAV,
    }


@login_required
@require_http_methods(["GET", "POST"])
def briefing_publish(request, pk):
    """POST: publish the draft (or run a failed publication again). GET: its progress (htmx
    polls the fragment while the run is under way)."""
    briefing = selectors.briefing_get(request.user, pk)
    _require_manage(request.user, briefing)
    if request.method == "POST":
        try:
            services.briefing_publish(briefing=briefing, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("reporting:briefing_detail", pk=briefing.pk)
        messages.info(
            request, _("The briefing is being published; this page shows how far it has got.")
        )
        return redirect("reporting:briefing_publish", pk=briefing.pk)
    if briefing.status == Briefing.Status.DRAFT:
        return redirect("reporting:briefing_detail", pk=briefing.pk)
    context = _progress_context(briefing)
    if request.headers.get("HX-Request"):
        return render(request, "reporting/briefings/_progress.html", context)
    return render(request, "reporting/briefings/publish.html", context)


def pdf_file_name(briefing):
    return f"{briefing.city.name}工作简报第{briefing.number}期.pdf"


@login_required
@require_GET
def briefing_pdf(request, pk):
    briefing = selectors.briefing_get(request.user, pk)
    if briefing.status != Briefing.Status.PUBLISHED or not briefing.pdf:
        raise Http404
    return stored_file_response(briefing.pdf, pdf_file_name(briefing))
