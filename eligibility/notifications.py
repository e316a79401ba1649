"""Letters about eligibility: the recipient snapshot, and county transition notices.

60 and 30 days before a county's Medi-Medi availability date, every beneficiary living there who
would be eligible on that date gets a transition notice. A daily beat job finds them
(``eligibility.tasks.county_transition_notices``); moving a county's date cancels what was
queued for the old date and the job queues anew for the new one. Nobody is sent the same
transition notice (60 or 30 days) for a county twice, whatever its date became.
"""

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from eligibility.models import Beneficiary, BeneficiaryLetter, County
from eligibility.rules import evaluate
from eligibility.selectors import county_facts, person_facts_on, plans_on, service_areas_of
from notices.conf import notice_settings
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_cancel_pending, notice_queue, notices_queue_bulk

logger = logging.getLogger(__name__)

# (kind, days before the availability date)
TRANSITION_WINDOWS: tuple[tuple[str, int], ...] = (
    (NoticeKind.COUNTY_TRANSITION_60, 60),
    (NoticeKind.COUNTY_TRANSITION_30, 30),
)


def recipient_key(beneficiary: Beneficiary | int) -> str:
    pk = beneficiary if isinstance(beneficiary, int) else beneficiary.pk
    return f"beneficiary:{pk}"


# What a transition run reads of each person: the snapshot and the facts the rules take.
SNAPSHOT_FIELDS = (
    "id",
    "first_name",
    "middle_initial",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "zip_code",
    "email",
    "preferred_language",
    "preferred_format",
    "medicare_part_a_start",
    "medicare_part_a_end",
    "medicare_part_b_start",
    "medicare_part_b_end",
    "incarcerated",
    "lawfully_present",
    "county_id",
)


def recipient_snapshot(beneficiary: Beneficiary, *, email: str | None = None) -> dict[str, object]:
    """What a letter needs of the person, as it is now; the language and format are standing."""
    return recipient_snapshot_of_row(
        {name: getattr(beneficiary, name) for name in RECIPIENT_FIELDS}, email=email
    )


# The person's fields a letter's recipient snapshot is made of (``recipient_snapshot_of_row``).
RECIPIENT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "zip_code",
    "preferred_language",
    "preferred_format",
)


def recipient_snapshot_of_row(
    row: dict[str, Any], *, email: str | None = None
) -> dict[str, object]:
    """``recipient_snapshot`` from the person's ``RECIPIENT_FIELDS`` as values (bulk letters read
    rows, not model instances)."""
    address = [row["address_line1"]]
    if row["address_line2"]:
        address.append(row["address_line2"])
    address.append(f"{row['city']}, CA {row['zip_code']}")
    return {
        "name": f"{row['first_name']} {row['last_name']}",
        "email": email if email is not None else row["email"],
        "address": address,
        "language": row["preferred_language"],
        "format": row["preferred_format"],
    }


# Called with (notice=, beneficiary_id=, organization_id=) for each letter newly queued to a
# beneficiary, in its transaction: how enrollment copies letters to authorized representatives
# without this app knowing of them. ``applies_to`` (optional) narrows many beneficiary ids at
# once to those the copier has anything to do for, so bulk runs ask once per chunk.
LetterCopier = Callable[..., object]
CopierScope = Callable[[Collection[int]], Collection[int]]
_letter_copiers: list[tuple[LetterCopier, CopierScope | None]] = []


def letter_copier_register(copier: LetterCopier, *, applies_to: CopierScope | None = None) -> None:
    """Have ``copier`` called for every letter ``letter_queue`` newly queues (once each)."""
    if all(registered is not copier for registered, _scope in _letter_copiers):
        _letter_copiers.append((copier, applies_to))


def letters_record(notice_beneficiary: dict[int, int], *, organization_id: int | None) -> None:
    """Record many newly queued notices as beneficiaries' letters (``{notice id: beneficiary
    id}``), set-based, and have the copiers copy them; in the caller's transaction."""
    if not notice_beneficiary:
        return
    BeneficiaryLetter.objects.bulk_create(
        [
            BeneficiaryLetter(
                notice_id=notice_id, beneficiary_id=beneficiary_id, organization_id=organization_id
            )
            for notice_id, beneficiary_id in notice_beneficiary.items()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    for copier, applies_to in _letter_copiers:
        wanted = set(notice_beneficiary.values())
        if applies_to is not None:
            wanted = set(applies_to(wanted))
        ids = [pk for pk, beneficiary_id in notice_beneficiary.items() if beneficiary_id in wanted]
        for notice in Notice.objects.filter(pk__in=ids).order_by("pk"):
            copier(
                notice=notice,
                beneficiary_id=notice_beneficiary[notice.pk],
                organization_id=organization_id,
            )


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
        for copier, _scope in _letter_copiers:
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


# Beneficiaries per chunk: one chunk is one short transaction (about a second on PostgreSQL).
TRANSITION_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class TransitionChunk:
    """One slice of a county's transition run: the county's date change and a range of ids.

    A chunk is its own short task (``eligibility.tasks.county_transition_chunk``, arguments
    ids and dates only) and safe to run twice: rerunning it writes nothing new.
    """

    county_id: int
    kind: str
    available: date
    first_id: int
    last_id: int

    def task_args(self) -> tuple[int, str, str, int, int]:
        return (self.county_id, self.kind, self.available.isoformat(), self.first_id, self.last_id)


def county_transition_chunks(
    *, county: County, today: date, size: int = TRANSITION_CHUNK_SIZE
) -> tuple[str | None, list[TransitionChunk]]:
    """The transition notice due in ``county`` today and the id ranges that cover its people.

    Reads only the ids (streamed), so memory stays flat whatever the county's size.
    """
    kind = due_window(county, today)
    if kind is None:
        return None, []
    available = county.medi_medi_available_from
    chunks: list[TransitionChunk] = []
    first = last = None
    count = 0
    ids = (
        Beneficiary.objects.filter(county=county)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=20_000)
    )
    for pk in ids:
        if first is None:
            first = pk
        last = pk
        count += 1
        if count == size:
            chunks.append(TransitionChunk(county.pk, kind, available, first, last))
            first, count = None, 0
    if first is not None and last is not None:
        chunks.append(TransitionChunk(county.pk, kind, available, first, last))
    return kind, chunks


def county_transition_chunk_queue(*, chunk: TransitionChunk) -> TransitionRun:
    """Queue one chunk's transition notices, set-based, in one transaction.

    Everyone in the id range who lives in the county, is alive and would be eligible on the
    availability date, and was never sent this kind for this county (at any date), gets a
    notice: written with ``notices_queue_bulk`` (``INSERT ... ON CONFLICT DO NOTHING`` on the
    idempotency key), recorded as their letter, copied to their representatives. A chunk whose
    county date has moved since it was planned does nothing (the new date's run covers it).
    """
    county = County.objects.get(pk=chunk.county_id)
    kind = chunk.kind
    if county.medi_medi_available_from != chunk.available:
        logger.info("county %s: chunk for an old date skipped", county.fips)
        return TransitionRun(county.fips, kind, 0, 0)
    available = chunk.available
    areas = service_areas_of(county)
    facts_of_county = county_facts(county, areas)
    plans = [
        {"name": p.name, "medi_cal_plan_name": p.aligned_medi_cal_plan, "phone": p.member_phone}
        for p in plans_on(areas, available)
    ]
    as_of = available - timedelta(days=1)
    people = (
        Beneficiary.objects.filter(
            county=county,
            pk__gte=chunk.first_id,
            pk__lte=chunk.last_id,
            date_of_death__isnull=True,
        )
        .only(*SNAPSHOT_FIELDS)
        .prefetch_related("medi_cal_periods")
        .order_by("pk")
    )
    eligible = [
        person
        for person in people
        if evaluate(
            person_facts_on(person, available), as_of=as_of, county=facts_of_county
        ).eligible
    ]
    if not eligible:
        return TransitionRun(county.fips, kind, 0, 0)
    # Whoever was ever sent (or is being sent) this kind for this county, at any date.
    already = set(
        Notice.objects.filter(
            kind=kind,
            idempotency_key__startswith=_key_prefix(kind, county),
            recipient_key__in=[recipient_key(person) for person in eligible],
        )
        .exclude(status=NoticeStatus.CANCELLED)
        .values_list("recipient_key", flat=True)
    )
    to_queue = [person for person in eligible if recipient_key(person) not in already]
    context = {"county_name": county.name, "availability_date": available, "plans": plans}
    key_prefix = f"{_key_prefix(kind, county)}{available.isoformat()}:"
    with transaction.atomic():
        written = notices_queue_bulk(
            notices=[
                {
                    "kind": kind,
                    "idempotency_key": f"{key_prefix}{person.pk}",
                    "recipient_key": recipient_key(person),
                    "recipient": recipient_snapshot(person),
                    "context": context,
                }
                for person in to_queue
            ]
        )
        letters_record(
            {notice_id: int(key.rsplit(":", 1)[1]) for key, notice_id in written.created.items()},
            organization_id=None,
        )
    queued = len(written.created)
    skipped = len(eligible) - len(to_queue)
    logger.info(
        "county %s: %s chunk queued %d, %d already sent", county.fips, kind, queued, skipped
    )
    return TransitionRun(county.fips, kind, queued, skipped)


def county_transition_notices_queue(*, county: County, today: date) -> TransitionRun:
    """Queue the transition notice due today in ``county`` for everyone who would be eligible.

    Runs every chunk here, one transaction each (tests, commands, the in-process mode); with a
    broker, ``county_transition_chunks_publish`` hands the chunks to workers instead.
    """
    kind, chunks = county_transition_chunks(county=county, today=today)
    queued = skipped = 0
    for chunk in chunks:
        run = county_transition_chunk_queue(chunk=chunk)
        queued += run.queued
        skipped += run.skipped_already_sent
    if kind is not None:
        logger.info("county %s: %s queued %d, %d already sent", county.fips, kind, queued, skipped)
    return TransitionRun(county.fips, kind, queued, skipped)


def county_transition_chunks_publish(*, county: County, today: date) -> int:
    """Publish the chunk tasks of the transition notice due in ``county`` today; return how many.

    They go to the low-priority bulk queue (``NOTICES_BULK_CELERY_QUEUE``), after every single
    letter. Without a broker each chunk runs in this process (set-based writes only: delivery
    is left to the sweeper, never rendered here).
    """
    from eligibility.tasks import county_transition_chunk

    _kind, chunks = county_transition_chunks(county=county, today=today)
    queue = notice_settings().bulk_queue
    with county_transition_chunk.app.producer_or_acquire() as producer:
        for chunk in chunks:
            county_transition_chunk.apply_async(
                args=chunk.task_args(), queue=queue, producer=producer
            )
    return len(chunks)


def county_transition_notices_cancel(*, county: County, available: date) -> int:
    """Cancel the transition notices of ``county`` queued for ``available`` and not yet sent."""
    return sum(
        notice_cancel_pending(
            idempotency_key_prefix=f"{_key_prefix(kind, county)}{available.isoformat()}:",
            reason="county availability date moved",
        )
        for kind, _ in TRANSITION_WINDOWS
    )
