"""Every write of checklist templates (检查表), and who may make it.

A version that a plan has been sealed with (``used_at``; or that a visit or plan points at) is
never changed again: ``checklist_update`` then writes the new content as the next version, and
every visit keeps the version it used. A version nobody used yet is simply replaced.

Permission: ``Perm.MANAGE_CHECKLISTS`` at the template's city. Somebody who may not even see the
template (no ``VIEW_INSPECTIONS`` or ``MANAGE_CHECKLISTS`` there) gets ``OutOfScope`` (404);
one who may see it but not edit it ``NotPermitted`` (403).
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.errors import NotPermitted, OutOfScope
from core.services.audit import audit
from hazards.models import Hazard, HazardCategory
from inspections.checklists.content import (
    clear_content,
    normal_content,
    version_content,
    write_content,
)
from inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
    InspectionPlan,
    Visit,
)

CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_WEIGHT = 100
MAX_LIMIT = Decimal("999999.9")
MAX_ITEMS = 300

# --- Who may ------------------------------------------------------------------------------


def may_view(user, template):
    return access.has_perm_at(user, Perm.VIEW_INSPECTIONS, template.city) or access.has_perm_at(
        user, Perm.MANAGE_CHECKLISTS, template.city
    )


def may_edit(user, template):
    return access.has_perm_at(user, Perm.MANAGE_CHECKLISTS, template.city)


def require_edit(user, template):
    if not may_view(user, template):
        raise OutOfScope
    if not may_edit(user, template):
        raise NotPermitted(_("Only the city's administrators may edit checklists."))


def checklists_visible(user):
    """The templates ``user`` may read (``inspections.selectors.checklists_for``)."""
    from inspections.selectors import checklists_for

    return checklists_for(user).select_related("city")


def may_list(user):
    """Whether ``user`` holds a checklist-reading permission at a city (or above)."""
    if access.is_unrestricted(user):
        return True
    return checklists_visible(user).exists() or any(
        kind in (OrgUnit.Kind.CITY, OrgUnit.Kind.PROVINCE)
        for perm in (Perm.VIEW_INSPECTIONS, Perm.MANAGE_CHECKLISTS)
        for _pk, kind, _path in access.granted_units(user, perm)
    )


def cities_to_create_in(user):
    """The cities where ``user`` may create a checklist."""
    cities = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, is_active=True).order_by("path")
    return [c for c in cities if access.has_perm_at(user, Perm.MANAGE_CHECKLISTS, c)]


# --- Validation ---------------------------------------------------------------------------


class ContentError:
    """One problem of a content: where (section index, item index or None, field) and why."""

    def __init__(self, section, item, field, message):
        self.section, self.item, self.field, self.message = section, item, field, message

    def located(self, sections):
        """The message with where it is, for a plain list of errors."""
        where = _("Section %(n)s") % {"n": self.section + 1}
        if self.section < len(sections) and sections[self.section].get("name"):
            where = f"{where}（{sections[self.section]['name']}）"
        if self.item is not None:
            where += _(", item %(n)s") % {"n": self.item + 1}
            items = sections[self.section].get("items", []) if self.section < len(sections) else []
            if self.item < len(items) and items[self.item].get("code"):
                where += f"（{items[self.item]['code']}）"
        return f"{where}：{self.message}"

    def __repr__(self):
        return f"ContentError({self.section}, {self.item}, {self.field!r}, {self.message!r})"


def _decimal(value):
    if value is None or value == "":
        return None, ""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, _("Write a number, such as 5 or 2.5.")
    if not number.is_finite():
        return None, _("Write a number, such as 5 or 2.5.")
    if number < 0:
        return None, _("The limit cannot be negative.")
    if number > MAX_LIMIT:
        return None, _("The limit is too large.")
    if number != number.quantize(Decimal("0.1")):
        return None, _("At most one decimal place.")
    return number.quantize(Decimal("0.1")), ""


def content_errors(sections, categories=None):
    """(normal content, [ContentError]) for a content given by a form, an import or a caller.

    Nothing is written. ``categories``: {code: HazardCategory} (read when not given)."""
    errors = []
    sections = list(sections or [])
    if categories is None:
        codes = {str(i.get("category") or "").strip() for s in sections for i in s.get("items", [])}
        categories = HazardCategory.objects.in_bulk(codes - {""}, field_name="code")
    defences = dict(ChecklistSection.Defence.choices)
    answer_types = dict(ChecklistItem.AnswerType.choices)
    rules = dict(ChecklistItem.Threshold.choices)
    levels = dict(Hazard.Level.choices)
    if not sections:
        errors.append(ContentError(0, None, "", _("A checklist needs at least one section.")))
    seen_sections, seen_items = {}, {}
    clean = []
    total = 0
    for s, section in enumerate(sections):

        def err(field, message, item=None, s=s):
            errors.append(ContentError(s, item, field, message))

        code = str(section.get("code") or "").strip()
        name = str(section.get("name") or "").strip()
        defence = section.get("defence") or ""
        if not code:
            err("code", _("Give the section a code (letters, digits and hyphens)."))
        elif not CODE.match(code) or len(code) > 40:
            err("code", _("A code has at most 40 letters, digits, hyphens or underscores."))
        elif code in seen_sections:
            err(
                "code",
                _("The section code “%(code)s” is already used by section %(n)s.")
                % {"code": code, "n": seen_sections[code] + 1},
            )
        else:
            seen_sections[code] = s
        if not name:
            err("name", _("Give the section a name."))
        elif len(name) > 60:
            err("name", _("At most %(max)s characters.") % {"max": 60})
        if defence not in defences:
            err("defence", _("Choose human, physical or technical defence, or a key area."))
        items = list(section.get("items") or [])
        if not items:
            err("", _("A section needs at least one item."))
        clean_items = []
        for i, item in enumerate(items):
            total += 1

            def ierr(field, message, i=i):
                err(field, message, item=i)

            icode = str(item.get("code") or "").strip()
            text = str(item.get("text") or "").strip()
            hint = str(item.get("hint") or "").strip()
            answer_type = item.get("answer_type") or ChecklistItem.AnswerType.PASS_FAIL
            rule = item.get("threshold_rule") or ChecklistItem.Threshold.FIXED
            unit = str(item.get("unit_label") or "").strip()
            category = str(item.get("category") or "").strip()
            level = item.get("level") or Hazard.Level.GENERAL
            if not icode:
                ierr("code", _("Give the item a code (letters, digits and hyphens)."))
            elif not CODE.match(icode) or len(icode) > 40:
                ierr("code", _("A code has at most 40 letters, digits, hyphens or underscores."))
            elif icode in seen_items:
                ps, pi = seen_items[icode]
                ierr(
                    "code",
                    _("The item code “%(code)s” is already used by section %(s)s, item %(i)s.")
                    % {"code": icode, "s": ps + 1, "i": pi + 1},
                )
            else:
                seen_items[icode] = (s, i)
            if not text:
                ierr("text", _("Say what the inspector checks."))
            elif len(text) > 200:
                ierr("text", _("At most %(max)s characters.") % {"max": 200})
            if len(hint) > 300:
                ierr("hint", _("At most %(max)s characters.") % {"max": 300})
            if answer_type not in answer_types:
                ierr("answer_type", _("Choose pass / fail, a minimum or a maximum."))
            if rule not in rules:
                ierr("threshold_rule", _("Choose where the limit comes from."))
            threshold, message = _decimal(item.get("threshold"))
            if message:
                ierr("threshold", message)
            elif answer_type == ChecklistItem.AnswerType.PASS_FAIL:
                if threshold is not None:
                    ierr("threshold", _("A pass / fail item has no limit: leave it empty."))
                if rule != ChecklistItem.Threshold.FIXED:
                    ierr("threshold_rule", _("A pass / fail item has no limit."))
            elif rule == ChecklistItem.Threshold.GUARDS_REQUIRED:
                if answer_type != ChecklistItem.AnswerType.MIN_NUMBER:
                    ierr(
                        "threshold_rule",
                        _("The guards the school should have is a minimum: choose “minimum”."),
                    )
                if threshold is not None:
                    ierr(
                        "threshold",
                        _("The limit comes from the school's size: leave the number empty."),
                    )
            elif rule in rules and threshold is None:
                ierr("threshold", _("A number needs its limit."))
            if len(unit) > 10:
                ierr("unit_label", _("At most %(max)s characters.") % {"max": 10})
            weight = item.get("weight")
            try:
                weight = int(weight) if weight not in (None, "") else 1
                if isinstance(item.get("weight"), float) and not item["weight"].is_integer():
                    raise ValueError
            except (TypeError, ValueError):
                weight = None
            if weight is None or not 1 <= weight <= MAX_WEIGHT:
                ierr(
                    "weight",
                    _("The weight is a whole number from 1 to %(max)s.") % {"max": MAX_WEIGHT},
                )
            found = categories.get(category)
            if not category:
                ierr("category", _("Choose the hazard category a failure becomes."))
            elif found is None or not found.is_active:
                ierr(
                    "category",
                    _("No hazard category with the code “%(code)s”.") % {"code": category},
                )
            if level not in levels:
                ierr("level", _("Choose general or major."))
            clean_items.append(
                {
                    "code": icode,
                    "text": text,
                    "hint": hint,
                    "answer_type": answer_type,
                    "threshold": threshold,
                    "threshold_rule": rule,
                    "unit_label": unit,
                    "weight": weight or 1,
                    "critical": bool(item.get("critical")),
                    "category": category,
                    "level": level,
                }
            )
        clean.append({"code": code, "name": name, "defence": defence, "items": clean_items})
    if total > MAX_ITEMS:
        errors.append(
            ContentError(
                0, None, "", _("At most %(max)s items in a checklist.") % {"max": MAX_ITEMS}
            )
        )
    return clean, errors


def validate_content(sections):
    """The normal content, or ``ValidationError`` with every problem, located, in Chinese."""
    clean, errors = content_errors(sections)
    if errors:
        raise ValidationError([e.located(clean) for e in errors])
    return clean


# --- Versions -----------------------------------------------------------------------------


def version_is_used(version):
    """Sealed into a plan (``used_at``), or pointed at by a visit or a plan."""
    return (
        version.used_at is not None
        or Visit.objects.filter(version=version).exists()
        or InspectionPlan.objects.filter(version=version).exists()
    )


def changes_between(old, new):
    """What changed from content ``old`` to ``new``: {"added": [codes], "removed": [codes],
    "changed": [codes], "sections": bool} (the version history says it)."""
    old_items = {i["code"]: (s["code"], i) for s in old for i in s["items"]}
    new_items = {i["code"]: (s["code"], i) for s in new for i in s["items"]}
    added = [c for c in new_items if c not in old_items]
    removed = [c for c in old_items if c not in new_items]
    changed = [c for c in new_items if c in old_items and new_items[c] != old_items[c]]
    heads = lambda content: [(s["code"], s["name"], s["defence"]) for s in content]  # noqa: E731
    order = lambda content: [i["code"] for s in content for i in s["items"]]  # noqa: E731
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "sections": heads(old) != heads(new),
        "order": order(old) != order(new),
    }


def describe_changes(changes):
    """A short Chinese sentence for a version's note when none was given."""
    parts = []
    if changes["added"]:
        parts.append(_("added %(codes)s") % {"codes": "、".join(changes["added"])})
    if changes["removed"]:
        parts.append(_("removed %(codes)s") % {"codes": "、".join(changes["removed"])})
    if changes["changed"]:
        parts.append(_("changed %(codes)s") % {"codes": "、".join(changes["changed"])})
    if changes["sections"]:
        parts.append(_("sections changed"))
    elif changes["order"] and not parts:
        parts.append(_("order changed"))
    return "；".join(parts)[:200]


@transaction.atomic
def checklist_create(*, city, code, name, actor):
    """A new, empty template of ``city`` (its first version comes with the first content)."""
    if not access.has_perm_at(actor, Perm.MANAGE_CHECKLISTS, city):
        if access.has_perm_at(actor, Perm.VIEW_INSPECTIONS, city):
            raise NotPermitted(_("Only the city's administrators may edit checklists."))
        raise OutOfScope
    code = str(code or "").strip()
    name = str(name or "").strip()
    errors = {}
    if city.kind != OrgUnit.Kind.CITY:
        errors["city"] = _("A checklist belongs to a city.")
    if not code or not CODE.match(code) or len(code) > 40:
        errors["code"] = _("A code has at most 40 letters, digits, hyphens or underscores.")
    elif ChecklistTemplate.objects.filter(code=code).exists():
        errors["code"] = _("The code “%(code)s” is already used by another checklist.") % {
            "code": code
        }
    if not name:
        errors["name"] = _("Give the checklist a name.")
    elif len(name) > 100:
        errors["name"] = _("At most %(max)s characters.") % {"max": 100}
    if errors:
        raise ValidationError(errors)
    template = ChecklistTemplate.objects.create(city=city, code=code, name=name)
    audit(actor=actor, action="checklist.create", unit=city, code=code)
    return template


@transaction.atomic
def checklist_update(*, template, actor, sections, note=""):
    """Make ``sections`` (the whole new content) the template's current content.

    Returns ``(version, outcome)``: outcome ``"new"`` (the current version was used: version
    N+1 made), ``"replaced"`` (the unused current version rewritten), ``"first"`` (the template
    had no version) or ``"unchanged"`` (the same content: nothing written)."""
    require_edit(actor, template)
    clean = validate_content(sections)
    note = str(note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": 200}})
    # One editor at a time per template; a plan sealing the current version waits for us.
    ChecklistTemplate.objects.select_for_update().filter(pk=template.pk).first()
    current = (
        ChecklistVersion.objects.select_for_update()
        .filter(template=template)
        .order_by("-number")
        .first()
    )
    clean = normal_content(clean)
    if current is None:
        version = ChecklistVersion.objects.create(
            template=template, number=1, note=note or _("First version"), created_by=actor
        )
        write_content(version, clean)
        outcome = "first"
    else:
        old = version_content(current)
        if old == clean:
            return current, "unchanged"
        if version_is_used(current):
            note = note or describe_changes(changes_between(old, clean))
            version = ChecklistVersion.objects.create(
                template=template, number=current.number + 1, note=note, created_by=actor
            )
            write_content(version, clean)
            outcome = "new"
        else:
            # Rewritten in place: what changed is said against the version before it.
            previous = template.versions.filter(number=current.number - 1).first()
            if not note:
                note = (
                    describe_changes(changes_between(version_content(previous), clean))
                    if previous
                    else current.note
                )
            version = current
            clear_content(version)
            write_content(version, clean)
            version.note = note
            version.created_by = actor
            version.created_at = timezone.now()
            version.save(update_fields=["note", "created_by", "created_at"])
            outcome = "replaced"
    audit(
        actor=actor,
        action="checklist.update",
        unit=template.city,
        code=template.code,
        version=version.number,
        outcome=outcome,
    )
    return version, outcome
