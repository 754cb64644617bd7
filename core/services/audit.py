"""The audit log: one immutable row per change to people, roles, units or jobs."""

from core.models import AuditEntry


def audit(*, actor, action, unit=None, target_user=None, **detail):
    """Record that ``actor`` did ``action`` (e.g. "role.grant"), with JSON-able ``detail``."""
    AuditEntry.objects.create(
        actor=actor, action=action, unit=unit, target_user=target_user, detail=detail
    )
