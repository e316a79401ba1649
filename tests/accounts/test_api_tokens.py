"""API tokens: a one-time code for staff and admins, an expiry for everyone, revocable."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.otp import totp_device_ensure
from tests.auth_helpers import current_code
from tests.factories import AdminFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def token_request(username: str, password: str = PASSWORD, **extra: str):
    return APIClient().post(
        "/api/v1/auth/token", {"username": username, "password": password, **extra}, format="json"
    )


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize("factory", [StaffFactory, AdminFactory], ids=["staff", "admin"])
def test_staff_and_admins_without_a_code_get_401_otp_required(factory: type) -> None:
    user = factory()
    totp_device_ensure(user)
    response = token_request(user.username)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
    assert response.json()["detail"]
    assert not AuthToken.objects.filter(user=user).exists()


def test_staff_with_a_wrong_code_get_401_otp_required() -> None:
    staff = StaffFactory()
    device = totp_device_ensure(staff)
    wrong = f"{(int(current_code(device)) + 1) % 10**6:06d}"
    response = token_request(staff.username, otp=wrong)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"


def test_staff_with_a_right_code_get_a_token_for_eight_hours() -> None:
    staff = StaffFactory()
    device = totp_device_ensure(staff)
    response = token_request(staff.username, otp=current_code(device))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    token = AuthToken.objects.get(user=staff)
    assert abs(token.expiry - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)
    me = with_token(body["token"]).get("/api/v1/me")
    assert me.status_code == 200


def test_members_get_a_token_for_thirty_days_with_a_password_only() -> None:
    member = UserFactory()
    response = token_request(member.username)
    assert response.status_code == 200
    token = AuthToken.objects.get(user=member)
    assert abs(token.expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert with_token(response.json()["token"]).get("/api/v1/me").status_code == 200


def test_wrong_credentials_get_400_invalid_credentials() -> None:
    member = UserFactory()
    response = token_request(member.username, password="not-the-password")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert token_request("nobody@example.test").status_code == 400


def test_a_token_stops_working_after_its_expiry() -> None:
    member = UserFactory()
    token = token_request(member.username).json()["token"]
    AuthToken.objects.filter(user=member).update(expiry=timezone.now() - timedelta(seconds=1))
    assert with_token(token).get("/api/v1/me").status_code == 401


def test_logout_revokes_the_token() -> None:
    member = UserFactory()
    token = token_request(member.username).json()["token"]
    client = with_token(token)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert with_token(token).get("/api/v1/me").status_code == 401
    assert not AuthToken.objects.filter(user=member).exists()


def test_logout_without_a_token_is_refused() -> None:
    assert APIClient().post("/api/v1/auth/logout").status_code == 401


def test_tokens_are_stored_hashed() -> None:
    member = UserFactory()
    token = token_request(member.username).json()["token"]
    stored = AuthToken.objects.get(user=member)
    assert token not in (stored.digest, stored.token_key)
