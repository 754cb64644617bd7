"""Chinese phone numbers as a clerk types them: a mobile number, or a landline with its area
code (and an optional extension)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# 11-digit mobile numbers start 13–19; landlines are 0 + a 2–3 digit area code + 7–8 digits.
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?")
# Separators people type that carry no meaning: spaces and full-width hyphens or dashes.
_NOISE = str.maketrans({" ": "", "\u3000": "", "－": "-", "—": "-", "–": "-"})


def normalize_phone(value: str) -> str:
    """The number with spaces dropped and dashes made plain; "" stays ""."""
    value = (value or "").strip().translate(_NOISE)
    if value.startswith("+86"):
        value = value[3:].lstrip("-")
    return value


def validate_phone(value: str) -> str:
    """The normalised number, or ``ValidationError`` with a message that says what to enter."""
    value = normalize_phone(value)
    if _MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value):
        return value
    raise ValidationError(
        _(
            "Enter a mobile number (11 digits) or a landline with its area code, "
            "e.g. 13912345678 or 0513-85123456."
        ),
        code="phone",
    )
