"""Passwords: 12 characters at least for staff and admins, 8 for members; Argon2 first."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from accounts.models import User
from medimedi import settings as project_settings
from tests.factories import AdminFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The rules speak the active language: read them in English whatever ran before."""
    with translation.override("en"):
        yield


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


def test_the_spanish_sign_up_page_explains_the_password_rule_in_spanish() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/accounts/signup/").content.decode()
    assert (
        "Su contraseña debe tener al menos 8 caracteres (12 para el personal del plan y los "
        "administradores)." in page
    )
    assert "Your password must contain" not in page


def test_a_too_short_sign_up_password_is_refused_in_spanish_under_the_first_password() -> None:
    short = "tqv-mrk"
    response = Client(HTTP_ACCEPT_LANGUAGE="es").post(
        "/accounts/signup/",
        {"email": "nuevo@example.org", "password1": short, "password2": short},
    )
    errors = response.context["form"].errors
    assert errors["password1"] == [
        "Esta contraseña es demasiado corta. Debe tener al menos 8 caracteres."
    ]
    assert "password2" not in errors
    assert "This password is too short" not in response.content.decode()
    assert not User.objects.filter(username="nuevo@example.org").exists()


def test_a_too_short_sign_up_password_is_refused_in_english_under_the_first_password() -> None:
    response = Client().post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "tqv-mrk", "password2": "tqv-mrk"},
    )
    errors = response.context["form"].errors
    assert errors["password1"] == [
        "This password is too short. It must contain at least 8 characters."
    ]
    assert "password2" not in errors
