"""Worker liveness: the heartbeat row /healthz reads (docs/decisions.md)."""

from django.utils import timezone

from core.models import WorkerHeartbeat


def worker_heartbeat_record(*, hostname):
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:200], defaults={"seen_at": timezone.now()}
    )
