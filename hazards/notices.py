"""How the hazard register's notifications read (registered with ``core.notices`` in
``HazardsConfig.ready``). Each renderer takes the parameters stored on the notification and
speaks the language active when it is shown."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import notices

REGISTERED = "hazard.registered"
AWAITING = "hazard.awaiting"
STATUS = "hazard.status"
DUE = "hazard.due"
OVERDUE = "hazard.overdue"
ESCALATED = "hazard.escalated"


def _placed(p):
    """The parameters with the school named together with the place at the school, so that a
    notice says where to go (“通州区实验小学（教学楼一楼东侧）”). Notices stored before the
    place was kept name the school alone."""
    if not p.get("location") or not p.get("school"):
        return p
    return p | {"school": _("%(school)s (%(location)s)") % p}


def _registered(p):
    return _("New hazard %(code)s at %(school)s: %(location)s") % p


def _awaiting(p):
    return _("Hazard %(code)s at %(school)s awaits your acceptance.") % _placed(p)


def _status(p):
    from hazards.models import Hazard

    shown = _placed(p) | {"status": Hazard.Status(p["status"]).label}
    if not shown.get("school"):
        return _("Hazard %(code)s is now “%(status)s”.") % shown
    return _("Hazard %(code)s at %(school)s is now “%(status)s”.") % shown


def _due(p):
    p = _placed(p)
    if p["days"] == 0:
        return _("Hazard %(code)s at %(school)s is due today (%(deadline)s).") % p
    return (
        ngettext(
            "Hazard %(code)s at %(school)s is due in %(days)s day (%(deadline)s).",
            "Hazard %(code)s at %(school)s is due in %(days)s days (%(deadline)s).",
            p["days"],
        )
        % p
    )


def _overdue(p):
    p = _placed(p)
    return (
        ngettext(
            "Hazard %(code)s at %(school)s is %(days)s day overdue (time limit %(deadline)s).",
            "Hazard %(code)s at %(school)s is %(days)s days overdue (time limit %(deadline)s).",
            p["days"],
        )
        % p
    )


def _escalated(p):
    p = _placed(p)
    if p.get("major"):
        return (
            ngettext(
                "Major hazard %(code)s at %(school)s is %(days)s day overdue "
                "(time limit %(deadline)s).",
                "Major hazard %(code)s at %(school)s is %(days)s days overdue "
                "(time limit %(deadline)s).",
                p["days"],
            )
            % p
        )
    return (
        _(
            "Escalated to the city: hazard %(code)s at %(school)s is %(days)s days overdue "
            "(time limit %(deadline)s)."
        )
        % p
    )


def register():
    for kind, render in (
        (REGISTERED, _registered),
        (AWAITING, _awaiting),
        (STATUS, _status),
        (DUE, _due),
        (OVERDUE, _overdue),
        (ESCALATED, _escalated),
    ):
        notices.register(kind, render)
