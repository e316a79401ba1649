"""The notices API: a member's letters, their PDFs and ID cards, and staff resends."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent, User
from eligibility.models import Beneficiary, BeneficiaryLetter, Organization
from eligibility.notifications import letter_queue, recipient_snapshot
from notices.models import Notice
from tests.enrollment.conftest import Letters, enrolled_member
from tests.factories import AdminFactory, StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

LIST_FIELDS = {
    "id",
    "kind",
    "language",
    "channel",
    "format",
    "status",
    "created_at",
    "sent_at",
    "attempts",
    "resend_of",
    "requested_by",
    "organization",
    "pdf_url",
    "id_card_url",
}


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def member(django_capture_on_commit_callbacks: Any) -> Letters:
    return enrolled_member(django_capture_on_commit_callbacks)


@pytest.fixture
def other(django_capture_on_commit_callbacks: Any) -> Letters:
    return enrolled_member(django_capture_on_commit_callbacks)


@pytest.fixture
def lacare_staff() -> User:
    return StaffFactory(organization=Organization.objects.get(code="lacare"))


def queued_letter(beneficiary: Beneficiary, kind: str = "application_received") -> Notice:
    """Queue a letter whose delivery never runs (the test transaction never commits)."""
    context: dict[str, Any] = {"received_date": "2025-01-10"}
    if kind == "enrollment_confirmation":
        context = {
            "plan_name": "CareAdvantage",
            "medi_cal_plan_name": "Health Plan of San Mateo",
            "effective_date": "2025-02-01",
            "mbi": beneficiary.mbi,
        }
    return letter_queue(
        beneficiary=beneficiary,
        organization_id=None,
        kind=kind,
        idempotency_key=f"test:{kind}:{beneficiary.pk}",
        recipient=recipient_snapshot(beneficiary),
        context=context,
    )


def notices_url(member: Letters) -> str:
    return f"/api/v1/beneficiaries/{member.beneficiary.pk}/notices"


# --- The list --------------------------------------------------------------------------------


def test_member_lists_their_notices_newest_first_without_phi(
    member: Letters, other: Letters
) -> None:
    response = client_for(member.user).get(notices_url(member))
    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == [member.confirmation.pk, member.received.pk]
    assert [row["organization"] for row in rows] == ["hpsm", "hpsm"]
    for row in rows:
        assert set(row) == LIST_FIELDS  # never the recipient snapshot or the context
    confirmation, received = rows
    assert confirmation["kind"] == "enrollment_confirmation"
    assert confirmation["status"] == "sent"
    assert confirmation["channel"] == "email"
    assert confirmation["language"] == "en"
    assert confirmation["format"] == "standard"
    assert confirmation["attempts"] == 1
    assert confirmation["sent_at"] is not None
    assert confirmation["resend_of"] is None
    assert confirmation["requested_by"] is None
    assert confirmation["pdf_url"] == (
        f"http://testserver/api/v1/notices/{member.confirmation.pk}/pdf"
    )
    assert confirmation["id_card_url"] == (
        f"http://testserver/api/v1/notices/{member.confirmation.pk}/id-card"
    )
    assert received["kind"] == "application_received"
    assert received["id_card_url"] is None
    body = response.content.decode()
    assert member.beneficiary.mbi not in body
    assert member.beneficiary.address_line1 not in body


def test_a_queued_notice_is_listed_without_links(member: Letters) -> None:
    waiting = queued_letter(member.beneficiary)
    rows = client_for(member.user).get(notices_url(member)).json()
    assert rows[0]["id"] == waiting.pk
    assert rows[0]["status"] == "queued"
    assert rows[0]["sent_at"] is None
    assert rows[0]["pdf_url"] is None
    assert rows[0]["id_card_url"] is None


# --- PDFs ------------------------------------------------------------------------------------


def test_the_pdf_and_the_id_card_are_pdfs(member: Letters) -> None:
    client = client_for(member.user)
    for url in (
        f"/api/v1/notices/{member.confirmation.pk}/pdf",
        f"/api/v1/notices/{member.confirmation.pk}/id-card",
        f"/api/v1/notices/{member.received.pk}/pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "no-store" in response["Cache-Control"]


def test_the_pdf_url_of_the_list_works_and_accept_pdf_is_honoured(member: Letters) -> None:
    client = client_for(member.user)
    url = client.get(notices_url(member)).json()[0]["pdf_url"]
    response = client.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    # A refusal is JSON whatever was asked for.
    missing = client.get("/api/v1/notices/999999/pdf", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json() == {"detail": "No such notice.", "code": "not_found"}


def test_a_notice_without_a_card_answers_404_for_the_id_card(member: Letters) -> None:
    response = client_for(member.user).get(f"/api/v1/notices/{member.received.pk}/id-card")
    assert response.status_code == 404
    assert response.json() == {"detail": "This notice has no ID card.", "code": "not_found"}


def test_a_queued_notice_answers_409_not_ready_until_its_pdf_is_written(member: Letters) -> None:
    client = client_for(member.user)
    waiting = queued_letter(member.beneficiary, kind="enrollment_confirmation")
    for part in ("pdf", "id-card"):
        response = client.get(f"/api/v1/notices/{waiting.pk}/{part}")
        assert response.status_code == 409, part
        assert response.json() == {
            "detail": "The letter is not written yet; try again in a minute.",
            "code": "not_ready",
            "status": "queued",
        }
        assert response["Retry-After"] == "60"
    # A queued letter of a kind that never carries a card has no card to wait for.
    received = queued_letter(member.beneficiary)
    assert client.get(f"/api/v1/notices/{received.pk}/id-card").status_code == 404


def test_a_notice_that_ended_without_a_pdf_answers_404(member: Letters) -> None:
    cancelled = queued_letter(member.beneficiary)
    Notice.objects.filter(pk=cancelled.pk).update(status="cancelled")
    response = client_for(member.user).get(f"/api/v1/notices/{cancelled.pk}/pdf")
    assert response.status_code == 404


# --- Who may see what ------------------------------------------------------------------------


def test_member_a_cannot_read_member_bs_notices_or_pdfs(member: Letters, other: Letters) -> None:
    client = client_for(member.user)
    assert client.get(notices_url(other)).status_code == 404
    for part in ("pdf", "id-card"):
        assert client.get(f"/api/v1/notices/{other.confirmation.pk}/{part}").status_code == 404


def test_a_notice_that_is_no_members_letter_is_not_found(member: Letters) -> None:
    stray = queued_letter(member.beneficiary)
    BeneficiaryLetter.objects.filter(notice=stray).delete()
    response = client_for(AdminFactory()).get(f"/api/v1/notices/{stray.pk}/pdf")
    assert response.status_code == 404


def test_staff_of_another_organization_get_404(member: Letters, lacare_staff: User) -> None:
    client = client_for(lacare_staff)
    assert client.get(notices_url(member)).status_code == 404
    for part in ("pdf", "id-card"):
        assert client.get(f"/api/v1/notices/{member.confirmation.pk}/{part}").status_code == 404
    assert not AuditEvent.objects.filter(actor=lacare_staff).exists()


def test_staff_of_the_organization_read_and_every_read_is_audited(member: Letters) -> None:
    staff = StaffFactory()
    client = client_for(staff)
    listed = client.get(notices_url(member))
    assert listed.status_code == 200
    assert len(listed.json()) == 2
    assert client.get(f"/api/v1/notices/{member.confirmation.pk}/pdf").status_code == 200
    assert client.get(f"/api/v1/notices/{member.confirmation.pk}/id-card").status_code == 200
    audits = AuditEvent.objects.filter(actor=staff, action="read").order_by("pk")
    assert [(a.object_type, a.object_id, a.detail) for a in audits] == [
        (
            "beneficiary_notices",
            str(member.beneficiary.pk),
            {"ids": [member.confirmation.pk, member.received.pk]},
        ),
        ("notice", str(member.confirmation.pk), {"document": "pdf"}),
        ("notice", str(member.confirmation.pk), {"document": "id_card"}),
    ]


def test_member_reads_are_not_audited_as_staff_reads(member: Letters) -> None:
    client_for(member.user).get(notices_url(member))
    assert not AuditEvent.objects.filter(actor=member.user, action="read").exists()


def test_anonymous_requests_are_refused(member: Letters) -> None:
    anonymous = client_for(None)
    assert anonymous.get(notices_url(member)).status_code in (401, 403)
    assert anonymous.get(f"/api/v1/notices/{member.received.pk}/pdf").status_code in (401, 403)
    assert anonymous.post(f"/api/v1/notices/{member.received.pk}/resend").status_code in (
        401,
        403,
    )


def test_paths_work_with_a_trailing_slash(member: Letters) -> None:
    staff_client = client_for(StaffFactory())
    client = client_for(member.user)
    assert client.get(notices_url(member) + "/").status_code == 200
    assert client.get(f"/api/v1/notices/{member.confirmation.pk}/pdf/").status_code == 200
    assert client.get(f"/api/v1/notices/{member.confirmation.pk}/id-card/").status_code == 200
    resent = staff_client.post(f"/api/v1/notices/{member.received.pk}/resend/")
    assert resent.status_code == 201


# --- Resend ----------------------------------------------------------------------------------


def test_staff_resend_answers_201_with_a_new_notice_that_records_who_asked(
    member: Letters,
) -> None:
    staff = StaffFactory()
    response = client_for(staff).post(f"/api/v1/notices/{member.received.pk}/resend")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == LIST_FIELDS
    assert body["kind"] == "application_received"
    assert body["resend_of"] == member.received.pk
    assert body["requested_by"] == staff.username
    assert body["status"] == "queued"
    resent = Notice.objects.get(pk=body["id"])
    assert resent.requested_by == staff
    assert resent.resend_of == member.received
    assert resent.recipient_key == member.received.recipient_key
    assert AuditEvent.objects.filter(
        actor=staff, action="create", object_type="notice", object_id=str(resent.pk)
    ).exists()


def test_resend_of_the_id_card_only_makes_an_id_card_notice(member: Letters) -> None:
    response = client_for(AdminFactory()).post(
        f"/api/v1/notices/{member.confirmation.pk}/resend", {"id_card_only": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "id_card"
    assert response.json()["resend_of"] == member.confirmation.pk


def test_resend_of_the_id_card_of_a_letter_without_one_is_a_400(member: Letters) -> None:
    response = client_for(StaffFactory()).post(
        f"/api/v1/notices/{member.received.pk}/resend", {"id_card_only": True}, format="json"
    )
    assert response.status_code == 400
    assert "id_card_only" in response.json()
    assert not Notice.objects.filter(resend_of=member.received).exists()


def test_members_cannot_resend_even_their_own_letters(member: Letters) -> None:
    response = client_for(member.user).post(f"/api/v1/notices/{member.received.pk}/resend")
    assert response.status_code == 403
    assert not Notice.objects.filter(resend_of=member.received).exists()


def test_staff_of_another_organization_cannot_resend(member: Letters, lacare_staff: User) -> None:
    response = client_for(lacare_staff).post(f"/api/v1/notices/{member.received.pk}/resend")
    assert response.status_code == 404
    assert not Notice.objects.filter(resend_of=member.received).exists()


def test_the_schema_documents_the_notices_endpoints() -> None:
    schema = client_for(AdminFactory()).get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = schema.json()["paths"]
    assert "/api/v1/beneficiaries/{id}/notices/" in paths
    pdf = paths["/api/v1/notices/{id}/pdf/"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]
    assert "409" in pdf
    assert "/api/v1/notices/{id}/resend/" in paths


def test_a_double_click_on_resend_sends_one_copy(member: Letters) -> None:
    staff = client_for(StaffFactory())
    url = f"/api/v1/notices/{member.received.pk}/resend"
    first = staff.post(url, {}, format="json")  # tasks run on commit: not yet, in this test
    assert first.status_code == 201
    Notice.objects.filter(pk=first.json()["id"]).update(status="queued")
    second = staff.post(url, {}, format="json")
    assert second.status_code == 409
    assert Notice.objects.filter(resend_of=member.received).count() == 1


def test_a_resend_goes_to_the_members_address_and_language_now(member: Letters) -> None:
    beneficiary = member.user.beneficiary
    beneficiary.address_line1 = "9 New Street"
    beneficiary.preferred_language = "es"
    beneficiary.save()
    response = client_for(StaffFactory()).post(
        f"/api/v1/notices/{member.received.pk}/resend", {}, format="json"
    )
    assert response.status_code == 201
    resent = Notice.objects.get(pk=response.json()["id"])
    assert resent.recipient["address"][0] == "9 New Street"
    assert resent.language == "es"


def test_a_letter_not_sent_yet_cannot_be_resent(member: Letters) -> None:
    queued = queued_letter(member.user.beneficiary)
    response = client_for(StaffFactory()).post(
        f"/api/v1/notices/{queued.pk}/resend", {}, format="json"
    )
    assert response.status_code == 409
