"""The importers the upload flow offers: each app registers its own in ``AppConfig.ready()``.

The flow (core) reaches schools, people and hazards only through these objects, so the
import-linter layers hold: core never imports campaign or hazards.
"""


class ImportRefused(Exception):
    """Commit refused as a whole; ``problems`` (``preview.Problem``) say why."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


class Importer:
    """One kind of import. Subclasses set the attributes and implement the hooks."""

    kind = ""
    label = ""
    spec = None  # fields.ImporterSpec
    list_url_name = ""

    def may_import(self, user):
        return False

    def memory_unit_id(self, user):
        """The unit a corrected mapping is remembered for (None: not remembered)."""
        return None

    def template(self, user):
        raise NotImplementedError

    def resolve(self, rows, *, actor, progress=None, mapping=None):
        """DB checks in the actor's scope; set each row's status, note and target. ``mapping``
        (the preview's ColumnMaps) lets a check put its problem on the cell it concerns."""
        for row in rows:
            row.status = "error" if row.problems else "ready"

    def commit(self, rows, *, actor, include_duplicates=False, progress=None):
        raise NotImplementedError


_IMPORTERS = {}


def register(importer):
    _IMPORTERS[importer.kind] = importer


def get(kind):
    return _IMPORTERS.get(kind)


def all():  # noqa: A001 - the contract's name
    return list(_IMPORTERS.values())
