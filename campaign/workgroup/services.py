"""Writes of the working groups. Each is atomic, checks ``policy.may_edit`` (``NotPermitted``),
validates everything before it changes anything (``ValidationError`` with a message per
field) and writes an audit row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.models import (
    LiaisonDepartment,
    OrgUnit,
    Responsibility,
    RoleGrant,
    User,
    WorkingGroup,
    WorkingGroupMember,
)
from campaign.workgroup import policy
from campaign.workgroup.phones import validate_phone
from core.errors import NotPermitted
from core.services import audit

PERSON_FIELDS = ("responsibility", "department", "name", "position", "phone", "username")
SINGLE = (Responsibility.FIRST, Responsibility.IMPLEMENTER)


def _require_editor(actor, unit):
    if not policy.may_edit(actor, unit):
        raise NotPermitted


def _group_for_update(unit, actor):
    """The unit's group, locked; made now if the unit has none yet."""
    group, _created = WorkingGroup.objects.get_or_create(unit=unit)
    group = WorkingGroup.objects.select_for_update().get(pk=group.pk)
    group.updated_at = timezone.now()
    group.updated_by = actor
    group.save(update_fields=["updated_at", "updated_by"])
    return group


@transaction.atomic
def working_group_update(*, unit, office_name, actor):
    """Name the group's coordinating office (at the city 安稳处, a county's own office)."""
    _require_editor(actor, unit)
    office_name = (office_name or "").strip()
    if len(office_name) > 100:
        raise ValidationError({"office_name": _("At most 100 characters.")})
    group = _group_for_update(unit, actor)
    if group.office_name != office_name:
        audit(
            actor=actor,
            action="workgroup.update",
            unit=unit,
            changed={"office_name": [group.office_name, office_name]},
        )
        group.office_name = office_name
        group.save(update_fields=["office_name"])
    return group


def _linked_user(unit, username):
    """The portal user ``username`` if they hold a role in ``unit``'s subtree, else an error:
    an editor may link the people of their own unit, not look up anyone's account."""
    if not username:
        return None
    user = (
        User.objects.filter(username__iexact=username, is_active=True)
        .filter(pk__in=RoleGrant.objects.filter(unit__path__startswith=unit.path).values("user_id"))
        .first()
    )
    if user is None:
        raise ValidationError(
            {
                "username": _("No active portal user with this user name holds a role in %(unit)s.")
                % {"unit": unit.name}
            }
        )
    return user


def _clean_person(*, group, unit, member=None, **fields):
    """The person's fields checked and normalised; every error at once, nothing changed."""
    errors = {}
    responsibility = fields.get("responsibility") or ""
    department = fields.get("department") or ""
    name = (fields.get("name") or "").strip()
    position = (fields.get("position") or "").strip()
    phone = (fields.get("phone") or "").strip()
    if responsibility not in Responsibility.values:
        errors["responsibility"] = _("Choose the person's responsibility in the group.")
    if not name:
        errors["name"] = _("Enter the person's name.")
    elif len(name) > 60:
        errors["name"] = _("At most 60 characters.")
    if len(position) > 100:
        errors["position"] = _("At most 100 characters.")
    if responsibility == Responsibility.LIAISON:
        if department not in LiaisonDepartment.values:
            errors["department"] = _("Choose the liaison contact's department.")
        if not phone:
            errors["phone"] = _("A liaison contact needs a phone number.")
    else:
        department = ""
    if phone and "phone" not in errors:
        try:
            phone = validate_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if responsibility in SINGLE and group is not None:
        taken = group.members.filter(responsibility=responsibility)
        if member is not None:
            taken = taken.exclude(pk=member.pk)
        holder = taken.first()
        if holder is not None:
            errors["responsibility"] = _(
                "The group already has a %(role)s: %(name)s. Change or remove that entry first."
            ) % {"role": Responsibility(responsibility).label, "name": holder.name}
    try:
        user = _linked_user(unit, (fields.get("username") or "").strip())
    except ValidationError as error:
        errors.update(error.message_dict)
        user = None
    if errors:
        raise ValidationError(errors)
    return {
        "responsibility": responsibility,
        "department": department,
        "name": name,
        "position": position,
        "phone": phone,
        "user": user,
    }


def _snapshot(member):
    return {
        "responsibility": member.responsibility,
        "department": member.department,
        "name": member.name,
        "position": member.position,
        "phone": member.phone,
        "user": member.user.username if member.user_id else "",
    }


@transaction.atomic
def working_group_member_add(*, unit: OrgUnit, actor, **fields):
    """Add a person to ``unit``'s group (making the group on its first person)."""
    _require_editor(actor, unit)
    # Locked before the checks: two clerks naming a first responsible person at once cannot
    # both pass "the group has none yet". A refusal rolls the new group back too.
    group = _group_for_update(unit, actor)
    cleaned = _clean_person(group=group, unit=unit, **fields)
    member = WorkingGroupMember.objects.create(group=group, **cleaned)
    audit(actor=actor, action="workgroup.member_add", unit=unit, member=_snapshot(member))
    return member


@transaction.atomic
def working_group_member_update(*, member, actor, **fields):
    """Change a person of a group (their place in it, name, position, phone, linked user)."""
    unit = member.group.unit
    _require_editor(actor, unit)
    group = _group_for_update(unit, actor)
    member = (
        WorkingGroupMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=member.pk)
    )
    cleaned = _clean_person(group=group, unit=unit, member=member, **fields)
    before = _snapshot(member)
    for name, value in cleaned.items():
        setattr(member, name, value)
    after = _snapshot(member)
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        member.save()
        audit(
            actor=actor,
            action="workgroup.member_update",
            unit=unit,
            member=member.pk,
            changed=changed,
        )
    return member


@transaction.atomic
def working_group_member_remove(*, member, actor):
    """Take a person out of a group."""
    unit = member.group.unit
    _require_editor(actor, unit)
    _group_for_update(unit, actor)
    snapshot = _snapshot(member)
    member.delete()
    audit(actor=actor, action="workgroup.member_remove", unit=unit, member=snapshot)
