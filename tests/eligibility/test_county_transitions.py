"""County transition notices: 60 and 30 days before a county goes live, once each, rescheduled
when an admin moves the date."""

from datetime import date, timedelta

import pytest

from eligibility.models import County, MediCalEligibility
from eligibility.notifications import county_transition_notices_queue, due_window
from eligibility.services import county_rollout_update
from notices.models import Notice
from notices.services import notices_sweep
from tests.factories import AdminFactory, BeneficiaryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]
TODAY = date(2026, 11, 27)


@pytest.fixture
def amador() -> County:
    """Amador has a Medi-Medi Plan (H3561-008) from its availability date; move it to 2027."""
    county = County.objects.get(name="Amador")
    county.medi_medi_available_from = date(2027, 1, 1)
    county.save()
    return county


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 1), None),  # 61 days before
        (date(2026, 11, 2), "county_transition_60"),  # 60 days before
        (date(2026, 12, 1), "county_transition_60"),  # 31 days before
        (date(2026, 12, 2), "county_transition_30"),  # 30 days before
        (date(2026, 12, 31), "county_transition_30"),
        (date(2027, 1, 1), None),  # live
    ],
)
def test_which_notice_is_due(amador: County, today: date, expected: str | None) -> None:
    assert due_window(amador, today) == expected


def test_only_people_who_would_be_eligible_get_the_notice(amador: County) -> None:
    eligible = BeneficiaryFactory(county=amador)
    partial = BeneficiaryFactory(county=amador, medi_cal=False)
    MediCalEligibility.objects.create(
        beneficiary=partial, start_date=date(2020, 1, 1), scope="", msp="QMB"
    )
    BeneficiaryFactory(county=amador, medicare_part_b_start=None)
    BeneficiaryFactory()  # San Mateo, already live
    run = county_transition_notices_queue(county=amador, today=TODAY)
    assert (run.kind, run.queued) == ("county_transition_60", 1)
    notice = Notice.objects.get()
    assert notice.recipient_key == f"beneficiary:{eligible.pk}"
    assert notice.idempotency_key == f"county-transition-60:06005:2027-01-01:{eligible.pk}"
    assert notice.context["county_name"] == "Amador"
    assert notice.context["availability_date"] == "2027-01-01"
    assert [p["name"] for p in notice.context["plans"]] == ["Wellcare by Health Net (H3561-008)"]


def test_running_twice_sends_nothing_twice(amador: County) -> None:
    BeneficiaryFactory(county=amador)
    county_transition_notices_queue(county=amador, today=TODAY)
    again = county_transition_notices_queue(county=amador, today=TODAY + timedelta(days=1))
    assert (again.queued, again.skipped_already_sent) == (0, 1)
    assert Notice.objects.count() == 1
    thirty = county_transition_notices_queue(county=amador, today=date(2026, 12, 5))
    assert thirty.kind == "county_transition_30"
    assert thirty.queued == 1
    assert sorted(Notice.objects.values_list("kind", flat=True)) == [
        "county_transition_30",
        "county_transition_60",
    ]


def test_a_county_without_a_plan_sends_nothing() -> None:
    alameda = County.objects.get(name="Alameda")
    alameda.medi_medi_available_from = date(2027, 1, 1)
    alameda.save()
    BeneficiaryFactory(county=alameda)
    assert county_transition_notices_queue(county=alameda, today=TODAY).queued == 0


def test_moving_the_date_cancels_unsent_notices_and_queues_for_the_new_date(
    amador: County, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    sent_person = BeneficiaryFactory(county=amador)
    with django_capture_on_commit_callbacks(execute=True):
        county_transition_notices_queue(county=amador, today=TODAY)
    # Bulk letters are never rendered in the caller's process: without a broker they wait for
    # the sweeper (docs/notices.md, "Bulk letters").
    assert Notice.objects.get().status == "queued"
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep()
    assert Notice.objects.get().status == "sent"
    waiting_person = BeneficiaryFactory(county=amador)
    county_transition_notices_queue(county=amador, today=TODAY + timedelta(days=1))  # not delivered
    waiting = Notice.objects.get(recipient_key=f"beneficiary:{waiting_person.pk}")
    assert waiting.status == "queued"

    # Availability dates are firsts of a month (42 CFR 422.68): 2027-02-01 is 60 days after
    # 2026-12-03, so its 60-day notice is due that day.
    monkeypatch.setattr("eligibility.tasks.california_today", lambda: TODAY + timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        county_rollout_update(county=amador, available_from=date(2027, 2, 1), actor=AdminFactory())

    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    with django_capture_on_commit_callbacks(execute=True):
        notices_sweep()
    for_new_date = Notice.objects.filter(idempotency_key__contains=":2027-02-01:")
    # The person already sent a 60-day notice is not sent another; the other one is, anew.
    assert list(for_new_date.values_list("recipient_key", "status")) == [
        (f"beneficiary:{waiting_person.pk}", "sent")
    ]
    assert Notice.objects.filter(recipient_key=f"beneficiary:{sent_person.pk}").count() == 1


def test_the_daily_job_covers_every_county_going_live_within_60_days(
    amador: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eligibility.tasks import county_transition_notices

    BeneficiaryFactory(county=amador)
    monkeypatch.setattr("eligibility.tasks.california_today", lambda: TODAY)
    assert county_transition_notices() == {"06005": 1}
    monkeypatch.setattr("eligibility.tasks.california_today", lambda: date(2026, 10, 1))
    assert county_transition_notices() == {}  # 92 days before: nothing due yet
