"""The people importer on the one import engine: every person of a list with a first role at
their unit, or none.

``resolve`` checks the rows in the actor's scope without writing: the unit by its code or exact
name, the roles the actor may grant there, user names (used twice in the file, taken, or not
valid), passwords by Django's validators, an e-mail address or a password for each person. A
person who already holds the row's role at the row's unit is a duplicate, so the same list
uploaded twice creates nobody twice. ``commit`` writes everyone or nobody through
``services.user_create``.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign import policy, services
from campaign.imports.base import RosterImporter
from campaign.imports.columns import ROLE_NAMES, USER_SPEC
from campaign.imports.reading import (
    Cells,
    RowRefused,
    Units,
    chunks,
    duplicates_in_file,
    plain_choices,
    ready_rows,
    reporter,
    reset,
    service_message,
    settle,
)
from campaign.models import RoleGrant, User
from campaign.roles import Perm, Role
from core.db import Busy, retry_on_conflict
from core.imports.preview import Problem
from core.imports.registry import ImportRefused

HIDDEN = "●●●●●●"


class PeopleImporter(RosterImporter):
    kind = USER_SPEC.kind
    label = gettext_lazy("People")
    spec = USER_SPEC
    list_url_name = "campaign:user_list"
    perm = Perm.MANAGE_USERS

    # --- Checking ---------------------------------------------------------------------------

    def resolve(self, rows, *, actor, progress=None, mapping=None):
        cells = Cells(self.spec, mapping)
        reset(rows)
        for row in rows:
            if row.raw.get("password"):
                # The preview page, the stored preview and the error workbook show a row's
                # cells: never an initial password.
                row.raw["password"] = HIDDEN
        duplicates_in_file(
            rows,
            "username",
            _("The user name “%(value)s” is already used in row %(row)s of this file."),
            cells,
            folded=True,
        )
        units = Units(actor, Perm.MANAGE_USERS, {r.values.get("unit") for r in rows})
        taken = _taken({r.values["username"] for r in rows if r.values.get("username")})
        grantable = {}
        report = reporter(progress, len(rows))
        for n, row in enumerate(rows, start=1):
            plain_choices(row, self.spec, {"role": ROLE_NAMES})
            unit = self._unit(row, units, cells)
            role = row.values.get("role")
            if unit is not None and role:
                if unit.pk not in grantable:
                    grantable[unit.pk] = policy.roles_grantable(actor=actor, unit=unit)
                if role not in grantable[unit.pk]:
                    cells.add(
                        row,
                        "role",
                        _("You may not grant the role “%(role)s” at %(unit)s.")
                        % {"role": Role(role).label, "unit": unit.name},
                    )
            self._username(row, taken, unit, cells)
            self._password(row, cells)
            if unit is not None and row.status != "duplicate":
                row.target = {"unit": unit.pk}
            settle(row)
            report(n)

    def _unit(self, row, units, cells):
        if not row.values.get("unit"):
            return None
        unit, message = units.find(row.values["unit"])
        if unit is None:
            cells.add(row, "unit", message)
        return unit

    def _username(self, row, taken, unit, cells):
        username = row.values.get("username")
        if not username:
            return
        try:
            User.username_validator(username)
        except ValidationError as exc:
            cells.add(row, "username", " ".join(exc.messages))
            return
        person = taken.get(username.lower())
        if person is None:
            return
        role = row.values.get("role")
        if unit is not None and role and (unit.pk, role) in person["grants"]:
            # The same person with the same role at the same unit: this row is done already.
            row.status = "duplicate"
            row.note = _("Already in the portal: %(name)s.") % {"name": person["username"]}
            return
        cells.add(
            row, "username", _("The user name “%(name)s” is already taken.") % {"name": username}
        )

    def _password(self, row, cells):
        password = row.values.get("password")
        if password:
            person = User(
                username=row.values.get("username") or "",
                full_name=row.values.get("full_name") or "",
                email=row.values.get("email") or "",
            )
            try:
                validate_password(password, person)
            except ValidationError as exc:
                cells.add(row, "password", " ".join(exc.messages))
        elif not row.raw.get("email"):
            # A bad address is reported as such; no address at all is this problem.
            cells.add(
                row,
                "email",
                _(
                    "Give an e-mail address or an initial password, otherwise this person "
                    "cannot sign in."
                ),
            )

    # --- Writing ----------------------------------------------------------------------------

    def commit(self, rows, *, actor, include_duplicates=False, progress=None):
        """Everyone new or nobody; a duplicate holds the role already, so it is skipped
        whatever ``include_duplicates`` says."""
        wanted = ready_rows(rows)
        try:
            _write(wanted, actor, progress)
        except RowRefused as exc:
            raise ImportRefused([exc.problem]) from exc
        except Busy as exc:
            raise ImportRefused([Problem(0, None, "", "", " ".join(exc.messages))]) from exc
        return {"created": len(wanted), "updated": 0, "skipped": len(rows) - len(wanted)}


def _taken(usernames):
    """{folded user name: {"username", "grants": {(unit id, role)}}} of the people who already
    use the file's user names, compared folded as the service's iexact check does."""
    folded = {name.lower() for name in usernames}
    found = {}
    for some in chunks(folded):
        people = User.objects.annotate(folded=Lower("username")).filter(folded__in=some)
        for pk, username in people.values_list("pk", "username"):
            found[pk] = {"username": username, "grants": set()}
    for some in chunks(found):
        grants = RoleGrant.objects.filter(user_id__in=some)
        for user_id, unit_id, role in grants.values_list("user_id", "unit_id", "role"):
            found[user_id]["grants"].add((unit_id, role))
    return {person["username"].lower(): person for person in found.values()}


@retry_on_conflict
@transaction.atomic
def _write(rows, actor, progress):
    from campaign.models import OrgUnit

    units = OrgUnit.objects.in_bulk({r.target["unit"] for r in rows})
    report = reporter(progress, len(rows))
    for n, row in enumerate(rows, start=1):
        values = row.values
        try:
            services.user_create(
                username=values["username"],
                full_name=values["full_name"],
                role=values["role"],
                unit=units[row.target["unit"]],
                actor=actor,
                email=values.get("email") or "",
                phone=values.get("phone") or "",
                password=values.get("password") or None,
            )
        except (ValidationError, IntegrityError, PermissionDenied) as exc:
            label = USER_SPEC.field("username").label
            value = row.raw.get("username", "")
            raise RowRefused(Problem(row.number, None, label, value, service_message(exc))) from exc
        report(n)


def users_import(*, file, actor):
    """Create every person of the workbook with their role at their unit, or none at all: the
    one-step import (preview and commit in one call), an ``ImportResult``."""
    from campaign.imports.onestep import import_in_one_step

    return import_in_one_step(PeopleImporter(), file=file, actor=actor)
