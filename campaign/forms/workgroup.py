"""Forms of the working-group pages (plain forms: the services check and write)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import LiaisonDepartment, Responsibility, WorkingGroup, WorkingGroupMember
from core.forms import PortalForm, bootstrap_fields


def _label(model, name):
    return model._meta.get_field(name).verbose_name


class WorkingGroupForm(PortalForm):
    office_name = forms.CharField(
        label=_label(WorkingGroup, "office_name"),
        max_length=100,
        required=False,
        help_text=_(
            "At the city the Safety & Stability Office; at a county, the office that "
            "coordinates the campaign."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())


class MemberForm(PortalForm):
    responsibility = forms.ChoiceField(
        label=_label(WorkingGroupMember, "responsibility"), choices=Responsibility.choices
    )
    department = forms.ChoiceField(
        label=_label(WorkingGroupMember, "department"),
        choices=[("", _("— (liaison contacts only)"))] + LiaisonDepartment.choices,
        required=False,
    )
    name = forms.CharField(label=_label(WorkingGroupMember, "name"), max_length=60)
    position = forms.CharField(
        label=_label(WorkingGroupMember, "position"), max_length=100, required=False
    )
    phone = forms.CharField(
        label=_label(WorkingGroupMember, "phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=_("A mobile number, or a landline with its area code (0513-85123456)."),
    )
    username = forms.CharField(
        label=_("Portal user name (optional)"),
        max_length=150,
        required=False,
        help_text=_("Link the entry to a portal user of this unit, if the person has one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_fields(self.fields.values())

    @classmethod
    def initial_for(cls, member):
        initial = {name: getattr(member, name) for name in cls.base_fields if name != "username"}
        initial["username"] = member.user.username if member.user_id else ""
        return initial
