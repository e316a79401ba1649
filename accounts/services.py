"""Writes for accounts: audit records."""

from typing import Any

from accounts.models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one audited action. ``detail`` must hold ids and codes only, never PHI."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
