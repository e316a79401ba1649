"""An admin signed in to the admin site, for the audit log's admin tests."""

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import AdminFactory


@pytest.fixture
def admin_user() -> User:
    return AdminFactory()


@pytest.fixture
def admin_client_(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client
