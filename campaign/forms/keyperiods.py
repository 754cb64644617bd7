"""Forms of the key period pages: declare or change a period, file a daily safety report, and
the missing list's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import DailyReport, KeyPeriod
from core.forms import PlausibleDateField, PortalForm, bootstrap_fields


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def _date(name):
    return PlausibleDateField(
        label=_label(KeyPeriod, name),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class KeyPeriodForm(PortalForm):
    unit = forms.ChoiceField(label=_label(KeyPeriod, "unit"))
    kind = forms.ChoiceField(label=_label(KeyPeriod, "kind"), choices=KeyPeriod.Kind.choices)
    title = forms.CharField(label=_label(KeyPeriod, "title"), max_length=100)
    starts_on = _date("starts_on")
    ends_on = _date("ends_on")
    focus = forms.CharField(
        label=_label(KeyPeriod, "focus"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The key areas, places and links to watch, e.g. fire safety, traffic."),
    )
    duties = forms.CharField(
        label=_label(KeyPeriod, "duties"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One duty a line, e.g. 24-hour duty roster; daily zero-report by 17:00."),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the declaring unit stays
            del self.fields["unit"]
            self.units = {}
        else:
            self.units = {u.code: u for u in units}
            self.fields["unit"].choices = [(u.code, u.name) for u in units]
            if len(units) == 1:
                self.fields["unit"].initial = units[0].code
        bootstrap_fields(self.fields.values())

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data


class DailyReportForm(PortalForm):
    unit = forms.ChoiceField(label=_label(DailyReport, "unit"))
    nothing_to_report = forms.TypedChoiceField(
        label=_("Today"),
        choices=[("1", _("Nothing to report (zero report)")), ("0", _("Something happened"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    text = forms.CharField(
        label=_label(DailyReport, "text"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A few lines: what happened and what was done. No names or identity numbers of "
            "students."
        ),
    )
    incident = forms.ChoiceField(label=_("Linked incident (optional)"), required=False)

    def __init__(self, *args, units, incidents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.fields["unit"].choices = [(u.code, u.name) for u in units]
        if len(units) == 1:
            self.fields["unit"].initial = units[0].code
        self.incidents = {str(i.pk): i for i in incidents}
        self.fields["incident"].choices = [("", _("none"))] + [
            (str(i.pk), str(i)) for i in incidents
        ]
        bootstrap_fields(self.fields.values())

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean_incident(self):
        return self.incidents.get(self.cleaned_data["incident"])

    def clean(self):
        data = super().clean()
        if data.get("nothing_to_report") is False and not (data.get("text") or "").strip():
            self.add_error("text", _('Write what happened today, or choose "nothing to report".'))
        return data


class MissingFilterForm(PortalForm):
    county = forms.ChoiceField(label=_("County-level unit"), required=False)
    day = forms.ChoiceField(label=_("Day"), required=False)

    def __init__(self, *args, groups, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {g.code: g for g in groups}
        self.days = {d.isoformat(): d for d in days}
        self.fields["county"].choices = [("", _("all")), *((g.code, g.name) for g in groups)]
        self.fields["day"].choices = [(d.isoformat(), d.strftime("%m-%d")) for d in reversed(days)]
        bootstrap_fields(self.fields.values())

    def chosen(self, default_day):
        """(county or None, day) from valid input; bad input falls back to all and the default."""
        if not self.is_valid():
            return None, default_day
        data = self.cleaned_data
        return self.groups.get(data["county"]), self.days.get(data["day"], default_day)
