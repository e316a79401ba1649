"""Sessions end after idle time (15 minutes staff, 30 members) and after 8 hours for staff."""

import time

import pytest
from django.test import Client

from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGE = "/staff/queue/"
MEMBER_PAGE = "/me/link/"


def started(client: Client, page: str) -> Client:
    assert client.get(page).status_code == 200  # the first request starts the session clock
    return client


def age(client: Client, *, idle_minutes: float, signed_in_minutes: float | None = None) -> None:
    """Move the session's clock back, as if that much time had passed."""
    session = client.session
    now = time.time()
    session[LAST_SEEN_AT] = now - idle_minutes * 60
    session[SIGNED_IN_AT] = now - (signed_in_minutes or idle_minutes) * 60
    session.save()


def is_logged_out(response, client: Client) -> bool:
    return (
        response.status_code == 302
        and response["Location"].startswith("/accounts/login/")
        and "_auth_user_id" not in client.session
    )


def test_a_staff_session_idle_for_16_minutes_is_logged_out() -> None:
    client = started(login_verified(Client(), StaffFactory()), STAFF_PAGE)
    age(client, idle_minutes=16)
    assert is_logged_out(client.get(STAFF_PAGE), client)


def test_a_staff_session_idle_for_14_minutes_goes_on() -> None:
    client = started(login_verified(Client(), StaffFactory()), STAFF_PAGE)
    age(client, idle_minutes=14)
    assert client.get(STAFF_PAGE).status_code == 200


def test_an_admin_session_idle_for_16_minutes_is_logged_out_of_the_admin() -> None:
    client = started(login_verified(Client(), AdminFactory()), "/admin/")
    age(client, idle_minutes=16)
    assert is_logged_out(client.get("/admin/"), client)


def test_a_staff_session_ends_after_8_hours_even_when_active() -> None:
    client = started(login_verified(Client(), StaffFactory()), STAFF_PAGE)
    age(client, idle_minutes=1, signed_in_minutes=8 * 60 + 1)
    assert is_logged_out(client.get(STAFF_PAGE), client)


def test_a_member_session_idle_for_16_minutes_goes_on() -> None:
    client = started(login_verified(Client(), UserFactory()), MEMBER_PAGE)
    age(client, idle_minutes=16)
    assert client.get(MEMBER_PAGE).status_code == 200


def test_a_member_session_idle_for_31_minutes_is_logged_out() -> None:
    client = started(login_verified(Client(), UserFactory()), MEMBER_PAGE)
    age(client, idle_minutes=31)
    assert is_logged_out(client.get(MEMBER_PAGE), client)


def test_activity_keeps_a_session_alive() -> None:
    client = started(login_verified(Client(), StaffFactory()), STAFF_PAGE)
    age(client, idle_minutes=10, signed_in_minutes=60)
    assert client.get(STAFF_PAGE).status_code == 200
    session = client.session
    assert time.time() - session[LAST_SEEN_AT] < 5
    session[LAST_SEEN_AT] -= 10 * 60
    session.save()
    assert client.get(STAFF_PAGE).status_code == 200


def test_logging_in_starts_the_clock() -> None:
    client = Client()
    member = UserFactory()
    client.post("/accounts/login/", {"username": member.username, "password": "pw-for-tests-1"})
    assert time.time() - client.session[SIGNED_IN_AT] < 5
