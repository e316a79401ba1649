"""The project package: health endpoint, settings modes, PHI redaction in logs."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

from medimedi.logging import RedactPHIFilter, redact

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def _settings_subprocess(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "REDIS_CACHE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "medimedi.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_refuses_to_start_without_its_settings() -> None:
    result = _settings_subprocess({"DJANGO_ENV": "production"}, "import django; django.setup()")
    assert result.returncode != 0
    for name in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "REDIS_CACHE_URL",
    ):
        assert name in result.stderr


def test_production_mode_with_its_settings_passes_check_deploy() -> None:
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 64 + "production-secret-for-the-test-only",
        "DJANGO_ALLOWED_HOSTS": "portal.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "REDIS_CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    code = (
        "import django, sys; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = _settings_subprocess(env, code)
    assert result.returncode == 0, result.stderr


def test_defaults_are_sqlite_and_in_process_tasks() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = _settings_subprocess({}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("member 1EG4TE5MK73 approved", "member [MBI] approved"),
        ("member 1eg4-te5-mk73 approved", "member [MBI] approved"),
        ("cin 90000000A found", "cin [CIN] found"),
        ("card 90000000A51234 read", "card [CIN] read"),
        ("application 1234 approved", "application 1234 approved"),
    ],
)
def test_identifiers_are_masked(message: str, expected: str) -> None:
    assert redact(message) == expected


def test_log_filter_masks_arguments_too() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "looked up %s", ("1EG4TE5MK73",), None
    )
    assert RedactPHIFilter().filter(record)
    assert record.getMessage() == "looked up [MBI]"


@pytest.mark.django_db
def test_not_found_and_forbidden_pages_use_the_site_layout(
    client: Client, settings: object
) -> None:
    from tests.factories import UserFactory

    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
    assert b'href="#main"' in response.content
    client.force_login(UserFactory())
    forbidden = client.get("/staff/queue/")
    assert forbidden.status_code == 403
    assert b"You cannot see this page" in forbidden.content
