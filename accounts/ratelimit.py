"""Counters of attempts in the shared default cache, and the client address they are kept for.

Every web process sees the same counts because they live in the default cache (Redis in
production, ``REDIS_CACHE_URL``). A window starts at the first attempt; the attempt that reaches
the limit restarts it, so a limit once reached holds for one full window from then.
"""

import hashlib
import math
import time
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache

from accounts.errors import TooManyRequests

KEY_PREFIX = "ratelimit:"


class _HasMeta(Protocol):
    @property
    def META(self) -> Mapping[str, Any]: ...


def client_address(request: _HasMeta) -> str:
    """The address the request came from: ``REMOTE_ADDR``, or behind proxies the one they saw.

    With ``TRUSTED_PROXY_COUNT`` = n proxies in front of the portal, each appending to
    ``X-Forwarded-For``, the client is the n-th address from the right; the addresses left of it
    are whatever the client chose to send and are never trusted.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def digest(value: str) -> str:
    """A cache-key-safe stand-in for a value (a username, an identifier) that keeps it out of keys."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(key: str) -> tuple[str, str]:
    return KEY_PREFIX + key, KEY_PREFIX + key + ":until"


def _wait(until_key: str, now: float, window: int) -> int:
    until = cache.get(until_key)
    remaining = float(until) - now if until is not None else float(window)
    return max(1, math.ceil(remaining))


def hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one attempt under ``key``; return the seconds to wait if it is past ``limit``.

    ``None`` means the attempt is within the limit (the ``limit``-th attempt still is).
    """
    count_key, until_key = _keys(key)
    now = time.time()
    try:
        count = cache.incr(count_key)  # the usual case first: a window is under way
    except ValueError:  # no window yet (or it just ended): start one
        if cache.add(count_key, 1, timeout=window):
            count = 1
            cache.set(until_key, now + window, timeout=window)
        else:  # another process started it first
            count = cache.incr(count_key)
    if count == limit:
        cache.touch(count_key, timeout=window)
        cache.set(until_key, now + window, timeout=window)
    if count > limit:
        return _wait(until_key, now, window)
    return None


def count(key: str) -> int:
    """The attempts counted under ``key`` in its current window."""
    return int(cache.get(_keys(key)[0], 0))


def blocked(key: str, *, limit: int, window: int) -> int | None:
    """Seconds to wait if ``key`` has reached ``limit`` (without counting an attempt), else ``None``."""
    count_key, until_key = _keys(key)
    if int(cache.get(count_key, 0)) < limit:
        return None
    return _wait(until_key, time.time(), window)


def reset(key: str) -> bool:
    """Forget the attempts counted under ``key``; say whether there were any."""
    count_key, until_key = _keys(key)
    had = cache.get(count_key) is not None
    cache.delete_many([count_key, until_key])
    return had


Counter = tuple[str, int]  # (key, limit)


def blocked_any(counters: list[Counter], *, window: int) -> int | None:
    """The longest wait among ``counters`` that reached their limits, or ``None`` if none did."""
    waits = [
        wait
        for key, limit in counters
        if (wait := blocked(key, limit=limit, window=window)) is not None
    ]
    return max(waits) if waits else None


def hit_all(counters: list[Counter], *, window: int) -> None:
    """Count one attempt under each of ``counters``."""
    for key, limit in counters:
        hit(key, limit=limit, window=window)


def enforce(address: str, *, scope: str, limit: int, window: int, message: str) -> None:
    """Count one request from ``address`` under ``scope``; past ``limit``, refuse it.

    Raises ``TooManyRequests`` (429) with ``retry_after``: the API answers it with a
    ``Retry-After`` header, a page with the "try again later" page.
    """
    wait = hit(f"{scope}:{address}", limit=limit, window=window)
    if wait is not None:
        raise TooManyRequests(message, retry_after=wait)
