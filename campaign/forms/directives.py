"""Forms of the directive pages: a new directive, passing one on, confirming, the filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Directive, DirectiveReceipt, OrgUnit
from core.forms import PlausibleDateField, PortalForm, bootstrap_fields

Kind = OrgUnit.Kind
RECEIVERS_ALL_COUNTIES = "counties"
RECEIVERS_ALL_SCHOOLS = "schools"
RECEIVERS_CHOSEN = "chosen"
MAX_FILES = 10


def _label(name):
    return Directive._meta.get_field(name).verbose_name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(max)s files at once.") % {"max": MAX_FILES})
        return files


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ReceiversMixin:
    """The receiving units: every county-level unit or every school below the issuer, or
    chosen units directly below it."""

    def _set_receivers(self, issuers):
        children = (
            OrgUnit.objects.filter(parent__in=issuers, is_active=True)
            .select_related("parent")
            .order_by("path")
        )
        self.children = {str(u.pk): u for u in children}
        many = len(issuers) > 1
        self.fields["chosen"].choices = [
            (key, f"{u.parent.name} · {u.name}" if many else u.name)
            for key, u in self.children.items()
        ]
        choices = []
        if any(i.kind in (Kind.CITY, Kind.PROVINCE) for i in issuers):
            choices.append((RECEIVERS_ALL_COUNTIES, _("all county-level units")))
        choices.append((RECEIVERS_ALL_SCHOOLS, _("all schools")))
        choices.append((RECEIVERS_CHOSEN, _("chosen units")))
        self.fields["receivers"].choices = choices
        self.fields["receivers"].initial = choices[0][0]

    def _clean_receivers(self, data):
        if data.get("receivers") == RECEIVERS_CHOSEN and not data.get("chosen"):
            self.add_error("chosen", _("Choose at least one receiving unit."))
        data["chosen_units"] = [self.children[k] for k in data.get("chosen") or ()]
        return data


class DirectiveForm(_ReceiversMixin, PortalForm):
    issuer = forms.ChoiceField(label=_label("issuer"))
    title = forms.CharField(label=_label("title"), max_length=200)
    text = forms.CharField(
        label=_label("text"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )
    done_when = forms.CharField(
        label=_label("done_when"),
        max_length=500,
        help_text=_("E.g. hold a dedicated study meeting on Monday and upload the minutes."),
    )
    deadline = PlausibleDateField(label=_label("deadline"), widget=_date_widget())
    receivers = forms.ChoiceField(label=_("Receiving units"), widget=forms.RadioSelect)
    chosen = forms.MultipleChoiceField(
        label=_("Chosen units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuers = {u.code: u for u in issuers}
        self.fields["issuer"].choices = [(u.code, u.name) for u in issuers]
        if len(issuers) == 1:
            self.fields["issuer"].initial = issuers[0].code
        self._set_receivers(issuers)
        bootstrap_fields(self.fields.values())

    def clean_issuer(self):
        return self.issuers[self.cleaned_data["issuer"]]

    def clean(self):
        data = self._clean_receivers(super().clean())
        issuer = data.get("issuer")
        if issuer is not None:
            foreign = [u for u in data["chosen_units"] if u.parent_id != issuer.pk]
            if data.get("receivers") == RECEIVERS_CHOSEN and foreign:
                self.add_error(
                    "chosen",
                    _("%(unit)s is not directly under %(issuer)s.")
                    % {"unit": foreign[0].name, "issuer": issuer.name},
                )
        return data


class PassOnForm(_ReceiversMixin, PortalForm):
    deadline = PlausibleDateField(label=_label("deadline"), widget=_date_widget())
    note = forms.CharField(
        label=_("Our additions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the directive's own text."),
    )
    receivers = forms.ChoiceField(label=_("Receiving units"), widget=forms.RadioSelect)
    chosen = forms.MultipleChoiceField(
        label=_("Chosen units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_receivers([unit])
        bootstrap_fields(self.fields.values())

    def clean(self):
        return self._clean_receivers(super().clean())


class ConfirmForm(PortalForm):
    done_on = PlausibleDateField(label=_("Date done"), widget=_date_widget())
    note = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("Attachment (e.g. the minutes)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}),
    )
    meeting = forms.ChoiceField(label=_("Or a meeting record of the unit"), required=False)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {str(m.pk): m for m in meetings}
        self.fields["meeting"].choices = [("", "—")] + [
            (key, f"{m.held_on:%Y-%m-%d} {m.title}") for key, m in self.meetings.items()
        ]
        bootstrap_fields(self.fields.values())

    def clean_meeting(self):
        return self.meetings.get(self.cleaned_data["meeting"])

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("meeting") and not self.errors:
            self.add_error(
                "file", _("Attach a file (e.g. the minutes) or choose a meeting record.")
            )
        return data


class ProgressFilterForm(PortalForm):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("all")), *DirectiveReceipt.State.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())

    def chosen_state(self):
        return (self.cleaned_data["state"] or None) if self.is_valid() else None
