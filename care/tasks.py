"""Celery tasks of care coordination. Arguments are ids only; each task calls a service."""

from celery import shared_task

from care.appeals import appeal_cases_mark_overdue
from care.services import (
    care_cases_open_missing,
    care_tasks_close_ended,
    care_tasks_mark_overdue,
    continuity_ending_letters_queue,
)
from eligibility.selectors import california_today


@shared_task(acks_late=True)
def care_daily() -> dict[str, int]:
    """Daily: open the cases a Medi-Medi enrollment lacks, close the work of enrollments that
    ended, then mark every work item whose due date passed as overdue (with a change row), so
    no deadline passes unseen, and queue the letters of continuity of care ending within
    ``CONTINUITY_END_NOTICE_DAYS`` (once each). Idempotent."""
    today = california_today()
    opened = care_cases_open_missing()
    closed = care_tasks_close_ended(today=today)
    return {
        "opened": opened,
        "closed": closed,
        "overdue": care_tasks_mark_overdue(today=today),
        "appeals_overdue": appeal_cases_mark_overdue(),
        "continuity_letters": continuity_ending_letters_queue(today=today),
    }
