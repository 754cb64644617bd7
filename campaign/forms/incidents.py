"""Forms of the incident pages: the report, a follow-up, closing, and the list's filters.

No field asks for a person: casualties are counts, and the help texts say that names and
identity numbers of minors do not belong in the free text either.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Incident
from core import dates
from core.forms import PortalForm, bootstrap_fields

COUNT_MAX = 1000
NO_NAMES = _(
    "Do not write the names, identity numbers or other personal details of students: "
    "describe them by school year and sex, e.g. 'a Year 5 boy'."
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _label(name):
    return Incident._meta.get_field(name).verbose_name


class PlausibleDateTimeField(forms.DateTimeField):
    """A date and time from the browser's picker, in a plausible year."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        )
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None:
            dates.validate_plausible(timezone.localtime(value).date())


def _count(name):
    return forms.IntegerField(label=_label(name), min_value=0, max_value=COUNT_MAX, initial=0)


class IncidentForm(PortalForm):
    unit = forms.ChoiceField(label=_label("unit"))
    occurred_at = PlausibleDateTimeField(label=_label("occurred_at"))
    learned_at = PlausibleDateTimeField(
        label=_label("learned_at"),
        help_text=_("The time to report is counted from here."),
    )
    on_campus = forms.TypedChoiceField(
        label=_("Where"),
        choices=[("1", _("on campus")), ("0", _("off campus"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    place = forms.CharField(label=_label("place"), max_length=200)
    category = forms.ChoiceField(label=_label("category"), choices=Incident.Category.choices)
    description = forms.CharField(
        label=_label("description"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NO_NAMES,
    )
    deaths = _count("deaths")
    serious_injuries = _count("serious_injuries")
    minor_injuries = _count("minor_injuries")
    handling = forms.CharField(
        label=_label("handling"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_NAMES,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.fields["unit"].choices = [(u.code, u.name) for u in units]
        if len(units) == 1:
            self.fields["unit"].initial = units[0].code
        bootstrap_fields(self.fields.values())

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean(self):
        data = super().clean()
        occurred, learned = data.get("occurred_at"), data.get("learned_at")
        if occurred and learned and learned < occurred:
            self.add_error(
                "learned_at", _("The unit cannot have learned of it before it happened.")
            )
        if learned and learned > timezone.now():
            self.add_error("learned_at", _("This cannot be in the future."))
        return data


class FollowUpForm(PortalForm):
    note = forms.CharField(
        label=_("What has happened since"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NO_NAMES,
    )
    deaths = _count("deaths")
    serious_injuries = _count("serious_injuries")
    minor_injuries = _count("minor_injuries")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())


class CloseForm(PortalForm):
    note = forms.CharField(
        label=_("How it was settled"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_NAMES,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())


class IncidentFilterForm(PortalForm):
    county = forms.ChoiceField(label=_("County-level unit"), required=False)
    campus = forms.ChoiceField(
        label=_("Where"),
        required=False,
        choices=[("", _("on and off campus")), ("on", _("on campus")), ("off", _("off campus"))],
    )
    late = forms.ChoiceField(
        label=_("Time to report"),
        required=False,
        choices=[("", _("all")), ("late", _("late")), ("on_time", _("on time"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("open and closed")), *Incident.Status.choices],
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.counties = {c.code: c for c in counties}
        self.fields["county"].choices = [("", _("all")), *((c.code, c.name) for c in counties)]
        bootstrap_fields(self.fields.values())

    def filters(self):
        """Keyword arguments for selectors.incident_list (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "county": self.counties.get(data["county"]),
            "on_campus": {"on": True, "off": False}.get(data["campus"]),
            "late": {"late": True, "on_time": False}.get(data["late"]),
            "status": data["status"] or None,
        }
