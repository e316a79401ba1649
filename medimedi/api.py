"""API-wide error handling: domain errors become their status code with a JSON body."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        field = exc.extra.get("field")
        if exc.status_code == status.HTTP_400_BAD_REQUEST and isinstance(field, str):
            # Keyed by the field at fault, like a serializer's validation error.
            return Response({field: [exc.message]}, status=exc.status_code)
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
