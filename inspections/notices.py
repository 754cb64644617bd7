"""How the inspections' notifications read (registered in ``InspectionsConfig.ready``)."""

from django.utils.translation import gettext as _

from core import notices

TEAM = "inspection.team"


def _team(p):
    return _("You are on the team of the inspection “%(title)s” (from %(start)s).") % p


def register():
    notices.register(TEAM, _team)
