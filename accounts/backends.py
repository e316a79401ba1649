"""Authentication that ignores the case of the username (members use their email address)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User


class CaseInsensitiveUsernameBackend(ModelBackend):
    """Django's model backend, matching the username without regard to case."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        matches = list(User._default_manager.filter(username__iexact=username)[:2])
        if len(matches) != 1:
            # Unknown (or ambiguous): run the hasher anyway so timing does not tell.
            User().set_password(password)
            exact = [user for user in matches if user.username == username]
            if len(exact) != 1:
                return None
            matches = exact
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
