"""The people import: every person of the workbook with a first role grant, or none."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from campaign import policy, services
from campaign.imports.columns import USERS
from campaign.imports.reading import (
    _Abort,
    _chunks,
    _duplicates_in_file,
    _not_yours,
    _service_error,
    _sorted,
    _units_in_scope,
    parse_workbook,
)
from campaign.models import User
from campaign.roles import Perm, Role
from core.workbooks import (
    ImportResult,
    RowError,
)


def users_import(*, file, actor):
    """Create every person of the workbook with their role at their unit, or none at all."""
    rows, errors = parse_workbook(file, USERS)
    if errors and any(e.row == 0 for e in errors):
        return ImportResult(errors=errors)

    errors += _duplicates_in_file(
        rows,
        "username",
        "username",
        _("The user name “%(value)s” is already used in row %(row)s of this file."),
        fold=True,
    )
    folded = {r["username"].lower() for r in rows if r["username"]}
    taken = set()
    for chunk in _chunks(folded):
        # Compared folded, as the service's iexact check does, in one query per chunk.
        found = User.objects.annotate(folded=Lower("username")).filter(folded__in=chunk)
        taken |= {name.lower() for name in found.values_list("username", flat=True)}
    units = _units_in_scope(actor, Perm.MANAGE_USERS, {r["unit"] for r in rows if r["unit"]})
    grantable = {}
    for row in rows:
        number, headers = row["_row"], row["_headers"]
        username = row["username"]
        if username:
            if username.lower() in taken:
                errors.append(
                    RowError(
                        number,
                        headers["username"],
                        _("The user name “%(name)s” is already taken.") % {"name": username},
                    )
                )
            try:
                User.username_validator(username)
            except ValidationError as exc:
                errors.append(RowError(number, headers["username"], " ".join(exc.messages)))
        unit = units.get(row["unit"]) if row["unit"] else None
        if row["unit"] and unit is None:
            errors.append(_not_yours(row, row["unit"]))
        if unit is not None and row["role"]:
            if unit.pk not in grantable:
                grantable[unit.pk] = policy.roles_grantable(actor=actor, unit=unit)
            if row["role"] not in grantable[unit.pk]:
                errors.append(
                    RowError(
                        number,
                        headers["role"],
                        _("You may not grant the role “%(role)s” at %(unit)s.")
                        % {"role": Role(row["role"]).label, "unit": unit.name},
                    )
                )
        if row["password"]:
            person = User(username=username, full_name=row["full_name"], email=row["email"])
            try:
                validate_password(row["password"], person)
            except ValidationError as exc:
                errors.append(RowError(number, headers["password"], " ".join(exc.messages)))
        elif not row["email"]:
            errors.append(
                RowError(
                    number,
                    headers.get("email", "邮箱"),
                    _(
                        "Give an e-mail address or an initial password, otherwise this person "
                        "cannot sign in."
                    ),
                )
            )
    if errors:
        return ImportResult(errors=_sorted(errors))

    try:
        with transaction.atomic():
            for row in rows:
                try:
                    services.user_create(
                        username=row["username"],
                        full_name=row["full_name"],
                        role=row["role"],
                        unit=units[row["unit"]],
                        actor=actor,
                        email=row["email"],
                        phone=row["phone"],
                        password=row["password"] or None,
                    )
                except (ValidationError, IntegrityError, PermissionDenied) as exc:
                    errors.append(_service_error(row, "username", exc))
                    raise _Abort from exc
    except _Abort:
        return ImportResult(errors=errors)
    return ImportResult(imported=len(rows))
