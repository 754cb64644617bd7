"""Text as users type and paste it: C0 control characters other than tab and line breaks are
refused on the way in and dropped on the way out.

Such characters arrive with text pasted from Word (``\\x0b``, a vertical tab, for a manual line
break) or from other systems (``\\x07``). Stored, they broke every later Excel export of the
row (openpyxl refuses them), for everyone who exported it.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls except \t (09), \n (0a) and \r (0d); the same set openpyxl refuses in a cell.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(text):
    return isinstance(text, str) and CONTROL_CHARACTERS.search(text) is not None


def strip_control_characters(text):
    """``text`` without the refused control characters (other values are returned as they are)."""
    if isinstance(text, str):
        return CONTROL_CHARACTERS.sub("", text)
    return text


CONTROL_CHARACTER_MESSAGE = _(
    "This text contains an invisible control character (it often comes with text pasted from "
    "Word). Remove it and try again."
)


def refuse_control_characters(value):
    """A validator for every text field of the portal."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_character")


def repair_model_text(model, fields, *, batch_size=500):
    """Drop the control characters from ``fields`` of every row of ``model`` (data migrations).

    Finds the rows with a regular expression (PostgreSQL's ``~``; Django's REGEXP on SQLite) and
    saves only those, so that a clean table costs one scan. Returns how many rows changed.
    """
    from django.db.models import Q

    # From \x01: PostgreSQL keeps no NUL in text, and its regex engine reads these escapes as
    # Python's does (SQLite's REGEXP is Python's).
    pattern = r"[\x01-\x08\x0b\x0c\x0e-\x1f]"
    dirty = Q(pk__in=[])
    for name in fields:
        dirty |= Q(**{f"{name}__regex": pattern})
    changed = 0
    rows = model.objects.filter(dirty).only("pk", *fields)
    batch = []
    for row in rows.iterator(chunk_size=batch_size):
        for name in fields:
            setattr(row, name, strip_control_characters(getattr(row, name)))
        batch.append(row)
        if len(batch) >= batch_size:
            model.objects.bulk_update(batch, fields)
            changed += len(batch)
            batch = []
    if batch:
        model.objects.bulk_update(batch, fields)
        changed += len(batch)
    return changed
