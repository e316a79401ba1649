"""Logging in, and the limit on attempts to match an identity."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.backends import CaseInsensitiveUsernameBackend
from tests.factories import BeneficiaryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_members_log_in_with_their_email_in_any_case(client: Client) -> None:
    rosa = UserFactory(username="rosa@example.test")
    response = client.post(
        "/accounts/login/", {"username": "Rosa@Example.TEST", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(rosa.pk)


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody@example.test", "pw-for-tests-1"), ("rosa@example.test", "wrong"), (None, "x")],
)
def test_wrong_or_unknown_credentials_do_not_log_in(username: str | None, password: str) -> None:
    UserFactory(username="rosa@example.test")
    backend = CaseInsensitiveUsernameBackend()
    assert backend.authenticate(None, username=username, password=password) is None


def test_an_inactive_user_cannot_log_in(client: Client) -> None:
    UserFactory(username="gone@example.test", is_active=False)
    response = client.post(
        "/accounts/login/", {"username": "gone@example.test", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_identity_matching_stops_after_five_failures_for_an_hour() -> None:
    user = UserFactory()
    person = BeneficiaryFactory()
    client = APIClient()
    client.force_authenticate(user)
    wrong = {"identifier": person.mbi, "date_of_birth": "1901-01-01", "last_name": person.last_name}
    for _ in range(5):
        assert client.post("/api/v1/me/link", wrong, format="json").status_code == 400
    right = {**wrong, "date_of_birth": person.date_of_birth.isoformat()}
    blocked = client.post("/api/v1/me/link", right, format="json")
    assert blocked.status_code == 429
    assert "wait" in blocked.json()["detail"]
    other = UserFactory()
    client.force_authenticate(other)
    # The Medicare number tried is held too (accounts/ratelimit): the other account uses the CIN.
    by_cin = {**right, "identifier": person.cin}
    assert client.post("/api/v1/me/link", by_cin, format="json").status_code == 200
