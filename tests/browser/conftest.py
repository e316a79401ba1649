"""Fixtures for the browser tests: Debian's chromium driven by Playwright against ``live_server``.

Never a browser download: Playwright launches ``/usr/bin/chromium`` (``CHROMIUM`` overrides it).
The tests are marked ``browser`` (tests/conftest.py skips them, with a reason, when chromium or
Playwright is missing, unless ``REQUIRE_BROWSER=1``). See docs/browser-tests.md.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import Visit

pytestmark = pytest.mark.browser

# pytest-django's live server listens here (its default is "localhost").
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="module")
def chromium(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """One headless chromium per test module.

    Playwright's sync API keeps an event loop running in this thread while it is open, and
    Django refuses ORM calls in a thread with a running loop; the test thread is not async, so
    the guard is lifted while chromium is open (and only then: the module's end closes both,
    so the rest of the suite keeps the guard).
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                headless=True,
                args=["--no-sandbox"],
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_site(
    chromium: Any,
    live_server: Any,
    transactional_db: None,
    reference_data: None,
) -> Iterator[Any]:
    """A factory of fresh browser contexts (no cookies) at a given width, on the live server."""
    contexts: list[Any] = []

    def new_visit(journey: str, width: int, language: str = "en-US") -> Visit:
        context = chromium.new_context(
            viewport={"width": width, "height": 900},
            base_url=live_server.url,
            locale=language,
            # axe-core is injected as an inline script, which the portal's CSP rightly refuses.
            bypass_csp=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Visit(context.new_page(), journey=journey, width=width)

    yield new_visit
    for context in contexts:
        context.close()
