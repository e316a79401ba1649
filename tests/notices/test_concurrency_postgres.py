"""Races on real PostgreSQL: two writers of one key, two workers claiming one notice."""

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction

from notices.models import Notice, NoticeStatus
from notices.services import notice_deliver_attempt, notice_queue
from tests.notices.conftest import context_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SlowEmailBackend(EmailBackend):
    """Take a while to send, so a second worker arrives while the first is sending."""

    started: ClassVar[threading.Event] = threading.Event()

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        type(self).started.set()
        time.sleep(0.5)
        return super().send_messages(messages)


def in_thread(target: Callable[[], Any], results: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def no_publish(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from notices import tasks

    monkeypatch.setattr(tasks.notice_deliver, "apply_async", lambda **kwargs: None)
    yield


def arguments(recipient: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "application_received",
        "idempotency_key": "application-received:77",
        "recipient_key": "beneficiary:42",
        "recipient": recipient,
        "context": context_for("application_received"),
    }


def test_two_transactions_queueing_one_key_get_one_row(
    recipient: dict[str, Any], no_publish: None
) -> None:
    first_wrote = threading.Event()
    release = threading.Event()
    results: list[int] = []

    def first() -> int:
        with transaction.atomic():
            notice = notice_queue(**arguments(recipient))
            first_wrote.set()
            release.wait(10)
        return notice.pk

    def second() -> int:
        first_wrote.wait(10)
        # Blocks on the unique index until the first commits, then finds its row.
        return notice_queue(**arguments(recipient)).pk

    threads = [in_thread(first, results), in_thread(second, results)]
    time.sleep(0.5)
    release.set()
    for thread in threads:
        thread.join(20)
    assert len(results) == 2 and results[0] == results[1]
    assert Notice.objects.count() == 1


def test_two_workers_delivering_one_notice_send_one_email(
    recipient: dict[str, Any], no_publish: None, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notices.test_concurrency_postgres.SlowEmailBackend"
    SlowEmailBackend.started.clear()
    notice = notice_queue(**arguments(recipient))
    results: list[Any] = []

    first = in_thread(lambda: notice_deliver_attempt(notice_id=notice.pk).result, results)
    SlowEmailBackend.started.wait(10)
    second = in_thread(lambda: notice_deliver_attempt(notice_id=notice.pk).result, results)
    first.join(20)
    second.join(20)

    assert sorted(results) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert notice.attempts == 1
