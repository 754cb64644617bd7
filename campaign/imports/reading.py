"""What the schools and people importers share when they check the engine's rows against the
database: units found in the actor's scope by code or exact name, duplicates within the file,
problems put on their cell, and the words for a refused write.

The workbook itself is read by the one import engine (``core.imports``); nothing here opens a
file.
"""

from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from campaign import access
from campaign.imports.columns import CHUNK, MAX_PEOPLE
from core.imports.cells import fold, nfkc, parse_choice
from core.imports.matching import NameMatcher
from core.imports.preview import Problem

PROGRESS_EVERY = 200


def chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class Cells:
    """Puts a problem on the cell of a field: its column when the engine says which (the
    preview's mapping), else on the row under the field's label."""

    def __init__(self, spec, mapping=None):
        self.spec = spec
        self.columns = {m.field: m for m in mapping or () if m.field}

    def problem(self, row, code, message):
        column = self.columns.get(code)
        value = row.raw.get(code, "")
        if column is None:
            return Problem(row.number, None, self.spec.field(code).label, value, message)
        return Problem(row.number, column.index, column.heading, value, message)

    def add(self, row, code, message):
        row.problems.append(self.problem(row, code, message))


def code_text(value):
    """A code as typed, full-width letters and digits as ASCII (ＮＴ－ＴＺ → NT-TZ)."""
    return nfkc(str(value or "")).strip()


def reporter(progress, total):
    if progress is None or not total:
        return lambda n: None
    return lambda n: progress(100 * n / total) if n % PROGRESS_EVERY == 0 else None


def reset(rows):
    """Before the checks: a row is in error only for the problems it has (resolve may run
    again on the same rows)."""
    for row in rows:
        row.status = "error" if row.problems else "ready"
        row.note = ""
        row.target = None


def plain_choices(row, spec, names):
    """The engine's word for an unknown choice lists every spelling it accepts (codes and
    English labels too); say the cell's value and the Chinese terms only, as the template's
    drop-down list does. ``names``: {field code: {value: Chinese term}}."""
    if not row.problems:
        return
    for index, problem in enumerate(row.problems):
        for code, terms in names.items():
            raw = row.raw.get(code, "")
            if not raw or problem.value != raw or row.values.get(code) is not None:
                continue
            if problem.message != parse_choice(raw, spec.field(code).choices)[1]:
                continue
            message = _("“%(value)s” is not one of: %(choices)s.") % {
                "value": raw,
                "choices": "、".join(terms.values()),
            }
            row.problems[index] = replace(problem, message=message)


def settle(row):
    if row.problems:
        row.status = "error"


# --- Counts ---------------------------------------------------------------------------------


def check_counts(row, codes, cells):
    """The engine reads whole numbers; the school form's bound applies as well."""
    for code in codes:
        value = row.values.get(code)
        if value is not None and value > MAX_PEOPLE:
            row.values[code] = None
            cells.add(
                row,
                code,
                _("Enter a whole number from 0 to %(max)s, not “%(value)s”.")
                % {"max": MAX_PEOPLE, "value": row.raw.get(code, "")},
            )


# --- Units in scope -------------------------------------------------------------------------


class Units:
    """The units a file's rows name, among those where ``actor`` may do ``perm``: by exact
    code first, else by exact (folded) name. Out of scope is simply not a candidate, so it
    reads exactly like a unit that does not exist."""

    def __init__(self, actor, perm, texts, *, names_of=None):
        texts = {code_text(t) for t in texts if code_text(t)}
        scope = access.units_where(actor, perm)
        self.by_code = {}
        for some in chunks(texts):
            for unit in scope.filter(code__in=some):
                self.by_code[unit.code] = unit
        # Names: among the units ``names_of`` narrows the scope to (counties and the city for
        # a school's parent), or among those named exactly in the file.
        named = scope if names_of is None else names_of(scope)
        candidates = {}
        if names_of is None:
            for some in chunks(texts - set(self.by_code)):
                candidates.update({u.pk: u for u in named.filter(name__in=some)})
        else:
            candidates = {u.pk: u for u in named}
        self.by_pk = {u.pk: u for u in candidates.values()} | {
            u.pk: u for u in self.by_code.values()
        }
        self.matcher = NameMatcher((u.pk, u.code, [u.name]) for u in candidates.values())
        self.name_folds = {}
        for unit in candidates.values():
            self.name_folds.setdefault(fold(unit.name), []).append(unit)

    def find(self, text):
        """(unit or None, message or "")."""
        text = code_text(text)
        if not text:
            return None, ""
        if text in self.by_code:
            return self.by_code[text], ""
        key, suggestions = self.matcher.match(text)
        if key is not None:
            return self.by_pk[key], ""
        same = self.name_folds.get(fold(text), [])
        if len(same) > 1:
            return None, _(
                "Several units are called “%(name)s”. Write the code of the one you mean: "
                "%(codes)s."
            ) % {"name": text, "codes": "、".join(sorted(u.code for u in same))}
        message = not_found_message(text)
        if suggestions:
            message = "{} {}".format(
                message, _("Did you mean: %(names)s?") % {"names": "、".join(suggestions)}
            )
        return None, message


def not_found_message(text):
    # The same words for a unit that does not exist and one outside the actor's scope.
    return _("Unit “%(code)s” not found, or not yours.") % {"code": text}


# --- Duplicates within the file -------------------------------------------------------------


def duplicates_in_file(rows, code, message, cells, *, folded=False):
    """A problem on every row whose ``code`` value an earlier row of the file has."""
    first_seen = {}
    for row in rows:
        value = row.values.get(code)
        if not value:
            continue
        key = value.lower() if folded else value
        if key in first_seen:
            cells.add(row, code, message % {"value": value, "row": first_seen[key]})
        else:
            first_seen[key] = row.number


# --- Writing --------------------------------------------------------------------------------


class RowRefused(Exception):
    """A service refused a row while writing: the whole import is rolled back."""

    def __init__(self, problem):
        super().__init__(problem.message)
        self.problem = problem


def service_message(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return _("You may not make this change.")
    # A concurrent import took the same code or user name between check and write.
    return _("This row clashes with a change made at the same time. Upload the file again.")


def ready_rows(rows):
    """The rows a commit writes; refuses the whole file while any row is in error."""
    from core.imports.registry import ImportRefused

    errors = [p for r in rows if r.status == "error" for p in r.problems]
    if errors or any(r.status == "error" for r in rows):
        raise ImportRefused(errors or [Problem(0, None, "", "", _("Rows are in error."))])
    return [r for r in rows if r.status == "ready"]
