"""The one member ID card (issue 10): through the approval that queues and renders the confirmation.

Wallet size front and back on one sheet, the plan's own member ID (never the MBI), contract and
PBP, pharmacy billing numbers and the one member services number, each "unknown" or "not yet
set" when no source confirms it, never a placeholder that looks real.
"""

import importlib
import io
from datetime import date
from typing import Any

import pypdf
import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from eligibility.models import MediMediPlan
from eligibility.selectors import california_today
from enrollment import services
from enrollment.models import Application, AuthorizedRepresentative, Enrollment
from notices.models import Notice
from tests.enrollment.conftest import at, enrolled_member
from tests.factories import BeneficiaryFactory, StaffFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = "1-800-555-0100"


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def approved(capture: Any, person: Any, *, language: str = "en") -> tuple[Enrollment, Notice]:
    """Apply to CareAdvantage, submit and approve, delivering each letter as the events commit."""
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    with capture(execute=True):
        draft = services.application_create(
            beneficiary=person, actor=None, plan=plan, language=language
        )
        application: Application = services.application_submit(
            application=draft, actor=None, now=at(2026, 11, 27)
        )
    with capture(execute=True):
        services.application_approve(
            application=application, actor=StaffFactory(), today=date(2026, 11, 28)
        )
    medi_medi = Enrollment.objects.get(beneficiary=person, kind="medi_medi")
    confirmation = Notice.objects.get(
        kind="enrollment_confirmation", recipient_key=f"beneficiary:{person.pk}"
    )
    return medi_medi, confirmation


def test_approval_gives_a_plan_member_id_and_a_wallet_card_with_both_sides_on_one_sheet(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = BeneficiaryFactory()
    medi_medi, confirmation = approved(django_capture_on_commit_callbacks, person)
    assert medi_medi.member_id.startswith("HPSM") and len(medi_medi.member_id) == 13
    assert confirmation.status == "sent"
    assert confirmation.context["member_id"] == medi_medi.member_id

    data = confirmation.id_card_pdf.read()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    sides = page["/Resources"]["/XObject"]
    boxes = sorted([round(float(v)) for v in side.get_object()["/BBox"]] for side in sides.values())
    assert boxes == [[0, 0, 243, 153]] * 2  # front and back, 3.375 x 2.125 in each

    card = pdf_text(data)
    assert f"Member ID {medi_medi.member_id}" in card
    assert person.mbi not in card
    assert f"{person.first_name} {person.last_name}" in card
    assert "Medi-Cal plan Health Plan of San Mateo" in card
    # CareAdvantage's number and TTY come from HPSM's own page (reference data, with source).
    assert "1-866-880-0606 TTY: 1-800-735-2929" in card
    # No public source read gives its contract-PBP or pharmacy numbers: "unknown", visibly.
    assert "Contract unknown" in card
    assert "RxBIN unknown" in card and "RxPCN unknown" in card and "RxGroup unknown" in card
    assert "Cut out both sides along the dashed lines" in card

    letter = pdf_text(confirmation.pdf.read())
    assert "Your one phone number for both: 1-866-880-0606 (TTY: 1-800-735-2929)" in letter
    assert f"Your member ID is {medi_medi.member_id}" in letter


def test_the_card_prints_the_plans_contract_pbp_and_pharmacy_numbers_when_known(
    django_capture_on_commit_callbacks: Any,
) -> None:
    MediMediPlan.objects.filter(name="CareAdvantage").update(
        contract_number="H9999", pbp="001", rx_bin="999999", rx_pcn="TESTPCN", rx_group="GRP1"
    )
    _, confirmation = approved(django_capture_on_commit_callbacks, BeneficiaryFactory())
    card = pdf_text(confirmation.id_card_pdf.read())
    assert "Contract H9999-001" in card
    assert "RxBIN 999999" in card and "RxPCN TESTPCN" in card and "RxGroup GRP1" in card


def test_spanish_speaking_member_gets_the_card_in_spanish(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, confirmation = approved(
        django_capture_on_commit_callbacks, BeneficiaryFactory(), language="es"
    )
    card = pdf_text(confirmation.id_card_pdf.read())
    assert f"Número de miembro {medi_medi.member_id}" in card
    assert "Contrato desconocido" in card
    assert "Servicios para Miembros 1-866-880-0606" in card
    assert "Recorte ambos lados" in card


def test_without_a_plan_number_letters_and_card_say_not_yet_set_never_the_placeholder(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.NOTICES_PROGRAM_PHONE = PLACEHOLDER
    MediMediPlan.objects.filter(name="CareAdvantage").update(member_phone="", member_tty="")
    _, confirmation = approved(django_capture_on_commit_callbacks, BeneficiaryFactory())
    letter = pdf_text(confirmation.pdf.read())
    assert "Your one phone number for both: not yet set." in letter
    card = pdf_text(confirmation.id_card_pdf.read())
    assert "Number not yet set: see your plan's website" in card
    for text in (letter, card, confirmation.html):
        assert PLACEHOLDER not in text


def test_an_operator_set_program_number_is_used_when_the_plan_has_none(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.NOTICES_PROGRAM_PHONE = "1-888-000-0199"
    MediMediPlan.objects.filter(name="CareAdvantage").update(member_phone="", member_tty="")
    _, confirmation = approved(django_capture_on_commit_callbacks, BeneficiaryFactory())
    assert "Your one phone number for both: 1-888-000-0199" in pdf_text(confirmation.pdf.read())
    assert "1-888-000-0199 TTY: 711" in pdf_text(confirmation.id_card_pdf.read())


def test_member_ids_are_unique_within_a_plan(django_capture_on_commit_callbacks: Any) -> None:
    first, _ = approved(django_capture_on_commit_callbacks, BeneficiaryFactory())
    second, _ = approved(django_capture_on_commit_callbacks, BeneficiaryFactory())
    assert first.member_id != second.member_id
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.filter(pk=second.pk).update(member_id=first.member_id)
    # The aligned Medi-Cal enrollments carry no member ID of their own.
    assert set(Enrollment.objects.filter(kind="medi_cal").values_list("member_id", flat=True)) == {
        ""
    }


def test_member_downloads_the_card_through_the_api_and_a_resent_card_keeps_the_member_id(
    django_capture_on_commit_callbacks: Any,
) -> None:
    member = enrolled_member(django_capture_on_commit_callbacks)
    medi_medi = Enrollment.objects.get(beneficiary=member.beneficiary, kind="medi_medi")
    client = APIClient()
    client.force_authenticate(member.user)
    response = client.get(f"/api/v1/notices/{member.confirmation.pk}/id-card")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    card = pdf_text(body)
    assert f"Member ID {medi_medi.member_id}" in card
    assert member.beneficiary.mbi not in card

    staff = StaffFactory()  # of Health Plan of San Mateo, whose plan sent the letter
    with django_capture_on_commit_callbacks(execute=True):
        resent = services.letter_resend(
            actor=staff, notice_id=member.confirmation.pk, id_card_only=True
        )
    resent.refresh_from_db()
    assert resent.kind == "id_card" and resent.status == "sent"
    assert f"Member ID {medi_medi.member_id}" in pdf_text(resent.id_card_pdf.read())


def test_a_representatives_copy_says_so_and_its_card_carries_the_members_name(
    django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    person = BeneficiaryFactory()
    rep = AuthorizedRepresentative.objects.create(
        beneficiary=person,
        name="Tess Helper",
        relationship="Daughter",
        email="tess@example.test",
        document="Durable power of attorney",
        valid_from=california_today(),
    )

    approved(django_capture_on_commit_callbacks, person)

    copy = Notice.objects.get(
        kind="enrollment_confirmation", recipient_key=f"representative:{rep.pk}"
    )
    assert copy.status == "sent"
    card = pdf_text(copy.id_card_pdf.read())
    assert f"{person.first_name} {person.last_name}" in card
    assert "Tess Helper" not in card
    letter = pdf_text(copy.pdf.read())
    assert (
        f"A copy for you, as the authorized representative of {person.first_name} "
        f"{person.last_name}." in letter
    )
    assert "Tess Helper" in letter  # addressed to the representative
    assert copy.subject.startswith(
        f"Copy for {person.first_name} {person.last_name}'s representative: "
    )


def test_enrollments_approved_before_member_ids_get_one_from_the_backfill(
    django_capture_on_commit_callbacks: Any,
) -> None:
    backfill = importlib.import_module("enrollment.migrations.0009_member_id_backfill").backfill
    medi_medi, _ = approved(django_capture_on_commit_callbacks, BeneficiaryFactory())
    Enrollment.objects.filter(pk=medi_medi.pk).update(member_id="")

    backfill(apps, None)

    medi_medi.refresh_from_db()
    assert medi_medi.member_id.startswith("HPSM") and len(medi_medi.member_id) == 13
    assert not Enrollment.objects.filter(kind="medi_medi", member_id="").exists()
