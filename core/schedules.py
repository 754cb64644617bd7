"""The periodic tasks beat runs, declared in code and written to django-celery-beat's tables.

``manage.py sync_schedules`` (run by ``make run`` and at deploy) makes the database match this
list, so that no schedule is created by hand. Administrators see the rows in the admin and may
pause one (its ``enabled`` flag is kept); timing and task follow the code. Each app declares its
own schedules with ``declare`` in its ``AppConfig.ready``.
"""

from dataclasses import dataclass

from django.conf import settings

# Marks the rows this module owns, so that a schedule removed from the code is removed too.
DECLARED = "Declared in code (core.schedules); kept in step by manage.py sync_schedules."
# What the rows said before the schedules moved to core: still ours.
DECLARED_BEFORE = (
    "Declared in code (campaign.schedules); kept in step by manage.py sync_schedules.",
)


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_seconds: int | None = None
    # "minute hour day_of_month month_of_year day_of_week", in settings.TIME_ZONE
    crontab: str | None = None
    # A message not picked up within this many seconds is dropped (no pile-up while down).
    expire_seconds: int | None = None
    # What it does, for the city administrator's "run now" page (a lazy translation); a
    # schedule without one (infrastructure: the heartbeat, the sweeper) is not offered there.
    label: object = ""


_declared: dict[str, Schedule] = {}


def declare(schedule: Schedule) -> None:
    """Add (or replace: declaring twice is harmless) a periodic task."""
    if (schedule.every_seconds is None) == (schedule.crontab is None):
        raise ValueError(f"{schedule.name}: give exactly one of every_seconds and crontab")
    _declared[schedule.name] = schedule


def declared() -> list[Schedule]:
    """Core's own schedules (read from the settings now) and those the apps declared."""
    by_name = {s.name: s for s in _own()}
    by_name.update(_declared)
    return list(by_name.values())


def _own():
    # /healthz counts a worker as alive while this row is fresh: the filesystem broker has no
    # remote control, so a ping cannot be used (docs/decisions.md).
    return [
        Schedule(
            name="worker heartbeat",
            task="core.tasks.worker_heartbeat_task",
            every_seconds=settings.WORKER_HEARTBEAT_SECONDS,
            expire_seconds=settings.WORKER_HEARTBEAT_SECONDS,
        ),
        # Takes up job runs whose worker died (their lease expired) and re-sends runs whose
        # message was lost; like the heartbeat, infrastructure, so no job run of its own.
        Schedule(
            name="job run sweeper",
            task="core.tasks.job_runs_sweep_task",
            every_seconds=settings.JOB_SWEEP_SECONDS,
            expire_seconds=settings.JOB_SWEEP_SECONDS,
        ),
        # Uploaded import files nobody committed are the owner's data: gone after a week
        # (core.imports.flow.uploads_cleanup).
        Schedule(
            name="import uploads cleanup",
            task="core.imports.flow.import_uploads_cleanup_task",
            crontab="15 3 * * *",
            expire_seconds=6 * 3600,
        ),
    ]
