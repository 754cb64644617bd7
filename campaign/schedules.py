"""The periodic tasks beat runs, declared in code and written to django-celery-beat's tables.

``manage.py sync_schedules`` (run by ``make run`` and at deploy) makes the database match this
list, so that no schedule is created by hand. Administrators see the rows in the admin and may
pause one (its ``enabled`` flag is kept); timing and task follow the code. Apps above
``campaign`` declare their schedules with ``declare`` in their ``AppConfig.ready``.
"""

from dataclasses import dataclass

from django.conf import settings

# Marks the rows this module owns, so that a schedule removed from the code is removed too.
DECLARED = "Declared in code (campaign.schedules); kept in step by manage.py sync_schedules."


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_seconds: int | None = None
    # "minute hour day_of_month month_of_year day_of_week", in settings.TIME_ZONE
    crontab: str | None = None
    # A message not picked up within this many seconds is dropped (no pile-up while down).
    expire_seconds: int | None = None


_declared: dict[str, Schedule] = {}


def declare(schedule: Schedule) -> None:
    if (schedule.every_seconds is None) == (schedule.crontab is None):
        raise ValueError(f"{schedule.name}: give exactly one of every_seconds and crontab")
    _declared[schedule.name] = schedule


def declared() -> list[Schedule]:
    """The campaign app's own schedules plus those other apps declared."""
    own = [
        # /healthz counts a worker as alive while this row is fresh: the filesystem broker has
        # no remote control, so a ping cannot be used (docs/decisions.md).
        Schedule(
            name="worker heartbeat",
            task="campaign.tasks.worker_heartbeat_task",
            every_seconds=settings.WORKER_HEARTBEAT_SECONDS,
            expire_seconds=settings.WORKER_HEARTBEAT_SECONDS,
        ),
        Schedule(
            name="nightly organisation statistics",
            task="campaign.tasks.org_statistics_nightly_task",
            crontab="30 2 * * *",
            expire_seconds=6 * 3600,
        ),
        # Before the working day starts, so the morning's workbench shows today's reminders.
        Schedule(
            name="daily hazard escalation",
            task="hazards.tasks.hazard_escalation_task",
            crontab="30 7 * * *",
            expire_seconds=6 * 3600,
        ),
    ]
    by_name = {s.name: s for s in own}
    by_name.update(_declared)
    return list(by_name.values())
