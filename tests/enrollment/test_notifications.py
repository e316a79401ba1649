"""Each enrollment event queues exactly one notice of the right kind, language and content."""

from datetime import date

import pytest
from django.core import mail
from django.db import transaction

from accounts.errors import Conflict
from eligibility.models import County, MediMediPlan
from enrollment import services
from enrollment.models import Application, Enrollment
from notices.models import Notice
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory
from tests.pdf_helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def submit(person, plan_name: str = "CareAdvantage", when=None) -> Application:
    draft = services.application_create(
        beneficiary=person, actor=None, plan=MediMediPlan.objects.get(name=plan_name)
    )
    return services.application_submit(application=draft, actor=None, now=when or at(2026, 11, 27))


def kinds(person) -> list[str]:
    return list(
        Notice.objects.filter(recipient_key=f"beneficiary:{person.pk}")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_submission_sends_one_application_received_letter(
    django_capture_on_commit_callbacks,
) -> None:
    person = BeneficiaryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(person)
    notice = Notice.objects.get()
    assert notice.kind == "application_received"
    assert notice.idempotency_key == f"application-received:{application.pk}"
    assert notice.status == "sent"
    assert notice.language == "en"
    assert notice.context["plan_name"] == "CareAdvantage"
    assert notice.context["expected_effective_date"] == "2026-12-01"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]


def test_the_language_and_format_chosen_on_the_application_are_the_standing_request(
    django_capture_on_commit_callbacks,
) -> None:
    person = BeneficiaryFactory()
    draft = services.application_create(
        beneficiary=person,
        actor=None,
        plan=MediMediPlan.objects.get(name="CareAdvantage"),
        language="es",
        notice_format="large_print",
    )
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            application=draft, actor=None, now=at(2026, 11, 27)
        )
    person.refresh_from_db()
    assert (person.preferred_language, person.preferred_format) == ("es", "large_print")
    received = Notice.objects.get(kind="application_received")
    assert (received.language, received.format, received.channel) == ("es", "large_print", "print")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_deny(
            application=application, actor=StaffFactory(), reasons=["IDENTITY_NOT_VERIFIED"]
        )
    denial = Notice.objects.get(kind="denial")
    assert (denial.language, denial.format) == ("es", "large_print")


def test_approval_sends_the_confirmation_with_the_id_card(
    django_capture_on_commit_callbacks,
) -> None:
    person = BeneficiaryFactory()
    application = submit(person)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, actor=StaffFactory())
    medi_medi = Enrollment.objects.get(kind="medi_medi")
    confirmation = Notice.objects.get(kind="enrollment_confirmation")
    assert confirmation.idempotency_key == f"enrollment-confirmed:{medi_medi.pk}"
    assert confirmation.status == "sent"
    letter = pdf_text(confirmation.pdf.read())
    for text in (
        "CareAdvantage",
        "Health Plan of San Mateo",
        "December 1, 2026",
        "90 days",
        "12 months",
    ):
        assert text in letter, text
    card = pdf_text(confirmation.id_card_pdf.read())
    assert medi_medi.member_id in card  # the plan's own member ID, not the MBI (issue 10)
    assert person.mbi not in card
    assert "Health Plan of San Mateo" in card


def test_a_refused_second_approval_sends_nothing_more(django_capture_on_commit_callbacks) -> None:
    staff = StaffFactory()
    application = submit(BeneficiaryFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, actor=staff)
    before = Notice.objects.count()
    with pytest.raises(Conflict), django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, actor=staff)
    assert Notice.objects.count() == before


def test_a_rolled_back_approval_queues_no_notice(django_capture_on_commit_callbacks) -> None:
    application = submit(BeneficiaryFactory())
    Notice.objects.all().delete()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.application_approve(application=application, actor=StaffFactory())
        raise RuntimeError("something after the approval failed")
    assert Notice.objects.count() == 0
    assert callbacks == []
    assert not Enrollment.objects.exists()


def test_plan_switch_sends_a_switch_confirmation(django_capture_on_commit_callbacks) -> None:
    person = BeneficiaryFactory(county=County.objects.get(name="Los Angeles"))
    staff = AdminFactory()  # two organizations' plans
    services.application_approve(
        application=submit(person, "L.A. Care Medicare Plus", at(2026, 1, 10)),
        actor=staff,
        today=date(2026, 1, 20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(
            application=submit(person, "Blue Shield TotalDual", at(2026, 5, 20)),
            actor=staff,
            today=date(2026, 5, 25),
        )
    switch = Notice.objects.get(kind="plan_switch_confirmation")
    assert switch.context["old_plan_name"] == "L.A. Care Medicare Plus"
    assert switch.context["old_plan_end_date"] == "2026-05-31"
    assert switch.context["new_plan_name"] == "Blue Shield TotalDual"
    assert switch.context["new_plan_start_date"] == "2026-06-01"
    assert (
        switch.context["new_medi_cal_plan_name"] == "Blue Shield of California Promise Health Plan"
    )
    assert kinds(person).count("enrollment_confirmation") == 1


def test_denial_letter_lists_every_reason_in_plain_words(
    django_capture_on_commit_callbacks,
) -> None:
    application = submit(BeneficiaryFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.application_deny(
            application=application,
            actor=StaffFactory(),
            reasons=["OUT_OF_SERVICE_AREA", "OTHER"],
            note="You told us you moved to Oregon.",
        )
    denial = Notice.objects.get(kind="denial")
    assert [r["code"] for r in denial.context["reasons"]] == ["OUT_OF_SERVICE_AREA", "OTHER"]
    letter = pdf_text(denial.pdf.read())
    assert "You do not live where this plan offers coverage." in letter
    assert "moved to Oregon" in letter


def test_request_for_information_carries_the_staff_note(django_capture_on_commit_callbacks) -> None:
    application = submit(BeneficiaryFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_info(
            application=application, actor=StaffFactory(), note="Send proof of your address."
        )
    notice = Notice.objects.get(kind="info_requested")
    assert notice.context["staff_note"] == "Send proof of your address."
    assert notice.status == "sent"


def test_disenrollment_letter_has_the_end_date_and_medi_cal_continues(
    django_capture_on_commit_callbacks,
) -> None:
    services.application_approve(application=submit(BeneficiaryFactory()), actor=StaffFactory())
    medi_medi = Enrollment.objects.get(kind="medi_medi")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_disenroll(
            enrollment=medi_medi, actor=None, requested_on=date(2027, 2, 3)
        )
    notice = Notice.objects.get(kind="disenrollment_confirmation")
    assert notice.idempotency_key == f"disenrollment-confirmed:{medi_medi.pk}"
    assert notice.context["end_date"] == "2027-02-28"
    assert notice.context["medi_cal_plan_name"] == "Health Plan of San Mateo"


def test_withdrawal_sends_no_letter() -> None:
    application = submit(BeneficiaryFactory())
    services.application_withdraw(application=application, actor=None)
    assert list(Notice.objects.values_list("kind", flat=True)) == ["application_received"]
