"""Every write of the core app, by subject. Callers import from here::

from core import services
services.audit(actor=…, action="unit.create", unit=unit)
"""

from core.services.audit import audit
from core.services.jobs import (
    LeaseLost,
    RetryLater,
    backoff_seconds,
    job_run_enqueue,
    job_run_execute,
    job_run_requeue,
    job_runs_sweep,
)
from core.services.notifications import (
    digest_enabled,
    digest_send,
    notification_build,
    notification_digest_mark_emailed,
    notification_mark_read,
    notify,
    notify_many,
)
from core.services.workers import worker_heartbeat_record

__all__ = [
    "LeaseLost",
    "RetryLater",
    "audit",
    "backoff_seconds",
    "digest_enabled",
    "digest_send",
    "job_run_enqueue",
    "job_run_execute",
    "job_run_requeue",
    "job_runs_sweep",
    "notification_build",
    "notification_digest_mark_emailed",
    "notification_mark_read",
    "notify",
    "notify_many",
    "worker_heartbeat_record",
]
