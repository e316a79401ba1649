"""A real Celery worker subprocess for end-to-end tests on CI's PostgreSQL and Redis.

The worker (``celery -A medimedi worker --pool=solo``) points at pytest-django's test database,
writes mail to files and consumes a queue of its own, so other test runs on the same Redis never
take its messages. The ``worker`` fixture is registered for the whole suite in tests/conftest.py.
"""

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
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@dataclass
class Worker:
    queue: str  # its own single-letter queue; bulk letters go to ``<queue>-bulk``
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
    settings.NOTICES_BULK_CELERY_QUEUE = f"{queue}-bulk"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="medimedi.settings",
        DATABASE_URL=subprocess_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        NOTICES_CELERY_QUEUE=queue,
        NOTICES_BULK_CELERY_QUEUE=f"{queue}-bulk",
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
                f"{queue},{queue}-bulk",  # in priority order (docs/notices.md)
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
