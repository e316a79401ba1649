"""The outbox: a notice is written with the business change and delivered once it commits."""

import datetime
import io
from collections.abc import Callable
from typing import Any

import pypdf
import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import AuditEvent, User
from notices import tasks
from notices.kinds import InvalidNotice
from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.selectors import notice_id_card_pdf, notice_pdf, notices_for_recipient
from notices.services import notice_cancel_pending, notice_queue, notice_resend
from tests.notices.conftest import context_for

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., Any]


def queue(
    recipient: dict[str, Any], kind: str = "enrollment_confirmation", **kwargs: Any
) -> Notice:
    options: dict[str, Any] = {
        "kind": kind,
        "idempotency_key": f"test-{kind}:1",
        "recipient_key": "beneficiary:42",
        "recipient": recipient,
        "context": context_for(kind),
    }
    options.update(kwargs)
    return notice_queue(**options)


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages
    )


def test_queued_notice_is_emailed_after_commit_with_letter_and_id_card(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue(recipient, idempotency_key="enrollment-confirmed:7")
        assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.QUEUED
        assert mail.outbox == []

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert notice.sent_at is not None
    assert notice.attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["rosa@example.org"]
    assert message.subject == "Welcome to CareAdvantage: your enrollment is confirmed"
    assert message.extra_headers["X-Notice-Id"] == str(notice.pk)
    names = [name for name, _content, _mime in message.attachments]
    assert names == [f"letter-{notice.pk}.pdf", f"member-id-card-{notice.pk}.pdf"]
    assert all(mime == "application/pdf" for _n, _c, mime in message.attachments)
    html_bodies = [str(content) for content, mime in message.alternatives if mime == "text/html"]
    assert len(html_bodies) == 1
    assert "CareAdvantage" in html_bodies[0]
    assert "Health Risk Assessment" in message.body

    # What was sent is stored: the letters page HTML and both PDFs.
    assert notice.subject == message.subject
    assert "notice__taglines" in notice.html
    assert (
        notice.pdf.name == f"notices/{notice.created_at:%Y}/{notice.created_at:%m}/{notice.pk}.pdf"
    )
    assert notice_pdf(notice) == message.attachments[0][1]
    assert notice_id_card_pdf(notice) == message.attachments[1][1]


def test_spanish_recipient_gets_the_spanish_letter(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    recipient["language"] = "es-MX"
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue(recipient, kind="application_received")
    assert notice.language == "es"
    assert mail.outbox[0].subject == "Recibimos su solicitud para un Plan Medi-Medi"
    assert mail.outbox[0].attachments[0][0] == f"carta-{notice.pk}.pdf"
    assert "5 de noviembre de 2026" in mail.outbox[0].body


def test_rolled_back_transaction_queues_nothing_and_sends_nothing(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(recipient)
        raise RuntimeError("the business change failed")
    assert callbacks == []
    assert Notice.objects.count() == 0
    assert mail.outbox == []


def test_same_idempotency_key_twice_gives_one_row_and_one_email(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(recipient, idempotency_key="enrollment-confirmed:9")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = queue(recipient, idempotency_key="enrollment-confirmed:9")
    assert second.pk == first.pk
    assert callbacks == []
    assert Notice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_delivering_the_same_notice_twice_sends_one_email(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue(recipient)
    tasks.notice_deliver.delay(notice.pk)
    tasks.notice_deliver.apply(args=(notice.pk,))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert notice.attempts == 1
    assert len(mail.outbox) == 1


def test_delivery_task_is_published_with_the_notice_id_only(
    django_capture_on_commit_callbacks: CaptureCallbacks,
    recipient: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(
        tasks.notice_deliver, "apply_async", lambda *a, **kw: published.append({"a": a, **kw})
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue(recipient)
    assert published == [{"a": (), "args": (notice.pk,)}]


def test_broker_down_leaves_the_notice_queued_and_the_caller_unharmed(
    django_capture_on_commit_callbacks: CaptureCallbacks,
    recipient: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.notice_deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue(recipient)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.QUEUED
    assert mail.outbox == []
    assert f"notice {notice.pk}: publishing its delivery task failed" in caplog.text
    assert "Rosa" not in caplog.text and "rosa@example.org" not in caplog.text


@pytest.mark.parametrize(
    ("email", "letter_format", "channel"),
    [
        ("rosa@example.org", "standard", NoticeChannel.EMAIL),
        ("rosa@example.org", "accessible_electronic", NoticeChannel.EMAIL),
        ("rosa@example.org", "large_print", NoticeChannel.PRINT),
        ("rosa@example.org", "braille", NoticeChannel.PRINT),
        ("rosa@example.org", "audio", NoticeChannel.PRINT),
        ("", "standard", NoticeChannel.PRINT),
    ],
    ids=["standard", "electronic", "large-print", "braille", "audio", "no-email"],
)
def test_channel_follows_the_recipients_email_and_standing_format(
    recipient: dict[str, Any], email: str, letter_format: str, channel: str
) -> None:
    recipient.update(email=email, format=letter_format)
    notice = queue(recipient)
    assert notice.channel == channel
    assert notice.format == letter_format
    assert notice.special_format == (letter_format if letter_format in {"braille", "audio"} else "")


def test_invalid_request_raises_and_writes_nothing(recipient: dict[str, Any]) -> None:
    with pytest.raises(InvalidNotice, match="effective_date"):
        queue(
            recipient, context={"plan_name": "CareAdvantage", "medi_cal_plan_name": "X", "mbi": "1"}
        )
    with pytest.raises(InvalidNotice, match="unknown notice kind"):
        queue(recipient, kind="welcome_gift", context={})
    with pytest.raises(InvalidNotice, match="format"):
        queue({**recipient, "format": "smoke_signals"})
    assert Notice.objects.count() == 0


def test_dates_in_context_are_stored_as_iso_strings(recipient: dict[str, Any]) -> None:
    context = {**context_for("disenrollment_confirmation"), "end_date": datetime.date(2026, 12, 31)}
    notice = queue(recipient, kind="disenrollment_confirmation", context=context)
    notice.refresh_from_db()
    assert notice.context["end_date"] == "2026-12-31"


def test_email_notice_without_an_address_fails_at_once(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    recipient["email"] = ""
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue(recipient, channel=NoticeChannel.EMAIL)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert notice.attempts == 1
    assert "no email address" in notice.last_error


def test_scheduled_notice_waits_until_its_time(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    later = timezone.now() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notice = queue(
            recipient,
            kind="county_transition_30",
            idempotency_key="county-transition-30:06029:2027-01-01:42",
            scheduled_for=later,
        )
    assert callbacks == []  # nothing is published for the future: the sweeper sends it when due
    tasks.notice_deliver.delay(notice.pk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.QUEUED
    assert notice.attempts == 0
    assert mail.outbox == []


def test_resend_creates_a_new_row_and_records_who_asked(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    staff = User.objects.create_user(username="admin-1", role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        original = queue(recipient)
    with django_capture_on_commit_callbacks(execute=True):
        first = notice_resend(notice=original, requested_by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        second = notice_resend(notice=original, requested_by=staff)

    assert first.idempotency_key == f"resend:{original.pk}:1"
    assert second.idempotency_key == f"resend:{original.pk}:2"
    for resent in (first, second):
        resent.refresh_from_db()
        assert resent.resend_of == original
        assert resent.requested_by == staff
        assert resent.kind == original.kind
        assert resent.recipient == original.recipient
        assert resent.context == original.context
        assert resent.status == NoticeStatus.SENT
    assert len(mail.outbox) == 3
    audit = AuditEvent.objects.filter(object_type="notice", object_id=str(first.pk)).get()
    assert audit.actor == staff
    assert audit.detail == {
        "resend_of": original.pk,
        "kind": "enrollment_confirmation",
        "number": 1,
    }


def test_id_card_alone_can_be_resent_from_a_plan_switch(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        original = queue(recipient, kind="plan_switch_confirmation")
    with django_capture_on_commit_callbacks(execute=True):
        card = notice_resend(notice=original, requested_by=None, kind="id_card")
    card.refresh_from_db()
    assert card.kind == "id_card"
    assert card.context["plan_name"] == "Wellcare by Health Net"
    assert card.status == NoticeStatus.SENT
    text = pdf_text(notice_id_card_pdf(card) or b"")
    assert "Wellcare by Health Net" in text and "Health Net Community Solutions" in text


def test_denial_cannot_be_resent_as_an_id_card(recipient: dict[str, Any]) -> None:
    denial = queue(recipient, kind="denial")
    with pytest.raises(InvalidNotice):
        notice_resend(notice=denial, requested_by=None, kind="id_card")


def test_cancel_pending_cancels_only_unsent_notices_with_the_prefix(
    recipient: dict[str, Any],
) -> None:
    later = timezone.now() + datetime.timedelta(days=60)
    keys = {
        "county-transition-60:06029:2027-01-01:1": NoticeStatus.QUEUED,
        "county-transition-60:06029:2027-01-01:2": NoticeStatus.QUEUED,
        "county-transition-60:06029:2027-01-01:3": NoticeStatus.SENT,
        "county-transition-60:06029:2027-01-01:4": NoticeStatus.SENDING,
        "county-transition-60:06037:2027-01-01:1": NoticeStatus.QUEUED,
    }
    for key, status in keys.items():
        notice = queue(
            recipient, kind="county_transition_60", idempotency_key=key, scheduled_for=later
        )
        if status == NoticeStatus.SENT:
            Notice.objects.filter(pk=notice.pk).update(status=status, sent_at=timezone.now())
        elif status != NoticeStatus.QUEUED:
            Notice.objects.filter(pk=notice.pk).update(status=status)

    cancelled = notice_cancel_pending(
        idempotency_key_prefix="county-transition-60:06029:", reason="county date moved"
    )

    assert cancelled == 2
    statuses = dict(Notice.objects.values_list("idempotency_key", "status"))
    assert statuses == {
        "county-transition-60:06029:2027-01-01:1": NoticeStatus.CANCELLED,
        "county-transition-60:06029:2027-01-01:2": NoticeStatus.CANCELLED,
        "county-transition-60:06029:2027-01-01:3": NoticeStatus.SENT,
        "county-transition-60:06029:2027-01-01:4": NoticeStatus.SENDING,
        "county-transition-60:06037:2027-01-01:1": NoticeStatus.QUEUED,
    }
    with pytest.raises(InvalidNotice):
        notice_cancel_pending(idempotency_key_prefix="")


def test_a_cancelled_notice_is_never_delivered(recipient: dict[str, Any]) -> None:
    notice = queue(recipient)
    notice_cancel_pending(idempotency_key_prefix=notice.idempotency_key)
    tasks.notice_deliver.delay(notice.pk)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CANCELLED
    assert mail.outbox == []


def test_notices_for_recipient_lists_newest_first_and_only_theirs(
    recipient: dict[str, Any],
) -> None:
    older = queue(recipient, kind="application_received", idempotency_key="a:1")
    newer = queue(recipient, kind="denial", idempotency_key="d:1")
    queue(recipient, kind="denial", idempotency_key="d:2", recipient_key="beneficiary:43")
    Notice.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert list(notices_for_recipient("beneficiary:42")) == [newer, older]
