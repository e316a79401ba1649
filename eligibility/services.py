"""Writes for eligibility reference data."""

from datetime import date

from django.db import transaction

from accounts.models import User
from accounts.services import audit_record
from eligibility.models import County


@transaction.atomic
def county_rollout_update(*, county: County, available_from: date, actor: User | None) -> County:
    """Move a county's Medi-Medi availability date; history records who, when, old and new."""
    locked = County.objects.select_for_update().get(pk=county.pk)
    old = locked.medi_medi_available_from
    if old == available_from:
        return locked
    locked.medi_medi_available_from = available_from
    locked._change_reason = f"rollout date {old.isoformat()} -> {available_from.isoformat()}"  # type: ignore[attr-defined]
    locked.save(update_fields=["medi_medi_available_from"])
    audit_record(
        actor=actor,
        action="update",
        object_type="county",
        object_id=locked.pk,
        detail={
            "field": "medi_medi_available_from",
            "old": old.isoformat(),
            "new": available_from.isoformat(),
        },
    )
    return locked
