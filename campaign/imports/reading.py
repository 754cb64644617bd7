"""Reading a schools or people workbook into checked rows, and what both imports share."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from campaign import access
from campaign.imports.columns import (
    _CHUNK,
    CATEGORY_NAMES,
    COLUMNS,
    MAX_PEOPLE,
    MAX_ROWS,
    OWNERSHIP_NAMES,
    ROLE_NAMES,
    choice_names,
)
from core.text import CONTROL_CHARACTER_MESSAGE, has_control_characters
from core.workbooks import (
    RowError,
    cell_text,
    choice_spellings,
    data_lines,
    file_error,
    fold,
    map_header,
    read_rows,
)

# --- Reading a workbook ---------------------------------------------------------------------


def _count(value):
    """A non-negative whole number from a cell, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        return value if 0 <= value <= MAX_PEOPLE else None
    text = str(value).strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_PEOPLE else None


def parse_workbook(file, kind):
    """Read the first sheet of ``file`` as ``kind`` ("schools" or "users").

    Returns ``(rows, errors)``. Each row is ``{"_row": n, "_headers": {code: header}, code:
    value, …}`` with the cell values converted and checked on their own (required, numbers,
    choices, lengths); checks against the database are the import services' work.
    """
    columns = COLUMNS[kind]
    return read_rows(file, lambda header, lines: _parse_sheet(header, lines, columns))


def _parse_sheet(header, lines, columns):
    positions, headers, width, errors = map_header(header, columns)
    if errors or not width:
        return [], errors

    spellings = {
        "category": choice_spellings(CATEGORY_NAMES),
        "ownership": choice_spellings(OWNERSHIP_NAMES),
        "role": choice_spellings(ROLE_NAMES),
    }
    rows = []
    for number, cells in data_lines(lines, width, MAX_ROWS):
        row = {"_row": number, "_headers": headers}
        for column in columns:
            if column.code not in positions:
                row[column.code] = None if column.kind == "count" else ""
                continue
            raw = cells[positions[column.code]]
            value, message = _convert(column, raw, spellings)
            if message:
                errors.append(RowError(number, headers[column.code], message))
            row[column.code] = value
        rows.append(row)
    if not rows and not errors:
        return [], [file_error(_("The workbook has no rows to import below the header."))]
    return rows, errors


def _convert(column, raw, spellings):
    """(value, error message or "") for one cell."""
    text = cell_text(raw)
    if text == "":
        if column.required:
            return None, _("This cell is required.")
        return (None if column.kind == "count" else ""), ""
    if has_control_characters(text):
        return None, str(CONTROL_CHARACTER_MESSAGE)
    if column.kind == "count":
        number = _count(raw)
        if number is None:
            return None, _("Enter a whole number from 0 to %(max)s, not “%(value)s”.") % {
                "max": MAX_PEOPLE,
                "value": text,
            }
        return number, ""
    if column.kind in spellings:
        value = spellings[column.kind].get(fold(text))
        if value is None:
            return None, _("“%(value)s” is not one of: %(choices)s.") % {
                "value": text,
                "choices": "、".join(choice_names(column.kind)),
            }
        return value, ""
    if column.max_length and len(text) > column.max_length:
        return None, _("At most %(max)s characters, this has %(length)s.") % {
            "max": column.max_length,
            "length": len(text),
        }
    if column.kind == "password":
        return (raw if isinstance(raw, str) else text), ""  # keep a password's own spaces
    if column.kind == "email":
        try:
            validate_email(text)
        except ValidationError:
            # Keep the text: the row is bad already, but it did give an address.
            return text, _("“%(value)s” is not a valid e-mail address.") % {"value": text}
    return text, ""


# --- Import services ------------------------------------------------------------------------


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _units_in_scope(actor, perm, codes):
    """{code: unit} for the codes of active units where ``actor`` may do ``perm``."""
    found = {}
    for chunk in _chunks(codes):
        for unit in access.units_where(actor, perm).filter(code__in=chunk):
            found[unit.code] = unit
    return found


def _not_yours(row, code):
    # The same words for a unit that does not exist and one outside the actor's scope.
    return RowError(
        row["_row"],
        row["_headers"]["unit" if "unit" in row["_headers"] else "parent"],
        _("Unit “%(code)s” not found, or not yours.") % {"code": code},
    )


def _duplicates_in_file(rows, key, column, message, *, fold=False):
    errors = []
    first_seen = {}
    for row in rows:
        value = row[key]
        if not value:
            continue
        folded = value.lower() if fold else value
        if folded in first_seen:
            errors.append(
                RowError(
                    row["_row"],
                    row["_headers"][column],
                    message % {"value": value, "row": first_seen[folded]},
                )
            )
        else:
            first_seen[folded] = row["_row"]
    return errors


def _sorted(errors):
    return sorted(errors, key=lambda e: (e.row, e.column))


def _service_error(row, column, exc):
    if isinstance(exc, ValidationError):
        message = " ".join(exc.messages)
    elif isinstance(exc, PermissionDenied):
        message = _("You may not make this change.")
    else:  # a concurrent import took the same code or user name between check and write
        message = _("This row clashes with a change made at the same time. Upload the file again.")
    return RowError(row["_row"], row["_headers"][column], message)


class _Abort(Exception):
    pass
