"""Passwords: 12 characters at least for staff and admins, 8 for members; Argon2 first."""

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User
from medimedi import settings as project_settings
from tests.factories import AdminFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ELEVEN = "tqv-mrk-zpl"  # 11 characters, not common, not numeric
TWELVE = "tqv-mrk-zplw"


@pytest.mark.parametrize("factory", [StaffFactory, AdminFactory], ids=["staff", "admin"])
def test_a_staff_or_admin_password_of_11_characters_is_refused(factory: type) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(ELEVEN, user=factory())
    assert "at least 12 characters" in str(refused.value)


@pytest.mark.parametrize("factory", [StaffFactory, AdminFactory], ids=["staff", "admin"])
def test_a_staff_or_admin_password_of_12_characters_is_accepted(factory: type) -> None:
    validate_password(TWELVE, user=factory())


def test_a_member_password_of_8_characters_is_accepted() -> None:
    validate_password("tqv-mrk8", user=UserFactory())


def test_a_member_password_of_7_characters_is_refused() -> None:
    with pytest.raises(ValidationError):
        validate_password("tqv-mr7", user=UserFactory())


def test_new_passwords_are_hashed_with_argon2_and_old_pbkdf2_hashes_are_upgraded(
    settings: Any,
) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the suite uses a fast one
    member = User.objects.get(pk=UserFactory().pk)
    assert member.password.startswith("argon2")
    member.password = make_password("an-older-password", hasher="pbkdf2_sha256")
    member.save()
    assert member.check_password("an-older-password")
    member.refresh_from_db()
    assert member.password.startswith("argon2")
