"""Forms of the accountability record: the list's filters and a unit's explanation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.accountability.services import EXPLANATION_MAX
from campaign.models import AccountabilityEntry
from core.forms import PortalForm, bootstrap_fields


class EntryFilterForm(PortalForm):
    county = forms.ChoiceField(label=_("County-level unit"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, counties, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.counties = {c.code: c for c in counties}
        self.fields["county"].choices = [("", _("all")), *((c.code, c.name) for c in counties)]
        self.fields["kind"].choices = [("", _("all")), *AccountabilityEntry.Kind.choices]
        self.fields["year"].choices = [("", _("all")), *((y, y) for y in years)]
        bootstrap_fields(self.fields.values())

    def filters(self):
        """Keyword arguments for selectors.entry_list (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "unit": self.counties.get(data["county"]),
            "kind": data["kind"] or None,
            "year": data["year"],
        }


class ExplainForm(PortalForm):
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=EXPLANATION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What happened and what the unit has done since. The entry stays on record; "
            "the explanation is shown with it to the levels above."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())
