"""What the apps above ``campaign`` add to ``seed_demo`` and ``seed_scale``.

``campaign`` builds the tree and the people; each higher app registers a ``SeedExtension`` in
its ``AppConfig.ready`` (hazards adds the register), so the commands never import upwards.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SeedExtension:
    name: str
    # demo(city) -> a line for the summary, or ""
    demo: Callable | None = None
    # add_arguments(parser) for seed_scale's own options
    add_arguments: Callable | None = None
    # scale(root, options, log) -> a phrase for the summary, e.g. "2000000 hazards"
    scale: Callable | None = None
    # scale_reset(prefix, log) before the tree of that prefix is removed
    scale_reset: Callable | None = None


extensions: list[SeedExtension] = []


def register(extension: SeedExtension) -> None:
    if all(e.name != extension.name for e in extensions):
        extensions.append(extension)
