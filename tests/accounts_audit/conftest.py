"""An admin signed in to the admin site, for the audit tests."""

import pytest
from django.test import Client

from accounts.models import User
from tests.accounts_audit.signin import login_verified
from tests.factories import AdminFactory


@pytest.fixture
def admin_user() -> User:
    return AdminFactory()


@pytest.fixture
def admin_client_(client: Client, admin_user: User) -> Client:
    return login_verified(client, admin_user)
