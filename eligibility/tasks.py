"""Celery tasks of eligibility. Arguments are ids (and dates) only; each task calls a service.

County transition notices run in chunks: the daily job (and a moved county date) only plans a
county's id ranges and publishes one short ``county_transition_chunk`` task per range on the
low-priority bulk queue; each chunk writes its letters set-based and is safe to run twice.
"""

from datetime import date, timedelta

from celery import shared_task

from eligibility.models import County
from eligibility.notifications import (
    TransitionChunk,
    county_transition_chunk_queue,
    county_transition_chunks_publish,
)
from eligibility.selectors import california_today


@shared_task(acks_late=True)
def county_transition_notices() -> dict[str, int]:
    """Daily: publish the chunks of the 60- and 30-day notices due in every county going live
    soon; return the number of chunks per county."""
    today = california_today()
    soon = County.objects.filter(
        medi_medi_available_from__gt=today,
        medi_medi_available_from__lte=today + timedelta(days=60),
    ).order_by("pk")
    published = {
        county.fips: county_transition_chunks_publish(county=county, today=today) for county in soon
    }
    return {fips: chunks for fips, chunks in published.items() if chunks}


@shared_task(acks_late=True)
def county_transition_notices_for(county_id: int) -> int:
    """Publish the chunks of what is due in one county now (after its date moved)."""
    county = County.objects.get(pk=county_id)
    return county_transition_chunks_publish(county=county, today=california_today())


@shared_task(acks_late=True, ignore_result=True)
def county_transition_chunk(
    county_id: int, kind: str, available: str, first_id: int, last_id: int
) -> int:
    """Queue one chunk of a county's transition notices (ids ``first_id``..``last_id``).

    Keyed by the county's date change and the id range: a rerun writes nothing twice, and a
    chunk planned for a date the county no longer has does nothing.
    """
    chunk = TransitionChunk(
        int(county_id), str(kind), date.fromisoformat(available), int(first_id), int(last_id)
    )
    return county_transition_chunk_queue(chunk=chunk).queued
