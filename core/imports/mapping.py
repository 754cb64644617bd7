"""Proposing which of the file's columns holds which field, from the headings clerks write.

Order of trust: a mapping the unit corrected before (remembered under the folded heading),
the template's own heading (exact), then the closest label or synonym. Each field is given
to one column at most; the rest are ignored and shown as such, for the user to correct.
"""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from core.imports.cells import fold

# Brackets say a unit or the allowed words: 整改资金(万元), 隐患等级(一般/重大), 负责人(签字).
_BRACKETS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")
_MARKS = re.compile(r"[*:：、.。]")
TEMPLATE, EXACT, NEAR = 100, 90, 50


@dataclass(frozen=True)
class ColumnMap:
    index: int
    heading: str
    field: str | None
    scale: int = 1
    source: str = "auto"  # auto | remembered | user | template

    def to_json(self):
        return {
            "index": self.index,
            "heading": self.heading,
            "field": self.field,
            "scale": self.scale,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data):
        return cls(**data)


def heading_key(heading):
    """The folded heading: the key a remembered mapping is stored under."""
    return fold(heading)


def bare(heading):
    """A heading without its brackets and marks, for comparing with labels and synonyms."""
    return _MARKS.sub("", _BRACKETS.sub("", fold(heading)))


@functools.lru_cache(maxsize=1024)
def _forms(heading):
    return fold(heading), bare(heading)


@functools.lru_cache(maxsize=1024)
def _field_forms(label, code, synonyms):
    return (fold(label), fold(code)), [bare(name) for name in (label, *synonyms)]


def heading_score(heading, field):
    """How surely ``heading`` names ``field`` (0: not at all)."""
    folded, text = _forms(heading)
    if not folded:
        return 0
    exact, names = _field_forms(field.label, field.code, field.synonyms)
    if folded in exact:
        return TEMPLATE
    if not text:
        return 0
    if text in names:
        return EXACT
    best = 0
    for name in names:
        if len(name) >= 2 and (name in text or (len(text) >= 2 and text in name)):
            best = max(best, NEAR + min(len(name), len(text)))
    return best


def money_scale(heading, field):
    if field.kind != "money":
        return 1
    folded = fold(heading)
    if "万元" in folded or folded.endswith("(万)"):
        return 10000
    if "元" in folded:
        return 1
    return field.money_unit_default


def propose_mapping(headings, spec, remembered: Mapping[str, str] | None = None):
    """One ``ColumnMap`` per heading, in column order."""
    remembered = remembered or {}
    codes = {f.code: f for f in spec.fields}
    chosen = {}  # column index → (field code or None, source)
    taken = set()
    for index, heading in enumerate(headings):
        key = heading_key(heading)
        if key and key in remembered:
            code = remembered[key] or None
            if code is None or (code in codes and code not in taken):
                chosen[index] = (code, "remembered")
                taken.add(code)
    candidates = []
    for index, heading in enumerate(headings):
        if index in chosen:
            continue
        for f in spec.fields:
            score = heading_score(heading, f)
            if score:
                candidates.append((-score, index, f.code))
    for negative, index, code in sorted(candidates):
        if index in chosen or code in taken:
            continue
        chosen[index] = (code, "template" if -negative == TEMPLATE else "auto")
        taken.add(code)
    mapping = []
    for index, heading in enumerate(headings):
        code, source = chosen.get(index, (None, "auto"))
        scale = money_scale(heading, codes[code]) if code else 1
        mapping.append(ColumnMap(index, heading, code, scale, source))
    return mapping


def remembered_from(mapping):
    """{heading key: field code or ""} of a mapping, to remember for the next file."""
    return {heading_key(m.heading): m.field or "" for m in mapping if heading_key(m.heading)}
