"""Who may do what to one hazard (DESIGN §3): services, selectors and views all ask here, so
that each rule is written once.

Two kinds of answer:

- ``may_*(user, hazard)`` — a yes or no for screens and lists (the buttons a page offers);
- ``require_*(user, hazard)`` — for services: raise ``OutOfScope`` when the hazard is out of
  the user's sight (404), ``NotPermitted`` when they may not do this (403), or a
  ``ValidationError`` with a ``code`` and a message for the user when a rule of the loop
  refuses it (a county accepting a major hazard).

The state a step starts from is checked again by the service on the locked row; the ``may_*``
answers read the state the page was built from.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from campaign import access
from campaign.models import OrgUnit
from campaign.roles import Perm
from core.errors import NotPermitted, OutOfScope
from hazards.models import Evidence, Hazard

Kind = OrgUnit.Kind
Status = Hazard.Status
Level = Hazard.Level
AcceptanceLevel = Hazard.AcceptanceLevel

# DESIGN §5: the county accepts general hazards, the city major ones; a higher level may always
# act for a lower one. The consultation meeting a major hazard calls for (S12) is recorded at
# the level that accepts it.
ACCEPTED_AT = {
    Level.GENERAL: (Kind.COUNTY, Kind.CITY, Kind.PROVINCE),
    Level.MAJOR: (Kind.CITY, Kind.PROVINCE),
}
_RANK = {Kind.COUNTY: 1, Kind.CITY: 2, Kind.PROVINCE: 3}

EDITABLE_STATUSES = (Status.REPORTED, Status.PLANNED, Status.RECTIFYING)
# Who may write a comment: anyone who takes part in the hazard's register at its school.
# Reading is not enough: a leader's instruction (批示) would be a permission of its own.
COMMENT_PERMS = (Perm.REGISTER_HAZARD, Perm.MANAGE_HAZARD, Perm.ACCEPT_HAZARD)


# --- Scope and plain permissions ---------------------------------------------------------


def may_view(user, hazard):
    return access.has_perm_at(user, Perm.VIEW, hazard.school)


def require_perm(user, perm, hazard):
    """``OutOfScope`` when the hazard is out of sight, ``NotPermitted`` without ``perm``."""
    if not may_view(user, hazard):
        raise OutOfScope
    if not access.has_perm_at(user, perm, hazard.school):
        raise NotPermitted


def may_manage(user, hazard):
    """Keep the hazard's record and run its rectification (the school, its county, the city)."""
    return access.has_perm_at(user, Perm.MANAGE_HAZARD, hazard.school)


def may_edit(user, hazard):
    return may_manage(user, hazard) and hazard.status in EDITABLE_STATUSES


def may_set_deadline(user, hazard):
    """Changing the time limit after registration is for the supervising level."""
    return access.has_perm_at(user, Perm.ACCEPT_HAZARD, hazard.school)


def may_start(user, hazard):
    return hazard.status == Status.PLANNED and may_manage(user, hazard)


def may_submit(user, hazard):
    return hazard.status == Status.RECTIFYING and may_manage(user, hazard)


def attach_perm(kind):
    """A before-photo is part of registering; every other file is part of the rectification."""
    return Perm.REGISTER_HAZARD if kind == Evidence.Kind.BEFORE else Perm.MANAGE_HAZARD


def may_attach(user, hazard, kind):
    return hazard.is_open and access.has_perm_at(user, attach_perm(kind), hazard.school)


def may_comment(user, hazard):
    return any(access.has_perm_at(user, perm, hazard.school) for perm in COMMENT_PERMS)


def require_comment(user, hazard):
    if not may_view(user, hazard):
        raise OutOfScope
    if not may_comment(user, hazard):
        raise NotPermitted


# --- Acceptance: the level the hazard's grade requires -------------------------------------


def _levels(user, hazard):
    """The kinds of the units covering the hazard's school where the user may accept.

    A superuser acts at least for the city (the portal's top level in a city deployment)."""
    kinds = {
        kind
        for _unit_id, kind, path in access.granted_units(user, Perm.ACCEPT_HAZARD)
        if hazard.school.path.startswith(path)
    }
    if access.is_unrestricted(user):
        kinds.add(Kind.CITY)
    return kinds


def acceptance_level(user, hazard):
    """The level at which ``user`` accepts ``hazard`` (an ``AcceptanceLevel`` value), or None
    when their acceptance permission here is not at a level the hazard's grade allows. The
    highest qualifying level is the one recorded."""
    if not access.has_perm_at(user, Perm.ACCEPT_HAZARD, hazard.school):
        return None
    allowed = [k for k in _levels(user, hazard) if k in ACCEPTED_AT[hazard.level]]
    if not allowed:
        return None
    return AcceptanceLevel(max(allowed, key=_RANK.__getitem__))


def may_accept_level(user, hazard):
    return acceptance_level(user, hazard) is not None


def level_refusal(hazard):
    """The message that explains who accepts this hazard."""
    if hazard.level == Level.MAJOR:
        return ValidationError(_("A major hazard is accepted by the city."), code="level")
    return ValidationError(_("A hazard is accepted by the county or the city."), code="level")


def require_acceptor(user, hazard):
    """Accept, send back or reopen: the acceptance permission, at the level the grade requires.
    Returns the level recorded for an acceptance."""
    require_perm(user, Perm.ACCEPT_HAZARD, hazard)
    level = acceptance_level(user, hazard)
    if level is None:
        raise level_refusal(hazard)
    return level


def require_not_rectifier(user, hazard):
    """Acceptance is by someone other than the person who rectified it (DESIGN §5)."""
    if hazard.rectified_by_id is not None and hazard.rectified_by_id == user.pk:
        raise ValidationError(
            _("The person who rectified a hazard cannot also accept it."), code="rectifier"
        )


def may_accept(user, hazard):
    return (
        hazard.status == Status.AWAITING_ACCEPTANCE
        and hazard.rectified_by_id != user.pk
        and may_accept_level(user, hazard)
    )


def may_reject(user, hazard):
    return hazard.status == Status.AWAITING_ACCEPTANCE and may_accept_level(user, hazard)


def may_reopen(user, hazard):
    return hazard.status == Status.CLOSED and may_accept_level(user, hazard)


def acceptable_q(user):
    """A Q over hazards: those ``user`` may accept by the rule of ``acceptance_level``, built
    from the cached grants without a query (for the workbench's lists)."""
    if access.is_unrestricted(user):
        return Q()
    q = Q(pk__in=[])
    for level, kinds in ACCEPTED_AT.items():
        units = Q(pk__in=[])
        for unit_id, kind, path in access.granted_units(user, Perm.ACCEPT_HAZARD):
            if kind not in kinds:
                continue
            if kind == Kind.COUNTY:
                units |= Q(county_id=unit_id)
            elif kind == Kind.CITY:
                units |= Q(city_id=unit_id)
            else:
                units |= Q(city__path__startswith=path)
        q |= Q(level=level) & units
    return q


# --- The consultation meeting of a major hazard (S12) --------------------------------------


def require_meeting(user, hazard):
    """Only a major hazard calls for a consultation meeting, and the level that accepts it
    (the city) records it."""
    require_perm(user, Perm.ACCEPT_HAZARD, hazard)
    if not hazard.is_major:
        raise ValidationError(
            _("Only a major hazard calls for a consultation meeting."), code="not_major"
        )
    if acceptance_level(user, hazard) is None:
        raise ValidationError(
            _("The consultation meeting on a major hazard is recorded by the city."),
            code="level",
        )


def may_record_meeting(user, hazard):
    return hazard.is_major and may_accept_level(user, hazard)


def may_record_meetings(user):
    """Whether ``user`` records consultation meetings anywhere (holds the acceptance permission
    at a level that accepts major hazards): the workbench shows the list only to them."""
    if access.is_unrestricted(user):
        return True
    kinds = ACCEPTED_AT[Level.MAJOR]
    return any(kind in kinds for _id, kind, _path in access.granted_units(user, Perm.ACCEPT_HAZARD))


def meeting_q(user):
    """A Q over hazards whose consultation meeting ``user`` may record (major ones they accept)."""
    return Q(level=Level.MAJOR) & acceptable_q(user)


# --- What a page offers --------------------------------------------------------------------

# The permission each step of the loop needs (the level and the state come on top).
STEP_PERMS = {
    "start": Perm.MANAGE_HAZARD,
    "submit": Perm.MANAGE_HAZARD,
    "accept": Perm.ACCEPT_HAZARD,
    "reject": Perm.ACCEPT_HAZARD,
    "reopen": Perm.ACCEPT_HAZARD,
}

ACTIONS = (
    ("start", may_start),
    ("submit", may_submit),
    ("accept", may_accept),
    ("reject", may_reject),
    ("reopen", may_reopen),
)


def actions(user, hazard):
    """The closed-loop actions ``user`` may take on ``hazard`` now, in the loop's order."""
    return [name for name, may in ACTIONS if may(user, hazard)]
