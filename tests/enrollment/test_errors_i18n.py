"""Errors people can act on: a refused staff action comes back to the application's own URL with
the form's errors (never left on /deny/), says the reason's name rather than its code, and moves
focus to the error summary; members read refusals in their language."""

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from eligibility.models import MediMediPlan, Organization
from enrollment import services
from enrollment.models import Application, ApplicationStatus
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import at
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def title(response: Any) -> str:
    match = re.search(r"<title>(.*?)</title>", text(response))
    assert match
    return match.group(1).strip()


@pytest.fixture
def careadvantage() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


@pytest.fixture
def staff() -> User:
    return StaffFactory()


def submitted(plan: MediMediPlan) -> Application:
    user = UserFactory()
    beneficiary = BeneficiaryFactory(user=user)
    draft = services.application_create(beneficiary=beneficiary, actor=user, plan=plan)
    return services.application_submit(application=draft, actor=user, now=at(2026, 11, 10))


def test_a_deny_without_a_note_names_the_reason_and_keeps_the_application_url(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    client = login_verified(Client(), staff)
    response = client.post(
        f"/staff/applications/{app.pk}/deny/", {"deny-reasons": ["OTHER"]}, follow=True
    )
    assert response.redirect_chain == [(f"/staff/applications/{app.pk}/", 302)]
    assert response.request["PATH_INFO"] == f"/staff/applications/{app.pk}/"
    page = text(response)
    assert "Explain the reason “Another reason” in the note." in page
    assert "reason OTHER" not in page
    assert title(response).startswith("Error: ")
    summary = re.search(r'<div class="error-summary"[^>]*>', page)
    assert summary and 'tabindex="-1"' in summary.group(0) and "autofocus" in summary.group(0)
    # The form comes back as it was sent: the reason stays checked, ready to add the note.
    assert re.search(r'<input type="checkbox" name="deny-reasons" value="OTHER"[^>]*checked', page)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    # The kept form is shown once: reloading the page shows it clean.
    again = text(client.get(f"/staff/applications/{app.pk}/"))
    assert "Explain the reason “Another reason” in the note." not in again


def test_a_refused_action_then_a_good_one_goes_through(
    staff: User, careadvantage: MediMediPlan
) -> None:
    app = submitted(careadvantage)
    client = login_verified(Client(), staff)
    client.post(f"/staff/applications/{app.pk}/deny/", {"deny-reasons": ["OTHER"]})
    done = client.post(
        f"/staff/applications/{app.pk}/deny/",
        {"deny-reasons": ["OTHER"], "deny-note": "Moved out of state."},
        follow=True,
    )
    assert done.redirect_chain == [(f"/staff/applications/{app.pk}/", 302)]
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DENIED


def test_another_organizations_staff_still_get_404_on_a_refused_form(
    careadvantage: MediMediPlan,
) -> None:
    app = submitted(careadvantage)
    outsider = StaffFactory(organization=Organization.objects.get(code="lacare"))
    response = login_verified(Client(), outsider).post(
        f"/staff/applications/{app.pk}/deny/", {"deny-reasons": ["OTHER"]}
    )
    assert response.status_code == 404


def test_a_kept_form_is_only_shown_on_its_own_application(
    staff: User, careadvantage: MediMediPlan
) -> None:
    first, second = submitted(careadvantage), submitted(careadvantage)
    client = login_verified(Client(), staff)
    client.post(f"/staff/applications/{first.pk}/request-info/", {"info-note": " "})
    other = client.get(f"/staff/applications/{second.pk}/")
    assert not title(other).startswith("Error: ")


def test_a_member_reads_a_refused_submission_in_spanish(careadvantage: MediMediPlan) -> None:
    user = UserFactory(preferred_language="es")
    BeneficiaryFactory(user=user, medi_cal=False)  # no Medi-Cal: the rules refuse
    draft = services.application_create(
        beneficiary=user.beneficiary, actor=user, plan=careadvantage
    )
    client = login_verified(Client(), user)
    response = client.get(f"/me/applications/{draft.pk}/edit/")
    page = text(response)
    assert "Ahora no puede inscribirse en un plan Medi-Medi" in page
    assert "Necesita Medi-Cal además de Medicare." in page
