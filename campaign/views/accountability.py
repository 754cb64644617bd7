"""The accountability record's pages (问责 / 记录在案): the list of entries in the user's
scope, one entry with its source, and the unit's explanation. Reads go through
campaign.accountability.selectors, writes through its services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign import access
from campaign.accountability import policy, selectors, services
from campaign.forms.accountability import EntryFilterForm, ExplainForm
from campaign.models import AccountabilityEntry, OrgUnit

PAGE_SIZE = 50
FIRST_YEAR = 2019


def _source_link(entry):
    """(text, url) of the entry's source; the url is "" when the source has no page.

    A source model may name itself for this list (``accountability_title``: the entry's unit
    is already shown beside it) and the relations that name needs
    (``accountability_related``, read with the source in the same query)."""
    source = entry.source
    if source is None:
        return _("(removed)"), ""
    url = source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""
    return str(getattr(source, "accountability_title", source)), url


def _prefetch_sources(entries):
    """One query per kind of source for all ``entries``, with the relations it names."""
    querysets = []
    for content_type in {e.source_type for e in entries}:
        model = content_type.model_class()
        related = getattr(model, "accountability_related", ())
        querysets.append(model._base_manager.select_related(*related))
    if querysets:
        prefetch_related_objects(entries, GenericPrefetch("source", querysets))


@login_required
def entry_list(request):
    counties = list(
        access.units_where(request.user).filter(kind=OrgUnit.Kind.COUNTY).order_by("path")
    )
    years = range(timezone.localdate().year, FIRST_YEAR - 1, -1)
    form = EntryFilterForm(request.GET or None, counties=counties, years=years)
    entries = selectors.entry_list(request.user, **form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    # One query per kind of source for the whole page, however many entries.
    _prefetch_sources(list(page.object_list))
    for entry in page:
        entry.source_text, entry.source_url = _source_link(entry)
    counts = selectors.counts_by_kind(entries)
    return render(
        request,
        "campaign/accountability/list.html",
        {
            "form": form,
            "page": page,
            "summary": [
                (label, counts.get(kind, 0)) for kind, label in AccountabilityEntry.Kind.choices
            ],
        },
    )


@login_required
def entry_detail(request, pk):
    entry = selectors.entry_for_user(request.user, pk)
    entry.source_text, entry.source_url = _source_link(entry)
    may_explain = policy.may_explain(request.user, entry)
    form = ExplainForm(initial={"explanation": entry.explanation}) if may_explain else None
    return render(
        request,
        "campaign/accountability/detail.html",
        {"entry": entry, "form": form, "may_explain": may_explain},
    )


@login_required
@require_POST
def entry_explain(request, pk):
    entry = selectors.entry_for_user(request.user, pk)
    if not policy.may_explain(request.user, entry):
        raise PermissionDenied
    form = ExplainForm(request.POST)
    if form.is_valid():
        try:
            services.entry_explain(
                entry=entry, explanation=form.cleaned_data["explanation"], actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The explanation has been saved."))
            return redirect(entry)
    entry.source_text, entry.source_url = _source_link(entry)
    return render(
        request,
        "campaign/accountability/detail.html",
        {"entry": entry, "form": form, "may_explain": True},
        status=400,
    )
