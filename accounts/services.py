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


def audit_read(
    *,
    actor: User | None,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` was shown member data (HIPAA 164.312(b)); ids only in ``detail``.

    For a list page, ``object_type`` names the list (``beneficiary_list``) and ``detail["ids"]``
    the rows shown; ``detail["beneficiaries"]`` names the members they are about, so a search by
    member finds the read.
    """
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.READ,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
