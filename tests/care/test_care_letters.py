"""Care letters through the notices outbox: the care plan letter once per shared revision, in
the member's language; the continuity of care ending letter queued once by the daily job 30 days
before its end; and the member's care page in Spanish."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.errors import Conflict
from accounts.models import User
from care import member_words, services
from care.models import (
    AssessmentKind,
    AssessmentStatus,
    CareCase,
    CarePlan,
    ContinuityRequest,
    ContinuityStatus,
    PlanItemKind,
    TeamRole,
)
from care.tasks import care_daily
from eligibility.models import BeneficiaryLetter
from eligibility.selectors import california_today
from notices.models import Notice, NoticeKind, NoticeStatus
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import Letters

pytestmark = pytest.mark.django_db

VALID_NPI = "1234567893"
CAREADVANTAGE_PHONE = "1-866-880-0606"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def care_plan_letters(case: CareCase) -> list[Notice]:
    return list(
        Notice.objects.filter(
            kind=NoticeKind.CARE_PLAN, beneficiary_letter__beneficiary=case.enrollment.beneficiary
        ).order_by("pk")
    )


def write_plan(case: CareCase, staff: User, *, reason: str = "Hospital stay") -> CarePlan:
    worker = services.team_member_add(
        actor=staff,
        case=case,
        role=TeamRole.IHSS_SOCIAL_WORKER,
        name="Ana Ruiz",
        organization_name="San Mateo County IHSS",
        phone="650-555-0100",
    )
    return services.care_plan_write(
        actor=staff,
        case=case,
        reason=reason,
        summary="Fewer hospital stays.",
        items=[
            services.PlanItemInput(
                PlanItemKind.SERVICE, "Reassess IHSS hours", date(2025, 8, 15), owner=worker.pk
            ),
            services.PlanItemInput(
                PlanItemKind.GOAL,
                "Keep blood sugar in range.",
                date(2025, 9, 1),
                owner_is_member=True,
            ),
            services.PlanItemInput(
                PlanItemKind.INTERVENTION, "Call after each hospital stay", date(2025, 7, 20)
            ),
        ],
    )


def share(capture: Any, staff: User, plan: CarePlan, day: date = date(2025, 7, 2)) -> None:
    with capture(execute=True):  # the letter is delivered once the share commits
        services.care_plan_share(actor=staff, care_plan=plan, today=day)


# --- The care plan letter ----------------------------------------------------------------------


def test_sharing_a_care_plan_sends_a_letter_listing_items_owners_dates_and_the_phone(
    case, staff, django_capture_on_commit_callbacks
) -> None:
    plan = write_plan(case, staff)
    assert care_plan_letters(case) == []  # written, not yet shared: nothing to the member
    share(django_capture_on_commit_callbacks, staff, plan)

    [letter] = care_plan_letters(case)
    assert letter.idempotency_key == f"care-plan-shared:{case.pk}:1"
    assert letter.status == NoticeStatus.SENT and letter.language == "en"
    assert BeneficiaryLetter.objects.get(notice=letter).organization_id == case.organization_id
    body = text(letter.html)
    assert "Your care plan</h1>" in body
    # Goals first, then what the team does, then services; each with who and by when.
    assert body.index("Your goals") < body.index("What your care team will do")
    assert body.index("What your care team will do") < body.index("Your services")
    assert "Keep blood sugar in range</strong>. Who: you. By: September 1, 2025." in body
    assert "Call after each hospital stay</strong>. Who: your care coordinator" in body
    assert "By: July 20, 2025." in body
    assert "Who: Ana Ruiz, San Mateo County IHSS. By: August 15, 2025." in body
    assert "Fewer hospital stays." in body
    assert "shared with you on <strong>July 2, 2025</strong>" in body
    assert f"call your care coordinator at {CAREADVANTAGE_PHONE} (TTY: 711)" in body


def test_a_care_plan_letter_is_queued_once_per_revision_never_twice_on_a_retry(
    case, staff, django_capture_on_commit_callbacks
) -> None:
    first = write_plan(case, staff)
    share(django_capture_on_commit_callbacks, staff, first)
    with pytest.raises(Conflict):  # sharing again is refused and queues nothing
        services.care_plan_share(actor=staff, care_plan=first)
    # A retried job or request asking for the same revision's letter finds the same row.
    assert services.care_plan_letter_queue(first) == care_plan_letters(case)[0]
    assert len(care_plan_letters(case)) == 1

    second = services.care_plan_write(
        actor=staff,
        case=case,
        reason="Hospital stay in July",
        items=[services.PlanItemInput(PlanItemKind.GOAL, "No readmission", date(2025, 8, 31))],
    )
    share(django_capture_on_commit_callbacks, staff, second, day=date(2025, 8, 1))
    letters = care_plan_letters(case)
    assert [n.idempotency_key for n in letters] == [
        f"care-plan-shared:{case.pk}:1",
        f"care-plan-shared:{case.pk}:2",
    ]
    revised = text(letters[1].html)
    assert "Your updated care plan</h1>" in revised
    assert "version 2 of your plan" in revised and "No readmission" in revised


def test_a_spanish_speaking_member_gets_the_care_plan_letter_in_spanish(
    case, staff, member: Letters, django_capture_on_commit_callbacks
) -> None:
    member.beneficiary.preferred_language = "es"
    member.beneficiary.save(update_fields=["preferred_language"])
    share(django_capture_on_commit_callbacks, staff, write_plan(case, staff))

    [letter] = care_plan_letters(case)
    assert letter.language == "es" and letter.status == NoticeStatus.SENT
    body = text(letter.html)
    assert "Su plan de cuidado</h1>" in body
    assert "Sus metas" in body and "Lo que hará su equipo de cuidado" in body
    assert "Quién: usted. Para: 1 de septiembre de 2025." in body
    assert f"llame a su coordinador de cuidado al {CAREADVANTAGE_PHONE}" in body
    # The member's letters page titles it in the page's language.
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="es"), member.user)
    assert "Su plan de cuidado" in client.get("/me/letters/").content.decode()


# --- The continuity of care ending letter ------------------------------------------------------


def approved_request(
    case: CareCase, member: Letters, staff: User, **extra: Any
) -> ContinuityRequest:
    request = services.continuity_request_create(
        actor=member.user,
        enrollment_id=case.enrollment_id,
        provider_name="Dr. Lena Ortiz",
        npi=VALID_NPI,
        specialty="Cardiology",
        last_seen_on=date(2024, 11, 20),
        today=date(2025, 2, 10),
        **extra,
    )
    return services.continuity_request_decide(actor=staff, request=request, decision="approved")


def ending_letters() -> list[Notice]:
    return list(Notice.objects.filter(kind=NoticeKind.CONTINUITY_ENDING).order_by("pk"))


def test_the_ending_letter_is_queued_30_days_before_valid_until_and_not_again(
    case, member, staff
) -> None:
    request = approved_request(case, member, staff)
    assert request.valid_until == date(2026, 1, 31)  # 12 months from the 2025-02-01 start

    assert services.continuity_ending_letters_queue(today=date(2025, 12, 31)) == 0  # 31 days
    assert services.continuity_ending_letters_queue(today=date(2026, 1, 1)) == 1  # 30 days
    assert services.continuity_ending_letters_queue(today=date(2026, 1, 1)) == 0  # a rerun
    assert services.continuity_ending_letters_queue(today=date(2026, 1, 2)) == 0  # next day

    [letter] = ending_letters()
    assert letter.idempotency_key == f"continuity-ending:{request.pk}"
    assert letter.context["valid_until"] == "2026-01-31"
    assert letter.context["provider_name"] == "Dr. Lena Ortiz"
    assert BeneficiaryLetter.objects.get(notice=letter).beneficiary == member.beneficiary
    # The work item to tell the member stays for the coordinator.
    assert request.tasks.get(kind="continuity_end").status == "open"


def test_a_missed_day_is_caught_up_until_the_end_and_the_letter_is_in_spanish(
    case, member, staff, django_capture_on_commit_callbacks
) -> None:
    member.beneficiary.preferred_language = "es"
    member.beneficiary.save(update_fields=["preferred_language"])
    approved_request(case, member, staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.continuity_ending_letters_queue(today=date(2026, 1, 20)) == 1
    [letter] = ending_letters()
    assert letter.language == "es" and letter.status == NoticeStatus.SENT
    body = text(letter.html)
    assert "Puede seguir viendo a Dr. Lena Ortiz hasta el 31 de enero de 2026</h1>" in body
    assert "A partir del 1 de febrero de 2026" in body
    assert CAREADVANTAGE_PHONE in body


def test_no_ending_letter_for_denied_pending_or_expired_requests(case, member, staff) -> None:
    denied = services.continuity_request_create(
        actor=member.user,
        enrollment_id=case.enrollment_id,
        provider_name="Dr. Denied",
        npi=VALID_NPI,
        specialty="Cardiology",
        last_seen_on=date(2024, 11, 20),
        today=date(2025, 2, 10),
    )
    services.continuity_request_decide(
        actor=staff, request=denied, decision="denied", note="Provider is in the network."
    )
    services.continuity_request_create(  # pending: never decided
        actor=member.user,
        enrollment_id=case.enrollment_id,
        provider_name="Dr. Pending",
        npi=VALID_NPI,
        specialty="Cardiology",
        last_seen_on=date(2024, 11, 20),
        today=date(2025, 2, 10),
    )
    approved_request(case, member, staff)  # valid until 2026-01-31

    assert services.continuity_ending_letters_queue(today=date(2026, 2, 1)) == 0  # expired
    assert services.continuity_ending_letters_queue(today=date(2026, 1, 10)) == 1
    assert [n.context["provider_name"] for n in ending_letters()] == ["Dr. Lena Ortiz"]


def test_a_restarted_run_queues_only_the_letters_a_crashed_run_left(case, member, staff) -> None:
    first = approved_request(case, member, staff)
    second = approved_request(case, member, staff)
    # An earlier run committed the first batch (the first request's letter), then died.
    assert services.continuity_ending_letters_queue(today=date(2026, 1, 5), batch_size=1) == 2
    Notice.objects.filter(idempotency_key=f"continuity-ending:{second.pk}").delete()
    assert services.continuity_ending_letters_queue(today=date(2026, 1, 6), batch_size=1) == 1
    keys = sorted(n.idempotency_key for n in ending_letters())
    assert keys == sorted([f"continuity-ending:{first.pk}", f"continuity-ending:{second.pk}"])


def test_the_daily_care_job_queues_the_ending_letter_once(case, member, staff) -> None:
    request = approved_request(case, member, staff)
    # Coverage that ends 30 days from the job's real day (California's today).
    ContinuityRequest.objects.filter(pk=request.pk).update(
        valid_until=california_today() + timedelta(days=30)
    )
    assert care_daily.delay().get()["continuity_letters"] == 1
    assert care_daily.delay().get()["continuity_letters"] == 0
    assert len(ending_letters()) == 1


def test_no_ending_letter_for_a_cancelled_enrollment(case, member, staff) -> None:
    approved_request(case, member, staff)
    case.enrollment.__class__.objects.filter(pk=case.enrollment_id).update(cancelled=True)
    assert services.continuity_ending_letters_queue(today=date(2026, 1, 10)) == 0


# --- The member's care page in Spanish ---------------------------------------------------------


def test_a_spanish_member_reads_their_care_page_in_spanish(
    case, member, staff, django_capture_on_commit_callbacks
) -> None:
    share(django_capture_on_commit_callbacks, staff, write_plan(case, staff))
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"), member.user)
    response = client.get("/me/care/")
    page = text(response.content.decode())
    assert '<html lang="es">' in page
    assert "<title>Mi atención" in page
    assert "Un solo número de teléfono para todo:" in page and CAREADVANTAGE_PHONE in page
    assert "Mi equipo de cuidado" in page and "Coordinador de cuidado" in page
    assert "Trabajador social del condado de Servicios de Apoyo en el Hogar" in page
    assert "Mi plan de cuidado" in page and "compartida con usted el" in page
    assert "2 de julio de 2025" in page
    assert "<td>Meta</td>" in page and "<td>Usted</td>" in page
    assert "Seguir viendo a mi proveedor (continuidad de la atención)" in page
    assert "Mi condición necesita atención más rápida" in page
    assert "My care plan" not in page and "Send my request" not in page

    refused = client.post(
        "/me/care/continuity/",
        {
            "coc-provider_name": "Dr. Ortiz",
            "coc-npi": "1234567890",
            "coc-specialty": "Cardiología",
            "coc-last_seen_on": "2024-12-01",
            "coc-urgency": "standard",
        },
    )
    assert refused.status_code == 400
    assert "Un NPI tiene 10 dígitos y un dígito de control válido." in refused.content.decode()
    asked = client.post(
        "/me/care/continuity/",
        {
            "coc-provider_name": "Dr. Ortiz",
            "coc-npi": VALID_NPI,
            "coc-specialty": "Cardiología",
            "coc-last_seen_on": "2024-12-01",
            "coc-urgency": "standard",
        },
        follow=True,
    )
    followed = text(asked.content.decode())
    assert "Recibimos su solicitud. El plan decidirá a más tardar el" in followed
    assert "Dr. Ortiz: en espera de una decisión, decisión a más tardar el" in followed


def test_the_member_words_cover_every_care_label_the_member_page_shows() -> None:
    from care.models import AssessmentStatus as Status
    from care.models import ContinuityStatus as Continuity

    labels = {
        str(label)
        for choices in (AssessmentKind, Status, PlanItemKind, Continuity, TeamRole)
        for label in choices.labels
    } | {"Member", "Care coordinator"}
    assert labels <= set(member_words.MEMBER_CHOICE_LABELS)
    assert AssessmentStatus.DUE and ContinuityStatus.APPROVED  # the labels above are these
