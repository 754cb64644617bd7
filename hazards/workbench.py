"""The hazard register's section of the workbench (registered in ``HazardsConfig.ready``):
what is overdue or due soon, awaiting the user's acceptance, or still needs a consultation
meeting, with links into the register."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from campaign import access
from campaign.roles import Perm
from campaign.workbench import register_section
from hazards import selectors
from hazards.models import Hazard

DUE_DAYS = 3  # as the daily escalation: due in 3 days → the school
ROWS = 5


def _register_url(**params):
    return f"{reverse('hazards:hazard_list')}?{urlencode(params, doseq=True)}"


def section_context(user):
    """The section's context, or None for someone who sees no hazards at all."""
    paths = access.granted_paths(user)
    unrestricted = access.is_unrestricted(user)
    if not (unrestricted or paths.get(Perm.VIEW)):
        return None
    context = {
        "may_register": unrestricted or bool(paths.get(Perm.REGISTER_HAZARD)),
        "actions": selectors.workbench_hazards(
            user, today=timezone.localdate(), due_days=DUE_DAYS, rows=ROWS
        ),
    }
    open_statuses = [str(s) for s in Hazard.OPEN_STATUSES]
    context["urls"] = {
        "overdue": _register_url(overdue="yes", sort="deadline"),
        "due_soon": _register_url(status=open_statuses, overdue="no", sort="deadline"),
        "awaiting": _register_url(
            status=Hazard.Status.AWAITING_ACCEPTANCE.value, sort="submitted_at"
        ),
        "meeting": _register_url(grade=Hazard.Level.MAJOR.value, status=open_statuses),
    }
    return context


def register():
    register_section(
        "hazards/_workbench.html",
        section_context,
        links_template="hazards/_workbench_links.html",
        order=10,
    )
