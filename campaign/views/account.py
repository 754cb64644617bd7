"""My settings: the signed-in person edits their own name, phone, e-mail and digest choice.

There is no id in the URL, so a person can only ever reach and change themselves.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaign import services
from campaign.forms.account import MySettingsForm
from campaign.views.people import _add_service_error


@login_required
def my_settings(request):
    user = request.user
    if request.method == "POST":
        form = MySettingsForm(request.POST)
        if form.is_valid():
            try:
                services.user_update_own_settings(user=user, **form.cleaned_data)
            except ValidationError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("Your settings were saved."))
                return redirect("campaign:my_settings")
        # A failed full_clean may have left unsaved values on request.user.
        user.refresh_from_db()
    else:
        form = MySettingsForm(
            initial={
                "full_name": user.full_name,
                "phone": user.phone,
                "email": user.email,
                "email_digest": user.email_digest,
            }
        )
    return render(request, "campaign/account.html", {"form": form})
