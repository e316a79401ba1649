"""Domain errors shared by the apps; the API turns each into its HTTP status."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    """A business rule refused the request. ``status_code`` is what the API answers."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class Conflict(DomainError):
    """The request contradicts the current state (an illegal status move, a race lost)."""

    status_code = 409
    code = "conflict"


class NotEligible(DomainError):
    """The rules refuse the request; ``extra['reasons']`` lists why."""

    status_code = 422
    code = "not_eligible"


class Forbidden(DomainError, PermissionDenied):
    """The actor may see the record but not do this (a member approving, staff linking).

    Also a ``PermissionDenied``, so a page answers Django's 403 page without any view code.
    """

    status_code = 403
    code = "forbidden"


class NotFound(DomainError, Http404):
    """No such record, or not one the actor may see: the two are never told apart.

    Also an ``Http404``, so a page answers Django's 404 page without any view code.
    """

    status_code = 404
    code = "not_found"


class TooManyRequests(DomainError):
    """A limit on attempts was reached; ``extra['retry_after']`` is the wait in seconds."""

    status_code = 429
    code = "too_many_attempts"
