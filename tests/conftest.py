"""Suite-wide fixtures and the policy for tests that need PostgreSQL or Redis.

A test marked ``postgres`` is skipped on SQLite, unless ``REQUIRE_POSTGRES=1`` (set by CI's
PostgreSQL run), which turns that skip into a failure. ``redis`` works the same way with
``REQUIRE_REDIS=1`` and a configured ``CELERY_BROKER_URL``, and ``browser`` with
``REQUIRE_BROWSER=1`` and Debian's chromium (``tests/browser``, docs/browser-tests.md).
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db.backends.signals import connection_created

from tests.worker_support import worker  # noqa: F401 - a fixture for the whole suite


def _allow_audit_log_truncate(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Let Django's flush between transactional tests empty the append-only audit log.

    On PostgreSQL a trigger refuses TRUNCATE of the audit log unless the session opts in
    (accounts migration 0003); every connection the suite opens, in any thread, opts in.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET medimedi.audit_log_truncate = 'allow'")


connection_created.connect(_allow_audit_log_truncate)


def _missing(item: pytest.Item) -> list[tuple[str, str]]:
    missing = []
    if item.get_closest_marker("postgres") and not settings.IS_POSTGRES:
        missing.append(("REQUIRE_POSTGRES", "needs PostgreSQL: set DATABASE_URL=postgres://..."))
    if item.get_closest_marker("redis") and settings.CELERY_TASK_ALWAYS_EAGER:
        missing.append(("REQUIRE_REDIS", "needs a Redis broker: set CELERY_BROKER_URL=redis://..."))
    if item.get_closest_marker("browser") and not _browser_available():
        missing.append(("REQUIRE_BROWSER", "needs chromium: apt-get install chromium"))
    return missing


def _browser_available() -> bool:
    """Debian's chromium and Playwright's Python package, for tests marked ``browser``."""
    import importlib.util

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return os.access(chromium, os.X_OK) and importlib.util.find_spec("playwright") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for flag, reason in _missing(item):
            if os.environ.get(flag) != "1":
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _required_services_present(request: pytest.FixtureRequest) -> None:
    """Fail a postgres/redis test, rather than skip it, when CI requires the service."""
    for flag, reason in _missing(request.node):
        pytest.fail(f"{flag}=1 but this test {reason}")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; a fast hasher keeps them quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference_data(django_db_blocker: Any) -> None:
    """Reload the reference data that a transactional test's flush removed (idempotent)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_reference_snapshot() -> None:
    """Each test starts without the in-process reference snapshot of an earlier test."""
    from eligibility.reference_cache import reference_cache_clear

    reference_cache_clear()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Counters kept in the cache (identity-link attempts) never leak between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    """Letters a test renders, and eligibility files it uploads, stay in its temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INTERCHANGE_UPLOAD_DIR = str(tmp_path / "imports")
    settings.INTERCHANGE_EXPORT_DIR = str(tmp_path / "exports")


@pytest.fixture
def tasks_in_process() -> Iterator[None]:
    """Run Celery tasks in this process on commit, even on CI's Redis run (no worker there).

    For tests that check what delivery did (status sent, the PDFs); the end-to-end tests use a
    real worker instead.
    """
    from medimedi.celery import app as celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous
