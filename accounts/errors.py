"""Domain errors shared by the apps; the API turns each into its HTTP status."""


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
