"""Password rules that depend on who the password is for."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from accounts.models import User
from accounts.otp import second_factor_required


class RoleMinimumLengthValidator:
    """At least ``staff_min_length`` characters for staff and admins, ``min_length`` for members.

    Staff and admins reach many members' records (OWASP ASVS 2.1.1 asks 12 at least). Django
    passes the user being given the password; without one the member rule applies.
    """

    def __init__(self, min_length: int = 8, staff_min_length: int = 12) -> None:
        self.min_length = min_length
        self.staff_min_length = staff_min_length

    def _required(self, user: Any) -> int:
        if isinstance(user, User) and second_factor_required(user):
            return self.staff_min_length
        return self.min_length

    def validate(self, password: str, user: Any = None) -> None:
        required = self._required(user)
        if len(password) < required:
            # In the page's language (Django's own words, so its catalog covers them too).
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d "
                    "character.",
                    "This password is too short. It must contain at least %(min_length)d "
                    "characters.",
                    required,
                ),
                code="password_too_short",
                params={"min_length": required},
            )

    def get_help_text(self) -> str:
        # Django builds the forms' help text lazily, so this runs in the request's language.
        return gettext(
            "Your password must contain at least %(min_length)d characters "
            "(%(staff_min_length)d for plan staff and administrators)."
        ) % {"min_length": self.min_length, "staff_min_length": self.staff_min_length}
