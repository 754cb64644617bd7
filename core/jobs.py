"""The registry of background job kinds, and what a handler may hand back or raise.

Each app registers the jobs it owns (in its ``AppConfig.ready``) with a handler that does the
work for one ``JobRun``; the single Celery task ``core.tasks.job_run_task`` runs any of them.
This keeps ``core`` free of imports from the apps above it.

A handler is ``handler(job_run, report_progress)``; ``report_progress(percent)`` also extends
the run's lease. It returns ``None``, a ``ProducedFile`` or an ``Outcome`` (a file and/or
counts recorded on the run), and raises ``JobFailed(reason)`` for a failure it can name.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ProducedFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class Outcome:
    """What a run produced: an optional file and what it did (JSON-able counts)."""

    file: ProducedFile | None = None
    result: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    kind: str
    label: str
    # handler(job_run, report_progress) -> ProducedFile | Outcome | None
    handler: Callable
    # Who may start it: a unit permission codename, checked by the app that offers the button
    # (campaign.access understands them).
    perm: str
    # describe(result dict) -> text in the active language, for the run's page; None: nothing.
    describe: Callable | None = None


class JobFailed(Exception):
    """Raised by a handler for a failure it can name: ``reason`` is a key of ``REASONS``."""

    def __init__(self, reason, detail=""):
        super().__init__(detail or reason)
        self.reason = reason


# Why a run failed, as everyone but a city administrator reads it. %(attempts)s is how many
# times the run was started.
REASONS = {
    "error": _("The job stopped because of an error. A city administrator can see the details."),
    "worker_lost": _(
        "The worker running the job stopped responding; the job was given up after "
        "%(attempts)s attempts."
    ),
    "database": _(
        "The database could not be reached; the job was given up after %(attempts)s attempts."
    ),
    "unknown_kind": _("This kind of job no longer exists."),
    "requester_gone": _(
        "The person who asked for this job no longer has an active account, so it cannot run."
    ),
}

registry: dict[str, Job] = {}


def register(kind: str, label, handler: Callable, *, perm: str, describe=None) -> None:
    registry[kind] = Job(kind=kind, label=label, handler=handler, perm=perm, describe=describe)


def register_reason(code: str, text) -> None:
    """Add a failure reason an app's handlers raise (``text``: a lazy translation)."""
    REASONS[code] = text


def get(kind: str) -> Job | None:
    return registry.get(kind)


def reason_text(run) -> str:
    text = REASONS.get(run.reason) or REASONS["error"]
    return str(text) % {"attempts": run.attempts}


def summary_text(run) -> str:
    job = registry.get(run.kind)
    if not run.result or job is None or job.describe is None:
        return ""
    try:
        return str(job.describe(run.result))
    except (KeyError, TypeError, ValueError):  # a result written by an older version
        return ""


def publication_progress(run, *, publishing: bool, done: bool) -> dict:
    """What the card of a document published by a job shows (templates/campaign/jobs/
    _publication.html): the ``run``; ``live`` while the document is ``publishing`` and the run is
    still queued or running (the card then reloads itself); ``failed`` when the run failed and
    the document is not ``done`` (published by another run since)."""
    from core.models import JobRun  # here: core.models imports this module

    running = run is not None and run.state in (JobRun.State.QUEUED, JobRun.State.RUNNING)
    return {
        "run": run,
        "live": publishing and running,
        "failed": not done and run is not None and run.state == JobRun.State.FAILED,
    }
