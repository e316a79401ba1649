"""The sweeper: a broker outage or a lost worker delays letters but loses none."""

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notices import tasks
from notices.models import NOTICE_TRANSITIONS, Notice, NoticeStatus
from notices.services import notice_queue, notices_sweep
from tests.notices.conftest import context_for

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., Any]


def queue_unpublished(
    capture: CaptureCallbacks, recipient: dict[str, Any], key: str = "denied:1", **kwargs: Any
) -> Notice:
    """Queue a notice whose publish never happened (the on-commit callback is dropped)."""
    with capture(execute=False):
        notice = notice_queue(
            kind="denial",
            idempotency_key=key,
            recipient_key="beneficiary:42",
            recipient=recipient,
            context=context_for("denial"),
            **kwargs,
        )
    return notice


def age(notice: Notice, **changes: Any) -> None:
    Notice.objects.filter(pk=notice.pk).update(**changes)


def test_a_notice_left_queued_is_delivered_by_the_sweeper(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    age(notice, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.notices_sweep.delay().get()

    assert result == {"requeued": 1, "reclaimed": 0, "failed": 0}
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert len(mail.outbox) == 1


def test_a_freshly_queued_notice_is_left_to_its_own_message(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_sweep()
    assert result.requeued == []
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.QUEUED


def test_the_sweeper_does_not_republish_a_notice_it_just_requeued(
    django_capture_on_commit_callbacks: CaptureCallbacks,
    recipient: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    age(notice, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    published: list[Any] = []
    monkeypatch.setattr(tasks.notice_deliver, "apply_async", lambda **kw: published.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep()
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep()
    assert published == [{"args": (notice.pk,)}]


def test_a_notice_stuck_in_sending_past_the_timeout_is_reclaimed_and_sent(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    age(
        notice,
        status=NoticeStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - datetime.timedelta(seconds=601),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_sweep()
    assert result.reclaimed == [notice.pk]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert notice.attempts == 2
    assert len(mail.outbox) == 1


def test_a_notice_freshly_sending_is_not_touched(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    claimed_at = timezone.now() - datetime.timedelta(seconds=10)
    age(notice, status=NoticeStatus.SENDING, attempts=1, claimed_at=claimed_at)
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_sweep()
    tasks.notice_deliver.delay(notice.pk)  # a duplicate message finds it claimed
    assert (result.requeued, result.reclaimed, result.failed) == ([], [], [])
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENDING
    assert notice.claimed_at == claimed_at
    assert mail.outbox == []


def test_a_stuck_notice_with_its_attempts_used_up_is_failed(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any], settings: Any
) -> None:
    settings.NOTICES_MAX_ATTEMPTS = 2
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    age(
        notice,
        status=NoticeStatus.SENDING,
        attempts=2,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_sweep()
    assert result.failed == [notice.pk]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert "did not finish" in notice.last_error
    assert mail.outbox == []


def test_the_delivery_task_itself_reclaims_a_stuck_notice(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    age(
        notice,
        status=NoticeStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
    )
    tasks.notice_deliver.delay(notice.pk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert len(mail.outbox) == 1


def test_a_scheduled_notice_is_sent_by_the_sweeper_once_due(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    due = timezone.now() + datetime.timedelta(days=60)
    notice = queue_unpublished(
        django_capture_on_commit_callbacks, recipient, key="county:1", scheduled_for=due
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().requeued == []

    age(notice, scheduled_for=timezone.now(), next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_sweep().requeued == [notice.pk]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert len(mail.outbox) == 1


def test_a_cancelled_or_failed_notice_is_never_swept(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    long_ago = timezone.now() - datetime.timedelta(days=1)
    cancelled = queue_unpublished(django_capture_on_commit_callbacks, recipient, key="x:1")
    failed = queue_unpublished(django_capture_on_commit_callbacks, recipient, key="x:2")
    age(cancelled, status=NoticeStatus.CANCELLED, next_attempt_at=long_ago)
    age(failed, status=NoticeStatus.FAILED, next_attempt_at=long_ago, claimed_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_sweep()
    assert (result.requeued, result.reclaimed, result.failed) == ([], [], [])
    assert mail.outbox == []


def test_the_sweep_command_reports_what_it_did(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    notice = queue_unpublished(django_capture_on_commit_callbacks, recipient)
    age(notice, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notices_sweep", stdout=out)
    assert out.getvalue().strip() == "requeued 1, reclaimed 0, failed 0"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT


def test_statuses_move_only_as_the_transition_map_allows() -> None:
    assert set(NOTICE_TRANSITIONS) == set(NoticeStatus.values)
    for final in (NoticeStatus.SENT, NoticeStatus.FAILED, NoticeStatus.CANCELLED):
        assert NOTICE_TRANSITIONS[final] == frozenset()
    assert NOTICE_TRANSITIONS[NoticeStatus.QUEUED] == {NoticeStatus.SENDING, NoticeStatus.CANCELLED}
