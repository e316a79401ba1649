"""The deeming period: Medi-Cal back in time, or the daily job ends the Medi-Medi enrollment."""

from datetime import date, timedelta
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings

from eligibility.rules import last_day_of_month
from eligibility.selectors import california_today
from enrollment.api.record_serializers import BeneficiaryEnrollmentSerializer
from enrollment.api.serializers import EnrollmentSerializer
from enrollment.changes import deeming_period_end, enrollment_deeming_end
from enrollment.models import Enrollment, EnrollmentKind
from enrollment.selectors import EnrollmentView
from enrollment.tasks import deeming_periods_end
from tests.enrollment.test_changes import apply, change, enroll, letters, refreshed
from tests.enrollment.test_invariant_properties import assert_aligned_every_day

# Letters are delivered in process, even on the Redis run, so their rendering can be read.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


@pytest.mark.parametrize(
    ("first_month_without", "months", "until"),
    [
        (date(2027, 2, 1), 4, date(2027, 5, 31)),  # the example
        (date(2027, 11, 1), 4, date(2028, 2, 29)),  # across a year, into a leap February
        (date(2027, 2, 1), 1, date(2027, 2, 28)),
        (date(2027, 7, 1), 6, date(2027, 12, 31)),
    ],
    ids=["2027-02-n4", "across-year", "one-month", "six-months"],
)
def test_deeming_period_ends_on_the_last_day_of_the_nth_month(
    first_month_without: date, months: int, until: date
) -> None:
    assert deeming_period_end(first_month_without, months) == until


def test_the_deeming_period_follows_the_setting(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.DEEMING_PERIOD_MONTHS = 2
    medi_medi, _ = enroll(django_capture_on_commit_callbacks)
    apply(
        django_capture_on_commit_callbacks,
        change(medi_medi.beneficiary, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    medi_medi.refresh_from_db()
    assert medi_medi.deeming_until == date(2027, 3, 31)


def test_medi_cal_back_in_time_clears_the_period_and_the_aligned_plan_starts_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, old_medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    apply(
        django_capture_on_commit_callbacks,
        change(person, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    regained = change(
        person, "medi_cal_regained", {"first_month_with": "2027-04-01"}, file_month=date(2027, 4, 1)
    )
    apply(django_capture_on_commit_callbacks, regained)
    apply(django_capture_on_commit_callbacks, regained)  # a rerun starts nothing twice
    refreshed(medi_medi, old_medi_cal)
    assert medi_medi.deeming_until is None and medi_medi.end_date is None
    assert old_medi_cal.end_date == date(2027, 1, 31)
    new = Enrollment.objects.get(
        beneficiary=person, kind=EnrollmentKind.MEDI_CAL, end_date__isnull=True
    )
    assert new.pk != old_medi_cal.pk
    assert (new.start_date, new.medi_cal_plan.name) == (
        date(2027, 4, 1),
        "Health Plan of San Mateo",
    )
    assert new.aligned_with_id == medi_medi.pk
    # Nothing left for the daily job; February and March were inside the period.
    assert enrollment_deeming_end(enrollment_id=medi_medi.pk, today=date(2027, 6, 1)) is None
    assert not letters(person, "involuntary_disenrollment")


def test_medi_cal_not_back_the_daily_job_ends_the_plan_on_the_last_day_of_the_period(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, medi_cal = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    apply(
        django_capture_on_commit_callbacks,
        change(person, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    # Not yet: the period includes its last day.
    assert enrollment_deeming_end(enrollment_id=medi_medi.pk, today=date(2027, 5, 31)) is None
    with django_capture_on_commit_callbacks(execute=True):
        ended = enrollment_deeming_end(enrollment_id=medi_medi.pk, today=date(2027, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        again = enrollment_deeming_end(enrollment_id=medi_medi.pk, today=date(2027, 6, 2))
    assert ended is not None and again is None
    refreshed(medi_medi, medi_cal)
    assert (medi_medi.end_date, medi_medi.end_reason) == (date(2027, 5, 31), "deeming_ended")
    assert medi_medi.ended_by is None
    assert medi_medi.deeming_until == date(2027, 5, 31)  # the recorded period stays
    (letter,) = letters(person, "involuntary_disenrollment")
    assert (letter.context["reason"], letter.context["end_date"]) == ("deeming_ended", "2027-05-31")
    assert "May 31, 2027" in letter.html
    assert_aligned_every_day(person.pk, person.county)


def test_medi_cal_back_after_the_period_ended_reopens_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, _ = enroll(django_capture_on_commit_callbacks)
    person = medi_medi.beneficiary
    apply(
        django_capture_on_commit_callbacks,
        change(person, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_deeming_end(enrollment_id=medi_medi.pk, today=date(2027, 6, 1))
    apply(
        django_capture_on_commit_callbacks,
        change(person, "medi_cal_regained", {"first_month_with": "2027-07-01"}),
    )
    medi_medi.refresh_from_db()
    assert medi_medi.end_date == date(2027, 5, 31)
    assert not Enrollment.objects.filter(
        beneficiary=person, kind=EnrollmentKind.MEDI_CAL, end_date__isnull=True
    ).exists()


def test_the_beat_task_ends_each_passed_deeming_period_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    today = california_today()
    # Lost five months ago: a four-month period that ended before today.
    first_without = (today.replace(day=1) - timedelta(days=140)).replace(day=1)
    medi_medi, _ = enroll(django_capture_on_commit_callbacks, submitted_on=date(2024, 11, 10))
    waiting, _ = enroll(django_capture_on_commit_callbacks, submitted_on=date(2024, 11, 10))
    apply(
        django_capture_on_commit_callbacks,
        change(
            medi_medi.beneficiary,
            "medi_cal_lost",
            {"first_month_without": first_without.isoformat()},
        ),
    )
    apply(
        django_capture_on_commit_callbacks,
        change(waiting.beneficiary, "medi_cal_lost", {"first_month_without": today.isoformat()}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deeming_periods_end() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert deeming_periods_end() == 0
    refreshed(medi_medi, waiting)
    assert medi_medi.end_date == medi_medi.deeming_until
    assert medi_medi.end_date is not None and medi_medi.end_date < today
    assert medi_medi.end_date == last_day_of_month(medi_medi.end_date)
    assert waiting.end_date is None and waiting.deeming_until is not None


def test_the_daily_job_is_on_the_beat_schedule_at_half_past_five() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["deeming-periods-end"]
    assert entry["task"] == "enrollment.tasks.deeming_periods_end"
    assert entry["schedule"] == crontab(hour=5, minute=30)
    assert settings.CELERY_TIMEZONE == "America/Los_Angeles"


def test_the_enrollment_representations_carry_deeming_until(
    django_capture_on_commit_callbacks: Any,
) -> None:
    medi_medi, _ = enroll(django_capture_on_commit_callbacks)
    apply(
        django_capture_on_commit_callbacks,
        change(medi_medi.beneficiary, "medi_cal_lost", {"first_month_without": "2027-02-01"}),
    )
    medi_medi.refresh_from_db()
    assert EnrollmentSerializer(medi_medi).data["deeming_until"] == "2027-05-31"
    visible = BeneficiaryEnrollmentSerializer(EnrollmentView(enrollment=medi_medi, visible=True))
    assert visible.data["deeming_until"] == "2027-05-31"
    hidden = BeneficiaryEnrollmentSerializer(EnrollmentView(enrollment=medi_medi, visible=False))
    assert hidden.data["deeming_until"] is None
