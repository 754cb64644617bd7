"""Forms of the organisation-tree pages: the school profile and the school-list filters."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import OrgUnit
from core.forms import PortalForm, bootstrap_fields

Kind = OrgUnit.Kind

# Generous upper bounds: a typo of a few extra digits is refused instead of reaching the
# database's integer limit.
MAX_PEOPLE = 200_000


def _label(field):
    return OrgUnit._meta.get_field(field).verbose_name


class SchoolForm(PortalForm):
    """The editable fields of a school's profile (a plain form: the service does the write)."""

    name = forms.CharField(label=_label("name"), max_length=100)
    category = forms.ChoiceField(label=_label("category"), choices=OrgUnit.Category.choices)
    ownership = forms.ChoiceField(label=_label("ownership"), choices=OrgUnit.Ownership.choices)
    students = forms.IntegerField(
        label=_label("students"), min_value=0, max_value=MAX_PEOPLE, required=False
    )
    staff = forms.IntegerField(
        label=_label("staff"), min_value=0, max_value=MAX_PEOPLE, required=False
    )
    address = forms.CharField(label=_label("address"), max_length=200, required=False)
    principal_name = forms.CharField(label=_label("principal_name"), max_length=60, required=False)
    principal_phone = forms.CharField(
        label=_label("principal_phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    safety_officer_name = forms.CharField(
        label=_label("safety_officer_name"), max_length=60, required=False
    )
    safety_officer_phone = forms.CharField(
        label=_label("safety_officer_phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())

    @classmethod
    def initial_for(cls, school):
        return {name: getattr(school, name) for name in cls.base_fields}


class SchoolFilter(django_filters.FilterSet):
    """Search by name and filter by category and ownership (a county's school list)."""

    q = django_filters.CharFilter(
        label=_("Name"),
        method="filter_name",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = django_filters.ChoiceFilter(
        label=_label("category"),
        choices=OrgUnit.Category.choices,
        empty_label=_("All categories"),
    )
    ownership = django_filters.ChoiceFilter(
        label=_label("ownership"),
        choices=OrgUnit.Ownership.choices,
        empty_label=_("All ownership types"),
    )

    class Meta:
        model = OrgUnit
        fields = []

    @property
    def form(self):
        form = super().form
        bootstrap_fields(form.fields.values())
        return form

    def filter_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset


class SchoolListFilter(SchoolFilter):
    """The filters of the list of all schools in scope, plus the county they belong to.

    ``parents`` are the counties (and cities, standing for their city-direct schools) that
    the user may see; the filter matches a school's direct parent, addressed by its code.
    """

    county = django_filters.ChoiceFilter(
        label=_("County"), method="filter_county", empty_label=_("All counties")
    )

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for unit in parents:
            if unit.kind == Kind.CITY:
                label = _("%(city)s (city-direct schools)") % {"city": unit.name}
            else:
                label = unit.name
            choices.append((unit.code, label))
        self.filters["county"].extra["choices"] = choices
        self.parent_ids = {unit.code: unit.pk for unit in parents}

    def filter_county(self, queryset, name, value):
        parent_id = self.parent_ids.get(value)
        return queryset.filter(parent_id=parent_id) if parent_id else queryset.none()
