"""What every form of the portal shares: text fields refuse control characters
(``core.text``) and date fields take only plausible dates (``core.dates``).

Every form of the project derives from ``PortalForm`` (or mixes in ``PortalFormMixin``); a test
walks the code to keep it so.
"""

from django import forms
from django.core.exceptions import ValidationError

from core import dates
from core.text import refuse_control_characters


class PlausibleDateField(forms.DateField):
    """A date from 2000 to ten years ahead; the browser's date picker is bounded the same way."""

    default_validators = [dates.validate_plausible]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("min", dates.EARLIEST.isoformat())
        attrs.setdefault("max", dates.latest().isoformat())
        return attrs


class PortalFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_fields(self.fields)


def guard_fields(fields):
    """Add the portal's checks to the fields of a form instance (each has its own copies)."""
    for field in fields.values():
        if isinstance(field, forms.CharField):
            if refuse_control_characters not in field.validators:
                field.validators.append(refuse_control_characters)
        elif isinstance(field, forms.DateField) and not isinstance(field, PlausibleDateField):
            if dates.validate_plausible not in field.validators:
                field.validators.append(dates.validate_plausible)


def bootstrap_fields(fields):
    """Give each field Bootstrap's class for its widget, unless the form set one: radio
    buttons ``form-check-input``, a select ``form-select``, anything else ``form-control``."""
    for field in fields:
        if isinstance(field.widget, forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(field.widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        field.widget.attrs.setdefault("class", css)


class PortalForm(PortalFormMixin, forms.Form):
    pass


def run_on_form(form, service, **kwargs):
    """Run the service; a refusal (ValidationError) becomes a message on the form and the
    result is None: nothing changed, the page is shown again with the message."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
    return None
