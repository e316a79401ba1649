"""Attempt limits per client address: sign-up, the public eligibility check, identity linking."""

from datetime import date
from typing import Any

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from accounts import ratelimit
from accounts.models import User
from eligibility.services import IdentityNotMatched, TooManyAttempts, beneficiary_link
from tests.factories import BeneficiaryFactory, UserFactory

pytestmark = pytest.mark.django_db

CHECK = {
    "county": "san mateo",
    "as_of": "2026-11-27",
    "medicare_part_a": True,
    "medicare_part_b": True,
    "medi_cal": "full",
    "medicare_savings_program": "QMB",
}


def test_a_limit_refuses_the_attempt_after_it_and_says_how_long_to_wait() -> None:
    for _ in range(3):
        assert ratelimit.hit("test:a", limit=3, window=60) is None
    wait = ratelimit.hit("test:a", limit=3, window=60)
    assert wait is not None and 55 <= wait <= 60
    assert ratelimit.hit("test:b", limit=3, window=60) is None


def test_reset_forgets_the_attempts() -> None:
    for _ in range(4):
        ratelimit.hit("test:c", limit=3, window=60)
    assert ratelimit.reset("test:c")
    assert ratelimit.hit("test:c", limit=3, window=60) is None


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.2"),
    ],
    ids=[
        "no-proxy-ignores-header",
        "one-proxy",
        "spoofed-left-part",
        "two-proxies",
        "short-header",
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_address(request) == expected


def signup(client: Client, n: int):
    password = "a-long-enough-pass-42"
    return client.post(
        "/accounts/signup/",
        {"email": f"new{n}@example.test", "password1": password, "password2": password},
    )


def test_sign_up_is_limited_per_address(settings: Any) -> None:
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 3
    for n in range(3):
        assert signup(Client(REMOTE_ADDR="203.0.113.5"), n).status_code == 302
    refused = signup(Client(REMOTE_ADDR="203.0.113.5"), 3)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "try again" in refused.content.decode()
    assert signup(Client(REMOTE_ADDR="198.51.100.5"), 4).status_code == 302


def test_sign_up_posts_with_mistakes_do_not_use_up_the_addresss_allowance(settings: Any) -> None:
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 2
    neighbours = Client(REMOTE_ADDR="203.0.113.9")
    mistakes: list[dict[str, str]] = [
        {},
        {"email": "a@example.test", "password1": "short", "password2": "short"},
        {"email": "a@example.test", "password1": "a-long-enough-pass-42", "password2": "typo"},
        {"email": "not-an-address", "password1": "a-long-enough-pass-42"},
    ]
    for data in mistakes * 3:
        assert neighbours.post("/accounts/signup/", data).status_code == 200
    for n in range(2):
        assert signup(Client(REMOTE_ADDR="203.0.113.9"), n).status_code == 302
    assert signup(Client(REMOTE_ADDR="203.0.113.9"), 2).status_code == 429


def test_sign_ups_that_would_create_an_account_still_use_the_allowance(settings: Any) -> None:
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 2
    for n in range(2):
        assert signup(Client(REMOTE_ADDR="203.0.113.10"), n).status_code == 302
    refused = signup(Client(REMOTE_ADDR="203.0.113.10"), 2)
    assert refused.status_code == 429
    assert not User.objects.filter(username="new2@example.test").exists()
    # Still refused with mistakes shown, not a 429: a form with mistakes is not counted.
    assert Client(REMOTE_ADDR="203.0.113.10").post("/accounts/signup/", {}).status_code == 200


def test_trying_addresses_that_have_accounts_uses_the_allowance(settings: Any) -> None:
    """Else the form would tell, without limit, which addresses have an account."""
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 2
    for n in range(2):
        UserFactory(username=f"taken{n}@example.test", email=f"taken{n}@example.test")
        password = "a-long-enough-pass-42"
        taken = Client(REMOTE_ADDR="203.0.113.11").post(
            "/accounts/signup/",
            {"email": f"taken{n}@example.test", "password1": password, "password2": password},
        )
        assert taken.status_code == 200
    assert signup(Client(REMOTE_ADDR="203.0.113.11"), 0).status_code == 429


def test_the_default_sign_up_limit_is_ten_an_hour() -> None:
    for n in range(10):
        assert signup(Client(REMOTE_ADDR="203.0.113.6"), n).status_code == 302
    assert signup(Client(REMOTE_ADDR="203.0.113.6"), 10).status_code == 429


def test_the_eligibility_check_api_is_limited_per_address(settings: Any) -> None:
    settings.ELIGIBILITY_CHECK_RATE_PER_MINUTE = 2
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert client.post("/api/v1/eligibility/check", CHECK, format="json").status_code == 200
    refused = client.post("/api/v1/eligibility/check", CHECK, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_attempts"
    assert 0 < int(refused["Retry-After"]) <= 60
    other = APIClient(REMOTE_ADDR="198.51.100.7")
    assert other.post("/api/v1/eligibility/check", CHECK, format="json").status_code == 200


def test_the_eligibility_screener_page_is_limited_per_address(settings: Any) -> None:
    settings.ELIGIBILITY_CHECK_RATE_PER_MINUTE = 2
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(2):
        assert client.get("/", {"county": "San Mateo"}).status_code == 200
    refused = client.get("/", {"county": "San Mateo"})
    assert refused.status_code == 429
    assert "Retry-After" in refused


def test_no_person_meets_the_default_eligibility_check_limit(settings: Any) -> None:
    assert settings.ELIGIBILITY_CHECK_RATE_PER_MINUTE >= 600


def failed_link(user: Any, identifier: str, address: str | None) -> None:
    with pytest.raises(IdentityNotMatched):
        beneficiary_link(
            user=user,
            identifier=identifier,
            date_of_birth=date(1901, 1, 1),
            last_name="Nobody",
            client_address=address,
        )


def test_identity_linking_is_limited_per_address_across_accounts(settings: Any) -> None:
    settings.IDENTITY_LINK_MAX_FAILURES_PER_ADDRESS = 6
    person = BeneficiaryFactory()
    for n in range(6):
        failed_link(UserFactory(), f"{90000000 + n:08d}A", "203.0.113.11")
    with pytest.raises(TooManyAttempts) as refused:
        beneficiary_link(
            user=UserFactory(),
            identifier=person.mbi,
            date_of_birth=person.date_of_birth,
            last_name=person.last_name,
            client_address="203.0.113.11",
        )
    assert refused.value.extra["retry_after"] > 0
    linked = beneficiary_link(
        user=UserFactory(),
        identifier=person.mbi,
        date_of_birth=person.date_of_birth,
        last_name=person.last_name,
        client_address="198.51.100.11",
    )
    assert linked.pk == person.pk


def test_identity_linking_is_limited_per_identifier_across_accounts_and_addresses() -> None:
    person = BeneficiaryFactory()
    for n in range(5):
        failed_link(UserFactory(), person.mbi, f"203.0.113.{20 + n}")
    with pytest.raises(TooManyAttempts):
        beneficiary_link(
            user=UserFactory(),
            identifier=person.mbi,
            date_of_birth=person.date_of_birth,
            last_name=person.last_name,
            client_address="198.51.100.12",
        )
