"""Directive deadlines as a calendar source: the directives the user's units issued (done when
every receiving unit has confirmed) and those their units received (done once confirmed).
Two queries, whatever the window."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.directives import selectors
from core.calendar import Entry

NAME = "directives"
LABEL = gettext_lazy("Directive deadlines")


def entries(user, start, end):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    issued, received = selectors.deadlines(user, start, end)
    found = [
        Entry(
            uid=f"directive-{d.pk}-issued",
            day=d.deadline,
            title=_("Directive due: %(title)s") % {"title": d.title},
            kind=NAME,
            url=d.get_absolute_url(),
            done=d.pending == 0,
            detail=_("%(done)s of %(total)s units confirmed")
            % {"done": d.on_time + d.late, "total": d.total},
        )
        for d in issued
    ]
    found += [
        Entry(
            uid=f"directive-{r.directive_id}-{r.unit.code}",
            day=r.directive.deadline,
            title=_("Directive to confirm: %(title)s") % {"title": r.directive.title},
            kind=NAME,
            url=r.directive.get_absolute_url(),
            done=r.is_confirmed,
            detail=r.unit.name,
        )
        for r in received
    ]
    return found
