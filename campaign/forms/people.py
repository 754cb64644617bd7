"""Forms of the people pages: a new person, their profile, a role grant, the list filters.

The unit of a grant is typed as a unit code, not picked from one giant select: a city admin
at province scale manages ~15,600 schools. The page offers a datalist of the non-school units
in the actor's scope, plus the schools when there are few enough (a county); any code is then
checked against the actor's manage scope (``selectors.managed_unit_by_code``).
"""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from campaign import policy, selectors
from campaign.models import OrgUnit, User
from campaign.roles import Role
from core.forms import PortalForm


def _bootstrap(form):
    """Give every widget the Bootstrap class it needs (no template filter library required)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


PHONE = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})


class UnitCodeField(forms.CharField):
    """A unit code, resolved to a unit in the actor's manage scope (``None`` until cleaned)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Unit code"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "help_text",
            _("Type the unit's code (for a school, its registration code) or pick one."),
        )
        super().__init__(**kwargs)
        self.widget.attrs.update(list="unit-codes", autocomplete="off", spellcheck="false")


class ActorFormMixin:
    """Forms that offer roles and units the acting user may grant."""

    def _setup_actor(self, actor):
        self.actor = actor
        roles = policy.roles_grantable_anywhere(actor=actor)
        self.fields["role"].choices = [("", "---------")] + [(r.value, r.label) for r in roles]
        _bootstrap(self)

    def clean_unit(self):
        code = self.cleaned_data["unit"].strip()
        unit = selectors.managed_unit_by_code(self.actor, code)
        if unit is None:
            # The same answer whether the unit exists elsewhere or not at all (DESIGN §4).
            raise forms.ValidationError(
                _("There is no unit with the code %(code)s in your part of the tree."),
                code="unknown_unit",
                params={"code": code},
            )
        return unit


class PersonCreateForm(ActorFormMixin, PortalForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to sign in. Letters, digits and @/./+/-/_ only."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, widget=PHONE)
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Needed to reset the password by e-mail."),
    )
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitCodeField()
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Optional. Without one, the person sets a password through “Forgot password”."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_actor(actor)

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ProfileForm(PortalForm):
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, widget=PHONE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class GrantForm(ActorFormMixin, PortalForm):
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitCodeField()

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_actor(actor)


class PeopleFilterForm(PortalForm):
    """The list's search and filters (GET); an unknown value is reported, not a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Unit kind"),
        required=False,
        choices=[("", _("All unit kinds"))] + list(OrgUnit.Kind.choices),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles"))] + list(Role.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
        self.fields["q"].widget.attrs["placeholder"] = _("User name or full name")

    def filters(self):
        """The valid filters only: a bad one is dropped (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
