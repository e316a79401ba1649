"""Response headers and request guards that hold for every page and API answer."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control

# The largest primary key a BigAutoField holds; a longer id in a URL names no record.
MAX_ID = 2**63 - 1


def _is_id_name(name: str) -> bool:
    return name in {"pk", "id", "object_id"} or name.endswith(("_pk", "_id"))


def _beyond_any_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > MAX_ID
    return isinstance(value, str) and value.isascii() and value.isdigit() and int(value) > MAX_ID


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every API answer and every signed-in response.

    Member data must not stay in a shared proxy or in the browser's cache after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # DRF sets the token-authenticated user on the Django request too.
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


class IdRangeMiddleware:
    """A URL id beyond the database's integer range answers 404, never an overflow error.

    Routes take ``[0-9]+``; SQLite raises ``OverflowError`` and PostgreSQL ``DataError`` for a
    number past 2**63 - 1, which no record can have.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not any(
            _is_id_name(name) and _beyond_any_id(value) for name, value in view_kwargs.items()
        ) and not any(_beyond_any_id(value) for value in view_args):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
        raise Http404("No such record.")
