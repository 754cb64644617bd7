"""Every write of the campaign app, by subject: the organisation tree, people and roles, and
the jobs it offers. Callers import from here (``from campaign import services``).

Services are keyword-only, take the acting user, run in one transaction, write an audit entry
(``core.services.audit``) and queue background work with ``transaction.on_commit``.
"""

from campaign.services.jobs import (
    ORG_STATISTICS,
    job_run_request,
    job_run_rerun,
    org_statistics_rebuild,
    org_statistics_request,
    org_statistics_schedule,
    register_jobs,
)
from campaign.services.people import (
    role_grant,
    role_grants_sync,
    role_revoke,
    user_create,
    user_set_active,
    user_update,
    user_update_own_settings,
)
from campaign.services.units import SCHOOL_FIELDS, orgunit_create, orgunit_set_path, school_update

__all__ = [
    "ORG_STATISTICS",
    "SCHOOL_FIELDS",
    "job_run_request",
    "job_run_rerun",
    "org_statistics_rebuild",
    "org_statistics_request",
    "org_statistics_schedule",
    "orgunit_create",
    "orgunit_set_path",
    "register_jobs",
    "role_grant",
    "role_grants_sync",
    "role_revoke",
    "school_update",
    "user_create",
    "user_set_active",
    "user_update",
    "user_update_own_settings",
]
