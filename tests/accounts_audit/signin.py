"""Sign a test client in as the admin site requires (a second factor, once the portal asks one)."""

from django.test import Client

from accounts.models import User

try:
    from tests.auth_helpers import login_verified
except ImportError:  # until the second-factor login helper is in the tree: admin pages need none

    def login_verified(client: Client, user: User) -> Client:
        client.force_login(user)
        return client


__all__ = ["login_verified"]
