"""The register's importer on the one import engine (``core.imports``): a ledger's rows become
new hazards (in the state their progress says), updates of exported hazards (matched by their
number), duplicates (skipped unless the user includes them) or rows in error.

``resolve`` checks every row against the database in the actor's scope without writing;
``commit`` writes every row or none, new hazards through ``hazards_import_batch`` and changes
through the ordinary edit service (``hazard_update``), so events and the tally stay right.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.imports.base import ScopedImporter
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.db import Busy, retry_on_conflict
from core.errors import Conflict, OutOfScope
from core.imports.cells import fold
from core.imports.preview import Problem
from core.imports.registry import ImportRefused
from hazards import policy, services
from hazards.imports import lookup
from hazards.imports.fields import LABELS, SPEC
from hazards.models import FIVE_IMPLEMENTATIONS, Evidence, Hazard
from hazards.services.imports import (
    ITEM_FIELDS,
    RECTIFYING,
    BatchRefused,
    LedgerHistory,
    LedgerItem,
    build_hazard,
    hazards_import_batch,
)

PROGRESS_EVERY = 500
TEXT_FIELDS = {"location", "description", "provincial_ref", "ledger_ref"} | {
    f for f in FIVE_IMPLEMENTATIONS if f not in ("funds_amount", "funds_secured", "deadline")
}
# What an exported row may change (the school, the progress and the numbers stay).
UPDATABLE = tuple(f for f in services.EDITABLE_FIELDS if f != "provincial_ref") + (
    "provincial_ref",
    "ledger_ref",
)


def _problem(row, code, message, *, mapping):
    """A problem on the cell of field ``code`` (the whole row when no column holds it)."""
    column = mapping.get(code)
    if column is None:  # the engine did not say which column: the row, with the field's name
        return Problem(row.number, None, LABELS.get(code, ""), row.raw.get(code, ""), message)
    return Problem(row.number, column.index, column.heading, row.raw.get(code, ""), message)


def _reporter(progress, total):
    if progress is None or not total:
        return lambda n: None
    return lambda n: progress(100 * n / total) if n % PROGRESS_EVERY == 0 else None


class _Context:
    """What the rows of one file are checked against, loaded in a few queries."""

    def __init__(self, rows, actor):
        self.actor = actor
        self.schools, self.school_by_pk = lookup.school_matcher(actor)
        self.categories, self.category_by_pk = lookup.category_matcher()
        self.source = lookup.default_source(actor)
        codes = {
            str(r.values.get("code")).strip()
            for r in rows
            if r.values.get("code") and lookup.PORTAL_CODE.match(str(r.values["code"]).strip())
        }
        self.hazards = lookup.hazards_by_code(codes)
        self.plan_files = set(
            Evidence.objects.filter(
                hazard_id__in=[h.pk for h in self.hazards.values()], kind=Evidence.Kind.PLAN
            ).values_list("hazard_id", flat=True)
        )


class HazardImporter(ScopedImporter):
    kind = SPEC.kind
    label = gettext_lazy("Hazard register")
    spec = SPEC
    list_url_name = "hazards:hazard_list"
    perm = Perm.REGISTER_HAZARD

    def template(self, user):
        from hazards.excel.template import template_workbook

        return template_workbook(actor=user)

    # --- Checking ---------------------------------------------------------------------------

    def resolve(self, rows, *, actor, progress=None, mapping=None):
        """``mapping`` (the preview's ``ColumnMap``s), when the engine passes it, puts each
        problem on its cell."""
        columns = {m.field: m for m in mapping or () if m.field}
        context = _Context(rows, actor)
        report = _reporter(progress, len(rows))
        seen_keys, seen_refs = {}, {}
        fresh = []
        for n, row in enumerate(rows, start=1):
            mapping = columns
            row.target = None
            code = str(row.values.get("code") or "").strip()
            if code and lookup.PORTAL_CODE.match(code):
                self._resolve_update(row, code, context, mapping)
            else:
                if code and not row.values.get("ledger_ref"):
                    row.values["ledger_ref"] = code  # the ledger's own number, not the portal's
                self._resolve_new(row, context, mapping)
                if row.target:
                    fresh.append(row)
            if row.problems:
                row.status = "error"
            report(n)
        self._duplicates(fresh, seen_keys, seen_refs)

    def _resolve_new(self, row, context, mapping):
        values = row.values
        school = self._school(row, context, mapping)
        category = self._category(row, context, mapping)
        if values.get("deadline") and values.get("found_on"):
            if values["deadline"] < values["found_on"]:
                row.problems.append(
                    _problem(row, "deadline", _("The deadline cannot be before the date found."),
                             mapping=mapping)
                )  # fmt: skip
        history, message = lookup.ledger_history(
            values.get("progress") or "", values.get("progress_on"), values.get("progress_by") or ""
        )
        if message:
            row.problems.append(_problem(row, "progress", message, mapping=mapping))
        if row.problems or school is None or category is None:
            return
        item = self._item(row, school, category, history, context.source)
        try:
            exc = None
            build_hazard(item, actor=context.actor)
        except ValidationError as error:
            exc = error
            if history is not None and history.state == RECTIFYING:
                # Work under way without its five implementations: registered as the data
                # allows, the ledger's words kept on its event.
                history = None
                item = self._item(row, school, category, None, context.source)
                exc = None
        if exc is not None:
            field = "progress" if history is not None else "found_on"
            row.problems.append(_problem(row, field, " ".join(exc.messages), mapping=mapping))
            return
        row.target = {
            "school": school.pk,
            "category": category.pk,
            "history": [history.state, history.on.isoformat() if history.on else None,
                        history.by, history.text] if history else None,
        }  # fmt: skip
        row.status = "ready"
        if history is not None:
            row.note = _("Comes in as “%(status)s”, as the ledger records.") % {
                "status": Hazard.Status(lookup_status(history)).label
            }

    def _school(self, row, context, mapping):
        values = row.values
        for code in ("school", "school_name"):
            text = values.get(code)
            if not text:
                continue
            pk, suggestions = context.schools.match(text)
            if pk is not None:
                return context.school_by_pk[pk]
            if suggestions:
                message = _(
                    "Several schools match: %(names)s. Write the full name or the code."
                ) % {"names": "、".join(suggestions)}
            else:
                message = _("No school of this name or code where you may register hazards.")
            row.problems.append(_problem(row, code, message, mapping=mapping))
            return None
        row.problems.append(
            _problem(row, "school_name", _("Give the school's name or code."), mapping=mapping)
        )
        return None

    def _category(self, row, context, mapping):
        text = row.values.get("category")
        if not text:
            return None  # the engine reported the required cell
        pk, suggestions = context.categories.match(text)
        if pk is not None:
            return context.category_by_pk[pk]
        if suggestions:
            message = _("Several categories match: %(names)s. Write one of them.") % {
                "names": "、".join(suggestions)
            }
        else:
            message = _("No hazard category of this name or code (see the categories sheet).")
        row.problems.append(_problem(row, "category", message, mapping=mapping))
        return None

    def _item(self, row, school, category, history, source):
        values = row.values
        fields = {f: values.get(f) for f in ITEM_FIELDS if f in values}
        for name in TEXT_FIELDS:
            if name in fields and fields[name] is None:
                fields[name] = ""
        fields["category"] = category
        fields["source"] = values.get("source") or source
        fields["location"] = fields.get("location") or lookup.LOCATION_UNKNOWN
        remarks = values.get("remarks") or ""
        note = _("Remarks in the ledger: %(text)s") % {"text": remarks} if remarks else ""
        if history is None and values.get("progress"):
            progress = _("Progress in the ledger: %(text)s") % {"text": values["progress"]}
            note = f"{progress}\n{note}" if note else progress
        return LedgerItem(school=school, fields=fields, history=history, note=note, row=row.number)

    def _duplicates(self, rows, seen_keys, seen_refs):
        """Rows that repeat a hazard already registered, or an earlier row of the file."""
        keys = {}
        for row in rows:
            values, target = row.values, row.target
            keys[row.number] = lookup.duplicate_key(
                target["school"],
                target["category"],
                values.get("location"),
                values.get("found_on"),
                values.get("description"),
            )
        existing_key, existing_ref = lookup.existing_hazards(
            {r.target["school"] for r in rows},
            {r.values["found_on"] for r in rows if r.values.get("found_on")},
            {r.values["ledger_ref"] for r in rows if r.values.get("ledger_ref")},
        )
        for row in rows:
            ref = row.values.get("ledger_ref")
            ref_key = (row.target["school"], fold(ref)) if ref else None
            key = keys[row.number]
            code = existing_ref.get(ref_key) if ref_key else None
            code = code or existing_key.get(key)
            if code:
                row.status, row.note = (
                    "duplicate",
                    _("Already in the register as %(code)s.") % {"code": code},
                )
            elif ref_key in seen_refs or key in seen_keys:
                first = seen_refs.get(ref_key) or seen_keys[key]
                row.status = "duplicate"
                row.note = _("Repeats row %(row)s of this file.") % {"row": first}
            if ref_key:
                seen_refs.setdefault(ref_key, row.number)
            seen_keys.setdefault(key, row.number)

    def _resolve_update(self, row, code, context, mapping):
        hazard = context.hazards.get(code)
        if hazard is None or not policy.may_view(context.actor, hazard):
            row.problems.append(_problem(row, "code", lookup.unknown_hazard_message(),
                                         mapping=mapping))  # fmt: skip
            return
        if not policy.may_manage(context.actor, hazard):
            row.problems.append(
                _problem(row, "code", _("You may not change hazard %(code)s.") % {"code": code},
                         mapping=mapping)
            )  # fmt: skip
            return
        category = None
        if row.values.get("category"):
            category = self._category(row, context, mapping)
            if category is None:
                return
        changes = self._changes(row, hazard, category)
        row.target = {"update": hazard.pk, "category": category.pk if category else None}
        if not changes:
            row.status, row.note = "duplicate", _("No change to %(code)s.") % {"code": code}
            return
        names = "、".join(LABELS.get(f, f) for f in changes)
        if hazard.status not in policy.EDITABLE_STATUSES:
            row.status = "duplicate"
            row.note = _(
                "%(code)s is “%(status)s” and is not changed by an import (changed: %(fields)s)."
            ) % {"code": code, "status": hazard.get_status_display(), "fields": names}
            return
        problem = self._update_problem(hazard, changes, context)
        if problem:
            field, message = problem
            row.problems.append(_problem(row, field, message, mapping=mapping))
            return
        row.status = "update"
        row.note = _("Updates %(code)s: %(fields)s.") % {"code": code, "fields": names}

    def _update_fields(self, row, category):
        values = row.values
        fields = {}
        for name in UPDATABLE:
            if name not in values:
                continue
            value = values[name]
            if name == "category":
                if category is None:
                    continue
                value = category
            elif name == "source" and value is None:
                continue
            elif name in ("level", "found_on") and value is None:
                continue
            elif name in TEXT_FIELDS and value is None:
                value = ""
            fields[name] = value
        return fields

    def _changes(self, row, hazard, category):
        fields = self._update_fields(row, category)
        return {n: v for n, v in fields.items() if getattr(hazard, n) != v}

    def _update_problem(self, hazard, changes, context):
        """(field, message) when the edit service would refuse these changes."""
        if "deadline" in changes and not policy.may_set_deadline(context.actor, hazard):
            return "deadline", _("Only the county or city may change the time limit.")
        before = {n: getattr(hazard, n) for n in changes}
        for name, value in changes.items():
            setattr(hazard, name, value)
        missing = services.five_implementations_missing(
            hazard, has_plan_file=hazard.pk in context.plan_files
        )
        for name, value in before.items():
            setattr(hazard, name, value)
        if hazard.status != Hazard.Status.REPORTED and missing:
            return next(iter(changes)), _(
                "The five implementations must stay complete once the plan is in place."
            )
        return None

    # --- Writing ----------------------------------------------------------------------------

    def commit(self, rows, *, actor, include_duplicates=False, progress=None):
        errors = [p for r in rows if r.status == "error" for p in r.problems]
        if errors or any(r.status == "error" for r in rows):
            raise ImportRefused(errors or [Problem(0, None, "", "", _("Rows are in error."))])
        try:
            return _write(rows, actor, include_duplicates, progress)
        except BatchRefused as exc:
            raise ImportRefused([Problem(exc.row, None, "", "", " ".join(exc.messages))]) from exc
        except _RowRefused as exc:
            raise ImportRefused([Problem(exc.row, None, "", "", exc.message)]) from exc
        except Busy as exc:
            raise ImportRefused([Problem(0, None, "", "", " ".join(exc.messages))]) from exc


class _RowRefused(Exception):
    def __init__(self, row, message):
        super().__init__(message)
        self.row, self.message = row, message


def lookup_status(history):
    from hazards.services.imports import HISTORY_STATUS

    return HISTORY_STATUS[history.state]


def _history(target):
    if not target.get("history"):
        return None
    import datetime as dt

    state, on, by, text = target["history"]
    return LedgerHistory(state, dt.date.fromisoformat(on) if on else None, by, text)


@retry_on_conflict
@transaction.atomic
def _write(rows, actor, include_duplicates, progress):
    """Every new hazard in one batch, then every update through the edit service."""
    importer = HazardImporter()
    wanted = [r for r in rows if r.status in ("ready", "update")]
    if include_duplicates:
        wanted += [r for r in rows if r.status == "duplicate" and not r.target.get("update")]
    wanted.sort(key=lambda r: r.number)
    skipped = len(rows) - len(wanted)
    new = [r for r in wanted if r.target and not r.target.get("update")]
    updates = [r for r in wanted if r.target and r.target.get("update")]
    schools = OrgUnit.objects.in_bulk({r.target["school"] for r in new})
    categories = {c.pk: c for c in lookup.category_matcher()[1].values()}
    source = lookup.default_source(actor)
    items = [
        importer._item(
            r,
            schools[r.target["school"]],
            categories[r.target["category"]],
            _history(r.target),
            source,
        )
        for r in new
    ]
    total = max(len(wanted), 1)

    def batch_progress(done, _all):
        if progress:
            progress(100 * done / total)

    hazards_import_batch(items, actor=actor, progress=batch_progress)
    hazards = Hazard.objects.in_bulk([r.target["update"] for r in updates])
    for n, row in enumerate(updates, start=len(new) + 1):
        hazard = hazards[row.target["update"]]
        category = categories.get(row.target.get("category"))
        fields = importer._update_fields(row, category)
        try:
            services.hazard_update(hazard=hazard, actor=actor, **fields)
        except (ValidationError, Conflict) as exc:
            raise _RowRefused(row.number, " ".join(exc.messages)) from exc
        except (PermissionDenied, OutOfScope) as exc:
            raise _RowRefused(row.number, lookup.unknown_hazard_message()) from exc
        if progress and n % PROGRESS_EVERY == 0:
            progress(100 * n / total)
    return {"created": len(new), "updated": len(updates), "skipped": skipped}
