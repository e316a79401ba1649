"""Print: letters for members without email, or in large print, braille or audio, go to the vendor."""

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.services import notice_queue, notices_print_batch_build
from tests.notices.conftest import context_for

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., Any]


def queue_print(capture: CaptureCallbacks, recipient: dict[str, Any], key: str) -> Notice:
    with capture(execute=True):
        notice = notice_queue(
            kind="enrollment_confirmation",
            idempotency_key=key,
            recipient_key="beneficiary:42",
            recipient=recipient,
            context=context_for("enrollment_confirmation"),
        )
    notice.refresh_from_db()
    return notice


def test_print_letters_are_stored_then_batched_with_braille_and_audio_flagged(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    standard = queue_print(django_capture_on_commit_callbacks, {**recipient, "email": ""}, "p:1")
    braille = queue_print(
        django_capture_on_commit_callbacks, {**recipient, "format": "braille"}, "p:2"
    )
    audio = queue_print(django_capture_on_commit_callbacks, {**recipient, "format": "audio"}, "p:3")
    for notice in (standard, braille, audio):
        assert notice.channel == NoticeChannel.PRINT
        assert notice.status == NoticeStatus.SENT
        assert notice.pdf and notice.id_card_pdf
    assert mail.outbox == []

    batch = notices_print_batch_build()

    assert batch is not None
    assert batch.notice_count == 3
    assert batch.special_format_count == 2
    assert set(batch.notices.all()) == {standard, braille, audio}
    with batch.file.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        names = set(archive.namelist())
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert names == {
        "manifest.csv",
        *(f"{n.pk}.pdf" for n in (standard, braille, audio)),
        *(f"{n.pk}-id-card.pdf" for n in (standard, braille, audio)),
    }
    flags = {int(row["notice_id"]): row["special_format"] for row in manifest}
    assert flags == {standard.pk: "", braille.pk: "braille", audio.pk: "audio"}
    assert "Rosa" not in archive_text(manifest)
    assert notices_print_batch_build() is None  # each letter goes to the vendor once


def test_print_notice_without_a_mailing_address_fails_at_once(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    notice = queue_print(
        django_capture_on_commit_callbacks, {**recipient, "email": "", "address": []}, "p:9"
    )
    assert notice.status == NoticeStatus.FAILED
    assert "no mailing address" in notice.last_error
    assert notices_print_batch_build() is None


def archive_text(rows: list[dict[str, str]]) -> str:
    return " ".join(" ".join(row.values()) for row in rows)


def test_the_print_batch_command_reports_the_batch(
    django_capture_on_commit_callbacks: CaptureCallbacks, recipient: dict[str, Any]
) -> None:
    out = io.StringIO()
    call_command("notices_print_batch", stdout=out)
    assert out.getvalue().strip() == "no print letters waiting"
    queue_print(django_capture_on_commit_callbacks, {**recipient, "format": "large_print"}, "p:5")
    out = io.StringIO()
    call_command("notices_print_batch", stdout=out)
    assert out.getvalue().startswith("print batch ")
    assert "1 letter(s) (0 braille or audio)" in out.getvalue()
