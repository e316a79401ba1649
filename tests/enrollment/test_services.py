"""Application and enrollment services: the pipeline, the dates and the aligned enrollment."""

from datetime import UTC, date

import pytest

from accounts.errors import Conflict, DomainError, NotEligible, NotFound
from accounts.models import AuditEvent
from eligibility.models import County, MediCalEligibility, MediMediPlan
from enrollment import services
from enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentKind
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory

pytestmark = pytest.mark.django_db


NOV_27 = at(2026, 11, 27)


def submitted(beneficiary=None, plan=None, when=NOV_27) -> Application:
    beneficiary = beneficiary or BeneficiaryFactory()
    plan = plan or MediMediPlan.objects.get(name="CareAdvantage")
    draft = services.application_create(beneficiary=beneficiary, actor=None, plan=plan)
    return services.application_submit(application=draft, actor=None, now=when)


def test_draft_takes_contact_details_language_and_format_from_the_record() -> None:
    person = BeneficiaryFactory(preferred_language="es", preferred_format="large_print")
    draft = services.application_create(beneficiary=person, actor=None)
    assert draft.status == ApplicationStatus.DRAFT
    assert (draft.contact_email, draft.language, draft.notice_format) == (
        person.email,
        "es",
        "large_print",
    )
    assert [c.to_status for c in draft.status_changes.all()] == ["draft"]


def test_submission_stores_the_determination_and_effective_date() -> None:
    application = submitted(when=at(2026, 11, 27))
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.effective_date == date(2026, 12, 1)
    determination = application.determination
    assert determination is not None
    assert determination.eligible is True
    assert determination.as_of == date(2026, 11, 27)
    assert determination.dual_status_code == "08"
    assert determination.facts["medi_cal"] == "full"
    assert determination.policy_version
    assert [c.to_status for c in application.status_changes.all()] == ["draft", "submitted"]


def test_submission_date_is_taken_in_california() -> None:
    # 2026-12-01 05:00 UTC is still November 30 in California: coverage starts December 1.
    from datetime import datetime

    application = submitted(when=datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    assert application.effective_date == date(2026, 12, 1)


def test_submission_refused_with_every_reason_when_not_eligible() -> None:
    person = BeneficiaryFactory(medicare_part_b_start=None, medi_cal={"scope": "restricted"})
    draft = services.application_create(
        beneficiary=person, actor=None, plan=MediMediPlan.objects.get(name="CareAdvantage")
    )
    with pytest.raises(NotEligible) as excinfo:
        services.application_submit(application=draft, actor=None, now=at(2026, 11, 27))
    codes = [r["code"] for r in excinfo.value.extra["reasons"]]
    assert codes == ["NO_MEDICARE_PART_B", "RESTRICTED_MEDI_CAL"]
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.submitted_at is None


def test_submission_refused_when_the_plan_does_not_serve_the_county() -> None:
    person = BeneficiaryFactory()  # San Mateo
    la_plan = MediMediPlan.objects.get(name="L.A. Care Medicare Plus")
    draft = services.application_create(beneficiary=person, actor=None, plan=la_plan)
    with pytest.raises(NotEligible) as excinfo:
        services.application_submit(application=draft, actor=None, now=at(2026, 11, 27))
    assert [r["code"] for r in excinfo.value.extra["reasons"]] == ["PLAN_NOT_IN_COUNTY"]


def test_submission_refused_when_the_county_is_not_live_at_the_effective_date() -> None:
    person = BeneficiaryFactory(county=County.objects.get(name="Fresno"))
    plan = MediMediPlan.objects.get(name="Wellcare by Health Net")
    draft = services.application_create(beneficiary=person, actor=None, plan=plan)
    with pytest.raises(NotEligible) as excinfo:
        services.application_submit(application=draft, actor=None, now=at(2023, 6, 1))
    assert [r["code"] for r in excinfo.value.extra["reasons"]] == ["COUNTY_NOT_YET_AVAILABLE"]


def test_submission_needs_a_plan() -> None:
    draft = services.application_create(beneficiary=BeneficiaryFactory(), actor=None)
    with pytest.raises(DomainError):
        services.application_submit(application=draft, actor=None)


def test_approval_enrolls_in_the_plan_and_the_aligned_medi_cal_plan_together() -> None:
    staff = StaffFactory()
    application = submitted()
    services.application_approve(application=application, actor=staff, today=date(2026, 11, 28))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by == staff
    medi_medi = Enrollment.objects.get(kind=EnrollmentKind.MEDI_MEDI)
    medi_cal = Enrollment.objects.get(kind=EnrollmentKind.MEDI_CAL)
    assert (medi_medi.start_date, medi_medi.end_date) == (date(2026, 12, 1), None)
    assert medi_medi.medi_medi_plan.name == "CareAdvantage"
    assert (medi_cal.start_date, medi_cal.end_date) == (date(2026, 12, 1), None)
    assert medi_cal.medi_cal_plan.name == "Health Plan of San Mateo"
    assert medi_cal.aligned_with == medi_medi
    assert application.approval_determination.as_of == date(2026, 11, 30)
    assert AuditEvent.objects.filter(object_type="enrollment", object_id=str(medi_medi.pk)).exists()


def test_approval_ends_an_earlier_medi_cal_plan_the_day_before() -> None:
    person = BeneficiaryFactory()
    from eligibility.models import MediCalPlan

    earlier = Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name="L.A. Care"),
        start_date=date(2024, 1, 1),
    )
    services.application_approve(
        application=submitted(person), actor=StaffFactory(), today=date(2026, 11, 28)
    )
    earlier.refresh_from_db()
    assert earlier.end_date == date(2026, 11, 30)
    assert earlier.end_reason == "plan_switch"


def test_approval_rechecks_eligibility_on_the_effective_date() -> None:
    person = BeneficiaryFactory()
    application = submitted(person)
    MediCalEligibility.objects.filter(beneficiary=person).update(end_date=date(2026, 11, 30))
    with pytest.raises(NotEligible) as excinfo:
        services.application_approve(application=application, actor=StaffFactory())
    assert [r["code"] for r in excinfo.value.extra["reasons"]] == ["NO_MEDI_CAL"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Enrollment.objects.exists()


def test_approval_is_all_or_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    application = submitted()
    original = Enrollment.objects.create

    def fail_on_medi_cal(**kwargs):
        if kwargs.get("kind") == EnrollmentKind.MEDI_CAL:
            raise RuntimeError("disk full")
        return original(**kwargs)

    monkeypatch.setattr(Enrollment.objects, "create", fail_on_medi_cal)
    with pytest.raises(RuntimeError):
        services.application_approve(application=application, actor=StaffFactory())
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Enrollment.objects.exists()


def test_a_decided_application_cannot_be_decided_again() -> None:
    staff = StaffFactory()
    application = submitted()
    services.application_approve(application=application, actor=staff)
    with pytest.raises(Conflict) as excinfo:
        services.application_deny(application=application, actor=staff, reasons=["OTHER"], note="x")
    assert excinfo.value.extra["status"] == "approved"
    with pytest.raises(Conflict):
        services.application_approve(application=application, actor=staff)
    assert Enrollment.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "move", "allowed"),
    [
        (["submitted"], "in_review", True),
        (["submitted"], "info_requested", True),
        (["submitted", "in_review"], "info_requested", True),
        (["submitted", "info_requested"], "in_review", True),
        (["submitted", "info_requested"], "denied", True),
        (["submitted", "denied"], "withdrawn", False),
        (["submitted", "withdrawn"], "in_review", False),
        (["submitted", "withdrawn"], "info_requested", False),
        ([], "in_review", False),
    ],
)
def test_status_pipeline(path: list[str], move: str, allowed: bool) -> None:
    staff = StaffFactory()
    person = BeneficiaryFactory()
    application = services.application_create(
        beneficiary=person, actor=None, plan=MediMediPlan.objects.get(name="CareAdvantage")
    )
    actions = {
        "submitted": lambda a: services.application_submit(application=a, actor=None),
        "in_review": lambda a: services.application_start_review(application=a, actor=staff),
        "info_requested": lambda a: services.application_request_info(
            application=a, actor=staff, note="Send proof of address"
        ),
        "denied": lambda a: services.application_deny(
            application=a, actor=staff, reasons=["IDENTITY_NOT_VERIFIED"]
        ),
        "withdrawn": lambda a: services.application_withdraw(application=a, actor=staff),
    }
    for step in path:
        application = actions[step](application)
    if allowed:
        application = actions[move](application)
        assert application.status == move
        last = application.status_changes.last()
        assert (last.to_status, last.actor) == (move, staff if move != "submitted" else None)
    else:
        # A draft was never submitted, so staff cannot see it at all: not found, not a conflict.
        with pytest.raises(Conflict if path else NotFound):
            actions[move](application)


def test_denial_records_reasons_note_and_who() -> None:
    staff = StaffFactory()
    application = services.application_deny(
        application=submitted(),
        actor=staff,
        reasons=["OUT_OF_SERVICE_AREA", "OTHER"],
        note="Moved to Nevada",
    )
    assert application.status == ApplicationStatus.DENIED
    assert application.denial_reasons == ["OUT_OF_SERVICE_AREA", "OTHER"]
    change = application.status_changes.last()
    assert (change.actor, change.note, change.reason_codes) == (
        staff,
        "Moved to Nevada",
        ["OUT_OF_SERVICE_AREA", "OTHER"],
    )


@pytest.mark.parametrize(("reasons", "note"), [([], ""), (["NOT_A_CODE"], ""), (["OTHER"], "  ")])
def test_denial_needs_valid_coded_reasons(reasons: list[str], note: str) -> None:
    with pytest.raises(DomainError):
        services.application_deny(
            application=submitted(), actor=StaffFactory(), reasons=reasons, note=note
        )


def test_request_for_information_needs_a_note() -> None:
    with pytest.raises(DomainError):
        services.application_request_info(application=submitted(), actor=StaffFactory(), note=" ")


def test_only_a_draft_can_be_edited() -> None:
    application = submitted()
    with pytest.raises(Conflict):
        services.application_update_draft(
            application=application, actor=None, changes={"contact_phone": "555"}
        )


def test_disenrollment_ends_on_the_last_day_of_the_month_and_medi_cal_continues() -> None:
    services.application_approve(application=submitted(), actor=StaffFactory())
    medi_medi = Enrollment.objects.get(kind=EnrollmentKind.MEDI_MEDI)
    services.enrollment_disenroll(
        enrollment=medi_medi, actor=StaffFactory(), requested_on=date(2027, 3, 14)
    )
    medi_medi.refresh_from_db()
    assert medi_medi.end_date == date(2027, 3, 31)
    assert medi_medi.end_reason == "disenrolled"
    medi_cal = Enrollment.objects.get(kind=EnrollmentKind.MEDI_CAL)
    assert medi_cal.end_date is None


def test_disenrolling_before_the_start_cancels_the_enrollment() -> None:
    services.application_approve(application=submitted(when=at(2026, 11, 2)), actor=StaffFactory())
    medi_medi = Enrollment.objects.get(kind=EnrollmentKind.MEDI_MEDI)
    services.enrollment_disenroll(enrollment=medi_medi, actor=None, requested_on=date(2026, 11, 5))
    medi_medi.refresh_from_db()
    assert medi_medi.cancelled is True


def test_disenrolling_twice_is_a_conflict_and_medi_cal_cannot_be_disenrolled() -> None:
    services.application_approve(application=submitted(), actor=StaffFactory())
    medi_medi = Enrollment.objects.get(kind=EnrollmentKind.MEDI_MEDI)
    services.enrollment_disenroll(enrollment=medi_medi, actor=None, requested_on=date(2027, 1, 5))
    with pytest.raises(Conflict):
        services.enrollment_disenroll(
            enrollment=medi_medi, actor=None, requested_on=date(2027, 1, 6)
        )
    medi_cal = Enrollment.objects.get(kind=EnrollmentKind.MEDI_CAL)
    with pytest.raises(DomainError):
        services.enrollment_disenroll(enrollment=medi_cal, actor=None)


def test_plan_switch_ends_the_old_plan_the_day_before_and_moves_medi_cal() -> None:
    person = BeneficiaryFactory(county=County.objects.get(name="Los Angeles"))
    staff = AdminFactory()  # two organizations' plans
    first = submitted(
        person, MediMediPlan.objects.get(name="L.A. Care Medicare Plus"), at(2026, 1, 10)
    )
    services.application_approve(application=first, actor=staff, today=date(2026, 1, 20))
    second = submitted(
        person, MediMediPlan.objects.get(name="Blue Shield TotalDual"), at(2026, 5, 20)
    )
    services.application_approve(application=second, actor=staff, today=date(2026, 5, 25))
    rows = list(
        Enrollment.objects.filter(beneficiary=person)
        .order_by("start_date", "kind")
        .values_list("kind", "start_date", "end_date")
    )
    assert rows == [
        ("medi_cal", date(2026, 2, 1), date(2026, 5, 31)),
        ("medi_medi", date(2026, 2, 1), date(2026, 5, 31)),
        ("medi_cal", date(2026, 6, 1), None),
        ("medi_medi", date(2026, 6, 1), None),
    ]
    new_medi_cal = Enrollment.objects.get(beneficiary=person, kind="medi_cal", end_date=None)
    assert new_medi_cal.medi_cal_plan.name == "Blue Shield of California Promise Health Plan"


def test_second_approval_for_a_start_that_has_come_is_a_conflict() -> None:
    person = BeneficiaryFactory(county=County.objects.get(name="Los Angeles"))
    staff = AdminFactory()  # two organizations' plans
    one = submitted(person, MediMediPlan.objects.get(name="L.A. Care Medicare Plus"))
    two = submitted(person, MediMediPlan.objects.get(name="Blue Shield TotalDual"))
    services.application_approve(application=one, actor=staff, today=date(2026, 11, 28))
    # The first enrollment started on December 1: it is no longer an election to replace.
    with pytest.raises(Conflict):
        services.application_approve(application=two, actor=staff, today=date(2026, 12, 1))
    assert Enrollment.objects.filter(beneficiary=person).count() == 2
