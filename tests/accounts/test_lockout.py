"""Lockout: 5 failures lock a username, 50 from one address lock the address, for 15 minutes."""

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.test import Client
from rest_framework.test import APIClient

from accounts.otp import totp_device_ensure
from tests.auth_helpers import current_code
from tests.factories import AdminFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def page_post(client: Client, path: str, username: str, password: str, otp: str = ""):
    return client.post(path, {"username": username, "password": password, "otp": otp})


def token_post(username: str, password: str, otp: str = "", address: str = "127.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        {"username": username, "password": password, "otp": otp},
        format="json",
    )


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_username_on_the_page(path: str) -> None:
    admin = AdminFactory()
    device = totp_device_ensure(admin)
    client = Client()
    for _ in range(4):
        assert page_post(client, path, admin.username, "wrong").status_code == 200
    fifth = page_post(client, path, admin.username, "wrong")
    assert fifth.status_code == 429
    right = page_post(client, path, admin.username, PASSWORD, current_code(device))
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 14 * 60
    assert "Try again after" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_whatever_the_case_of_the_username() -> None:
    member = UserFactory(username="rosa@example.test")
    client = Client()
    for typed in (
        "rosa@example.test",
        "ROSA@example.test",
        "Rosa@Example.Test",
        "rosa@EXAMPLE.test",
    ):
        page_post(client, "/accounts/login/", typed, "wrong")
    page_post(client, "/accounts/login/", "rOsA@example.test", "wrong")
    right = page_post(Client(), "/accounts/login/", member.username, PASSWORD)
    assert right.status_code == 429


def test_five_wrong_passwords_lock_the_username_on_the_token_endpoint() -> None:
    member = UserFactory()
    for _ in range(4):
        assert token_post(member.username, "wrong").status_code == 400
    assert token_post(member.username, "wrong").status_code == 429
    right = token_post(member.username, PASSWORD)
    assert right.status_code == 429
    assert right.json()["code"] == "too_many_attempts"
    assert right.json()["detail"]
    assert 14 * 60 < int(right["Retry-After"]) <= 15 * 60


def test_a_lock_from_the_page_holds_on_the_token_endpoint() -> None:
    member = UserFactory()
    client = Client()
    for _ in range(5):
        page_post(client, "/accounts/login/", member.username, "wrong")
    assert token_post(member.username, PASSWORD).status_code == 429


def test_wrong_codes_count_like_wrong_passwords() -> None:
    staff = StaffFactory()
    device = totp_device_ensure(staff)
    for _ in range(4):
        assert token_post(staff.username, PASSWORD, "000000").status_code in (401, 429)
    assert token_post(staff.username, PASSWORD, "000000").status_code == 429
    assert token_post(staff.username, PASSWORD, current_code(device)).status_code == 429


def test_other_usernames_are_not_locked_by_one_users_failures() -> None:
    locked, other = UserFactory(), UserFactory()
    for _ in range(5):
        token_post(locked.username, "wrong")
    assert token_post(other.username, PASSWORD).status_code == 200


def test_a_right_password_clears_earlier_failures_of_that_username() -> None:
    member = UserFactory()
    for _ in range(4):
        token_post(member.username, "wrong")
    assert token_post(member.username, PASSWORD).status_code == 200
    for _ in range(4):
        assert token_post(member.username, "wrong").status_code == 400
    assert token_post(member.username, PASSWORD).status_code == 200


def test_fifty_failures_from_one_address_lock_the_address_across_usernames() -> None:
    users = [UserFactory() for _ in range(13)]
    for n in range(50):
        assert token_post(users[n % 12].username, "wrong", address="203.0.113.9").status_code in (
            400,
            429,
        )
    fresh = users[12]
    from_there = token_post(fresh.username, PASSWORD, address="203.0.113.9")
    assert from_there.status_code == 429
    assert int(from_there["Retry-After"]) > 0
    page = page_post(
        Client(REMOTE_ADDR="203.0.113.9"), "/accounts/login/", fresh.username, PASSWORD
    )
    assert page.status_code == 429
    assert token_post(fresh.username, PASSWORD, address="198.51.100.7").status_code == 200


def test_forty_nine_failures_from_one_address_do_not_lock_it() -> None:
    users = [UserFactory() for _ in range(13)]
    for n in range(49):
        token_post(users[n % 12].username, "wrong", address="203.0.113.10")
    assert token_post(users[12].username, PASSWORD, address="203.0.113.10").status_code == 200


def test_an_administrator_can_lift_a_lock() -> None:
    member = UserFactory()
    for _ in range(5):
        token_post(member.username, "wrong")
    AxesProxyHandler.reset_attempts(username=member.username)
    assert token_post(member.username, PASSWORD).status_code == 200
