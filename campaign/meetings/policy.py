"""Who may do what with a meeting (S2, S3, S12).

- Record a meeting: the people of a unit who report or review at that unit itself (a school's
  officer records its quarterly analysis meeting; a county's staff their county's meetings).
- Summon lower units to it: only a city or a county, by the people who review its reports
  there (the Safety & Stability Office at the city) — the same people who issue directives.
- See: whoever sees the holding unit (it and the levels above); a summoned unit's people see the
  meeting and their own summons, not the other units' rows.
- Ask for leave: the summoned unit's own people, before the meeting starts.
- Decide leave and record attendance: whoever reviews reports at the holding unit.
"""

from campaign import access
from campaign.directives import policy as directive_policy
from campaign.models import OrgUnit
from campaign.roles import Perm

Kind = OrgUnit.Kind
RECORDING_PERMS = (Perm.SUBMIT_REPORTS, Perm.REVIEW_REPORTS)


def _own_level(user, perm, unit) -> bool:
    """The user holds ``perm`` at ``unit`` itself (not only above it)."""
    if access.is_unrestricted(user):
        return True
    return unit.kind in access.levels_at(user, perm, unit)


def units_holding_for(user):
    """The units the user may record meetings of: where their reporting grant is."""
    found = {}
    for perm in RECORDING_PERMS:
        for unit in access.top_units(user, perm).order_by("path"):
            found.setdefault(unit.pk, unit)
    return sorted(found.values(), key=lambda u: u.path)


def unit_ids_holding(user):
    """The ids of ``units_holding_for``, read from the grants already loaded (no query but
    for the unrestricted): the workbench and the calendar ask this on every page."""
    if access.is_unrestricted(user):
        return [u.pk for u in units_holding_for(user)]
    return sorted(
        {pk for perm in RECORDING_PERMS for pk, _kind, _path in access.granted_units(user, perm)}
    )


def unit_ids_summoning(user):
    """The ids of the cities and counties where the user decides leave and takes attendance."""
    if access.is_unrestricted(user):
        return [u.pk for u in directive_policy.units_issuing_for(user)]
    return sorted(
        pk
        for pk, kind, _path in access.granted_units(user, Perm.REVIEW_REPORTS)
        if kind in directive_policy.ISSUING_KINDS
    )


def units_summoning_for(user):
    return directive_policy.units_issuing_for(user)


def may_record(user) -> bool:
    return bool(unit_ids_holding(user))


def may_summon(user, unit) -> bool:
    return unit.kind in directive_policy.ISSUING_KINDS and _own_level(
        user, Perm.REVIEW_REPORTS, unit
    )


def sees_holder(user, meeting) -> bool:
    return access.has_perm_at(user, Perm.VIEW, meeting.unit)


def may_edit(user, meeting) -> bool:
    """Write the minutes and decisions, add files: the holding unit's own people."""
    return any(_own_level(user, perm, meeting.unit) for perm in RECORDING_PERMS)


def may_record_attendance(user, meeting) -> bool:
    """The convening unit's own reviewers (the city's Safety & Stability Office for the
    city's conference), not the levels above it."""
    return meeting.unit.kind in directive_policy.ISSUING_KINDS and _own_level(
        user, Perm.REVIEW_REPORTS, meeting.unit
    )


def may_ask_leave(user, summons) -> bool:
    return _own_level(user, Perm.SUBMIT_REPORTS, summons.unit)


def may_decide_leave(user, summons) -> bool:
    return may_record_attendance(user, summons.meeting)
