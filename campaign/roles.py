"""The roles of the campaign and the unit permissions each one carries.

A role is granted at one unit and holds for that unit's whole subtree. Later features add
permissions to a role here (and the codename to ``OrgUnit.Meta.permissions``); nothing else
needs to change for existing grants to carry them, once ``role_grants_sync`` has run.
"""

from campaign.models import OrgUnit, Role

__all__ = ["Perm", "Role", "ROLE_PERMS", "ROLE_UNIT_KINDS", "ROLE_MAY_GRANT", "all_unit_perms"]

Kind = OrgUnit.Kind


class Perm:
    """Codenames of the object permissions on ``OrgUnit`` (see its ``Meta.permissions``)."""

    VIEW = "view_orgunit"
    MANAGE_USERS = "manage_users"
    MANAGE_UNITS = "manage_units"
    RUN_JOBS = "run_jobs"
    REGISTER_HAZARD = "register_hazard"
    MANAGE_HAZARD = "manage_hazard"
    ACCEPT_HAZARD = "accept_hazard"
    # Unannounced inspections. Held at city level (or above) these make a supervisor, who sees
    # every plan of the city before its visits; held only at a county they reveal nothing
    # before a visit has started (inspections.policy).
    VIEW_INSPECTIONS = "view_inspections"
    MANAGE_INSPECTIONS = "manage_inspections"
    MANAGE_CHECKLISTS = "manage_checklists"
    # The reporting systems (reporting/): a unit fills and submits its own weekly report, its
    # experience items and (a county) its monthly upload confirmation; the level above reviews
    # and returns; the city drafts and publishes briefings.
    SUBMIT_REPORTS = "submit_reports"
    REVIEW_REPORTS = "review_reports"
    MANAGE_BRIEFINGS = "manage_briefings"


# What each role may do in its subtree.
_HAZARD_ALL = {Perm.REGISTER_HAZARD, Perm.MANAGE_HAZARD, Perm.ACCEPT_HAZARD}
_SUPERVISE = {Perm.VIEW_INSPECTIONS, Perm.MANAGE_INSPECTIONS}
_REPORT_ALL = {Perm.SUBMIT_REPORTS, Perm.REVIEW_REPORTS}
_CITY_REPORTING = _REPORT_ALL | {Perm.MANAGE_BRIEFINGS}
ROLE_PERMS = {
    Role.CITY_ADMIN: {Perm.VIEW, Perm.MANAGE_USERS, Perm.MANAGE_UNITS, Perm.RUN_JOBS}
    | _HAZARD_ALL
    | _SUPERVISE
    | _CITY_REPORTING
    | {Perm.MANAGE_CHECKLISTS},
    Role.CITY_STAFF: {Perm.VIEW, Perm.RUN_JOBS} | _HAZARD_ALL | _SUPERVISE | _CITY_REPORTING,
    Role.SAFETY_OFFICE: {Perm.VIEW, Perm.RUN_JOBS} | _HAZARD_ALL | _SUPERVISE | _CITY_REPORTING,
    Role.COUNTY_STAFF: {Perm.VIEW, Perm.MANAGE_USERS, Perm.RUN_JOBS} | _HAZARD_ALL | _REPORT_ALL,
    Role.SCHOOL_OFFICER: {
        Perm.VIEW,
        Perm.REGISTER_HAZARD,
        Perm.MANAGE_HAZARD,
        Perm.SUBMIT_REPORTS,
    },
    # Inspectors register what they find at the school gate; they do not run the loop.
    Role.INSPECTOR: {Perm.VIEW, Perm.REGISTER_HAZARD},
    # City-level leaders read plans before the visits; a county leader's grant reveals nothing.
    Role.LEADER: {Perm.VIEW, Perm.VIEW_INSPECTIONS},
}

# At which kinds of unit a role may be granted.
ROLE_UNIT_KINDS = {
    Role.CITY_ADMIN: {Kind.PROVINCE, Kind.CITY},
    Role.CITY_STAFF: {Kind.PROVINCE, Kind.CITY},
    Role.SAFETY_OFFICE: {Kind.CITY},
    Role.COUNTY_STAFF: {Kind.COUNTY},
    Role.SCHOOL_OFFICER: {Kind.SCHOOL},
    Role.INSPECTOR: {Kind.CITY, Kind.COUNTY},
    Role.LEADER: {Kind.PROVINCE, Kind.CITY, Kind.COUNTY},
}

# Which roles a holder of this role may grant inside its own subtree. County staff manage
# their county's people but cannot create city-level roles.
ROLE_MAY_GRANT = {
    Role.CITY_ADMIN: set(Role),
    Role.COUNTY_STAFF: {Role.COUNTY_STAFF, Role.SCHOOL_OFFICER, Role.INSPECTOR, Role.LEADER},
}


def all_unit_perms():
    return sorted(set().union(*ROLE_PERMS.values()))
