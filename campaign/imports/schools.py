"""The schools importer on the one import engine: every school of a roster under its county (or
the city), or none.

``resolve`` checks the rows against the database in the actor's scope without writing: the
county by its code or its exact name, codes used twice in the file or already used by another
unit; a school the portal already has (same code, name and county) is a duplicate, so the same
roster uploaded twice creates nothing twice. ``commit`` writes every new school or none,
through ``services.orgunit_create``, so an import is audited like the same schools added by hand.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import access, services
from campaign.imports.base import RosterImporter
from campaign.imports.columns import CATEGORY_NAMES, OWNERSHIP_NAMES, SCHOOL_SPEC
from campaign.imports.reading import (
    Cells,
    RowRefused,
    Units,
    check_counts,
    chunks,
    code_text,
    duplicates_in_file,
    plain_choices,
    ready_rows,
    reporter,
    reset,
    service_message,
    settle,
)
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.db import Busy, retry_on_conflict
from core.imports.cells import fold
from core.imports.preview import Problem
from core.imports.registry import ImportRefused

PARENT_KINDS = (OrgUnit.Kind.COUNTY, OrgUnit.Kind.CITY)


def _parents_by_name(scope):
    return scope.filter(kind__in=PARENT_KINDS).only("id", "code", "name", "kind", "path")


class SchoolImporter(RosterImporter):
    kind = SCHOOL_SPEC.kind
    label = gettext_lazy("Schools")
    spec = SCHOOL_SPEC
    list_url_name = "campaign:school_list"
    perm = Perm.MANAGE_UNITS

    # --- Checking ---------------------------------------------------------------------------

    def resolve(self, rows, *, actor, progress=None, mapping=None):
        cells = Cells(self.spec, mapping)
        reset(rows)
        for row in rows:
            if row.values.get("code"):
                row.values["code"] = code_text(row.values["code"])
        duplicates_in_file(
            rows,
            "code",
            _("The school code “%(value)s” is already used in row %(row)s of this file."),
            cells,
        )
        parents = Units(
            actor,
            Perm.MANAGE_UNITS,
            {r.values.get("parent") for r in rows},
            names_of=_parents_by_name,
        )
        existing = _existing(r.values.get("code") for r in rows)
        report = reporter(progress, len(rows))
        choices = {"category": CATEGORY_NAMES, "ownership": OWNERSHIP_NAMES}
        for n, row in enumerate(rows, start=1):
            plain_choices(row, self.spec, choices)
            check_counts(row, ("students", "staff"), cells)
            parent = self._parent(row, parents, cells)
            self._taken(row, existing, parent, cells)
            if parent is not None and row.status != "duplicate":
                row.target = {"parent": parent.pk}
            settle(row)
            report(n)

    def _parent(self, row, parents, cells):
        text = row.values.get("parent")
        if not text:
            return None
        parent, message = parents.find(text)
        if parent is None:
            cells.add(row, "parent", message)
            return None
        if parent.kind not in PARENT_KINDS:
            cells.add(
                row,
                "parent",
                _("A school cannot be placed under “%(code)s”: it is not a county or city.")
                % {"code": parent.code},
            )
            return None
        return parent

    def _taken(self, row, existing, parent, cells):
        code = row.values.get("code")
        unit = existing.get(code) if code else None
        if unit is None:
            return
        name = row.values.get("name") or ""
        same = (
            unit.kind == OrgUnit.Kind.SCHOOL
            and parent is not None
            and unit.parent_id == parent.pk
            and fold(unit.name) == fold(name)
        )
        if same:
            row.status = "duplicate"
            row.note = _("Already in the portal: %(code)s %(name)s.") % {
                "code": unit.code,
                "name": unit.name,
            }
            return
        cells.add(
            row, "code", _("The code “%(code)s” is already used by another unit.") % {"code": code}
        )

    # --- Writing ----------------------------------------------------------------------------

    def commit(self, rows, *, actor, include_duplicates=False, progress=None):
        """Every new school or none; a duplicate is in the portal already, so it is skipped
        whatever ``include_duplicates`` says."""
        wanted = ready_rows(rows)
        try:
            _write(wanted, actor, progress)
        except RowRefused as exc:
            raise ImportRefused([exc.problem]) from exc
        except Busy as exc:
            raise ImportRefused([Problem(0, None, "", "", " ".join(exc.messages))]) from exc
        return {"created": len(wanted), "updated": 0, "skipped": len(rows) - len(wanted)}


def _existing(codes):
    """{code: unit} of the units that already use the file's codes, in scope or not (a code
    is unique in the whole portal)."""
    codes = {c for c in codes if c}
    found = {}
    for some in chunks(codes):
        for unit in OrgUnit.objects.filter(code__in=some).only("code", "name", "kind", "parent"):
            found[unit.code] = unit
    return found


def _school_fields(values):
    fields = {}
    for name in services.SCHOOL_FIELDS:
        value = values.get(name)
        fields[name] = "" if value is None and name not in ("students", "staff") else value
    return fields


@retry_on_conflict
@transaction.atomic
def _write(rows, actor, progress):
    parents = OrgUnit.objects.in_bulk({r.target["parent"] for r in rows})
    report = reporter(progress, len(rows))
    for n, row in enumerate(rows, start=1):
        try:
            services.orgunit_create(
                kind=OrgUnit.Kind.SCHOOL,
                name=row.values["name"],
                code=row.values["code"],
                parent=parents[row.target["parent"]],
                actor=actor,
                **_school_fields(row.values),
            )
        except (ValidationError, IntegrityError, PermissionDenied) as exc:
            label, value = SCHOOL_SPEC.field("code").label, row.raw.get("code", "")
            problem = Problem(row.number, None, label, value, service_message(exc))
            raise RowRefused(problem) from exc
        report(n)
    _request_statistics(actor, set(parents.values()))


def _request_statistics(actor, parents):
    """Queue one statistics rebuild per top unit of the actor that received schools."""
    tops = list(access.top_units(actor, Perm.RUN_JOBS))
    wanted = {}
    for parent in parents:
        for top in tops:
            if parent.path.startswith(top.path):
                wanted[top.pk] = top
                break
    for top in wanted.values():
        services.org_statistics_request(unit=top, actor=actor)


def schools_import(*, file, actor):
    """Create every school of the workbook under its county (or city), or none at all: the
    one-step import (preview and commit in one call), an ``ImportResult``."""
    from campaign.imports.onestep import import_in_one_step

    return import_in_one_step(SchoolImporter(), file=file, actor=actor)
