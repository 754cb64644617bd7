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


# What each role may do in its subtree.
_HAZARD_ALL = {Perm.REGISTER_HAZARD, Perm.MANAGE_HAZARD, Perm.ACCEPT_HAZARD}
ROLE_PERMS = {
    Role.CITY_ADMIN: {Perm.VIEW, Perm.MANAGE_USERS, Perm.MANAGE_UNITS, Perm.RUN_JOBS} | _HAZARD_ALL,
    Role.CITY_STAFF: {Perm.VIEW, Perm.RUN_JOBS} | _HAZARD_ALL,
    Role.SAFETY_OFFICE: {Perm.VIEW, Perm.RUN_JOBS} | _HAZARD_ALL,
    Role.COUNTY_STAFF: {Perm.VIEW, Perm.MANAGE_USERS, Perm.RUN_JOBS} | _HAZARD_ALL,
    Role.SCHOOL_OFFICER: {Perm.VIEW, Perm.REGISTER_HAZARD, Perm.MANAGE_HAZARD},
    # Inspectors register what they find at the school gate; they do not run the loop.
    Role.INSPECTOR: {Perm.VIEW, Perm.REGISTER_HAZARD},
    Role.LEADER: {Perm.VIEW},
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
