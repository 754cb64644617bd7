"""Who may do what with key periods (S8) and their daily safety reports.

- Declare a key period: REVIEW_REPORTS at a city (for the whole city) or at a county (for its
  own subtree); edit it: the same, at the period's declaring unit.
- Expected to file a daily report on each day of a period: every active county and school in
  the declaring unit's subtree.
- File a unit's daily report: that unit's own people (SUBMIT_REPORTS held at the school or the
  county itself, as for incidents), never for a future day or a day outside the period; a
  report can be changed on its own day only.
- Remind those missing: REVIEW_REPORTS at a city or county, for the missing units in that
  scope.
"""

import datetime as dt

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm

Kind = OrgUnit.Kind
DECLARING_KINDS = (Kind.CITY, Kind.COUNTY)
REPORTING_KINDS = (Kind.COUNTY, Kind.SCHOOL)
# Today's daily report is due by this local time; the reminder job runs an hour before.
DUE_TIME = dt.time(17, 0)
REMINDER_CRONTAB = "0 16 * * *"


def declaring_units(user):
    """The cities and counties where the user may declare key periods (outermost grants)."""
    if access.is_unrestricted(user):
        return list(
            OrgUnit.objects.filter(kind__in=DECLARING_KINDS, is_active=True).order_by("path")
        )
    ids = [
        unit_id
        for unit_id, kind, _path in access.granted_units(user, Perm.REVIEW_REPORTS)
        if kind in DECLARING_KINDS
    ]
    if not ids:
        return []
    return list(OrgUnit.objects.filter(pk__in=ids, is_active=True).order_by("path"))


def may_declare(user) -> bool:
    if access.is_unrestricted(user):
        return True
    return any(
        kind in DECLARING_KINDS
        for _id, kind, _path in access.granted_units(user, Perm.REVIEW_REPORTS)
    )


def may_edit(user, period) -> bool:
    return access.has_perm_at(user, Perm.REVIEW_REPORTS, period.unit)


def may_remind(user) -> bool:
    return may_declare(user)


def reporting_unit_ids(user):
    """{id: path} of the counties and schools the user files daily reports for: where their
    SUBMIT_REPORTS grant is (no query: the grants are cached on the user)."""
    return {
        unit_id: path
        for unit_id, kind, path in access.granted_units(user, Perm.SUBMIT_REPORTS)
        if kind in REPORTING_KINDS
    }


def expects(period, unit) -> bool:
    """Whether ``unit`` files daily reports in ``period``."""
    return (
        unit.is_active and unit.kind in REPORTING_KINDS and unit.path.startswith(period.unit.path)
    )


def may_file(user, unit) -> bool:
    return unit.pk in reporting_unit_ids(user)
