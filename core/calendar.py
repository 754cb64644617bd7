"""The registry of calendar sources: the campaign's dates, from whichever app owns them.

``core`` knows nothing of the campaign; each app registers a *source* in its
``AppConfig.ready`` (the weekly and monthly reports their deadlines, later the governance's key
periods, meetings and directive deadlines). The calendar page, its iCalendar feed and the
workbench's "due this week" (``reporting.calendar``) read every source through ``entries``.

A source is ``source(user, start, end) -> iterable of Entry`` for the days ``start`` to ``end``
(both included, dates in ``settings.TIME_ZONE``). It must return only what ``user`` may see:
a source reads through its own app's scoped selectors, so that the calendar is as scoped as
every other list.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    # Stable across requests and days: the iCalendar UID (with the portal's host added) and
    # the key a calendar program updates an event by. E.g. "weekly-school-2026W48-NT-TZ-0001".
    uid: str
    day: dt.date
    # What is due, in the active language, e.g. "Weekly report of 通州区实验小学 due".
    title: str
    # The source's name (see ``register``): the calendar's filter and its colour.
    kind: str
    # The local time on ``day`` the entry is due (a deadline), or None for an all-day entry.
    time: dt.time | None = None
    # A page of the portal for the entry ("" when there is none).
    url: str = ""
    # For a deadline: whether the user's units have met it (True), not yet (False); None
    # when that is not the question (a meeting, a key period).
    done: bool | None = None
    # Days the entry lasts (a key period); 1 for a deadline.
    days: int = 1
    # A line under the title (who has not submitted, the place of a meeting…), or "".
    detail: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    label: object  # a lazy translation: the name of this kind of date for the filter
    entries: Callable[..., Iterable[Entry]]
    order: int = 100


_sources: dict[str, Source] = {}


def register(name, label, entries, *, order=100) -> None:
    """Add (or replace: registering twice is harmless) a source of calendar entries."""
    _sources[name] = Source(name=name, label=label, entries=entries, order=order)


def sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.name))


def entries(user, start: dt.date, end: dt.date, *, kinds=None) -> list[Entry]:
    """Every source's entries for ``user`` from ``start`` to ``end`` (both included), in date
    and time order; ``kinds`` limits them to those sources' names."""
    found = []
    for source in sources():
        if kinds is not None and source.name not in kinds:
            continue
        for entry in source.entries(user, start, end):
            if start <= entry.day <= end or (
                entry.day < start and entry.day + dt.timedelta(days=entry.days - 1) >= start
            ):
                found.append(entry)
    return sorted(found, key=lambda e: (e.day, e.time or dt.time.min, e.kind, e.title, e.uid))
