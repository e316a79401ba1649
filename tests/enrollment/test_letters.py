"""Letters pages: members read and download their own letters; staff see delivery and resend."""

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuditEvent, User
from eligibility.models import Beneficiary, MediMediPlan, Organization
from eligibility.notifications import letter_queue, recipient_snapshot
from enrollment import services
from notices.models import Notice
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import Letters, at, enrolled_member
from tests.factories import BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def logged_in(user: User) -> Client:
    client = Client()
    return login_verified(client, user)


def queued_letter(beneficiary: Beneficiary, key: str = "test:queued") -> Notice:
    """Queue a letter whose delivery never runs (the test transaction never commits)."""
    return letter_queue(
        beneficiary=beneficiary,
        organization_id=None,
        kind="application_received",
        idempotency_key=key,
        recipient=recipient_snapshot(beneficiary),
        context={"received_date": "2025-01-10"},
    )


@pytest.fixture
def rosa(django_capture_on_commit_callbacks: Any) -> Letters:
    return enrolled_member(django_capture_on_commit_callbacks, "Rosa")


@pytest.fixture
def lupe(django_capture_on_commit_callbacks: Any) -> Letters:
    return enrolled_member(django_capture_on_commit_callbacks, "Lupe")


# --- Members ---------------------------------------------------------------------------------


def test_the_letters_page_lists_the_members_letters_newest_first_in_words(
    rosa: Letters, lupe: Letters
) -> None:
    rosa.received.refresh_from_db()
    assert rosa.received.status == "sent"
    page = text(logged_in(rosa.user).get("/me/letters/"))
    assert "<caption>Your letters, newest first</caption>" in page
    confirmed = page.index("Your enrollment is confirmed")
    received = page.index("We received your application")
    assert confirmed < received
    assert "Sent by email on" in page
    assert f'href="/me/letters/{rosa.confirmation.pk}/"' in page
    assert f'href="/me/letters/{rosa.confirmation.pk}/pdf"' in page
    assert f'href="/me/letters/{rosa.confirmation.pk}/id-card"' in page
    # The letter "application received" carries no card.
    assert f'href="/me/letters/{rosa.received.pk}/id-card"' not in page
    for notice in (lupe.received, lupe.confirmation):
        assert f"/me/letters/{notice.pk}/" not in page


def test_a_letter_not_written_yet_shows_as_being_prepared_and_a_cancelled_one_not_at_all(
    rosa: Letters,
) -> None:
    waiting = queued_letter(rosa.beneficiary)
    cancelled = queued_letter(rosa.beneficiary, key="test:cancelled")
    Notice.objects.filter(pk=cancelled.pk).update(status="cancelled")
    client = logged_in(rosa.user)
    page = text(client.get("/me/letters/"))
    assert "Being prepared" in page
    assert f"/me/letters/{waiting.pk}/pdf" not in page
    assert f"/me/letters/{cancelled.pk}/" not in page
    assert client.get(f"/me/letters/{cancelled.pk}/").status_code == 404
    assert client.get(f"/me/letters/{waiting.pk}/pdf").status_code == 404
    preparing = text(client.get(f"/me/letters/{waiting.pk}/"))
    assert "This letter is being prepared" in preparing


def test_a_letter_that_could_not_be_delivered_can_still_be_read_here(rosa: Letters) -> None:
    Notice.objects.filter(pk=rosa.received.pk).update(status="failed", sent_at=None)
    page = text(logged_in(rosa.user).get("/me/letters/"))
    assert "We could not deliver it" in page
    assert f'href="/me/letters/{rosa.received.pk}/"' in page
    assert f'href="/me/letters/{rosa.received.pk}/pdf"' in page


def test_the_read_page_shows_the_letter_inside_the_site_layout(rosa: Letters) -> None:
    response = logged_in(rosa.user).get(f"/me/letters/{rosa.confirmation.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = text(response)
    assert "Skip to main content" in page  # the site layout
    assert page.count('<article class="notice notice--enrollment_confirmation"') == 1
    assert "CareAdvantage" in page
    assert "Health Plan of San Mateo" in page
    # The letter's own heading is the page's only <h1>.
    assert len(re.findall(r"<h1[ >]", page)) == 1
    assert f'href="/me/letters/{rosa.confirmation.pk}/pdf"' in page
    assert f'href="/me/letters/{rosa.confirmation.pk}/id-card"' in page


def test_the_read_page_keeps_staff_words_escaped(django_capture_on_commit_callbacks: Any) -> None:
    user = UserFactory()
    beneficiary = BeneficiaryFactory(user=user)
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    draft = services.application_create(beneficiary=beneficiary, actor=user, plan=plan)
    application = services.application_submit(application=draft, actor=user, now=at(2025, 1, 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_info(
            application=application,
            actor=StaffFactory(),
            note='Send proof of address <script>alert("x")</script>',
        )
    notice = Notice.objects.get(kind="info_requested")
    page = logged_in(user).get(f"/me/letters/{notice.pk}/").content.decode()
    assert "Send proof of address" in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_the_member_downloads_the_letter_and_the_id_card_as_pdfs(rosa: Letters) -> None:
    client = logged_in(rosa.user)
    for url in (
        f"/me/letters/{rosa.confirmation.pk}/pdf",
        f"/me/letters/{rosa.confirmation.pk}/pdf/",
        f"/me/letters/{rosa.confirmation.pk}/id-card",
        f"/me/letters/{rosa.confirmation.pk}/id-card/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    assert client.get(f"/me/letters/{rosa.received.pk}/id-card").status_code == 404


def test_member_a_gets_404_for_member_bs_letters(rosa: Letters, lupe: Letters) -> None:
    client = logged_in(rosa.user)
    for suffix in ("", "pdf", "id-card"):
        assert client.get(f"/me/letters/{lupe.confirmation.pk}/{suffix}").status_code == 404
    assert client.get("/me/letters/999999/").status_code == 404


def test_letters_pages_need_a_login(rosa: Letters) -> None:
    for url in ("/me/letters/", f"/me/letters/{rosa.received.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_home_links_the_letters_and_offers_the_current_id_card(rosa: Letters) -> None:
    page = text(logged_in(rosa.user).get("/me/"))
    assert 'href="/me/letters/"' in page
    assert f'href="/me/letters/{rosa.confirmation.pk}/id-card"' in page
    assert "Download your CareAdvantage member ID card (PDF)" in page


def test_home_offers_the_newest_card_of_the_enrollment_after_a_resend(
    rosa: Letters, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(StaffFactory()).post(
            f"/staff/beneficiaries/{rosa.beneficiary.pk}/letters/{rosa.confirmation.pk}/resend/",
            {"id_card_only": "on"},
        )
    assert response.status_code == 302
    card = Notice.objects.get(resend_of=rosa.confirmation)
    assert card.kind == "id_card"
    assert card.id_card_pdf
    page = text(logged_in(rosa.user).get("/me/"))
    assert f'href="/me/letters/{card.pk}/id-card"' in page
    assert f'href="/me/letters/{rosa.confirmation.pk}/id-card"' not in page


def test_home_offers_no_card_to_a_member_without_one(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = UserFactory()
    BeneficiaryFactory(user=user)
    page = text(logged_in(user).get("/me/"))
    assert "member ID card" not in page
    assert 'href="/me/letters/"' in page


# --- Staff -----------------------------------------------------------------------------------


def staff_letters_url(letters: Letters) -> str:
    return f"/staff/beneficiaries/{letters.beneficiary.pk}/letters/"


def test_staff_see_the_members_letters_with_their_delivery_and_the_read_is_audited(
    rosa: Letters,
) -> None:
    failed = queued_letter(rosa.beneficiary, key="test:failed")
    Notice.objects.filter(pk=failed.pk).update(
        status="failed", attempts=1, last_error="SMTPRecipientsRefused: 550 mailbox unavailable"
    )
    staff = StaffFactory()
    response = logged_in(staff).get(staff_letters_url(rosa))
    assert response.status_code == 200
    page = text(response)
    assert f"<caption>Letters to {rosa.beneficiary.full_name}, newest first</caption>" in page
    assert f"{rosa.confirmation.pk}: Enrollment confirmation" in page
    assert f"{rosa.received.pk}: Application received" in page
    assert '<span class="status status-sent">Sent</span>' in page
    assert '<span class="status status-failed">Failed</span>' in page
    assert "550 mailbox unavailable" in page
    assert ">Resend<" in page
    assert ">Resend ID card<" in page
    audit = AuditEvent.objects.get(object_type="beneficiary_notices", actor=staff)
    assert audit.object_id == str(rosa.beneficiary.pk)
    assert set(audit.detail["ids"]) == {rosa.received.pk, rosa.confirmation.pk, failed.pk}


def test_the_staff_application_page_links_the_members_letters(rosa: Letters) -> None:
    page = text(logged_in(StaffFactory()).get(f"/staff/applications/{rosa.application.pk}/"))
    assert f'href="{staff_letters_url(rosa)}"' in page


def test_staff_resend_makes_a_new_letter_that_records_who_asked(rosa: Letters) -> None:
    staff = StaffFactory()
    client = logged_in(staff)
    response = client.post(f"{staff_letters_url(rosa)}{rosa.received.pk}/resend/", follow=True)
    resent = Notice.objects.get(resend_of=rosa.received)
    assert resent.requested_by == staff
    assert resent.kind == "application_received"
    assert resent.idempotency_key == f"resend:{rosa.received.pk}:1"
    page = text(response)
    assert f"is being sent again as letter {resent.pk}" in page
    assert f"{staff.username}, resend of letter {rosa.received.pk}" in page


def test_a_resent_letter_shows_the_member_it_is_a_copy_of_the_earlier_one(rosa: Letters) -> None:
    logged_in(StaffFactory()).post(f"{staff_letters_url(rosa)}{rosa.received.pk}/resend/")
    resent = Notice.objects.get(resend_of=rosa.received)
    member = logged_in(rosa.user)

    listing = text(member.get("/me/letters/"))
    letter = text(member.get(f"/me/letters/{resent.pk}/"))
    original = text(member.get(f"/me/letters/{rosa.received.pk}/"))

    assert listing.count("A copy of the letter of") == 1
    assert "A copy of the letter of" in letter
    assert "A copy of the letter of" not in original


def test_resending_only_the_id_card_of_a_letter_without_one_shows_the_refusal(
    rosa: Letters,
) -> None:
    response = logged_in(StaffFactory()).post(
        f"{staff_letters_url(rosa)}{rosa.received.pk}/resend/",
        {"id_card_only": "on"},
        follow=True,
    )
    assert "cannot be sent again" in text(response)
    assert not Notice.objects.filter(resend_of=rosa.received).exists()


def test_staff_of_another_organization_get_404_and_members_403(rosa: Letters) -> None:
    outsider = logged_in(StaffFactory(organization=Organization.objects.get(code="lacare")))
    assert outsider.get(staff_letters_url(rosa)).status_code == 404
    resend = f"{staff_letters_url(rosa)}{rosa.received.pk}/resend/"
    assert outsider.post(resend).status_code == 404
    member = logged_in(rosa.user)
    assert member.get(staff_letters_url(rosa)).status_code == 403
    assert member.post(resend).status_code == 403
    assert not Notice.objects.filter(resend_of=rosa.received).exists()


def test_staff_cannot_resend_another_members_letter_through_this_member(
    rosa: Letters, lupe: Letters
) -> None:
    response = logged_in(StaffFactory()).post(
        f"{staff_letters_url(rosa)}{lupe.received.pk}/resend/"
    )
    assert response.status_code == 404


def test_resend_needs_a_post_with_a_csrf_token(rosa: Letters) -> None:
    client = Client(enforce_csrf_checks=True)
    login_verified(client, StaffFactory())
    url = f"{staff_letters_url(rosa)}{rosa.received.pk}/resend/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not Notice.objects.filter(resend_of=rosa.received).exists()
