"""Experience items' pages (经验交流): counties and schools submit and list their own; city
staff list every item of their city (and choose them on a briefing's edit page)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.downloads import stored_file_response
from core.forms import PortalForm
from hazards.forms import MultipleFileField, MultipleFileInput
from reporting.briefings import items as item_services
from reporting.briefings import selectors

NAV = "briefings"
LIST_LIMIT = 300


class ItemForm(PortalForm):
    unit = forms.TypedChoiceField(label=gettext_lazy("unit"), coerce=int)
    title = forms.CharField(label=gettext_lazy("title"), max_length=item_services.TITLE_MAX)
    text = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=item_services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One paragraph a line."),
    )
    photos = MultipleFileField(
        label=gettext_lazy("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk
            self.fields["unit"].widget = forms.HiddenInput()
        self.fields["photos"].help_text = _(
            "Up to %(n)s photos, JPEG or PNG, at most %(mb)s MB each."
        ) % {"n": item_services.MAX_PHOTOS, "mb": item_services.photo_max_bytes() // (1024 * 1024)}
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-select" if name == "unit" else "form-control"
            )


@login_required
@require_GET
def item_list(request):
    items = list(
        selectors.items_for(request.user)
        .select_related("unit", "briefing")
        .order_by("-submitted_at", "-id")[:LIST_LIMIT]
    )
    context = {
        "items": items,
        "may_submit": selectors.submitting_units(request.user).exists(),
        "nav_section": NAV,
    }
    return render(request, "reporting/briefings/item_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    units = list(selectors.submitting_units(request.user))
    if not units:
        raise PermissionDenied
    form = ItemForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = item_services.item_submit(
                unit=form.units[data["unit"]],
                actor=request.user,
                title=data["title"],
                text=data["text"],
                photos=data["photos"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your experience item has been submitted to the city."))
            return redirect("reporting:briefing_item_detail", pk=item.pk)
    return render(request, "reporting/briefings/item_new.html", {"form": form, "nav_section": NAV})


@login_required
@require_GET
def item_detail(request, pk):
    item = selectors.item_get(request.user, pk)
    context = {
        "item": item,
        "paragraphs": [line.strip() for line in item.text.splitlines() if line.strip()],
        "photos": list(item.photos.order_by("id")),
        "nav_section": NAV,
    }
    return render(request, "reporting/briefings/item_detail.html", context)


@login_required
@require_GET
def item_photo(request, pk, photo_pk):
    photo = selectors.item_photo_get(request.user, pk, photo_pk)
    return stored_file_response(photo.file, photo.file.name.rsplit("/", 1)[-1])
