"""Who may do what with a directive (交办事项, S2).

- Issue: the people of a city or county who review its reports (REVIEW_REPORTS held at that
  unit itself): city staff, the Safety & Stability Office, county staff. A directive goes to
  units below the issuing unit only.
- See: whoever sees the issuing unit (it and the levels above), and the people of a receiving
  unit (they see the directive and their own receipt, not the other units' rows).
- Confirm: the receiving unit's own people (SUBMIT_REPORTS held at that unit itself), so that
  the city cannot confirm on a county's behalf.
- Remind: whoever may review reports at the issuing unit.
- Pass on (cascade): the receiving county's own reviewers, once per receipt, to its schools.
"""

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm

Kind = OrgUnit.Kind
ISSUING_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY)


def _own_level(user, perm, unit) -> bool:
    """The user holds ``perm`` at ``unit`` itself (not only above it)."""
    if access.is_unrestricted(user):
        return True
    return unit.kind in access.levels_at(user, perm, unit)


def units_issuing_for(user):
    """The cities and counties the user may issue directives for: where their grant is."""
    return [
        u
        for u in access.top_units(user, Perm.REVIEW_REPORTS).order_by("path")
        if u.kind in ISSUING_KINDS
    ]


def may_issue(user) -> bool:
    return bool(units_issuing_for(user))


def sees_issuer(user, directive) -> bool:
    return access.has_perm_at(user, Perm.VIEW, directive.issuer)


def may_remind(user, directive) -> bool:
    return access.has_perm_at(user, Perm.REVIEW_REPORTS, directive.issuer)


def may_confirm(user, receipt) -> bool:
    return _own_level(user, Perm.SUBMIT_REPORTS, receipt.unit)


def may_pass_on(user, receipt) -> bool:
    """A county's own reviewers pass a directive it received on to its schools (once)."""
    return receipt.unit.kind in (Kind.CITY, Kind.COUNTY) and _own_level(
        user, Perm.REVIEW_REPORTS, receipt.unit
    )
