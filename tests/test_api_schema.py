"""The API answers what its OpenAPI schema says, for a member, a staff member and an admin.

schemathesis generates requests for every operation in ``/api/schema/`` (valid and invalid ones)
and sends them to the WSGI app with each role's API token. Every answer must not be a server
error, must have a status the schema declares for that operation, and a body that matches the
declared schema. Examples are bounded and derandomized, so the run is quick and repeatable.
"""

from datetime import date
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from eligibility.models import MediMediPlan
from enrollment import services
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261201,
        "generation": {"mode": "all", "deterministic": True},
        # Per operation: the schema's examples, the coverage phase's boundary and missing-field
        # cases, and a few fuzzed requests. The stateful phase (chains of calls) would take
        # minutes.
        "phases": {"stateful": {"enabled": False}},
    }
)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


def api_token_header(user: User) -> dict[str, str]:
    """An ``Authorization`` header for the token scheme the API is configured with."""
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    if "knox.auth.TokenAuthentication" in classes:
        from knox.models import AuthToken
        from knox.settings import knox_settings

        _, key = AuthToken.objects.create(user)
        return {"Authorization": f"{knox_settings.AUTH_HEADER_PREFIX} {key}"}
    from rest_framework.authtoken.models import Token

    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def member_with_records() -> User:
    """A linked member with an approved application (so a Medi-Medi enrollment) and a draft.

    Letters are queued (the test transaction never commits), so notices exist too.
    """
    user = UserFactory()
    beneficiary = BeneficiaryFactory(user=user)
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    draft = services.application_create(beneficiary=beneficiary, actor=user, plan=plan)
    submitted = services.application_submit(application=draft, actor=user, now=at(2025, 1, 10))
    services.application_approve(
        application=submitted, actor=StaffFactory(), today=date(2025, 1, 15)
    )
    services.application_create(beneficiary=beneficiary, actor=user, plan=plan)
    return user


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Keep the test's database connection across calls, as Django's test client does.

    schemathesis calls the WSGI application directly, and Django closes old connections at each
    request's start and end; on PostgreSQL that closes the test transaction's connection.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["member", "staff", "admin"])
def auth_headers(request: pytest.FixtureRequest, db: None) -> dict[str, str]:
    member = member_with_records()
    user = {"member": lambda: member, "staff": StaffFactory, "admin": AdminFactory}[request.param]()
    return api_token_header(user)


@schema.parametrize()
@hypothesis_settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_answers_as_its_schema_says(case: Any, auth_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_headers, checks=CHECKS)
