"""Session rules for sign-in: idle and absolute time limits, the second factor, 429 pages.

Order in ``MIDDLEWARE``: after ``AuthenticationMiddleware``, ``MessageMiddleware`` and
django-otp's ``OTPMiddleware``.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from accounts.errors import TooManyRequests
from accounts.models import User
from accounts.otp import second_factor_required

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# Last activity is written at most this often, so a page view is not always a session write.
LAST_SEEN_GRANULARITY_SECONDS = 30


def session_clock_start(request: HttpRequest) -> None:
    """Record the sign-in time in the session (the login view calls it after ``login``)."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_limits(user: User) -> tuple[int, int | None]:
    """(idle seconds, absolute seconds or None) allowed to a session of ``user``."""
    if second_factor_required(user):
        return settings.SESSION_IDLE_SECONDS_STAFF, settings.SESSION_MAX_SECONDS_STAFF
    return settings.SESSION_IDLE_SECONDS_MEMBER, settings.SESSION_MAX_SECONDS_MEMBER


def _exempt(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(tuple(settings.SIGNIN_EXEMPT_PATHS)) or path.startswith(
        settings.STATIC_URL or "/static/"
    )


def _signed_out(request: HttpRequest, message: str) -> HttpResponse | None:
    """Log the request out; a page goes to the login page, the API carries on anonymous."""
    logout(request)
    if request.path_info.startswith("/api/") or _exempt(request):
        return None
    messages.info(request, message)
    return redirect_to_login(request.get_full_path())


class SessionTimeoutMiddleware:
    """Sign a session out after it is idle too long, or (staff, admins) open too long.

    Staff and administrators: ``SESSION_IDLE_SECONDS_STAFF`` (15 minutes) idle,
    ``SESSION_MAX_SECONDS_STAFF`` (8 hours) at most; members ``SESSION_IDLE_SECONDS_MEMBER``
    (30 minutes) idle. API tokens carry their own expiry and do not pass here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_authenticated:
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: User) -> HttpResponse | None:
        now = time.time()
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if not isinstance(signed_in_at, (int, float)) or not isinstance(last_seen_at, (int, float)):
            session_clock_start(request)
            return None
        idle, most = session_limits(user)
        if now - last_seen_at > idle:
            return _signed_out(
                request,
                f"You were signed out after {idle // 60} minutes without activity. "
                "Please log in again.",
            )
        if most is not None and now - signed_in_at > most:
            return _signed_out(
                request,
                f"You were signed out after {most // 3600} hours. Please log in again.",
            )
        if now - last_seen_at >= LAST_SEEN_GRANULARITY_SECONDS:
            session[LAST_SEEN_AT] = now
        return None


class RequireSecondFactorMiddleware:
    """A staff or admin session that did not give a one-time code is signed out.

    Covers every page, the Django admin and session use of the API; the login and logout
    pages, static files and the health check pass (``SIGNIN_EXEMPT_PATHS``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and user.is_authenticated
            and second_factor_required(user)
            and not _exempt(request)
            and not user.is_verified()  # type: ignore[attr-defined] # set by OTPMiddleware
        ):
            refused = _signed_out(
                request, "Log in with your password and the code from your authenticator app."
            )
            if refused is not None:
                return refused
        return self.get_response(request)


class TooManyRequestsPageMiddleware:
    """A page that raises ``TooManyRequests`` answers the 429 page with ``Retry-After``.

    (The API's exception handler does the same for API views.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, TooManyRequests):
            return None
        wait = exc.extra.get("retry_after")
        response = render(request, "429.html", {"message": exc.message}, status=429)
        if isinstance(wait, int):
            response["Retry-After"] = str(wait)
        return response


class AccountLanguageMiddleware:
    """Speak the language a signed-in user chose (``User.preferred_language``), on any device.

    After ``LocaleMiddleware`` (the browser's language or the ``django_language`` cookie, the
    first guess) and ``AuthenticationMiddleware``: an account's choice wins over both, so it
    survives a new session, a new browser and a sign-in elsewhere (docs/i18n.md).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "preferred_language", "") if user is not None else ""
        if language and user is not None and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
