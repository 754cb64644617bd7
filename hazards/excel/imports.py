"""The register's import now runs on the one import engine (``hazards.imports``); the names the
register's pages and tests used are kept here."""

from dataclasses import dataclass

from hazards.imports import MAX_ROWS, hazards_import
from hazards.imports.fields import (
    BOOL_NAMES,
    LEVEL_NAMES,
    OPTIONAL,
    SOURCE_NAMES,
    SPEC,
    TEMPLATE_COLUMNS,
)


@dataclass(frozen=True)
class Column:
    """A column of the register template: the field's code, its heading and kind."""

    code: str
    header: str
    required: bool
    kind: str
    help: object = ""


def _kind(field):
    if field.code == "category":
        return "category"
    if field.code in ("level", "source"):
        return field.code
    return {"choice": "text", "phone": "text"}.get(field.kind, field.kind)


COLUMNS = tuple(
    Column(f.code, f.label, required, _kind(f), "" if f.help is OPTIONAL else f.help)
    for code, required in TEMPLATE_COLUMNS
    for f in [SPEC.field(code)]
)

__all__ = [
    "BOOL_NAMES",
    "COLUMNS",
    "LEVEL_NAMES",
    "MAX_ROWS",
    "SOURCE_NAMES",
    "Column",
    "hazards_import",
]
