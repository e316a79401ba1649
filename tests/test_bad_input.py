"""Bad input answers 4xx with a JSON body, never a server error.

Each test here failed before its fix: a far-future date overflowed coverage arithmetic, a deeply
nested body overflowed the JSON decoder's recursion, an id past 2**63 overflowed the database
driver, and ``2026-1-1`` passed for a date.
"""

from datetime import date
from typing import Any

import pytest
from django import forms
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client
from django.utils import translation
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts.fields import StrictDateField, StrictDateFormField, strict_date_parse
from eligibility.forms import ScreenerForm
from enrollment import services
from enrollment.forms import QueueFilterForm, StaffDisenrollForm
from enrollment.models import Application, Enrollment
from medimedi.api import exception_handler
from medimedi.parsers import json_too_deep
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/eligibility/check"
BODY: dict[str, Any] = {
    "county": "san mateo",
    "as_of": "2026-11-27",
    "medicare_part_a": True,
    "medicare_part_b": True,
    "medi_cal": "full",
}
HUGE_ID = "99999999999999999999"  # past 2**63 - 1


def check(body: Any, **extra: Any) -> Any:
    return Client().post(CHECK, body, content_type="application/json", **extra)


def assert_error_body(response: Any) -> None:
    data = response.json()
    assert isinstance(data.get("detail"), str) and isinstance(data.get("code"), str), data


@pytest.fixture
def enrolled() -> Enrollment:
    """An approved application: a current Medi-Medi enrollment with CareAdvantage."""
    from eligibility.models import MediMediPlan

    user = UserFactory()
    beneficiary = BeneficiaryFactory(user=user)
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    draft = services.application_create(beneficiary=beneficiary, actor=user, plan=plan)
    application = services.application_submit(application=draft, actor=user, now=at(2025, 1, 10))
    services.application_approve(
        application=application, actor=StaffFactory(), today=date(2025, 1, 15)
    )
    return Enrollment.objects.get(beneficiary=beneficiary, kind="medi_medi")


# Dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    ["9999-12-31", "2200-01-01", "1899-12-31", "2026-1-1", "2026-01-1", "20261127", "2026-02-30"],
)
def test_eligibility_check_refuses_a_date_out_of_range_or_not_yyyy_mm_dd(as_of: str) -> None:
    response = check({**BODY, "as_of": as_of})
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]


def test_eligibility_check_answers_on_the_last_accepted_date() -> None:
    response = check({**BODY, "as_of": "2199-12-31"})
    assert response.status_code == 200
    assert response.json()["earliest_effective_date"] == "2200-01-01"


def test_disenroll_with_a_far_future_request_date_is_a_field_error(enrolled: Enrollment) -> None:
    staff = APIClient()
    staff.force_authenticate(StaffFactory())
    response = staff.post(
        f"/api/v1/enrollments/{enrolled.pk}/disenroll",
        {"requested_on": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["requested_on"]
    enrolled.refresh_from_db()
    assert enrolled.end_date is None


def test_queue_filter_refuses_a_date_that_is_not_yyyy_mm_dd() -> None:
    staff = APIClient()
    staff.force_authenticate(StaffFactory())
    response = staff.get("/api/v1/applications", {"submitted_from": "2026-1-1"})
    assert response.status_code == 400
    assert "submitted_from" in response.json()


def test_screener_page_explains_a_far_future_date_instead_of_failing() -> None:
    answers = {
        "county": "06081",
        "as_of": "9999-12-31",
        "medicare_part_a": "yes",
        "medicare_part_b": "yes",
        "medi_cal": "full",
        "share_of_cost": "none",
        "medicare_savings_program": "none",
        "incarcerated": "no",
        "lawfully_present": "yes",
    }
    response = Client().get("/eligibility/", answers)
    assert response.status_code == 200
    assert "Enter a date between 1900-01-01 and 2199-12-31." in response.content.decode()
    form = ScreenerForm(data={**answers, "as_of": "2026-1-1"})
    assert not form.is_valid() and "as_of" in form.errors


@pytest.mark.parametrize("value", ["9999-12-31", "2026-1-1", "1/5/2026", "2026-11-27T10:00"])
def test_page_date_fields_refuse_what_the_api_refuses(value: str) -> None:
    assert not StaffDisenrollForm(data={"requested_on": value}).is_valid()
    queue = QueueFilterForm(data={"submitted_from": value}, plans=None, statuses=[])
    assert not queue.is_valid() and "submitted_from" in queue.errors


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27", date(2026, 11, 27)),
        ("1900-01-01", date(1900, 1, 1)),
        ("2199-12-31", date(2199, 12, 31)),
        ("2026-11-27\n", None),
        ("\uff12\uff10\uff12\uff16-11-27", None),  # full-width digits
        ("2026-1-1", None),
        ("9999-12-31", None),
        (20261127, None),
    ],
)
def test_strict_date_parse_takes_only_yyyy_mm_dd_in_range(value: Any, expected: Any) -> None:
    assert strict_date_parse(value) == expected
    if expected is None:
        with pytest.raises(ValidationError):
            StrictDateField().run_validation(value)
    else:
        assert StrictDateField().run_validation(value) == expected
    # A page form strips the whitespace around what a person typed, like every Django field.
    form_expected = strict_date_parse(value.strip()) if isinstance(value, str) else expected
    if form_expected is None:
        with pytest.raises(DjangoValidationError):
            StrictDateFormField().clean(value)
    else:
        assert StrictDateFormField().clean(value) == form_expected


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_strict_date_field_shows_its_date_as_year_month_day_in_every_language(
    language: str,
) -> None:
    """It reads only YYYY-MM-DD, so it shows that too (a date picker shows nothing else; the
    Spanish 01/12/2026 would be refused when sent back), in a text box or a date picker."""

    class Dates(forms.Form):
        typed = StrictDateFormField()
        picked = StrictDateFormField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override(language):
        html = str(Dates(initial={"typed": date(2026, 12, 1), "picked": date(2026, 12, 1)}))
    assert 'name="typed" value="2026-12-01"' in html
    assert '<input type="date" name="picked" value="2026-12-01"' in html


# Bodies ------------------------------------------------------------------------------------


def test_json_nested_100000_deep_is_a_400_not_a_recursion_error() -> None:
    response = check("[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert_error_body(response)


def test_json_nested_past_the_limit_is_refused_but_brackets_in_strings_do_not_count() -> None:
    deep = '{"a":' * 40 + "1" + "}" * 40
    assert check(deep).status_code == 400
    assert check({**BODY, "county": "[" * 1000}).status_code == 400  # an unknown county
    assert check({**BODY, "county": "[" * 1000}).json() != {}
    assert not json_too_deep('{"a": "[[[[[[[[\\"[[[["}', 2)
    assert json_too_deep("[[[1]]]", 2)


def test_body_larger_than_the_limit_is_a_413_with_a_json_body(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = check({**BODY, "county": "x" * (1024 * 1024)})
    assert response.status_code == 413
    assert_error_body(response)
    assert response.json()["code"] == "request_too_large"


def test_django_request_data_too_big_on_the_api_is_a_413_with_a_json_body() -> None:
    """Django raises it when code reads ``request.body`` or a form past the size limit."""
    response = exception_handler(RequestDataTooBig("too big"), {"view": None, "kwargs": {}})
    assert response is not None and response.status_code == 413
    assert response.data == {
        "detail": "The request body is too large.",
        "code": "request_too_large",
    }


# Ids ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/api/v1/applications/{HUGE_ID}"),
        ("post", f"/api/v1/applications/{HUGE_ID}/submit"),
        ("post", f"/api/v1/enrollments/{HUGE_ID}/disenroll"),
        ("get", f"/api/v1/beneficiaries/{HUGE_ID}/enrollments"),
        ("get", f"/api/v1/beneficiaries/{HUGE_ID}/notices"),
        ("get", f"/api/v1/notices/{HUGE_ID}/pdf"),
    ],
)
def test_api_id_beyond_bigint_is_404(method: str, path: str) -> None:
    client = APIClient()
    client.force_authenticate(StaffFactory())
    response = getattr(client, method)(path, {}, format="json")
    assert response.status_code == 404
    assert_error_body(response)


@pytest.mark.parametrize(
    "path", [f"/me/applications/{HUGE_ID}/", f"/staff/applications/{HUGE_ID}/"]
)
def test_page_id_beyond_bigint_is_404(path: str) -> None:
    client = Client()
    login_verified(client, StaffFactory() if path.startswith("/staff") else UserFactory())
    assert client.get(path).status_code == 404


def test_largest_bigint_id_is_an_ordinary_404() -> None:
    client = APIClient()
    client.force_authenticate(StaffFactory())
    assert client.get(f"/api/v1/applications/{2**63 - 1}").status_code == 404
    assert not Application.objects.exists()


def test_unknown_id_answers_404_with_detail_and_code() -> None:
    client = APIClient()
    client.force_authenticate(StaffFactory())
    response = client.get("/api/v1/applications/424242")
    assert response.status_code == 404
    assert_error_body(response)
    assert response.json()["code"] == "not_found"


def test_queue_filter_plan_beyond_bigint_is_a_field_error() -> None:
    staff = APIClient()
    staff.force_authenticate(StaffFactory())
    response = staff.get("/api/v1/applications", {"plan": HUGE_ID})
    assert response.status_code == 400
    assert list(response.json()) == ["plan"]


def test_a_value_the_database_cannot_hold_is_a_400_not_a_500() -> None:
    """The safety net behind the serializers' bounds: an overflow from request data."""
    response = exception_handler(OverflowError("too large"), {"view": None, "kwargs": {}})
    assert response is not None and response.status_code == 400
    assert response.data["code"] == "out_of_range"


@pytest.mark.parametrize(
    "path", ["/api/v1/imports/abc", "/api/v1/applications/abc/", "/api/v1/no-such-route"]
)
def test_an_api_path_no_route_matches_answers_json_404(client: Any, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_page_path_no_route_matches_answers_the_sites_404_page(client: Any) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
