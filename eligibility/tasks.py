"""Celery tasks of eligibility. Arguments are ids only; each task calls a service."""

from datetime import timedelta

from celery import shared_task

from eligibility.models import County
from eligibility.notifications import county_transition_notices_queue
from eligibility.selectors import california_today


@shared_task(acks_late=True)
def county_transition_notices() -> dict[str, int]:
    """Daily: queue the 60- and 30-day notices due in every county that goes live soon."""
    today = california_today()
    soon = County.objects.filter(
        medi_medi_available_from__gt=today,
        medi_medi_available_from__lte=today + timedelta(days=60),
    ).order_by("pk")
    return {
        county.fips: county_transition_notices_queue(county=county, today=today).queued
        for county in soon
    }


@shared_task(acks_late=True)
def county_transition_notices_for(county_id: int) -> int:
    """Queue what is due in one county now (after its availability date moved)."""
    county = County.objects.get(pk=county_id)
    return county_transition_notices_queue(county=county, today=california_today()).queued
