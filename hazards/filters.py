"""The register's filters, search and sorting (django-filter).

A value that does not validate (an unknown county, a bad date, a sort key off the whitelist)
becomes a form error and its filter is skipped: the page shows a note, never a 500.
"""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.forms import PlausibleDateField
from hazards.models import Hazard, HazardCategory

YES_NO = (("yes", _("yes")), ("no", _("no")))


class PlausibleDateFilter(django_filters.DateFilter):
    """A date in the URL from 2000 to ten years ahead; another is reported as ignored."""

    field_class = PlausibleDateField


SORTS = {
    "-found_on": ("-found_on", "-id"),
    "found_on": ("found_on", "id"),
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "code": ("code",),
    "-code": ("-code",),
    "status": ("status", "-found_on", "-id"),
    "-status": ("-status", "-found_on", "-id"),
    # Awaiting acceptance longest first (never submitted: last).
    "submitted_at": (F("submitted_at").asc(nulls_last=True), "id"),
}
SORT_CHOICES = (
    ("-found_on", _("Date found, newest first")),
    ("found_on", _("Date found, oldest first")),
    ("deadline", _("Deadline, earliest first")),
    ("-deadline", _("Deadline, latest first")),
    ("code", _("Hazard number")),
    ("-code", _("Hazard number, descending")),
    ("status", _("Status")),
    ("-status", _("Status, descending")),
    ("submitted_at", _("Submitted for acceptance, longest waiting first")),
)
DEFAULT_SORT = SORTS["-found_on"]


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    county = django_filters.ChoiceFilter(
        label=_("County"), method="filter_county", empty_label=_("All counties")
    )
    school = django_filters.CharFilter(label=_("School code"), method="filter_school")
    category = django_filters.ChoiceFilter(
        label=_("Category"), method="filter_category", empty_label=_("All categories")
    )
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), field_name="level", choices=Hazard.Level.choices, empty_label=_("All")
    )
    # distinct=False: a hazard has one status, so no row can repeat; django-filter's default
    # DISTINCT made PostgreSQL sort every match before it could take a page (docs/benchmarks.md).
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=Hazard.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=Hazard.Source.choices, empty_label=_("All")
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), choices=YES_NO, method="filter_overdue", empty_label=_("All")
    )
    found_from = PlausibleDateFilter(
        label=_("Found from"),
        field_name="found_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    found_to = PlausibleDateFilter(
        label=_("Found until"),
        field_name="found_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    five = django_filters.ChoiceFilter(
        label=_("Five implementations complete"),
        choices=YES_NO,
        method="filter_five",
        empty_label=_("All"),
    )
    uploaded = django_filters.ChoiceFilter(
        label=_("Uploaded to the province"),
        choices=YES_NO,
        method="filter_uploaded",
        empty_label=_("All"),
    )
    year_open = django_filters.BooleanFilter(
        label=_("Found this year and still open"),
        method="filter_year_open",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="filter_noop", empty_label=None
    )

    class Meta:
        model = Hazard
        fields = []

    def __init__(self, data=None, *args, user, counties=None, categories=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        if counties is None:
            counties = list(
                access.units_where(user, Perm.VIEW)
                .filter(kind=OrgUnit.Kind.COUNTY)
                .order_by("path")
                .values_list("pk", "code", "name")
            )
        if categories is None:
            categories = list(HazardCategory.objects.values_list("pk", "code", "name", "parent_id"))
        # Kept so that a sibling filter (``without_status``) costs no query of its own.
        self.county_rows, self.category_rows = counties, categories
        self.user = user
        self.county_ids = {code: pk for pk, code, _name in counties}
        if counties:
            self.filters["county"].extra["choices"] = [(code, name) for _pk, code, name in counties]
        else:
            # A school's register: no county to choose, and with one school no school either.
            self.filters.pop("county")
            if len(access.granted_units(user, Perm.VIEW)) == 1:
                self.filters.pop("school")
        areas = [(pk, code, name) for pk, code, name, parent in categories if parent is None]
        self.category_ids = {
            code: [pk] + [c[0] for c in categories if c[3] == pk] for pk, code, _name in areas
        }
        self.filters["category"].extra["choices"] = [(code, name) for _pk, code, name in areas]
        for field in self.form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")

    # --- methods --------------------------------------------------------------------------

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip().replace("\x00", "")
        if not value:
            return queryset
        return queryset.filter(
            Q(code__istartswith=value)
            | Q(location__icontains=value)
            | Q(description__icontains=value)
        )

    def filter_county(self, queryset, name, value):
        pk = self.county_ids.get(value)
        return queryset.filter(county_id=pk) if pk else queryset.none()

    def filter_school(self, queryset, name, value):
        value = value.strip().replace("\x00", "")
        return queryset.filter(school__code=value) if value else queryset

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=self.category_ids.get(value, []))

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=Hazard.OPEN_STATUSES, deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value == "yes" else queryset.exclude(overdue)

    def filter_five(self, queryset, name, value):
        return queryset.filter(five_complete=value == "yes")

    def filter_uploaded(self, queryset, name, value):
        return queryset.filter(uploaded_month__isnull=value != "yes")

    def filter_year_open(self, queryset, name, value):
        if not value:
            return queryset
        year = timezone.localdate().year
        return queryset.filter(found_on__year=year, status__in=Hazard.OPEN_STATUSES)

    # --- results --------------------------------------------------------------------------

    def ordering(self):
        key = None
        if self.is_bound:
            self.errors  # noqa: B018 -- validates the form, filling cleaned_data
            key = self.form.cleaned_data.get("sort")
        return SORTS.get(key or "", DEFAULT_SORT)

    def is_unfiltered(self):
        """Nothing but the sort order chosen: the whole scope, so counts can come from the tally."""
        if not self.is_bound:
            return True
        self.errors  # noqa: B018 -- validates the form, filling cleaned_data
        return not any(value for name, value in self.form.cleaned_data.items() if name != "sort")

    def statuses(self):
        """The statuses ticked (valid ones only); empty when the status filter is not used."""
        if not self.is_bound:
            return []
        self.errors  # noqa: B018 -- validates the form, filling cleaned_data
        return list(self.form.cleaned_data.get("status") or [])

    def without_status(self):
        """The same filter with no status ticked: the register counts each status over it."""
        data = self.data.copy()
        data.pop("status", None)
        return HazardFilter(
            data,
            queryset=self.queryset,
            user=self.user,
            counties=self.county_rows,
            categories=self.category_rows,
        )

    def sorted_qs(self):
        return self.qs.order_by(*self.ordering())

    def bad_fields(self):
        """Labels of the filters whose values were ignored."""
        if not self.is_bound:
            return []
        return [str(self.form.fields[name].label) for name in self.form.errors]
