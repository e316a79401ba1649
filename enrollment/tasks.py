"""Celery tasks of enrollment. Arguments are ids only; each task calls a service."""

from celery import shared_task

from eligibility.selectors import california_today
from enrollment.changes import deeming_due, enrollment_deeming_end


@shared_task(acks_late=True)
def deeming_periods_end() -> int:
    """Daily: end the Medi-Medi enrollments whose deeming period passed without Medi-Cal.

    Each is ended in its own transaction by ``enrollment_deeming_end``, which re-checks under
    the row lock, so a second run (or two beat runs at once) ends nothing twice.
    """
    today = california_today()
    return sum(
        enrollment_deeming_end(enrollment_id=pk, today=today) is not None
        for pk in deeming_due(today)
    )


@shared_task(acks_late=True)
def plan_transfer_run(transfer_id: int, actor_id: int | None = None) -> int:
    """Run (or carry on with) a planned plan-wide transfer; a completed one writes nothing."""
    from accounts.models import User
    from enrollment.transfers import transfer_apply

    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    return transfer_apply(actor=actor, transfer_id=transfer_id).moved_now


@shared_task(acks_late=True)
def plan_transfer_letters(today: str | None = None, transfer_id: int | None = None) -> int:
    """Daily (and at a transfer's end): write the plan-transfer letters due by today to the
    moved members, in chunks; a rerun writes nothing twice. Return how many were written."""
    from datetime import date

    from enrollment.transfers import transfer_letters_queue

    day = date.fromisoformat(today) if today else california_today()
    return sum(transfer_letters_queue(today=day, transfer_id=transfer_id).values())
