"""Staff and admins sign in with a password and a one-time code; members with a password."""

import re
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import totp_device_ensure
from tests.auth_helpers import current_code, login_verified
from tests.factories import AdminFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def page_login(client: Client, username: str, otp: str = "", path: str = "/accounts/login/"):
    return client.post(path, {"username": username, "password": PASSWORD, "otp": otp})


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_staff_without_a_code_are_not_logged_in() -> None:
    staff = StaffFactory()
    totp_device_ensure(staff)
    client = Client()
    response = page_login(client, staff.username)
    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_staff_with_a_wrong_code_are_not_logged_in() -> None:
    staff = StaffFactory()
    device = totp_device_ensure(staff)
    wrong = f"{(int(current_code(device)) + 1) % 10**6:06d}"
    client = Client()
    assert page_login(client, staff.username, wrong).status_code == 200
    assert logged_in_user_id(client) is None


def test_staff_with_a_right_code_are_logged_in_and_verified() -> None:
    staff = StaffFactory()
    device = totp_device_ensure(staff)
    client = Client()
    response = page_login(client, staff.username, current_code(device))
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(staff.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/staff/queue/").status_code == 200


def test_a_code_cannot_be_used_twice() -> None:
    staff = StaffFactory()
    device = totp_device_ensure(staff)
    code = current_code(device)
    assert page_login(Client(), staff.username, code).status_code == 302
    second = Client()
    assert page_login(second, staff.username, code).status_code == 200
    assert logged_in_user_id(second) is None


def test_staff_without_an_authenticator_cannot_log_in() -> None:
    staff = StaffFactory()
    client = Client()
    assert page_login(client, staff.username, "123456").status_code == 200
    assert logged_in_user_id(client) is None


def test_members_log_in_with_a_password_only() -> None:
    member = UserFactory()
    client = Client()
    assert page_login(client, member.username).status_code == 302
    assert logged_in_user_id(client) == str(member.pk)


def test_the_admin_login_asks_for_the_code_too() -> None:
    admin = AdminFactory()
    device = totp_device_ensure(admin)
    client = Client()
    without = page_login(client, admin.username, path="/admin/login/?next=/admin/")
    assert without.status_code == 200
    assert 'name="otp"' in without.content.decode()
    assert logged_in_user_id(client) is None
    with_code = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin.username, "password": PASSWORD, "otp": current_code(device)},
    )
    assert with_code.status_code == 302
    assert with_code["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("path", ["/staff/queue/", "/admin/", "/me/"])
def test_a_staff_session_without_a_verified_code_is_logged_out_everywhere(path: str) -> None:
    client = Client()
    staff = StaffFactory()
    totp_device_ensure(staff)
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == "/accounts/login/"
    assert parse_qs(urlparse(response["Location"]).query)["next"] == [path]
    assert logged_in_user_id(client) is None


def test_an_admin_session_without_a_verified_code_cannot_use_the_api_by_session() -> None:
    client = Client()
    client.force_login(AdminFactory())
    assert client.get("/api/v1/me").status_code in (401, 403)


def test_the_login_page_and_health_check_stay_open_to_an_unverified_session() -> None:
    client = Client()
    client.force_login(StaffFactory())
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_verified_staff_keep_their_session() -> None:
    client = login_verified(Client(), StaffFactory())
    assert client.get("/staff/queue/").status_code == 200
    assert client.get("/staff/queue/").status_code == 200


def test_otp_device_prints_an_otpauth_uri_and_keeps_the_device() -> None:
    staff = StaffFactory(username="nurse-joy")
    out = StringIO()
    call_command("otp_device", "nurse-joy", stdout=out)
    uri = out.getvalue().strip()
    assert uri.startswith("otpauth://totp/")
    assert "secret=" in uri
    again = StringIO()
    call_command("otp_device", "nurse-joy", stdout=again)
    assert again.getvalue().strip() == uri
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1


def test_the_demo_prints_an_authenticator_uri_for_each_staff_and_admin_login() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    for username in ("admin", "staff-hpsm"):
        assert re.search(
            rf"^  {re.escape(username)} .*\n\s+otpauth://totp/[^\n]*secret=", text, re.M
        ), username
    assert not re.search(r"member1@medimedi\.example[^\n]*\n\s+otpauth://", text)
