"""What the shell layout needs on every page: the brand (the portal and the issuing
bureau), and the user's navigation built from their grants (read once per request by
``campaign.access``)."""

from django.conf import settings
from django.utils import translation

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm

# Which navigation entry a page belongs to, by URL name (every page of the hazard register's
# namespace belongs to "hazards"; no import of that app here).
_SECTIONS = {
    "workbench": "workbench",
    "org_tree": "tree",
    "county_detail": "tree",
    "school_list": "schools",
    "school_detail": "schools",
    "school_edit": "schools",
    "user_list": "people",
    "user_new": "people",
    "user_detail": "people",
    "user_grant": "people",
    "grant_revoke": "people",
    "user_active": "people",
    "import_upload": "people",
    "job_list": "jobs",
    "job_detail": "jobs",
    "statistics_start": "jobs",
    "notification_list": "notifications",
}
_NAMESPACE_SECTIONS = {"hazards": "hazards", "inspections": "inspections", "reporting": "reporting"}
# 工作推进: the governance pages, by the prefix of their URL names; an incident report is a
# report (信息报送).
_PREFIX_SECTIONS = (
    ("workgroup_", "governance"),
    ("plan_", "governance"),
    ("directive_", "governance"),
    ("key_period_", "governance"),
    ("daily_report_", "governance"),
    ("meeting_", "governance"),
    ("accountability_", "governance"),
    ("incident_", "reporting"),
)


def _section(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name = match.url_name or ""
    section = _NAMESPACE_SECTIONS.get(match.namespace) or _SECTIONS.get(name)
    if section:
        return section
    return next((s for prefix, s in _PREFIX_SECTIONS if name.startswith(prefix)), "")


def bureau_name():
    """The issuing bureau's name in the interface's language (a proper name: set, not
    translated)."""
    if (translation.get_language() or "").startswith("en"):
        return settings.PORTAL_BUREAU_EN or settings.PORTAL_BUREAU
    return settings.PORTAL_BUREAU


def shell(request):
    context = {"portal_name": settings.PORTAL_NAME, "portal_bureau": bureau_name()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    unrestricted = access.is_unrestricted(user)
    paths = access.granted_paths(user)
    context.update(
        nav_can_manage_users=unrestricted or bool(paths.get(Perm.MANAGE_USERS)),
        nav_can_run_jobs=unrestricted or bool(paths.get(Perm.RUN_JOBS)),
        nav_has_scope=unrestricted or bool(paths.get(Perm.VIEW)),
        # The register's import page is for those who may register hazards somewhere.
        nav_can_register_hazards=unrestricted or bool(paths.get(Perm.REGISTER_HAZARD)),
        # 督查检查: everyone with a scope (a school sees its visits once started, and its
        # notices), so that the entry's presence says nothing about any plan; no query.
        nav_can_inspect=unrestricted
        or bool(paths.get(Perm.VIEW) or paths.get(Perm.VIEW_INSPECTIONS)),
        nav_can_checklists=unrestricted
        or bool(paths.get(Perm.VIEW_INSPECTIONS) or paths.get(Perm.MANAGE_CHECKLISTS)),
        # 信息报送: those who review weekly reports (county staff, the city) get the inbox,
        # the rates and the key-supervision list; a school or county that fills its own report
        # gets "my weekly reports"; the city's staff (briefings) and its administrator (the
        # provincial format, run now) their own entries. Everyone with a scope reads the
        # briefings and the calendar.
        nav_can_review_reports=unrestricted or bool(paths.get(Perm.REVIEW_REPORTS)),
        nav_fills_reports=any(
            kind in (OrgUnit.Kind.SCHOOL, OrgUnit.Kind.COUNTY)
            for _pk, kind, _path in access.granted_units(user, Perm.SUBMIT_REPORTS)
        ),
        nav_county_reports=any(
            kind == OrgUnit.Kind.COUNTY
            for _pk, kind, _path in access.granted_units(user, Perm.SUBMIT_REPORTS)
        ),
        nav_city_reporting=unrestricted
        or any(
            kind in (OrgUnit.Kind.CITY, OrgUnit.Kind.PROVINCE)
            for _pk, kind, _path in access.granted_units(user, Perm.REVIEW_REPORTS)
        ),
        nav_can_manage_briefings=unrestricted or bool(paths.get(Perm.MANAGE_BRIEFINGS)),
        nav_can_manage_units=unrestricted or bool(paths.get(Perm.MANAGE_UNITS)),
        nav_section=_section(request),
    )
    return context
