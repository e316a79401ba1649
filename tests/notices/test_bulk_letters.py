"""Bulk letters (county transitions): set-based creation, chunk tasks, the low-priority queue.

A county's transition run is planned as id ranges; each chunk writes its letters with one
``INSERT ... ON CONFLICT DO NOTHING`` per batch and publishes their ids in batches on the bulk
queue. Reruns write nothing twice; a single letter is never stuck behind bulk ones.
"""

import copy
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from eligibility.models import BeneficiaryLetter, County
from eligibility.notifications import (
    TransitionChunk,
    county_transition_chunks,
    county_transition_chunks_publish,
)
from eligibility.tasks import county_transition_chunk
from enrollment.models import AuthorizedRepresentative, RepresentativeLetter
from notices import tasks
from notices.kinds import InvalidNotice
from notices.models import Notice, NoticeStatus
from notices.services import notice_queue, notices_queue_bulk, notices_sweep
from tests.factories import BeneficiaryFactory
from tests.notices.conftest import RECIPIENT, context_for
from tests.worker_support import Worker, wait_for

TODAY = date(2026, 11, 27)  # 35 days before 2027-01-01: the 60-day notice is due


def bulk_items(numbers: range, kind: str = "county_transition_60") -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "idempotency_key": f"bulk-test:{n}",
            "recipient_key": f"beneficiary:{n}",
            "recipient": {**copy.deepcopy(RECIPIENT), "email": f"person{n}@example.org"},
            "context": context_for(kind),
        }
        for n in numbers
    ]


@pytest.fixture
def amador(db: None) -> County:
    county = County.objects.get(name="Amador")
    county.medi_medi_available_from = date(2027, 1, 1)
    county.save()
    return county


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """A broker is configured (tasks are not run in process); capture what is published."""
    from medimedi.celery import app as celery_app

    sent: list[dict[str, Any]] = []

    def capture(name: str) -> Any:
        return lambda *a, **kw: sent.append(
            {"task": name, "args": kw.get("args"), "queue": kw.get("queue")}
        )

    monkeypatch.setattr(tasks.notice_deliver, "apply_async", capture("notice_deliver"))
    monkeypatch.setattr(tasks.notices_deliver_batch, "apply_async", capture("batch"))
    monkeypatch.setattr(county_transition_chunk, "apply_async", capture("chunk"))
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield sent
    finally:
        celery_app.conf.task_always_eager = previous


# --- Set-based creation ---------------------------------------------------------------------


@pytest.mark.django_db
def test_set_based_creation_writes_each_key_once_on_rerun() -> None:
    first = notices_queue_bulk(notices=bulk_items(range(3)))
    assert (len(first.created), first.existing) == (3, 0)

    again = notices_queue_bulk(notices=bulk_items(range(4)))

    assert set(again.created) == {"bulk-test:3"}
    assert again.existing == 3
    assert Notice.objects.count() == 4
    assert set(Notice.objects.values_list("bulk", "status", "channel")) == {
        (True, NoticeStatus.QUEUED, "email")
    }
    row = Notice.objects.get(idempotency_key="bulk-test:0")
    assert row.pk == first.created["bulk-test:0"]
    assert row.context["county_name"] == "Kern"
    assert row.recipient["email"] == "person0@example.org"


@pytest.mark.django_db
def test_an_invalid_item_writes_nothing() -> None:
    items = bulk_items(range(3))
    items[2]["context"] = {}  # no county_name, no availability_date
    with pytest.raises(InvalidNotice):
        notices_queue_bulk(notices=items)
    assert not Notice.objects.exists()


# --- Chunk tasks --------------------------------------------------------------------------


def test_a_chunk_task_run_twice_writes_nothing_twice(amador: County) -> None:
    people = [BeneficiaryFactory(county=amador) for _ in range(3)]
    BeneficiaryFactory(county=amador, medicare_part_b_start=None)  # not eligible
    representative = AuthorizedRepresentative.objects.create(
        beneficiary=people[0],
        name="Rep Example",
        relationship="daughter",
        email="rep@example.org",
        document="power of attorney",
        valid_from=date(2026, 1, 1),
    )
    kind, chunks = county_transition_chunks(county=amador, today=TODAY)
    assert kind == "county_transition_60" and len(chunks) == 1

    assert county_transition_chunk(*chunks[0].task_args()) == 3
    assert county_transition_chunk(*chunks[0].task_args()) == 0

    member_letters = Notice.objects.filter(recipient_key__startswith="beneficiary:")
    assert sorted(member_letters.values_list("recipient_key", flat=True)) == sorted(
        f"beneficiary:{p.pk}" for p in people
    )
    assert member_letters.filter(bulk=True).count() == 3
    assert BeneficiaryLetter.objects.filter(organization__isnull=True).count() == 4
    copy_of = RepresentativeLetter.objects.get(representative=representative)
    assert copy_of.notice.bulk and copy_of.notice.recipient_key.startswith("representative:")
    assert Notice.objects.count() == 4  # three letters and one copy, written once


def test_chunks_cover_the_county_in_id_ranges_and_skip_a_moved_date(amador: County) -> None:
    people = [BeneficiaryFactory(county=amador) for _ in range(5)]
    BeneficiaryFactory()  # San Mateo: not in Amador's chunks
    _kind, chunks = county_transition_chunks(county=amador, today=TODAY, size=2)
    assert [(c.first_id, c.last_id) for c in chunks] == [
        (people[0].pk, people[1].pk),
        (people[2].pk, people[3].pk),
        (people[4].pk, people[4].pk),
    ]
    # The county's date moved after the chunk was planned: the old chunk writes nothing.
    stale = TransitionChunk(amador.pk, "county_transition_60", date(2027, 2, 1), 1, 10**9)
    assert county_transition_chunk(*stale.task_args()) == 0
    for chunk in chunks:
        county_transition_chunk(*chunk.task_args())
    assert Notice.objects.count() == 5


def test_without_a_broker_bulk_letters_wait_for_the_sweeper(
    amador: County, django_capture_on_commit_callbacks: Any
) -> None:
    BeneficiaryFactory(county=amador)
    with django_capture_on_commit_callbacks(execute=True):
        county_transition_chunks_publish(county=amador, today=TODAY)  # chunks run here
    letter = Notice.objects.get()
    assert (letter.status, letter.pdf.name) == (NoticeStatus.QUEUED, "")  # nothing rendered
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().requeued == [letter.pk]
    letter.refresh_from_db()
    assert letter.status == NoticeStatus.SENT


# --- Queues ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_letters_go_to_the_low_priority_queue_in_batches(
    published: list[dict[str, Any]], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.NOTICES_BULK_BATCH_SIZE = 2
    with django_capture_on_commit_callbacks(execute=True):
        written = notices_queue_bulk(notices=bulk_items(range(5)))
        notice_queue(
            kind="enrollment_confirmation",
            idempotency_key="enrollment-confirmed:1",
            recipient_key="beneficiary:99",
            recipient=copy.deepcopy(RECIPIENT),
            context=context_for("enrollment_confirmation"),
        )
    ids = sorted(written.created.values())
    confirmation = Notice.objects.get(idempotency_key="enrollment-confirmed:1")
    assert published == [
        {"task": "batch", "args": (ids[0:2],), "queue": "notices_bulk"},
        {"task": "batch", "args": (ids[2:4],), "queue": "notices_bulk"},
        {"task": "batch", "args": (ids[4:5],), "queue": "notices_bulk"},
        {"task": "notice_deliver", "args": (confirmation.pk,), "queue": None},
    ]
    # A bulk letter's first sweep comes hours later: its batch may wait behind a backlog.
    bulk_row = Notice.objects.get(pk=ids[0])
    assert bulk_row.next_attempt_at - bulk_row.created_at > timedelta(hours=1)
    assert confirmation.next_attempt_at - confirmation.created_at < timedelta(minutes=5)


def test_chunk_tasks_go_to_the_low_priority_queue(
    amador: County, published: list[dict[str, Any]]
) -> None:
    people = [BeneficiaryFactory(county=amador) for _ in range(3)]
    assert county_transition_chunks_publish(county=amador, today=TODAY) == 1
    assert published == [
        {
            "task": "chunk",
            "args": (amador.pk, "county_transition_60", "2027-01-01", people[0].pk, people[2].pk),
            "queue": "notices_bulk",
        }
    ]


def test_the_routes_send_single_letters_first_and_bulk_work_last() -> None:
    from medimedi.celery import app as celery_app

    route = celery_app.amqp.router.route
    assert route({}, "notices.tasks.notice_deliver")["queue"].name == "notices"
    assert route({}, "notices.tasks.notices_deliver_batch")["queue"].name == "notices_bulk"
    assert route({}, "eligibility.tasks.county_transition_chunk")["queue"].name == "notices_bulk"
    # A worker without -Q consumes these in this order; the broker takes the first non-empty.
    assert [q.name for q in celery_app.conf.task_queues] == ["notices", "celery", "notices_bulk"]
    assert celery_app.conf.broker_transport_options["queue_order_strategy"] == "priority"
    assert celery_app.conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db
def test_the_sweeper_publishes_due_bulk_letters_in_batches_after_single_ones(
    published: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        written = notices_queue_bulk(notices=bulk_items(range(3)))
        single = notice_queue(
            kind="enrollment_confirmation",
            idempotency_key="enrollment-confirmed:2",
            recipient_key="beneficiary:98",
            recipient=copy.deepcopy(RECIPIENT),
            context=context_for("enrollment_confirmation"),
        )
    published.clear()  # as if the broker had lost every message
    Notice.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_sweep()
    ids = sorted(written.created.values())
    assert result.requeued == [single.pk, *ids]
    assert published == [
        {"task": "notice_deliver", "args": (single.pk,), "queue": None},
        {"task": "batch", "args": (ids,), "queue": "notices_bulk"},
    ]


@pytest.mark.django_db
def test_a_batch_task_run_twice_sends_each_letter_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    written = notices_queue_bulk(notices=bulk_items(range(3)))
    ids = sorted(written.created.values())
    assert tasks.notices_deliver_batch(ids) == {"sent": 3}
    assert tasks.notices_deliver_batch(ids) == {"skipped": 3}
    assert set(Notice.objects.values_list("status", "attempts")) == {(NoticeStatus.SENT, 1)}


# --- A real worker on Redis ---------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_is_delivered_while_bulk_letters_wait(worker: Worker, settings: Any) -> None:
    settings.NOTICES_BULK_BATCH_SIZE = 5
    with transaction.atomic():
        written = notices_queue_bulk(notices=bulk_items(range(200)))  # 40 bulk messages
    bulk_ids = list(written.created.values())
    wait_for(
        lambda: Notice.objects.filter(pk__in=bulk_ids, status=NoticeStatus.SENT).exists(),
        "the worker to start on the bulk letters",
        worker,
    )
    with transaction.atomic():
        confirmation = notice_queue(
            kind="enrollment_confirmation",
            idempotency_key="enrollment-confirmed:701",
            recipient_key="beneficiary:701",
            recipient=copy.deepcopy(RECIPIENT),
            context=context_for("enrollment_confirmation"),
        )

    def confirmation_sent() -> bool:
        return Notice.objects.filter(pk=confirmation.pk, status=NoticeStatus.SENT).exists()

    wait_for(confirmation_sent, "the confirmation", worker, timeout=120)
    still_waiting = Notice.objects.filter(pk__in=bulk_ids, status=NoticeStatus.QUEUED).count()
    # It went ahead of the bulk backlog: most bulk letters were still waiting.
    assert still_waiting >= 100, still_waiting
    assert worker.emails_for(confirmation.pk) == 1
    wait_for(
        lambda: not Notice.objects.filter(pk__in=bulk_ids).exclude(status="sent").exists(),
        "every bulk letter",
        worker,
        timeout=300,
    )
    assert sum(worker.emails_for(pk) for pk in bulk_ids) == 200


# --- Shared rendering -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "language", "letter_format"),
    [
        ("county_transition_60", "en", "standard"),
        ("county_transition_30", "es", "standard"),
        ("county_transition_60", "zh-TW", "large_print"),
        ("county_transition_60", "ar", "standard"),
        ("enrollment_confirmation", "en", "standard"),
        ("denial", "es", "large_print"),
    ],
)
def test_the_shared_rendering_changes_no_byte_of_any_letter(
    kind: str, language: str, letter_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reportlab import rl_config

    from notices.rendering import render_letter, shared_rendering

    monkeypatch.setattr(rl_config, "invariant", 1)  # no creation date or random id in the PDF

    def render(name: str) -> tuple[Any, ...]:
        letter = render_letter(
            kind=kind,
            language=language,
            recipient={**RECIPIENT, "name": name, "format": letter_format},
            context=context_for(kind),
            letter_date=date(2026, 12, 1),
            large_print=letter_format == "large_print",
            reference="Ref. N-7",
        )
        return (letter.subject, letter.html, letter.email_html, letter.text, letter.pdf)

    names = ["Rosa Example", "Jose Sample", "Rosa Example"]
    with shared_rendering(False):
        plain = [render(name) for name in names]
    with shared_rendering(True):
        shared = [render(name) for name in names]  # the second and third reuse the first's parts
    assert shared == plain
    assert shared[0] != shared[1]  # and each letter still carries its own recipient
    assert "Jose Sample" in shared[1][1] and "Jose Sample" not in shared[0][1]
