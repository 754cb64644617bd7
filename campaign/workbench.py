"""What the apps above ``campaign`` add to the workbench.

``campaign`` sits at the bottom of the app layers and never imports the apps above it; each of
them registers a section here from its ``AppConfig.ready`` (the hazard register adds what is
due, overdue and awaiting acceptance), so the workbench view stays in ``campaign``.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkbenchSection:
    template_name: str
    # context_fn(user) -> the section's context, or None when it has nothing for this user
    context_fn: Callable
    # Optional list-group items for the workbench's "Quick links" card.
    links_template: str = ""
    order: int = 100


_sections: dict[str, WorkbenchSection] = {}


def register_section(template_name, context_fn, *, links_template="", order=100):
    """Add (or replace, so that registering twice is harmless) a section of the workbench."""
    _sections[template_name] = WorkbenchSection(
        template_name=template_name,
        context_fn=context_fn,
        links_template=links_template,
        order=order,
    )


def sections_for(user):
    """[{"template_name", "links_template", "context"}] of the sections that have something
    for ``user``, in their order."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.template_name)):
        context = section.context_fn(user)
        if context is not None:
            shown.append(
                {
                    "template_name": section.template_name,
                    "links_template": section.links_template,
                    "context": context,
                }
            )
    return shown
