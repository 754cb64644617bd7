"""What the calendar's pages and the workbench add to core.calendar's entries: each kind's
colour and the state of a deadline (done, not yet, missed) as the user reads it today."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core import calendar

# Bootstrap's contextual colours, in the sources' order; a kind keeps its colour on every page.
PALETTE = ("primary", "success", "info", "warning", "secondary", "dark")
STATES = {
    "done": _("done"),
    "open": _("not yet"),
    "missed": _("not met"),
}


def colours():
    return {s.name: PALETTE[i % len(PALETTE)] for i, s in enumerate(calendar.sources())}


def kinds():
    """[(name, label, colour)] of every source, for the filter and the legend."""
    c = colours()
    return [(s.name, s.label, c[s.name]) for s in calendar.sources()]


@dataclass(frozen=True)
class Shown:
    entry: calendar.Entry
    colour: str
    state: str  # "done", "open", "missed" or "" (not a deadline)

    @property
    def state_label(self):
        return STATES.get(self.state, "")

    def __getattr__(self, name):  # the entry's fields, for the templates
        return getattr(self.entry, name)


def state_of(entry, today):
    if entry.done is None:
        return ""
    if entry.done:
        return "done"
    return "missed" if entry.day < today else "open"


def decorate(entries, *, today):
    c = colours()
    return [Shown(e, c.get(e.kind, "secondary"), state_of(e, today)) for e in entries]
