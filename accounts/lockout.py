"""Sign-in lockout: django-axes with one limit per username and a higher one per address.

Axes compares every lockout parameter with the one ``AXES_FAILURE_LIMIT``, so it cannot say
"5 failures lock a username, 50 lock an address" by itself. This handler keeps both counters
in the shared cache (``accounts.ratelimit``) with their own limits: ``AXES_FAILURE_LIMIT`` per
username and ``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` per client address, each over
``AXES_COOLOFF_TIME``, which is also how long a lock lasts. Axes still does the rest: its
authentication backend refuses a locked username before the password is checked, its signal
receivers feed this handler, and its middleware answers a locked-out request with
``lockout_response``.
"""

import logging
from datetime import timedelta
from typing import Any

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import ratelimit

logger = logging.getLogger(__name__)

LOCKED_OUT_CODE = "too_many_attempts"


def _window() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else 15 * 60


def _username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    username = get_client_username(request, credentials)
    if not isinstance(username, str) or not username.strip():
        return None
    # Members sign in with their email address in any case: one counter whatever the case.
    return username.strip().lower()


def _user_key(username: str) -> str:
    """The counter of one username's failures (a digest: no username in cache keys)."""
    return f"login-failures:user:{ratelimit.digest(username)}"


def _counters(request: HttpRequest, credentials: dict[str, Any] | None) -> list[ratelimit.Counter]:
    """The cache keys that count this attempt's failures, each with its limit."""
    counters = []
    username = _username(request, credentials)
    if username is not None:
        counters.append(
            (
                _user_key(username),
                get_failure_limit(request, credentials),
            )
        )
    address = getattr(request, "axes_ip_address", None) or ratelimit.client_address(request)
    counters.append((f"login-failures:address:{address}", settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS))
    return counters


def lockout_remaining(request: HttpRequest, credentials: dict[str, Any] | None) -> int | None:
    """Seconds until this username and address may try again, or ``None`` if not locked."""
    return ratelimit.blocked_any(_counters(request, credentials), window=_window())


class LoginLockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    """Axes handler: failures counted per username and per address, each against its own limit."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if not getattr(settings, "AXES_LOCK_OUT_AT_FAILURE", True):
            return False
        return lockout_remaining(request, credentials) is not None

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        username = _username(request, credentials)
        if username is None:
            return 0
        return ratelimit.count(_user_key(username))

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return
        if getattr(request, "axes_locked_out", False):
            # Refused while locked (axes' backend): not counted, so a lock ends on time and a
            # stranger cannot keep someone else's account locked for ever.
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            return
        if self.is_whitelisted(request, credentials):
            return
        ratelimit.hit_all(_counters(request, credentials), window=_window())
        if self.is_locked(request, credentials):
            logger.warning("sign-in locked after repeated failures (path %s)", request.path)
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=_username(request, credentials),
                ip_address=getattr(request, "axes_ip_address", None),
            )

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        # A right password (and code) clears that username's failures, not the address's.
        username = str(user.get_username()).strip().lower()
        ratelimit.reset(_user_key(username))

    def user_logged_out(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        return None

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        cleared = 0
        if username is not None:
            name = username.strip().lower()
            cleared += ratelimit.reset(_user_key(name))
        if ip_address is not None:
            cleared += ratelimit.reset(f"login-failures:address:{ip_address}")
        return cleared


def login_failure_record(request: HttpRequest, *, username: str) -> None:
    """Count a sign-in that failed after the password (a missing or wrong one-time code).

    Sent as Django's ``user_login_failed`` so the lockout counts it like a wrong password: a
    stolen password does not give unlimited guesses at the code.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a locked-out sign-in gets (``AXES_LOCKOUT_CALLABLE``): 429, ``Retry-After``.

    The API answers JSON ``{"detail", "code": "too_many_attempts", "retry_after"}``; a page
    says at what time to try again.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response  # the view already answered the lockout itself
    wait = lockout_remaining(request, credentials) or _window()
    minutes = max(1, round(wait / 60))
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": locked_out_message(wait),
                "code": LOCKED_OUT_CODE,
                "retry_after": wait,
            },
            status=429,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {
                "retry_at": timezone.localtime(timezone.now() + timedelta(seconds=wait)),
                "minutes": minutes,
            },
            status=429,
        )
    response["Retry-After"] = str(wait)
    return response


def locked_out_message(wait: int) -> str:
    minutes = max(1, round(wait / 60))
    return (
        f"Too many failed sign-in attempts. Try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}."
    )
