"""Forms of the campaign document pages: a new document, the draft, a comment, issuing."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaign.models import PlanDocument
from core import dates
from core.forms import PortalForm, bootstrap_fields

TEXT_HELP = _(
    "One paragraph a line; a line that opens with 一、二、… is a heading. The text of an issued "
    "version is frozen: a later change is a new version."
)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DocumentForm(PortalForm):
    issuer = UnitChoiceField(label=_("issuer"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("kind of document"), choices=PlanDocument.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("under the document"), queryset=None, required=False, empty_label="—"
    )
    concerned_units = UnitsField(
        label=_("units concerned"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        max_length=60000,
        help_text=TEXT_HELP,
    )

    def __init__(self, *args, issuers, parents, concerned, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers
        self.fields["parent"].queryset = parents
        self.fields["concerned_units"].queryset = concerned
        bootstrap_fields(f for name, f in self.fields.items() if name != "concerned_units")


class VersionForm(PortalForm):
    title = forms.CharField(label=_("title"), max_length=200)
    concerned_units = UnitsField(
        label=_("units concerned"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 20}),
        required=False,
        max_length=60000,
        help_text=TEXT_HELP,
    )

    def __init__(self, *args, concerned, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerned_units"].queryset = concerned
        bootstrap_fields([self.fields["title"], self.fields["text"]])


class CommentForm(PortalForm):
    unit = UnitChoiceField(label=_("in the name of"), queryset=None, empty_label=None)
    text = forms.CharField(
        label=pgettext_lazy("plan", "comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        from campaign.models import OrgUnit

        self.fields["unit"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])
        bootstrap_fields(self.fields.values())


class IssueForm(PortalForm):
    doc_number = forms.CharField(
        label=_("document number"),
        max_length=60,
        help_text=_("e.g. 通教安〔2019〕12号"),
    )
    issued_on = forms.DateField(
        label=_("date of issue"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[dates.validate_plausible],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())
