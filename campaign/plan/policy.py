"""Who may do what with a campaign document (S5, 实施方案).

- Manage (write a new document, edit its draft, issue it, start the next draft): the issuing
  unit's own managers, i.e. REVIEW_REPORTS held at a unit of the issuer's own level (the city's
  staff and Safety & Stability Office for the city, the county's staff for a county). The city
  does not edit a county's plan: each county issues its own.
- Comment on a draft: the people of a unit it concerns (or of the issuer), whose grant is at
  that unit itself; the comment is in that unit's name.
- See the drafts: whoever sees the issuer or one of the concerned units (scope).
- See the issued versions: also everyone below the issuer (``selectors``).
"""

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm

Kind = OrgUnit.Kind
ISSUER_KINDS = (Kind.CITY, Kind.COUNTY)


def may_manage_at(user, unit) -> bool:
    return unit.kind in ISSUER_KINDS and unit.kind in access.levels_at(
        user, Perm.REVIEW_REPORTS, unit
    )


def issuing_units_for(user):
    """The cities and counties whose documents the user may write."""
    units = access.units_where(user, Perm.REVIEW_REPORTS).filter(kind__in=ISSUER_KINDS)
    return [u for u in units.order_by("path") if may_manage_at(user, u)]


def may_manage(user, document) -> bool:
    return may_manage_at(user, document.issuer)


def comment_units(user, document, concerned):
    """The units in whose name the user may comment: the concerned units (and the issuer)
    where the user's own grant is."""
    if not getattr(user, "is_authenticated", False):
        return []
    own = {path for _, _, path in access.granted_units(user, Perm.VIEW)}
    return [u for u in [document.issuer, *concerned] if u.path in own]


def may_see_drafts(user, document, concerned) -> bool:
    return access.has_perm_at(user, Perm.VIEW, document.issuer) or any(
        access.has_perm_at(user, Perm.VIEW, u) for u in concerned
    )
