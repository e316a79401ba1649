"""Password reset and change: the portal's own pages, linked from sign-in, with a clear sender."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-harbor-quiet-41"


def _reset_link(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body)
    assert found, body
    return found.group(1)


def test_the_login_page_links_to_password_reset(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page
    assert "Forgot your password?" in page


def test_the_reset_page_is_the_portals_own_not_the_admins(client: Client) -> None:
    page = client.get("/accounts/password_reset/").content.decode()
    assert "Reset your password" in page
    assert "Django administration" not in page
    assert '<a class="skip-link" href="#main">' in page


def test_a_member_resets_their_password_from_the_emailed_link_and_logs_in(client: Client) -> None:
    member = UserFactory(email="rosa@example.org", username="rosa@example.org")

    answer = client.post("/accounts/password_reset/", {"email": "rosa@example.org"})

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["rosa@example.org"]
    assert sent.subject == "Reset your password for the California Medi-Medi Portal"
    assert "California Medi-Medi Portal" in sent.body
    assert " team" not in sent.body  # not Django's "The <host> team"

    form = client.get(_reset_link(sent.body), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client: Client) -> None:
    answer = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_used_reset_link_says_it_no_longer_works(client: Client) -> None:
    UserFactory(email="ana@example.org", username="ana@example.org")
    client.post("/accounts/password_reset/", {"email": "ana@example.org"})
    link = _reset_link(mail.outbox[0].body)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(link, follow=True).content.decode()

    assert "This link no longer works" in again
    assert 'href="/accounts/password_reset/"' in again


def test_mismatched_new_passwords_show_an_error_summary_and_an_error_title(
    client: Client,
) -> None:
    UserFactory(email="li@example.org", username="li@example.org")
    client.post("/accounts/password_reset/", {"email": "li@example.org"})
    form = client.get(_reset_link(mail.outbox[0].body), follow=True)

    refused = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    ).content.decode()

    assert "<title>Error: Choose a new password" in refused
    assert 'class="error-summary"' in refused


def test_a_signed_in_member_changes_their_password_on_the_portals_page(client: Client) -> None:
    member = UserFactory(email="mai@example.org", username="mai@example.org")
    member.set_password("old-password-17")
    member.save()
    client.force_login(member)

    page = client.get("/accounts/password_change/").content.decode()
    assert "Change your password" in page
    assert "Django administration" not in page
    done = client.post(
        "/accounts/password_change/",
        {
            "old_password": "old-password-17",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_weak_new_password_is_refused_in_spanish_under_the_first_password_field() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    UserFactory(email="eva@example.org", username="eva@example.org")
    client.post("/accounts/password_reset/", {"email": "eva@example.org"})
    form = client.get(_reset_link(mail.outbox[0].body), follow=True)
    assert "Su contraseña debe tener al menos 8 caracteres" in form.content.decode()

    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"}
    )

    errors = refused.context["form"].errors
    assert (
        "Esta contraseña es demasiado corta. Debe tener al menos 8 caracteres."
        in errors["new_password1"]
    )
    assert "new_password2" not in errors
    assert "This password is too short" not in refused.content.decode()
