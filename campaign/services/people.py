"""Writes of people and their roles: create, edit, (de)activate a person; grant and revoke."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from campaign import access, policy
from campaign.models import RoleGrant, User
from campaign.roles import ROLE_PERMS, ROLE_UNIT_KINDS, Perm, Role
from core.services import audit


@transaction.atomic
def role_grant(*, user, role, unit, actor):
    """Give ``user`` the ``role`` at ``unit`` (and so in its subtree)."""
    role = Role(role)
    if actor is not None and role not in policy.roles_grantable(actor=actor, unit=unit):
        if not access.has_perm_at(actor, Perm.MANAGE_USERS, unit):
            raise ValidationError(_("You may not manage people in this unit."))
        raise ValidationError(
            _("You may not grant the role “%(role)s” at %(unit)s.")
            % {"role": role.label, "unit": unit.name}
        )
    if unit.kind not in ROLE_UNIT_KINDS[role]:
        raise ValidationError(
            _("The role “%(role)s” cannot be held at %(unit)s.")
            % {"role": role.label, "unit": unit.name}
        )
    grant, created = RoleGrant.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"granted_by": actor}
    )
    if created:
        for perm in ROLE_PERMS[role]:
            assign_perm(f"campaign.{perm}", user, unit)
        audit(actor=actor, action="role.grant", unit=unit, target_user=user, role=role.value)
    access.forget(user)
    return grant


@transaction.atomic
def role_revoke(*, grant, actor):
    """Take a role grant away, keeping the permissions other grants at the unit still give."""
    if actor is not None:
        access.require_perm_at(actor, Perm.MANAGE_USERS, grant.unit)
        if Role(grant.role) not in policy.roles_grantable(actor=actor, unit=grant.unit):
            raise ValidationError(_("You may not revoke this role."))
    user, unit = grant.user, grant.unit
    role = grant.role
    grant.delete()
    still_given = set()
    for other in RoleGrant.objects.filter(user=user, unit=unit):
        still_given |= ROLE_PERMS[Role(other.role)]
    for perm in ROLE_PERMS[Role(role)] - still_given:
        remove_perm(f"campaign.{perm}", user, unit)
    audit(actor=actor, action="role.revoke", unit=unit, target_user=user, role=role)
    access.forget(user)


def role_grants_sync():
    """Bring every grant's guardian permissions in line with ``ROLE_PERMS`` (after a change)."""
    for grant in RoleGrant.objects.select_related("user", "unit"):
        for perm in ROLE_PERMS[Role(grant.role)]:
            assign_perm(f"campaign.{perm}", grant.user, grant.unit)


@transaction.atomic
def user_create(*, username, full_name, role, unit, actor, email="", phone="", password=None):
    """Create a person with a first role grant. Without a password they must reset it."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name %(name)s is already taken.") % {"name": username})
    user = User(username=username, full_name=full_name, email=email, phone=phone)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same name created at the same moment by someone else
        raise ValidationError(
            _("The user name %(name)s is already taken.") % {"name": username}
        ) from None
    audit(actor=actor, action="user.create", unit=unit, target_user=user)
    role_grant(user=user, role=role, unit=unit, actor=actor)
    return user


@transaction.atomic
def user_set_active(*, user, active, actor):
    """Deactivate (or reactivate) a person: a deactivated person cannot sign in."""
    policy.require_manages_person(actor, user)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate yourself."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        target_user=user,
    )
    return user


@transaction.atomic
def user_update(*, user, actor, full_name, email, phone):
    policy.require_manages_person(actor, user)
    user.full_name, user.email, user.phone = full_name, email, phone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "email", "phone"])
    audit(actor=actor, action="user.update", target_user=user)
    return user


@transaction.atomic
def user_update_own_settings(*, user, full_name, phone, email, email_digest):
    """The signed-in person's own settings; they are their own actor, so no manage check."""
    user.full_name, user.phone, user.email = full_name, phone, email
    user.email_digest = email_digest
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "phone", "email", "email_digest"])
    audit(actor=user, action="user.settings", target_user=user, email_digest=email_digest)
    return user
