"""Celery tasks of the interchange: each carries only an import id, never a file's content."""

from celery import shared_task

from interchange.services import eligibility_import_stored_run


@shared_task(acks_late=True, ignore_result=True)
def eligibility_import_run(import_id: int) -> None:
    """Read an uploaded eligibility file; a rerun after a lost worker resumes or starts clean."""
    eligibility_import_stored_run(import_id=import_id)
