"""Matching what a clerk typed to a known thing (a school, a county) by code or by name.

Ledgers write school names as the clerks say them: without the city and county prefix
(实验小学 for 南通市通州区实验小学). A name that could be several schools matches none and
comes back with the candidates as suggestions, so the clerk picks.
"""

from collections import defaultdict
from collections.abc import Iterable

from core.imports.cells import cell_text, fold

SUGGESTIONS = 5


def short_names(full_name, prefixes: Iterable[str]):
    """The names a clerk may write for ``full_name``: each prefix taken off in turn.

    short_names("南通市通州区实验小学", ["南通市", "通州区"])
    == {"通州区实验小学", "南通通州区实验小学", "通州实验小学", "实验小学"}
    """
    names = set()
    name = full_name
    for prefix in prefixes:
        if prefix and name.startswith(prefix) and len(name) > len(prefix) + 1:
            rest = name[len(prefix) :]
            names.add(rest)
            if len(prefix) >= 3 and prefix[-1] in "区县市":
                names.add(prefix[:-1] + rest)  # 通州区实验小学 is also written 通州实验小学
            name = rest
    names.discard(full_name)
    return names


class NameMatcher:
    """Finds a candidate by code, full name, folded name or short name.

    ``candidates``: (key, code, names) — the first name is the full name, shown in
    suggestions; the others are the short names it may be written as.
    """

    def __init__(self, candidates: Iterable[tuple[object, str, Iterable[str]]]):
        self.by_code = {}
        self.by_name = defaultdict(set)  # folded full name → keys
        self.by_short = defaultdict(set)  # folded short name → keys
        self.full_name = {}
        for key, code, names in candidates:
            names = [n for n in names if n]
            if code:
                self.by_code[fold(code)] = key
            if names:
                self.full_name[key] = names[0]
                self.by_name[fold(names[0])].add(key)
            for name in names[1:]:
                self.by_short[fold(name)].add(key)

    def match(self, text):
        """(key or None, suggestions as full names)."""
        folded = fold(cell_text(text))
        if not folded:
            return None, []
        if folded in self.by_code:
            return self.by_code[folded], []
        for index in (self.by_name, self.by_short):
            keys = index.get(folded)
            if keys and len(keys) == 1:
                return next(iter(keys)), []
            if keys:
                return None, self._names(keys)
        return None, self._near(folded)

    def _names(self, keys):
        return sorted(self.full_name[k] for k in keys if k in self.full_name)[:SUGGESTIONS]

    def _near(self, folded):
        """Names that contain what was typed, or are contained in it (a typo'd prefix)."""
        if len(folded) < 2:
            return []
        keys = {
            key
            for index in (self.by_name, self.by_short)
            for name, found in index.items()
            if folded in name or (len(name) >= 3 and name in folded)
            for key in found
        }
        return self._names(keys)
