"""The checklist importer on the one import engine (``core.imports``, kind "checklists").

A file holds one checklist: one row per item, its section and defence repeated on each row, in
the order the checklist shows them. ``resolve`` builds the whole content from the rows and
checks it as ``checklist_update`` would (nothing is written); ``commit`` hands it to
``checklist_update``, so the import makes a new version only when the content differs and the
current version has been used, and replaces an unused one otherwise. All or nothing: one row
in error and nothing is imported.

A checklist code the portal does not have yet creates the checklist, in the one city where
the importer may edit checklists.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.imports.base import ScopedImporter
from campaign.imports.reading import Cells, code_text, plain_choices, reset
from campaign.roles import Perm
from core.errors import OutOfScope
from core.imports.preview import Problem
from core.imports.registry import ImportRefused
from hazards.models import HazardCategory
from inspections.checklists import services
from inspections.checklists.columns import (
    ANSWER_NAMES,
    DEFENCE_NAMES,
    LEVEL_NAMES,
    RULE_NAMES,
    SPEC,
)
from inspections.checklists.content import normal_content, version_content
from inspections.models import ChecklistTemplate

# Item fields as the content names them, and the column each one comes from.
ITEM_COLUMNS = (
    "code",
    "text",
    "hint",
    "answer_type",
    "threshold",
    "threshold_rule",
    "unit_label",
    "weight",
    "critical",
    "category",
    "level",
)
SECTION_COLUMNS = {"code": "section", "name": "section_name", "defence": "defence"}
CHOICES = {
    "defence": DEFENCE_NAMES,
    "answer_type": ANSWER_NAMES,
    "threshold_rule": RULE_NAMES,
    "level": LEVEL_NAMES,
}


class _Plan:
    """What the rows of a file amount to: the template, the content and where each item and
    section came from (row numbers), or the problems that stop it."""

    def __init__(self):
        self.template = None  # existing ChecklistTemplate
        self.code = ""
        self.name = ""
        self.city = None  # for a new template
        self.sections = []
        self.where = {}  # (section index, item index) -> row
        self.section_rows = {}  # section index -> first row
        self.fatal = False


def _category_code(text, categories, by_name):
    text = code_text(text)
    if text in categories:
        return text
    return by_name.get(text, text)


def _build(rows, actor, cells):
    """A ``_Plan`` from the engine's rows; problems go on their rows."""
    plan = _Plan()
    categories = HazardCategory.objects.in_bulk(field_name="code")
    by_name = {c.name: c.code for c in categories.values()}
    sections = {}
    for row in rows:
        values = row.values
        code = code_text(values.get("template"))
        if not code:
            continue  # the engine reported the required cell
        if not plan.code:
            plan.code = code
            plan.name = str(values.get("template_name") or "").strip()
        elif code != plan.code:
            cells.add(
                row,
                "template",
                _(
                    "A file holds one checklist: this row names “%(code)s”, the first row "
                    "“%(first)s”."
                )
                % {"code": code, "first": plan.code},
            )
            continue
        section_code = code_text(values.get("section"))
        if not section_code:
            continue
        section = {
            "code": section_code,
            "name": str(values.get("section_name") or "").strip(),
            "defence": values.get("defence") or "",
        }
        known = sections.get(section_code)
        if known is None:
            index = len(plan.sections)
            sections[section_code] = index
            plan.sections.append({**section, "items": []})
            plan.section_rows[index] = row
        else:
            index = known
            first = plan.sections[index]
            for field, column in (("name", "section_name"), ("defence", "defence")):
                if section[field] and first[field] and section[field] != first[field]:
                    cells.add(
                        row,
                        column,
                        _(
                            "Section “%(code)s” has another %(what)s in row %(row)s: "
                            "write the same on every row of the section."
                        )
                        % {
                            "code": section_code,
                            "what": SPEC.field(column).label,
                            "row": plan.section_rows[index].number,
                        },
                    )
        item = {name: values.get(name) for name in ITEM_COLUMNS}
        item["code"] = code_text(item["code"])
        item["category"] = _category_code(item["category"] or "", categories, by_name)
        if item["weight"] is None:
            item["weight"] = 1
        if item["threshold"] is not None:
            item["threshold"] = code_text(item["threshold"])
        plan.where[(index, len(plan.sections[index]["items"]))] = row
        plan.sections[index]["items"].append(item)
    if not plan.code:
        plan.fatal = True
        return plan
    template = ChecklistTemplate.objects.select_related("city").filter(code=plan.code).first()
    first = rows[0] if rows else None
    if template is not None:
        if not services.may_view(actor, template):
            template = None  # out of sight: as if it did not exist, and the code is taken
            if first is not None:
                cells.add(
                    first,
                    "template",
                    _("The checklist code “%(code)s” is used by another city's checklist.")
                    % {"code": plan.code},
                )
            plan.fatal = True
        elif not services.may_edit(actor, template):
            cells.add(first, "template", _("Only the city's administrators may edit checklists."))
            plan.fatal = True
        plan.template = template
    else:
        cities = services.cities_to_create_in(actor)
        if len(cities) != 1:
            cells.add(
                first,
                "template",
                _(
                    "There is no checklist “%(code)s” yet: create it on the checklists page, "
                    "then import into it."
                )
                % {"code": plan.code},
            )
            plan.fatal = True
        elif not plan.name:
            cells.add(
                first,
                "template_name",
                _("A new checklist needs its name (the column 检查表名称)."),
            )
            plan.fatal = True
        else:
            plan.city = cities[0]
    return plan


FIELD_COLUMN = {
    "code": "code",
    "text": "text",
    "hint": "hint",
    "answer_type": "answer_type",
    "threshold": "threshold",
    "threshold_rule": "threshold_rule",
    "unit_label": "unit_label",
    "weight": "weight",
    "critical": "critical",
    "category": "category",
    "level": "level",
}


class ChecklistImporter(ScopedImporter):
    kind = SPEC.kind
    label = gettext_lazy("Checklist")
    spec = SPEC
    list_url_name = "inspections:checklist_list"
    perm = Perm.MANAGE_CHECKLISTS

    def template(self, user):
        from inspections.checklists.excel import blank_workbook

        return blank_workbook()

    def resolve(self, rows, *, actor, progress=None, mapping=None):
        cells = Cells(self.spec, mapping)
        reset(rows)
        for row in rows:
            plain_choices(row, self.spec, CHOICES)
        if any(r.problems for r in rows):
            for row in rows:
                if row.problems:
                    row.status = "error"
            # Cells the engine refused: the content is checked once they are right.
            return
        plan = _build(rows, actor, cells)
        if not plan.fatal and not any(r.problems for r in rows):
            self._check_content(plan, rows, cells)
        for row in rows:
            if row.problems:
                row.status = "error"
        if progress:
            progress(100)

    def _check_content(self, plan, rows, cells):
        clean, errors = services.content_errors(plan.sections)
        for error in errors:
            if error.item is not None:
                row = plan.where.get((error.section, error.item))
                column = FIELD_COLUMN.get(error.field, "code")
            else:
                row = plan.section_rows.get(error.section) or (rows[0] if rows else None)
                column = SECTION_COLUMNS.get(error.field, "section")
            if row is None:
                continue
            cells.add(row, column, error.message)
        if errors:
            return
        clean = normal_content(clean)
        current = plan.template.current_version() if plan.template else None
        old = version_content(current) if current else None
        if old == clean:
            for row in rows:
                row.status = "duplicate"
            rows[0].note = _("The same as version %(n)s: importing changes nothing.") % {
                "n": current.number
            }
            return
        changes = services.changes_between(old or [], clean)
        added, changed = set(changes["added"]), set(changes["changed"])
        status = "update" if plan.template else "ready"
        for (s, i), row in plan.where.items():
            code = clean[s]["items"][i]["code"]
            row.status = status
            row.note = _("New item.") if code in added else _("Changed.") if code in changed else ""
            row.target = {"template": plan.code}
        first = rows[0]
        if current is None:
            intro = _("Creates the checklist with version 1.")
        elif services.version_is_used(current):
            intro = _("Version %(n)s has been used: importing makes version %(next)s.") % {
                "n": current.number,
                "next": current.number + 1,
            }
        else:
            intro = _("Replaces version %(n)s, which no plan has used yet.") % {"n": current.number}
        removed = changes["removed"]
        if removed:
            intro += _(" Removes %(codes)s.") % {"codes": "、".join(removed)}
        first.note = f"{intro} {first.note}".strip()

    def commit(self, rows, *, actor, include_duplicates=False, progress=None):
        errors = [p for r in rows if r.status == "error" for p in r.problems]
        if errors or any(r.status == "error" for r in rows):
            raise ImportRefused(errors or [Problem(0, None, "", "", _("Rows are in error."))])
        if not rows or all(r.status == "duplicate" for r in rows):
            return {"created": 0, "updated": 0, "skipped": len(rows)}
        cells = Cells(self.spec)
        try:
            with transaction.atomic():
                plan = _build(rows, actor, cells)
                problems = [p for r in rows for p in r.problems]
                if plan.fatal or problems:
                    raise ImportRefused(
                        problems or [Problem(0, None, "", "", _("Rows are in error."))]
                    )
                template = plan.template or services.checklist_create(
                    city=plan.city, code=plan.code, name=plan.name, actor=actor
                )
                current = template.current_version()
                old = version_content(current) if current else []
                version, outcome = services.checklist_update(
                    template=template,
                    actor=actor,
                    sections=plan.sections,
                    note="",
                )
        except ValidationError as exc:
            raise ImportRefused([Problem(0, None, "", "", " ".join(exc.messages))]) from exc
        except (PermissionDenied, OutOfScope) as exc:
            raise ImportRefused(
                [Problem(0, None, "", "", _("Only the city's administrators may edit checklists."))]
            ) from exc
        changes = services.changes_between(old, version_content(version))
        total = sum(len(s["items"]) for s in plan.sections)
        created, updated = len(changes["added"]), len(changes["changed"])
        return {
            "created": created,
            "updated": updated,
            "skipped": total - created - updated,
            "version": version.number,
            "outcome": outcome,
        }
