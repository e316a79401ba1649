"""What enrollment does with the changes the state's monthly eligibility file shows (issue 8)."""

from datetime import date
from typing import Any, cast

import pytest

from eligibility.models import Beneficiary, County, MediCalPlan, MediMediPlan, Organization
from eligibility.notifications import recipient_key
from eligibility.selectors import california_today
from enrollment import services
from enrollment.changes import FactChange, fact_change_apply, involuntary_end_date
from enrollment.models import AuthorizedRepresentative, Enrollment, EnrollmentKind, ReviewItem
from notices.models import Notice, NoticeStatus
from tests.enrollment.conftest import at
from tests.enrollment.test_invariant_properties import assert_aligned_every_day
from tests.factories import AdminFactory, BeneficiaryFactory

# Letters are delivered in process, even on the Redis run, so their rendering can be read.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

FEB_2027 = date(2027, 2, 1)


def enroll(
    capture: Any,
    person: Beneficiary | None = None,
    *,
    plan: str = "CareAdvantage",
    submitted_on: date = date(2026, 11, 10),
    deliver: bool = True,
) -> tuple[Enrollment, Enrollment]:
    """Apply and get approved through the services; coverage starts the next month."""
    person = person or cast(Beneficiary, BeneficiaryFactory())
    with capture(execute=deliver):
        draft = services.application_create(
            beneficiary=person, actor=None, plan=MediMediPlan.objects.get(name=plan)
        )
        application = services.application_submit(
            application=draft, actor=None, now=at(submitted_on.year, submitted_on.month, 10)
        )
        services.application_approve(
            application=application, actor=AdminFactory(), today=submitted_on
        )
    medi_medi = Enrollment.objects.get(application=application, kind=EnrollmentKind.MEDI_MEDI)
    return medi_medi, Enrollment.objects.get(aligned_with=medi_medi)


def change(
    person: Beneficiary,
    kind: str,
    detail: dict[str, Any] | None = None,
    *,
    file_month: date = FEB_2027,
    learned_on: date = date(2027, 2, 3),
) -> FactChange:
    return FactChange(
        beneficiary_id=person.pk,
        kind=kind,
        detail=detail or {},
        file_month=file_month,
        learned_on=learned_on,
        source_key=f"import:7:{person.pk}:{kind}",
    )


def apply(capture: Any, fact: FactChange) -> None:
    with capture(execute=True):
        fact_change_apply(change=fact)


def letters(person: Beneficiary, kind: str) -> list[Notice]:
    return list(Notice.objects.filter(recipient_key=recipient_key(person), kind=kind))


def refreshed(*rows: Enrollment) -> None:
    for row in rows:
        row.refresh_from_db()


# --- Medi-Cal lost -------------------------------------------------------------------------------


def test_lost_medi_cal_starts_the_deeming_period_through_the_end_of_the_fourth_month(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    apply(
        django_capture_on_commit_callbacks,
        change(person, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    refreshed(medi_medi, medi_cal)
    # First month without full Medi-Cal 2027-02, N = 4: the plan is kept through 2027-05-31.
    assert medi_medi.deeming_until == date(2027, 5, 31)
    assert medi_medi.end_date is None
    # The Medi-Cal plan enrollment ends with Medi-Cal, by the system, saying which change.
    assert (medi_cal.end_date, medi_cal.end_reason) == (date(2027, 1, 31), "medi_cal_lost")
    assert medi_cal.ended_by is None
    assert "2027-02" in medi_cal.end_note and "import:7:" in medi_cal.end_note
    (letter,) = letters(person, "deeming_period")
    assert letter.context["deeming_until"] == "2027-05-31"
    assert letter.context["first_month_without"] == "2027-02-01"
    assert letter.status == NoticeStatus.SENT
    assert "May 31, 2027" in letter.html
    (item,) = ReviewItem.objects.filter(beneficiary=person)
    assert (item.kind, item.due_date, item.enrollment_id) == (
        "medi_cal_lost",
        date(2027, 5, 31),
        medi_medi.pk,
    )
    assert item.organization == Organization.objects.get(code="hpsm")
    # Aligned every day, except inside the recorded deeming period.
    assert_aligned_every_day(person.pk, person.county)


def test_the_deeming_period_never_runs_past_an_end_already_set(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, _ = enroll(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_disenroll(
            enrollment=medi_medi, actor=None, requested_on=date(2027, 3, 5)
        )
    apply(
        django_capture_on_commit_callbacks,
        change(medi_medi.beneficiary, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    medi_medi.refresh_from_db()
    assert (medi_medi.end_date, medi_medi.deeming_until) == (date(2027, 3, 31), date(2027, 3, 31))


def test_applying_the_same_loss_twice_ends_once_and_sends_one_letter_and_one_review(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    fact = change(person, "medi_cal_lost", {"first_month_without": "2027-02-01"})
    apply(django_capture_on_commit_callbacks, fact)
    medi_cal.refresh_from_db()
    first_update = medi_cal.updated_at
    apply(django_capture_on_commit_callbacks, fact)
    refreshed(medi_medi, medi_cal)
    assert medi_cal.updated_at == first_update  # not ended a second time
    assert medi_medi.deeming_until == date(2027, 5, 31)
    assert len(letters(person, "deeming_period")) == 1
    assert ReviewItem.objects.filter(beneficiary=person).count() == 1


def test_a_medi_cal_enrollment_that_had_not_started_is_cancelled(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Approved in February for coverage from March; Medi-Cal is gone from February.
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks, submitted_on=date(2027, 2, 2))
    apply(
        django_capture_on_commit_callbacks,
        change(medi_medi.beneficiary, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    refreshed(medi_medi, medi_cal)
    assert medi_cal.cancelled is True
    assert medi_cal.end_reason == "medi_cal_lost"
    assert medi_medi.deeming_until == date(2027, 5, 31)


def test_losing_medi_cal_without_a_medi_medi_plan_changes_no_enrollment(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = BeneficiaryFactory()
    apply(
        django_capture_on_commit_callbacks,
        change(person, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    assert not letters(person, "deeming_period")
    assert not ReviewItem.objects.filter(beneficiary=person).exists()


# --- Medicare ended ------------------------------------------------------------------------------


def test_medicare_ended_ends_the_plan_at_the_end_of_that_month_and_medi_cal_continues(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    fact = change(person, "medicare_ended", {"part": "B", "end_date": "2027-03-15"})
    apply(django_capture_on_commit_callbacks, fact)
    apply(django_capture_on_commit_callbacks, fact)
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_medi.end_reason) == (date(2027, 3, 31), "medicare_ended")
    assert medi_medi.ended_by is None and "Part B" in medi_medi.end_note
    assert medi_cal.end_date is None and not medi_cal.cancelled
    (letter,) = letters(person, "involuntary_disenrollment")
    assert letter.context["reason"] == "medicare_ended"
    assert letter.context["end_date"] == "2027-03-31"
    assert letter.context["medi_cal_plan_name"] == "Health Plan of San Mateo"
    assert ReviewItem.objects.filter(beneficiary=person, kind="medicare_ended").count() == 1
    assert_aligned_every_day(person.pk, person.county)


# --- Moves and incarceration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("learned_on", "file_month", "end"),
    [
        (date(2027, 2, 3), date(2027, 2, 1), date(2027, 2, 28)),  # the month learned
        (date(2027, 2, 3), date(2027, 4, 1), date(2027, 3, 31)),  # the month before the file's
        (date(2027, 3, 31), date(2027, 3, 1), date(2027, 3, 31)),
    ],
    ids=["month-learned", "month-before-file-month-is-later", "last-day-learned"],
)
def test_involuntary_end_is_the_later_of_the_month_learned_and_the_month_before_the_file(
    learned_on: date, file_month: date, end: date
) -> None:
    assert involuntary_end_date(learned_on=learned_on, file_month=file_month) == end


def test_moving_out_of_the_service_area_ends_the_plan_and_the_letter_lists_the_new_plans(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    los_angeles = County.objects.get(name="Los Angeles")
    Beneficiary.objects.filter(pk=person.pk).update(county=los_angeles)  # the importer's write
    fact = change(person, "moved", {"from_county": person.county_id, "to_county": los_angeles.pk})
    apply(django_capture_on_commit_callbacks, fact)
    apply(django_capture_on_commit_callbacks, fact)
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_medi.end_reason) == (date(2027, 2, 28), "moved")
    assert medi_cal.end_date is None
    (letter,) = letters(person, "involuntary_disenrollment")
    assert letter.context["reason"] == "moved"
    assert letter.context["county_name"] == "Los Angeles"
    names = {plan["name"] for plan in letter.context["plans"]}
    assert "L.A. Care Medicare Plus" in names and "CareAdvantage" not in names
    assert "L.A. Care Medicare Plus" in letter.html


def test_a_move_within_the_plans_service_area_changes_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    riverside = County.objects.get(name="Riverside")
    person = BeneficiaryFactory(county=riverside, city="Riverside")
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks, person, plan="IEHP DualChoice")
    san_bernardino = County.objects.get(name="San Bernardino")
    apply(
        django_capture_on_commit_callbacks,
        change(person, "moved", {"from_county": riverside.pk, "to_county": san_bernardino.pk}),
    )
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_cal.end_date) == (None, None)
    assert not letters(person, "involuntary_disenrollment")
    assert not ReviewItem.objects.filter(beneficiary=person).exists()


def test_incarceration_is_an_involuntary_disenrollment(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    apply(
        django_capture_on_commit_callbacks,
        change(person, "incarcerated", file_month=date(2027, 4, 1), learned_on=date(2027, 2, 3)),
    )
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_medi.end_reason) == (date(2027, 3, 31), "incarcerated")
    assert medi_cal.end_date is None
    (letter,) = letters(person, "involuntary_disenrollment")
    assert letter.context["reason"] == "incarcerated"


# --- Death ---------------------------------------------------------------------------------------


def test_death_ends_every_enrollment_on_the_last_day_of_that_month_and_writes_no_letter(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    sent_before = Notice.objects.filter(recipient_key=recipient_key(person)).count()
    fact = change(person, "died", {"date_of_death": "2027-02-14"})
    apply(django_capture_on_commit_callbacks, fact)
    apply(django_capture_on_commit_callbacks, fact)
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_medi.end_reason) == (date(2027, 2, 28), "died")
    assert (medi_cal.end_date, medi_cal.end_reason) == (date(2027, 2, 28), "died")
    assert Notice.objects.filter(recipient_key=recipient_key(person)).count() == sent_before
    assert ReviewItem.objects.filter(beneficiary=person, kind="died").count() == 1


def test_death_cancels_queued_letters_and_enrollments_that_had_not_started(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Approved in February for March; the letters are still queued (not delivered).
    medi_medi, medi_cal = enroll(
        django_capture_on_commit_callbacks, submitted_on=date(2027, 2, 2), deliver=False
    )
    person = medi_medi.beneficiary
    queued = Notice.objects.filter(recipient_key=recipient_key(person))
    assert queued.count() == 2 and all(n.status == NoticeStatus.QUEUED for n in queued)
    Beneficiary.objects.filter(pk=person.pk).update(date_of_death=date(2027, 2, 14))
    apply(
        django_capture_on_commit_callbacks, change(person, "died", {"date_of_death": "2027-02-14"})
    )
    refreshed(medi_medi, medi_cal)
    assert medi_medi.cancelled and medi_cal.cancelled
    assert medi_medi.end_reason == medi_cal.end_reason == "died"
    assert {n.status for n in queued.all()} == {NoticeStatus.CANCELLED}


def test_after_death_a_deeming_end_sends_no_letter(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from enrollment.changes import enrollment_deeming_end

    medi_medi, _ = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    apply(
        django_capture_on_commit_callbacks,
        change(person, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    Beneficiary.objects.filter(pk=person.pk).update(date_of_death=date(2027, 7, 2))
    with django_capture_on_commit_callbacks(execute=True):
        ended = enrollment_deeming_end(enrollment_id=medi_medi.pk, today=date(2027, 6, 1))
    assert ended is not None and ended.end_date == date(2027, 5, 31)
    assert not letters(person, "involuntary_disenrollment")


# --- The state's Medi-Cal plan, people missing from the file -------------------------------------


def test_another_medi_cal_plan_opens_a_review_to_confirm_the_disenrollment_and_ends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    other = MediCalPlan.objects.get(name="L.A. Care")
    fact = change(
        person, "medi_cal_plan", {"from_plan": medi_cal.medi_cal_plan_id, "to_plan": other.pk}
    )
    apply(django_capture_on_commit_callbacks, fact)
    apply(django_capture_on_commit_callbacks, fact)
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_cal.end_date) == (None, None)
    (item,) = ReviewItem.objects.filter(beneficiary=person)
    assert item.kind == "medi_cal_plan_mismatch"
    assert item.organization == Organization.objects.get(code="hpsm")
    assert item.enrollment_id == medi_medi.pk
    assert item.detail["to_plan"] == other.pk
    assert item.due_date == date(2027, 3, 5)


def test_the_aligned_medi_cal_plan_in_the_file_needs_no_review(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    plan = medi_cal.medi_cal_plan_id
    apply(
        django_capture_on_commit_callbacks,
        change(medi_medi.beneficiary, "medi_cal_plan", {"from_plan": None, "to_plan": plan}),
    )
    assert not ReviewItem.objects.exists()


def test_a_member_missing_from_a_full_file_becomes_a_review_for_their_plan(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    apply(django_capture_on_commit_callbacks, change(person, "not_in_file"))
    apply(django_capture_on_commit_callbacks, change(person, "not_in_file"))
    (item,) = ReviewItem.objects.filter(beneficiary=person)
    assert (item.kind, item.organization_id, item.due_date) == (
        "not_in_file",
        Organization.objects.get(code="hpsm").pk,
        date(2027, 3, 5),
    )
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_cal.end_date) == (None, None)


def test_a_person_without_a_plan_missing_from_the_file_is_the_admins_review(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = BeneficiaryFactory()
    apply(django_capture_on_commit_callbacks, change(person, "not_in_file"))
    (item,) = ReviewItem.objects.filter(beneficiary=person)
    assert item.organization_id is None and item.enrollment_id is None


def test_an_unknown_change_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        fact_change_apply(change=change(BeneficiaryFactory(), "married"))


# --- Approval keeps an existing aligned Medi-Cal enrollment --------------------------------------


def test_approval_keeps_the_members_existing_aligned_medi_cal_enrollment(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = BeneficiaryFactory()
    existing = Enrollment.objects.create(  # loaded from the state's file
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name="Health Plan of San Mateo"),
        start_date=date(2024, 1, 1),
    )
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks, person)
    assert medi_cal.pk == existing.pk  # the same row continues
    assert (medi_cal.start_date, medi_cal.end_date, medi_cal.cancelled) == (
        date(2024, 1, 1),
        None,
        False,
    )
    assert medi_cal.aligned_with_id == medi_medi.pk
    assert Enrollment.objects.filter(beneficiary=person, kind=EnrollmentKind.MEDI_CAL).count() == 1
    (letter,) = letters(person, "enrollment_confirmation")
    assert letter.context["medi_cal_plan_name"] == "Health Plan of San Mateo"
    assert "previous_medi_cal_plan_name" not in letter.context
    assert_aligned_every_day(person.pk, person.county)


def test_rejoining_after_leaving_keeps_the_medi_cal_enrollment_that_continued(
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = first.beneficiary
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_disenroll(enrollment=first, actor=None, requested_on=date(2027, 1, 5))
    second, again = enroll(
        django_capture_on_commit_callbacks, person, submitted_on=date(2027, 3, 2)
    )
    assert again.pk == medi_cal.pk and again.end_date is None
    assert second.start_date == date(2027, 4, 1)
    assert_aligned_every_day(person.pk, person.county)


def test_death_cancels_the_copies_queued_to_the_members_representatives(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = cast(Beneficiary, BeneficiaryFactory())
    rep = AuthorizedRepresentative.objects.create(
        beneficiary=person,
        name="Tess Helper",
        relationship="Son",
        email="tess@example.test",
        document="Durable power of attorney",
        valid_from=california_today(),
    )
    enroll(django_capture_on_commit_callbacks, person, submitted_on=date(2027, 2, 2), deliver=False)
    copies = Notice.objects.filter(recipient_key=f"representative:{rep.pk}")
    assert copies.count() == 2 and all(n.status == NoticeStatus.QUEUED for n in copies)
    Beneficiary.objects.filter(pk=person.pk).update(date_of_death=date(2027, 2, 14))

    apply(
        django_capture_on_commit_callbacks, change(person, "died", {"date_of_death": "2027-02-14"})
    )

    assert {n.status for n in copies.all()} == {NoticeStatus.CANCELLED}
