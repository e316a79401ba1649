"""A real Celery worker on the real Redis delivers notices from the real PostgreSQL database.

The worker is a subprocess (``celery -A medimedi worker --pool=solo``) pointed at pytest-django's
test database, with mail written to files; it consumes a queue of its own, so other test runs on
the same Redis never take its messages. Runs on CI's PostgreSQL + Redis pass only.
"""

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from notices import tasks
from notices.models import Notice, NoticeStatus
from notices.services import notice_queue, notices_sweep
from tests.notices.conftest import context_for
from tests.worker_support import CLOSED_PORT_BROKER, ROOT, Worker, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def status_of(notice_id: int) -> str:
    return Notice.objects.values_list("status", flat=True).get(pk=notice_id)


def notice_arguments(recipient: dict[str, Any], key: str) -> dict[str, Any]:
    return {
        "kind": "enrollment_confirmation",
        "idempotency_key": key,
        "recipient_key": "beneficiary:42",
        "recipient": recipient,
        "context": context_for("enrollment_confirmation"),
    }


def test_a_real_worker_delivers_a_queued_notice(worker: Worker, recipient: dict[str, Any]) -> None:
    with transaction.atomic():
        notice = notice_queue(**notice_arguments(recipient, "enrollment-confirmed:501"))

    wait_for(lambda: status_of(notice.pk) == NoticeStatus.SENT, "the notice to be sent", worker)

    notice.refresh_from_db()
    assert notice.attempts == 1
    assert worker.emails_for(notice.pk) == 1
    mail = "".join(path.read_text() for path in worker.mail_dir.iterdir())
    assert "Subject: Welcome to CareAdvantage: your enrollment is confirmed" in mail
    assert f'filename="letter-{notice.pk}.pdf"' in mail
    assert Path(notice.pdf.path).is_file() and Path(notice.id_card_pdf.path).is_file()
    assert "Rosa" not in worker.log() and "rosa@example.org" not in worker.log()


def test_a_notice_queued_while_the_broker_is_down_is_delivered_once_by_the_sweeper(
    worker: Worker, recipient: dict[str, Any]
) -> None:
    # A web process whose broker is a closed port queues a notice: its transaction commits,
    # the publish fails, and the caller carries on.
    script = (
        "import json, sys, django\n"
        "django.setup()\n"
        "from django.db import transaction\n"
        "from notices.services import notice_queue\n"
        "with transaction.atomic():\n"
        "    notice = notice_queue(**json.loads(sys.stdin.read()))\n"
        "print(notice.pk)\n"
    )
    started = time.monotonic()
    web = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(notice_arguments(recipient, "enrollment-confirmed:502")),
        cwd=ROOT,
        env={**worker.env, "CELERY_BROKER_URL": CLOSED_PORT_BROKER},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert web.returncode == 0, web.stderr
    assert time.monotonic() - started < 60
    notice_id = int(web.stdout.split()[-1])
    assert f"notice {notice_id}: publishing its delivery task failed" in web.stderr
    time.sleep(1)
    assert status_of(notice_id) == NoticeStatus.QUEUED
    assert worker.emails_for(notice_id) == 0

    # The broker is back; once the grace period has passed the sweeper publishes the notice.
    Notice.objects.filter(pk=notice_id).update(next_attempt_at=timezone.now())
    assert notices_sweep().requeued == [notice_id]
    wait_for(lambda: status_of(notice_id) == NoticeStatus.SENT, "the swept notice", worker)

    # Neither another sweep nor a duplicate message sends it again.
    assert notices_sweep().requeued == []
    tasks.notice_deliver.apply_async(args=(notice_id,), queue=worker.queue)
    wait_for(
        lambda: f"notice {notice_id}: not claimable" in worker.log(),
        "the duplicate message to be consumed",
        worker,
    )
    assert worker.emails_for(notice_id) == 1
    assert Notice.objects.get(pk=notice_id).attempts == 1
