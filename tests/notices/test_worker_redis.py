"""A real Celery worker on the real Redis delivers notices from the real PostgreSQL database.

The worker is a subprocess (``celery -A medimedi worker --pool=solo``) pointed at pytest-django's
test database, with mail written to files; it consumes a queue of its own, so other test runs on
the same Redis never take its messages. Runs on CI's PostgreSQL + Redis pass only.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notices import tasks
from notices.models import Notice, NoticeStatus
from notices.services import notice_queue, notices_sweep
from tests.notices.conftest import context_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@dataclass
class Worker:
    queue: str
    env: dict[str, str]
    mail_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def emails_for(self, notice_id: int) -> int:
        """Count the messages for one notice among the mail files the worker wrote."""
        header = f"X-Notice-Id: {notice_id}\n"
        return sum(path.read_text().count(header) for path in self.mail_dir.iterdir())


def subprocess_database_url() -> str:
    """Return a URL for pytest-django's test database (``test_<name>``), for subprocesses."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def wait_for(predicate: Callable[[], bool], what: str, worker: Worker, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}:\n{worker.log()}")
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}; worker log:\n{worker.log()}")


@pytest.fixture
def worker(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[Worker]:
    """Start a real worker for this test's queue; stop it before the database is flushed."""
    queue = f"notices-test-{uuid.uuid4().hex[:12]}"
    settings.NOTICES_CELERY_QUEUE = queue
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="medimedi.settings",
        DATABASE_URL=subprocess_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        NOTICES_CELERY_QUEUE=queue,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "medimedi",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Worker(queue, env, mail_dir, log_path, process)
    try:
        wait_for(lambda: " ready." in running.log(), "the worker to be ready", running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


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
