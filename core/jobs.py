"""The registry of background job kinds.

Each app registers the jobs it owns (in its ``AppConfig.ready``) with a handler that does the
work for one ``JobRun``; the single Celery task ``core.tasks.job_run_task`` runs any of them.
This keeps ``core`` free of imports from the apps above it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProducedFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class Job:
    kind: str
    label: str
    # handler(job_run, report_progress) -> ProducedFile | None; report_progress(int 0–100)
    handler: Callable
    # Who may start it: a unit permission codename, checked by the app that offers the button
    # (campaign.access understands them).
    perm: str


registry: dict[str, Job] = {}


def register(kind: str, label, handler: Callable, *, perm: str) -> None:
    registry[kind] = Job(kind=kind, label=label, handler=handler, perm=perm)


def get(kind: str) -> Job | None:
    return registry.get(kind)
