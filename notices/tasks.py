"""Celery tasks for notices. Arguments are ids only: task messages never carry PHI.

Each task fetches by id and calls a service; the policy (claims, retries, backoff, the sweep)
lives in ``notices.services``.
"""

from typing import Any

from celery import Task, shared_task

from notices import services


@shared_task(bind=True, max_retries=None, acks_late=True, ignore_result=True)
def notice_deliver(self: Task, notice_id: int) -> str:
    """Deliver one notice; on a transient error retry after the service's backoff."""
    outcome = services.notice_deliver_attempt(notice_id=int(notice_id))
    if outcome.result == "retry":
        raise self.retry(countdown=outcome.retry_in)
    return outcome.result


@shared_task(acks_late=True, ignore_result=True)
def notices_deliver_batch(notice_ids: list[int]) -> dict[str, int]:
    """Deliver a batch of bulk letters (ids only; the low-priority queue).

    Short and safe to run twice: each letter is claimed like ``notice_deliver``, so a
    redelivered message sends nothing again; what a long batch leaves is published anew.
    """
    outcome = services.notices_deliver_batch(notice_ids=[int(pk) for pk in notice_ids])
    if outcome.left:
        services.notices_publish_bulk(outcome.left)
    return outcome.results


@shared_task(ignore_result=True)
def notices_sweep() -> dict[str, Any]:
    """Re-enqueue notices left queued or stuck in sending (Celery beat runs this every minute)."""
    result = services.notices_sweep()
    return {
        "requeued": len(result.requeued),
        "reclaimed": len(result.reclaimed),
        "failed": len(result.failed),
    }


@shared_task(ignore_result=True)
def notices_print_batch_build() -> int | None:
    """Hand the day's print letters to the vendor as one batch; return its id."""
    batch = services.notices_print_batch_build()
    return batch.pk if batch else None
