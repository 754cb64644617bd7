"""The registry of briefing sections: what a campaign briefing (工作简报, S13) is drafted from.

Each reporting part (and later the governance) registers the sections it can write from live
data. Drafting a briefing calls every section's ``collect`` once and stores what it returned
(a snapshot, JSON-able) on the draft, so that the page, the preview and the published PDF all
show the same figures, however the register moves on; staff then edit the section's text.

``collect(city, since, until)``: the snapshot for ``city`` from ``since`` (the previous issue's
publication, or None for the first issue) to ``until`` (now), or None when the section has
nothing to say. ``template_name`` renders a snapshot, in the page and in the PDF alike, with
``{"data": snapshot}``; it must not query the database.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # a lazy translation
    collect: Callable
    template_name: str
    order: int = 100


_sections: dict[str, Section] = {}


def register(key, title, collect, template_name, *, order=100) -> None:
    """Add (or replace: registering twice is harmless) a section briefings are drafted from."""
    _sections[key] = Section(
        key=key, title=title, collect=collect, template_name=template_name, order=order
    )


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def get(key) -> Section | None:
    return _sections.get(key)
