"""The signed-in person's own settings: name, phone, e-mail address and the daily digest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.forms.people import PHONE
from core.forms import PortalForm


class MySettingsForm(PortalForm):
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, widget=PHONE)
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Needed to reset the password by e-mail."),
    )
    email_digest = forms.BooleanField(
        label=_("Send me a daily e-mail digest of my notifications"),
        required=False,
        help_text=_(
            "The digest is sent only when the portal's mail is configured and you have an "
            "e-mail address."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "email_digest" else "form-control"
            field.widget.attrs.setdefault("class", css)
