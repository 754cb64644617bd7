"""Forms of one hazard's screens: register, edit, the closed-loop actions, files, meetings.

Plain forms: the services in ``hazards.services`` do every write and have the final word.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign import access
from campaign.models import Meeting, OrgUnit
from campaign.roles import Perm
from core.files import check_upload
from core.forms import PlausibleDateField, PortalForm
from hazards import selectors
from hazards.models import FIVE_WITHOUT_DEADLINE, Evidence, Hazard

MAX_PHOTOS = 6


def _label(field, model=Hazard):
    return model._meta.get_field(field).verbose_name


def _bootstrap(fields):
    for field in fields:
        widget = field.widget
        if isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def category_choices():
    """Areas as option groups, each with the area itself and its items."""
    categories = selectors.active_categories()
    areas = [c for c in categories if c.parent_id is None]
    items = {}
    for c in categories:
        if c.parent_id:
            items.setdefault(c.parent_id, []).append((c.pk, c.name))
    choices = [("", "---------")]
    for area in areas:
        choices.append((area.name, [(area.pk, area.name)] + items.get(area.pk, [])))
    return choices


class CategoryField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(label=_label("category"), coerce=self._coerce, **kwargs)

    @staticmethod
    def _coerce(value):
        category = selectors.active_category(int(value))
        if category is None:
            raise ValueError(value)
        return category


class FiveImplementationsMixin(PortalForm):
    """The five implementations (五落实): responsibility, measures, funds, time limit, plan."""

    responsible_unit = forms.CharField(
        label=_label("responsible_unit"), max_length=100, required=False
    )
    responsible_person = forms.CharField(
        label=_label("responsible_person"), max_length=60, required=False
    )
    responsible_phone = forms.CharField(
        label=_label("responsible_phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    measures = forms.CharField(
        label=_label("measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    funds_amount = forms.DecimalField(
        label=_label("funds_amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    funds_source = forms.CharField(label=_label("funds_source"), max_length=100, required=False)
    funds_secured = forms.NullBooleanField(
        label=_label("funds_secured"),
        required=False,
        widget=forms.NullBooleanSelect(),
    )
    contingency_plan = forms.CharField(
        label=_label("contingency_plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Or upload the plan as a document of the kind “contingency plan”."),
    )

    FIVE = FIVE_WITHOUT_DEADLINE


class HazardNewForm(FiveImplementationsMixin):
    """Register a hazard. ``school`` is fixed for a user who registers at one school only."""

    school_code = forms.CharField(
        label=_("School code"),
        max_length=40,
        help_text=_("The school's code, e.g. NT-TZ-0001 (see the school list)."),
    )
    category = CategoryField()
    level = forms.ChoiceField(
        label=_label("level"), choices=Hazard.Level.choices, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(label=_label("source"), choices=Hazard.Source.choices)
    location = forms.CharField(label=_label("location"), max_length=200)
    description = forms.CharField(
        label=_label("description"), widget=forms.Textarea(attrs={"rows": 3})
    )
    found_on = PlausibleDateField(label=_label("found_on"), widget=DateInput())
    photos = MultipleFileField(
        label=_("Photos (before rectification)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    field_order = ["school_code", "category", "level", "source", "location", "description"]

    def __init__(self, *args, user, fixed_school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fixed_school = fixed_school
        self.school = fixed_school
        if fixed_school is not None:
            del self.fields["school_code"]
        # Formatted per request, in the user's language (not at import time).
        self.fields["photos"].help_text = _(
            "On a phone this opens the camera. Up to %(n)s photos."
        ) % {"n": MAX_PHOTOS}
        self.fields["category"].choices = category_choices()
        self.fields["level"].initial = Hazard.Level.GENERAL
        self.fields["found_on"].initial = timezone.localdate()
        _bootstrap(f for name, f in self.fields.items() if name not in ("level",))
        self.fields["level"].widget.attrs["class"] = "form-check-input"

    def clean_school_code(self):
        code = self.cleaned_data["school_code"].strip()
        try:
            self.school = access.unit_for_user(
                self.user, code, kind=OrgUnit.Kind.SCHOOL, perm=Perm.REGISTER_HAZARD
            )
        except Http404:
            raise ValidationError(
                _("No school with this code where you may register hazards."), code="school"
            ) from None
        return code

    def clean_found_on(self):
        found_on = self.cleaned_data["found_on"]
        if found_on > timezone.localdate():
            raise ValidationError(_("The date found cannot be in the future."))
        return found_on

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)s photos at a time.") % {"n": MAX_PHOTOS})
        errors = []
        for photo in photos:
            try:
                content_type = check_upload(photo)
            except ValidationError as error:
                errors.extend(f"{photo.name}: {m}" for m in error.messages)
                continue
            if not content_type.startswith("image/"):
                errors.append(f"{photo.name}: {_('This is not a photo.')}")
        if errors:
            raise ValidationError(errors)
        return photos

    def register_kwargs(self):
        data = self.cleaned_data
        kwargs = {
            "school": self.school,
            "category": data["category"],
            "level": data["level"],
            "source": data["source"],
            "location": data["location"],
            "description": data["description"],
            "found_on": data["found_on"],
        }
        for name in self.FIVE:
            value = data.get(name)
            if value not in (None, ""):
                kwargs[name] = value
        return kwargs


class HazardEditForm(FiveImplementationsMixin):
    category = CategoryField()
    level = forms.ChoiceField(label=_label("level"), choices=Hazard.Level.choices)
    source = forms.ChoiceField(label=_label("source"), choices=Hazard.Source.choices)
    location = forms.CharField(label=_label("location"), max_length=200)
    description = forms.CharField(
        label=_label("description"), widget=forms.Textarea(attrs={"rows": 3})
    )
    found_on = PlausibleDateField(label=_label("found_on"), widget=DateInput())
    provincial_ref = forms.CharField(label=_label("provincial_ref"), max_length=40, required=False)
    deadline = PlausibleDateField(label=_label("deadline"), widget=DateInput(), required=False)

    EDITABLE = (
        "category",
        "level",
        "source",
        "location",
        "description",
        "found_on",
        "provincial_ref",
        "deadline",
    ) + FiveImplementationsMixin.FIVE

    def __init__(self, *args, may_set_deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        if not may_set_deadline:
            self.fields["deadline"].disabled = True
            self.fields["deadline"].help_text = _(
                "Only the county or city may change the time limit."
            )
        _bootstrap(self.fields.values())

    @classmethod
    def initial_for(cls, hazard):
        initial = {name: getattr(hazard, name) for name in cls.EDITABLE}
        initial["category"] = hazard.category_id
        return initial

    def clean_found_on(self):
        found_on = self.cleaned_data["found_on"]
        if found_on > timezone.localdate():
            raise ValidationError(_("The date found cannot be in the future."))
        return found_on

    def update_kwargs(self):
        data = self.cleaned_data
        kwargs = {name: data[name] for name in self.EDITABLE}
        for name in ("measures", "contingency_plan", "description"):
            kwargs[name] = kwargs[name].replace("\r\n", "\n")
        return kwargs


class NoteForm(PortalForm):
    """The note of a transition (required for reject and reopen) or a comment.

    ``required`` is the message for an empty note when one is required."""

    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, required=None, **kwargs):
        super().__init__(*args, **kwargs)
        if required:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = required
        _bootstrap(self.fields.values())

    def clean_note(self):
        return self.cleaned_data["note"].strip()


class AcceptForm(PortalForm):
    """Acceptance (验收) is a record: the acceptor writes the acceptance opinion (验收意见)."""

    opinion = forms.CharField(
        label=_label("acceptance_opinion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the acceptance opinion.")},
        help_text=_("Say what you checked and what you found."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self.fields.values())


class UploadForm(PortalForm):
    kind = forms.ChoiceField(label=_label("kind", Evidence), choices=Evidence.Kind.choices)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self.fields.values())


class MeetingForm(PortalForm):
    held_on = PlausibleDateField(label=_label("held_on", Meeting), widget=DateInput())
    attendees = forms.CharField(
        label=_label("attendees", Meeting), widget=forms.Textarea(attrs={"rows": 2})
    )
    opinions = forms.CharField(
        label=_label("opinions", Meeting), widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label=_label("measures", Meeting), widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = PlausibleDateField(label=_label("deadline", Meeting), widget=DateInput())
    responsible_department = forms.CharField(
        label=_label("responsible_department", Meeting), max_length=100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        _bootstrap(self.fields.values())

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("The meeting date cannot be in the future."))
        return held_on
