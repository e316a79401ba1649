"""Letters about eligibility: the recipient snapshot, and county transition notices.

60 and 30 days before a county's Medi-Medi availability date, every beneficiary living there who
would be eligible on that date gets a transition notice. A daily beat job finds them
(``eligibility.tasks.county_transition_notices``); moving a county's date cancels what was
queued for the old date and the job queues anew for the new one. Nobody is sent the same
transition notice (60 or 30 days) for a county twice, whatever its date became.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from eligibility.models import Beneficiary, BeneficiaryLetter, County
from eligibility.rules import evaluate
from eligibility.selectors import county_facts, person_facts_on, plans_on, service_areas_of
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_cancel_pending, notice_queue

logger = logging.getLogger(__name__)

# (kind, days before the availability date)
TRANSITION_WINDOWS: tuple[tuple[str, int], ...] = (
    (NoticeKind.COUNTY_TRANSITION_60, 60),
    (NoticeKind.COUNTY_TRANSITION_30, 30),
)


def recipient_key(beneficiary: Beneficiary | int) -> str:
    pk = beneficiary if isinstance(beneficiary, int) else beneficiary.pk
    return f"beneficiary:{pk}"


def recipient_snapshot(beneficiary: Beneficiary, *, email: str | None = None) -> dict[str, object]:
    """What a letter needs of the person, as it is now; the language and format are standing."""
    address = [beneficiary.address_line1]
    if beneficiary.address_line2:
        address.append(beneficiary.address_line2)
    address.append(f"{beneficiary.city}, CA {beneficiary.zip_code}")
    return {
        "name": beneficiary.full_name,
        "email": email if email is not None else beneficiary.email,
        "address": address,
        "language": beneficiary.preferred_language,
        "format": beneficiary.preferred_format,
    }


# Called with (notice=, beneficiary_id=, organization_id=) for each letter newly queued to a
# beneficiary, in its transaction: how enrollment copies letters to authorized representatives
# without this app knowing of them.
LetterCopier = Callable[..., object]
_letter_copiers: list[LetterCopier] = []


def letter_copier_register(copier: LetterCopier) -> None:
    """Have ``copier`` called for every letter ``letter_queue`` newly queues (once each)."""
    if copier not in _letter_copiers:
        _letter_copiers.append(copier)


def letter_queue(
    *, beneficiary: Beneficiary | int, organization_id: int | None, **notice: Any
) -> Notice:
    """Queue a notice to a beneficiary (``notices.services.notice_queue``) and record whose it is.

    ``organization_id`` names the organization whose event sends it (None for the program's own
    letters); staff of other organizations never see it. Idempotent like ``notice_queue``.
    """
    beneficiary_id = beneficiary if isinstance(beneficiary, int) else beneficiary.pk
    queued = notice_queue(recipient_key=recipient_key(beneficiary_id), **notice)
    _, created = BeneficiaryLetter.objects.get_or_create(
        notice=queued,
        defaults={"beneficiary_id": beneficiary_id, "organization_id": organization_id},
    )
    if created:
        for copier in _letter_copiers:
            copier(notice=queued, beneficiary_id=beneficiary_id, organization_id=organization_id)
    return queued


def _key_prefix(kind: str, county: County) -> str:
    days = "60" if kind == NoticeKind.COUNTY_TRANSITION_60 else "30"
    return f"county-transition-{days}:{county.fips}:"


def _transition_key(kind: str, county: County, available: date, beneficiary_id: int) -> str:
    return f"{_key_prefix(kind, county)}{available.isoformat()}:{beneficiary_id}"


def due_window(county: County, today: date) -> str | None:
    """The transition notice due for ``county`` today, if any.

    The 60-day notice is due from 60 days before until the 30-day one is; the 30-day notice from
    30 days before until the availability date. A missed day is caught up the next day.
    """
    available = county.medi_medi_available_from
    if today >= available:
        return None
    if today >= available - timedelta(days=30):
        return NoticeKind.COUNTY_TRANSITION_30
    if today >= available - timedelta(days=60):
        return NoticeKind.COUNTY_TRANSITION_60
    return None


@dataclass(frozen=True)
class TransitionRun:
    county: str
    kind: str | None
    queued: int
    skipped_already_sent: int


def county_transition_notices_queue(*, county: County, today: date) -> TransitionRun:
    """Queue the transition notice due today in ``county`` for everyone who would be eligible."""
    kind = due_window(county, today)
    if kind is None:
        return TransitionRun(county.fips, None, 0, 0)
    available = county.medi_medi_available_from
    areas = service_areas_of(county)
    facts_of_county = county_facts(county, areas)
    plans = [
        {"name": p.name, "medi_cal_plan_name": p.aligned_medi_cal_plan, "phone": p.member_phone}
        for p in plans_on(areas, available)
    ]
    # Whoever was ever sent (or is being sent) this kind for this county, at any date.
    already = set(
        Notice.objects.filter(kind=kind, idempotency_key__startswith=_key_prefix(kind, county))
        .exclude(status=NoticeStatus.CANCELLED)
        .values_list("recipient_key", flat=True)
    )
    queued = skipped = 0
    people = (
        Beneficiary.objects.filter(county=county)
        .prefetch_related("medi_cal_periods")
        .order_by("pk")
    )
    for person in people.iterator(chunk_size=500):
        facts = person_facts_on(person, available)
        decision = evaluate(facts, as_of=available - timedelta(days=1), county=facts_of_county)
        if not decision.eligible:
            continue
        if recipient_key(person) in already:
            skipped += 1
            continue
        with transaction.atomic():
            letter_queue(
                beneficiary=person,
                organization_id=None,
                kind=kind,
                idempotency_key=_transition_key(kind, county, available, person.pk),
                recipient=recipient_snapshot(person),
                context={
                    "county_name": county.name,
                    "availability_date": available,
                    "plans": plans,
                },
            )
        queued += 1
    logger.info("county %s: %s queued %d, %d already sent", county.fips, kind, queued, skipped)
    return TransitionRun(county.fips, kind, queued, skipped)


def county_transition_notices_cancel(*, county: County, available: date) -> int:
    """Cancel the transition notices of ``county`` queued for ``available`` and not yet sent."""
    return sum(
        notice_cancel_pending(
            idempotency_key_prefix=f"{_key_prefix(kind, county)}{available.isoformat()}:",
            reason="county availability date moved",
        )
        for kind, _ in TRANSITION_WINDOWS
    )
