"""The finding's links on a hazard's page (registered with ``hazards.links``): the visit that
found it, and the visits that re-checked it — each only if the user may see that visit, so a
re-check in a sealed plan stays invisible to the school until its visit starts."""

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from inspections import policy
from inspections.models import Answer


def hazard_links(hazard, user):
    answers = Answer.objects.filter(Q(hazard=hazard) | Q(recheck__hazard=hazard)).select_related(
        "visit", "visit__plan", "visit__plan__city"
    )
    links = []
    for answer in answers.order_by("answered_at", "id"):
        visit = answer.visit
        if not policy.may_see_visit(user, visit):
            continue
        when = visit.finished_at or visit.started_at
        # In the portal's time zone and as a sentence writes it (2019年12月13日).
        date = date_format(timezone.localtime(when).date()) if when else "—"
        if answer.hazard_id == hazard.pk:
            label = _("Found at the unannounced inspection visit of %(date)s") % {"date": date}
        else:
            label = _("Re-checked at the unannounced inspection visit of %(date)s") % {"date": date}
        links.append((label, visit.get_absolute_url()))
    return links
