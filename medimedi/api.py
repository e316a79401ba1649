"""API-wide error handling: every error answers JSON, never a server error for bad input.

Domain errors become their status code with ``{"detail", "code"}``; DRF's own errors get a
``code`` beside their ``detail``; a request body past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers
413 and an id past the database's integer range 404.
"""

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import DomainError, TooManyRequests
from medimedi.middleware import MAX_ID

logger = logging.getLogger(__name__)


def _error(detail: str, code: str, status_code: int) -> Response:
    return Response({"detail": detail, "code": code}, status=status_code)


def _id_beyond_range(context: dict[str, Any]) -> bool:
    values = [*context.get("args", ()), *context.get("kwargs", {}).values()]
    return any(
        isinstance(value, str) and value.isascii() and value.isdigit() and int(value) > MAX_ID
        for value in values
    ) or any(isinstance(value, int) and value > MAX_ID for value in values)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        field, fields = exc.extra.get("field"), exc.extra.get("fields")
        if exc.status_code == status.HTTP_400_BAD_REQUEST and isinstance(fields, dict):
            # Several fields at fault at once (``fields``: field -> message), each keyed.
            return Response({k: [v] for k, v in fields.items()}, status=exc.status_code)
        if exc.status_code == status.HTTP_400_BAD_REQUEST and isinstance(field, str):
            # Keyed by the field at fault, like a serializer's validation error.
            return Response({field: [exc.message]}, status=exc.status_code)
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code, **exc.extra}
        answer = Response(body, status=exc.status_code)
        # Attempt limits (accounts.ratelimit, the sign-in lockout) say how long to wait.
        retry_after = exc.extra.get("retry_after")
        if isinstance(exc, TooManyRequests) and isinstance(retry_after, int):
            answer["Retry-After"] = str(retry_after)
        return answer
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return _error(
            "The request body is too large.",
            "request_too_large",
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, RecursionError):
        return _error("The request is nested too deeply.", "too_deep", status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (OverflowError, DataError)):
        if _id_beyond_range(context):
            return _error("Not found.", "not_found", status.HTTP_404_NOT_FOUND)
        # A number or text the database cannot hold came from the request: the request is at
        # fault. Logged (the type only, never the value) so a field without bounds gets them.
        logger.warning("database refused a request value: %s", type(exc).__name__)
        return _error(
            "A value in the request is out of range.", "out_of_range", status.HTTP_400_BAD_REQUEST
        )
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(response.data, dict)
        and set(response.data) == {"detail"}
    ):
        # DRF's own errors (and Http404/PermissionDenied, which it converts) carry their code
        # in the detail; the body says it too, like a domain error's.
        detail_value = response.data["detail"]
        code = detail_value.code if isinstance(detail_value, ErrorDetail) else None
        response.data["code"] = code or getattr(exc, "default_code", None) or "error"
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 for a path no route matches: JSON under ``/api/`` (as every API error), the
    site's page elsewhere. Django calls it (``handler404``) when ``DEBUG`` is off."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)
