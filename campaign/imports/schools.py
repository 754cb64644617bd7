"""The schools import: every school of the workbook under its county (or city), or none."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaign import access, services
from campaign.imports.columns import SCHOOLS
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
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.workbooks import (
    ImportResult,
    RowError,
)


def schools_import(*, file, actor):
    """Create every school of the workbook under its county (or city), or none at all."""
    rows, errors = parse_workbook(file, SCHOOLS)
    if errors and any(e.row == 0 for e in errors):
        return ImportResult(errors=errors)

    errors += _duplicates_in_file(
        rows,
        "code",
        "code",
        _("The school code “%(value)s” is already used in row %(row)s of this file."),
    )
    codes = {r["code"] for r in rows if r["code"]}
    taken = set()
    for chunk in _chunks(codes):
        taken |= set(OrgUnit.objects.filter(code__in=chunk).values_list("code", flat=True))
    parents = _units_in_scope(actor, Perm.MANAGE_UNITS, {r["parent"] for r in rows if r["parent"]})
    for row in rows:
        if row["code"] in taken:
            errors.append(
                RowError(
                    row["_row"],
                    row["_headers"]["code"],
                    _("The code “%(code)s” is already used by another unit.")
                    % {"code": row["code"]},
                )
            )
        if not row["parent"]:
            continue
        parent = parents.get(row["parent"])
        if parent is None:
            errors.append(_not_yours(row, row["parent"]))
        elif parent.kind not in (OrgUnit.Kind.COUNTY, OrgUnit.Kind.CITY):
            errors.append(
                RowError(
                    row["_row"],
                    row["_headers"]["parent"],
                    _("A school cannot be placed under “%(code)s”: it is not a county or city.")
                    % {"code": row["parent"]},
                )
            )
    if errors:
        return ImportResult(errors=_sorted(errors))

    try:
        with transaction.atomic():
            for row in rows:
                try:
                    services.orgunit_create(
                        kind=OrgUnit.Kind.SCHOOL,
                        name=row["name"],
                        code=row["code"],
                        parent=parents[row["parent"]],
                        actor=actor,
                        **{f: row[f] for f in services.SCHOOL_FIELDS},
                    )
                except (ValidationError, IntegrityError, PermissionDenied) as exc:
                    errors.append(_service_error(row, "code", exc))
                    raise _Abort from exc
            _request_statistics(actor, {parents[r["parent"]] for r in rows})
    except _Abort:
        return ImportResult(errors=errors)
    return ImportResult(imported=len(rows))


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
