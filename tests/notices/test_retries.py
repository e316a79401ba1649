"""Delivery errors: transient ones are retried with backoff, permanent ones fail at once."""

import smtplib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail

from notices.delivery import PermanentDeliveryError, TransientDeliveryError, error_is_permanent
from notices.models import Notice, NoticeStatus
from notices.services import notice_queue, retry_backoff
from tests.notices.backends import FlakyEmailBackend
from tests.notices.conftest import context_for

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., Any]


@pytest.fixture
def flaky(settings: Any) -> Iterator[type[FlakyEmailBackend]]:
    settings.EMAIL_BACKEND = "tests.notices.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures = 0
    FlakyEmailBackend.calls = 0
    yield FlakyEmailBackend
    FlakyEmailBackend.failures = 0


def queue_and_deliver(
    capture: CaptureCallbacks, recipient: dict[str, Any], kind: str = "application_received"
) -> Notice:
    with capture(execute=True):
        notice = notice_queue(
            kind=kind,
            idempotency_key=f"application-received:{kind}",
            recipient_key="beneficiary:42",
            recipient=recipient,
            context=context_for(kind),
        )
    notice.refresh_from_db()
    return notice


def test_mail_server_dropping_once_is_retried_then_sent(
    django_capture_on_commit_callbacks: CaptureCallbacks,
    recipient: dict[str, Any],
    flaky: type[FlakyEmailBackend],
) -> None:
    flaky.failures = 1
    notice = queue_and_deliver(django_capture_on_commit_callbacks, recipient)
    assert notice.status == NoticeStatus.SENT
    assert notice.attempts == 2
    assert "SMTPServerDisconnected" in notice.last_error  # the failed attempt stays on record
    assert flaky.calls == 2
    assert len(mail.outbox) == 1


def test_mail_server_refusing_the_address_fails_at_once_with_the_cause(
    django_capture_on_commit_callbacks: CaptureCallbacks,
    recipient: dict[str, Any],
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "tests.notices.backends.RefusingEmailBackend"
    notice = queue_and_deliver(django_capture_on_commit_callbacks, recipient)
    assert notice.status == NoticeStatus.FAILED
    assert notice.attempts == 1
    assert notice.last_error.startswith("SMTPRecipientsRefused")
    assert notice.sent_at is None


def test_missing_template_fails_at_once(
    django_capture_on_commit_callbacks: CaptureCallbacks,
    recipient: dict[str, Any],
    settings: Any,
) -> None:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "APP_DIRS": False, "DIRS": [], "OPTIONS": {}},
    ]
    notice = queue_and_deliver(django_capture_on_commit_callbacks, recipient)
    assert notice.status == NoticeStatus.FAILED
    assert notice.attempts == 1
    assert "TemplateDoesNotExist" in notice.last_error


def test_transient_errors_until_attempts_run_out_mark_the_notice_failed(
    django_capture_on_commit_callbacks: CaptureCallbacks,
    recipient: dict[str, Any],
    flaky: type[FlakyEmailBackend],
    settings: Any,
) -> None:
    settings.NOTICES_MAX_ATTEMPTS = 3
    flaky.failures = 100
    notice = queue_and_deliver(django_capture_on_commit_callbacks, recipient)
    assert notice.status == NoticeStatus.FAILED
    assert notice.attempts == 3
    assert flaky.calls == 3
    assert "SMTPServerDisconnected" in notice.last_error
    assert mail.outbox == []


def test_backoff_doubles_from_the_base_up_to_the_cap(settings: Any) -> None:
    settings.NOTICES_RETRY_BACKOFF_SECONDS = 30
    settings.NOTICES_RETRY_BACKOFF_MAX_SECONDS = 200
    assert [retry_backoff(n) for n in range(1, 6)] == [30, 60, 120, 200, 200]


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(), False),
        (TimeoutError(), False),
        (TransientDeliveryError("later"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"mailbox busy")}), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), True),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (PermanentDeliveryError("no address"), True),
        (RuntimeError("unexpected"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_errors_are_judged_transient_or_permanent(error: BaseException, permanent: bool) -> None:
    assert error_is_permanent(error) is permanent
