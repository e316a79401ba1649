"""The API for elections made elsewhere (``POST /api/v1/applications`` with ``beneficiary``)
and for authorized representatives: status codes and error bodies."""

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from eligibility.models import Beneficiary, MediMediPlan, Organization
from eligibility.selectors import california_today
from enrollment import services
from enrollment.models import Application, AuthorizedRepresentative
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def plan() -> MediMediPlan:
    return MediMediPlan.objects.get(name="CareAdvantage")


def election(person: Beneficiary, plan: MediMediPlan, **changes: Any) -> dict[str, Any]:
    return {
        "beneficiary": person.pk,
        "plan": plan.pk,
        "channel": "paper",
        "received_on": (california_today() - timedelta(days=3)).isoformat(),
        "signed_by": "The member",
        "election_period": "icsep",
        **changes,
    }


def test_staff_record_a_paper_election_as_a_submitted_application(plan: MediMediPlan) -> None:
    person = BeneficiaryFactory()
    response = client_for(StaffFactory()).post(
        "/api/v1/applications", election(person, plan), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["beneficiary"] == person.pk
    assert body["channel"] == "paper"
    assert body["signed_by"] == "The member"
    assert body["election_period"] == "icsep"
    received = california_today() - timedelta(days=3)
    assert body["received_on"] == received.isoformat()
    month_after = (received.replace(day=28) + timedelta(days=4)).replace(day=1)
    assert body["effective_date"] >= month_after.isoformat()


def test_a_member_naming_a_beneficiary_is_refused(plan: MediMediPlan) -> None:
    user = UserFactory()
    own = BeneficiaryFactory(user=user)
    response = client_for(user).post("/api/v1/applications", election(own, plan), format="json")
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_members_still_start_their_own_draft(plan: MediMediPlan) -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    response = client_for(user).post("/api/v1/applications", {"plan": plan.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert response.json()["channel"] == "online"


def test_another_organizations_plan_is_forbidden() -> None:
    other = MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
    response = client_for(StaffFactory()).post(
        "/api/v1/applications", election(BeneficiaryFactory(), other), format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"channel": "online"}, "channel", id="online"),
        pytest.param({"received_on": "2999-01-01"}, "received_on", id="future"),
        pytest.param({"received_on": "2020-01-01"}, "received_on", id="too-old"),
        pytest.param({"received_on": None}, "received_on", id="missing"),
        pytest.param({"election_period": "whenever"}, "election_period", id="unknown-period"),
        pytest.param({"signed_by": ""}, "signed_by", id="unsigned"),
    ],
)
def test_bad_elections_answer_400_keyed_by_field(
    plan: MediMediPlan, changes: dict[str, Any], field: str
) -> None:
    response = client_for(StaffFactory()).post(
        "/api/v1/applications", election(BeneficiaryFactory(), plan, **changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_partial_dual_cannot_use_the_integrated_care_sep(plan: MediMediPlan) -> None:
    partial = BeneficiaryFactory(medi_cal={"scope": "", "msp": "QMB", "aid_code": ""})
    response = client_for(StaffFactory()).post(
        "/api/v1/applications", election(partial, plan), format="json"
    )
    assert response.status_code == 400
    assert "election_period" in response.json()


def test_unknown_person_is_404(plan: MediMediPlan) -> None:
    body = election(BeneficiaryFactory(), plan, beneficiary=10**9)
    response = client_for(AdminFactory()).post("/api/v1/applications", body, format="json")
    assert response.status_code == 404


# Representatives

REP = {
    "name": "Tess Helper",
    "relationship": "Daughter",
    "document": "Appointment of representative (CMS-1696)",
    "email": "tess@example.test",
}


def test_member_records_lists_and_ends_a_representative() -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    client = client_for(user)
    today = california_today().isoformat()
    created = client.post("/api/v1/me/representatives", {**REP, "valid_from": today}, format="json")
    assert created.status_code == 201, created.json()
    rep_id = created.json()["id"]
    listed = client.get("/api/v1/me/representatives")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [rep_id]
    ended = client.post(f"/api/v1/me/representatives/{rep_id}/end", {}, format="json")
    assert ended.status_code == 200
    # Withdrawn the day it began: it never acts (its last day and first day are yesterday).
    yesterday = (california_today() - timedelta(days=1)).isoformat()
    assert (ended.json()["valid_from"], ended.json()["valid_to"]) == (yesterday, yesterday)
    again = client.post(f"/api/v1/me/representatives/{rep_id}/end", {}, format="json")
    assert again.status_code == 409


def test_representative_without_a_document_or_contact_is_400_by_field() -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    client = client_for(user)
    today = california_today().isoformat()
    no_document = client.post(
        "/api/v1/me/representatives", {**REP, "document": "", "valid_from": today}, format="json"
    )
    assert no_document.status_code == 400
    assert "document" in no_document.json()
    no_contact = client.post(
        "/api/v1/me/representatives", {**REP, "email": "", "valid_from": today}, format="json"
    )
    assert no_contact.status_code == 400
    assert "address" in no_contact.json()
    backwards = client.post(
        "/api/v1/me/representatives",
        {**REP, "valid_from": "2026-05-02", "valid_to": "2026-05-01"},
        format="json",
    )
    assert backwards.status_code == 400
    assert "valid_to" in backwards.json()


def test_staff_representatives_are_scoped_to_their_organizations_people(
    plan: MediMediPlan,
) -> None:
    user = UserFactory()
    person = BeneficiaryFactory(user=user)
    draft = services.application_create(actor=user, plan=plan)
    services.application_submit(application=draft, actor=user)
    path = f"/api/v1/beneficiaries/{person.pk}/representatives"
    body = {**REP, "valid_from": california_today().isoformat()}
    staff = client_for(StaffFactory())
    assert staff.post(path, body, format="json").status_code == 201
    assert staff.get(path).status_code == 200
    other = client_for(StaffFactory(organization=Organization.objects.get(code="lacare")))
    assert other.post(path, body, format="json").status_code == 404
    assert other.get(path).status_code == 404
    assert client_for(UserFactory()).get(path).status_code in (403, 404)
    assert AuthorizedRepresentative.objects.filter(beneficiary=person).count() == 1


HUGE_ID = "99999999999999999999"  # past 2**63 - 1


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("staff", "get", f"/api/v1/beneficiaries/{HUGE_ID}/representatives"),
        ("staff", "post", f"/api/v1/beneficiaries/{HUGE_ID}/representatives"),
        ("staff", "post", f"/api/v1/beneficiaries/1/representatives/{HUGE_ID}/end"),
        ("member", "post", f"/api/v1/me/representatives/{HUGE_ID}/end"),
    ],
)
def test_ids_beyond_bigint_are_404(role: str, method: str, path: str) -> None:
    if role == "member":
        user = UserFactory()
        BeneficiaryFactory(user=user)
    else:
        user = AdminFactory()
    response = getattr(client_for(user), method)(path, {}, format="json")
    assert response.status_code == 404


def test_beneficiary_beyond_bigint_is_a_field_error(plan: MediMediPlan) -> None:
    body = election(BeneficiaryFactory(), plan, beneficiary=HUGE_ID)
    response = client_for(StaffFactory()).post("/api/v1/applications", body, format="json")
    assert response.status_code == 400
    assert "beneficiary" in response.json()
