"""Security headers: a CSP without inline code, no caching of member data, docs behind staff.

The CSP itself is checked here by its header and by scanning the templates for inline code;
that the admin and the API docs page run under it without a single violation was checked in
headless Chromium (see the commit that added the policy).
"""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# An email is not a page: mail clients need its inline styles and never see the CSP.
NOT_PAGES = {ROOT / "notices" / "templates" / "notices" / "email.html"}
CHECK_BODY = {
    "county": "san mateo",
    "as_of": "2026-11-27",
    "medicare_part_a": True,
    "medicare_part_b": True,
    "medi_cal": "full",
}


def directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def page_templates() -> list[Path]:
    found = [*(ROOT / "templates").rglob("*.html")]
    for app in ("accounts", "eligibility", "enrollment", "notices"):
        found += (ROOT / app / "templates").rglob("*.html")
    return [path for path in found if path not in NOT_PAGES]


# Content-Security-Policy -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/login/", "/api/docs/"])
def test_every_page_has_a_csp_without_unsafe_inline(client: Client, url: str) -> None:
    policy = directives(client.get(url))
    for name in ("script-src", "style-src"):
        assert "'self'" in policy[name]
        assert "'unsafe-inline'" not in policy[name]
        assert "'unsafe-eval'" not in policy[name]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_inline_style_script_or_event_handler() -> None:
    inline_script = re.compile(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", re.IGNORECASE)
    inline_style = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>|\sstyle\s*=", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in page_templates()
        for pattern in (inline_script, inline_style, handler)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_api_docs_runs_its_one_inline_script_with_the_response_nonce(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    nonces = [v for v in directives(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    page = response.content.decode()
    assert f'<script nonce="{nonce}">' in page
    assert "<style" not in page
    assert "css/swagger.css" in page


def test_large_print_letter_on_a_page_uses_a_class_not_an_inline_style() -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "notices/letter.html",
        {"kind": "denial", "large_print": True, "body_language": "en", "body": "", "labels": {}},
    )
    assert "notice--large-print" in html
    assert "style=" not in html
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"\.notice--large-print\s*\{[^}]*font-size:\s*18pt", css)


# Cache-Control -----------------------------------------------------------------------------


def assert_private_no_store(response: Any) -> None:
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= cache_control, response.get("Cache-Control")
    assert "public" not in cache_control


@pytest.fixture
def member() -> User:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    return user


def test_pages_for_a_signed_in_member_are_not_stored(client: Client, member: User) -> None:
    client.force_login(member)
    for url in ("/", "/me/", "/me/letters/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private_no_store(response)


def test_pages_for_staff_are_not_stored(client: Client) -> None:
    login_verified(client, StaffFactory())
    assert_private_no_store(client.get("/staff/queue/", follow=True))


def test_anonymous_public_page_may_be_cached(client: Client) -> None:
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_every_api_answer_is_not_stored(member: User) -> None:
    api = APIClient()
    api.force_authenticate(member)
    assert_private_no_store(api.get("/api/v1/me"))
    assert_private_no_store(api.get("/api/v1/applications"))
    assert_private_no_store(api.get("/api/v1/applications/999999"))  # 404 too
    anonymous = APIClient()
    assert_private_no_store(anonymous.get("/api/v1/me"))  # 401/403
    assert_private_no_store(anonymous.post("/api/v1/eligibility/check", CHECK_BODY, format="json"))


# API docs and schema -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/docs/", "/api/schema/"])
def test_api_docs_are_open_in_development(client: Client, url: str) -> None:
    assert settings.API_DOCS_PUBLIC  # the test settings are development's
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/docs/", "/api/schema/"])
def test_api_docs_are_for_staff_and_admins_only_in_production(
    settings: Any, url: str, member: User
) -> None:
    settings.API_DOCS_PUBLIC = False
    assert Client().get(url).status_code in (401, 403)
    as_member = Client()
    as_member.force_login(member)
    assert as_member.get(url).status_code == 403
    for user in (StaffFactory(), AdminFactory()):
        as_staff = Client()
        login_verified(as_staff, user)
        assert as_staff.get(url).status_code == 200, user.role


def test_production_closes_the_api_docs_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """``DJANGO_ENV=production`` turns ``API_DOCS_PUBLIC`` off unless it is set explicitly."""
    import importlib.util

    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "portal.example")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/db")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("REDIS_CACHE_URL", "redis://127.0.0.1:6379/1")
    monkeypatch.delenv("API_DOCS_PUBLIC", raising=False)
    spec = importlib.util.spec_from_file_location(
        "production_settings", ROOT / "medimedi" / "settings.py"
    )
    assert spec is not None and spec.loader is not None
    production = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(production)
    assert production.API_DOCS_PUBLIC is False
    assert "csp.middleware.CSPMiddleware" in production.MIDDLEWARE
