"""Writes of the organisation tree: create a unit, change a school's profile."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.services import audit

SCHOOL_FIELDS = (
    "category",
    "ownership",
    "students",
    "staff",
    "address",
    "principal_name",
    "principal_phone",
    "safety_officer_name",
    "safety_officer_phone",
)


def orgunit_set_path(unit):
    """Fill ``path`` and ``depth`` from the parent (the unit must have its id)."""
    prefix = unit.parent.path if unit.parent_id else "/"
    unit.path = f"{prefix}{unit.pk}/"
    unit.depth = unit.path.count("/") - 1


@transaction.atomic
def orgunit_create(*, kind, name, code, parent=None, actor=None, **school_fields):
    """Create a unit under ``parent``. Raises ``ValidationError`` with a message for the user."""
    allowed_parents = {
        OrgUnit.Kind.PROVINCE: {None},
        OrgUnit.Kind.CITY: {None, OrgUnit.Kind.PROVINCE},
        OrgUnit.Kind.COUNTY: {OrgUnit.Kind.CITY},
        OrgUnit.Kind.SCHOOL: {OrgUnit.Kind.CITY, OrgUnit.Kind.COUNTY},
    }[kind]
    if (parent.kind if parent else None) not in allowed_parents:
        raise ValidationError(_("A unit of this kind cannot be placed there."))
    if actor is not None and parent is not None:
        access.require_perm_at(actor, Perm.MANAGE_UNITS, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError(_("The code %(code)s is already used.") % {"code": code})
    unit = OrgUnit(kind=kind, name=name, code=code, parent=parent)
    for field in SCHOOL_FIELDS:
        if field in school_fields:
            setattr(unit, field, school_fields[field])
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    orgunit_set_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit(actor=actor, action="unit.create", unit=unit, code=code)
    return unit


@transaction.atomic
def school_update(*, school, actor, **fields):
    """Change a school's profile fields (name and the school fields)."""
    access.require_perm_at(actor, Perm.MANAGE_UNITS, school)
    changed = {}
    for field, value in fields.items():
        if field not in SCHOOL_FIELDS + ("name",):
            raise ValueError(f"{field} is not a school field")
        if getattr(school, field) != value:
            changed[field] = [str(getattr(school, field)), str(value)]
            setattr(school, field, value)
    school.full_clean(exclude=["path", "depth"])
    school.save()
    if changed:
        audit(actor=actor, action="school.update", unit=school, changed=changed)
    return school
