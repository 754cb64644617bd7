"""What an importer declares: its fields as data, which the engine reads, maps and converts."""

from collections.abc import Mapping
from dataclasses import dataclass

KINDS = ("text", "date", "money", "choice", "phone", "bool", "count", "email", "password")


@dataclass(frozen=True)
class Field:
    """One column an import understands.

    ``label`` is the template's Chinese heading: a file format, not UI text, so it is never
    translated. ``synonyms`` are the other headings clerks write for the same column.
    """

    code: str
    label: str
    kind: str
    required: bool = False
    max_length: int = 0
    synonyms: tuple[str, ...] = ()
    choices: Mapping[str, object] | None = None
    help: str = ""
    past_only: bool = False
    money_unit_default: int = 1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")

    @property
    def headings(self):
        """Every heading that names this field: the label first, then the synonyms."""
        return (self.label, *self.synonyms)


@dataclass(frozen=True)
class ImporterSpec:
    kind: str
    fields: tuple[Field, ...]
    max_rows: int
    key_fields: tuple[str, ...] = ()

    def field(self, code):
        for f in self.fields:
            if f.code == code:
                return f
        return None
