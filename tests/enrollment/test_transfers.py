"""Plan-wide transfers (issue 9): dry run, apply, rerun, letters, the unplaced list, the 2024
Health Net fix and the 2023 Cal MediConnect crosswalk, on SQLite and PostgreSQL."""

from datetime import date, datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from accounts.errors import DomainError, Forbidden
from accounts.models import AuditEvent, User
from eligibility.models import (
    BeneficiaryLetter,
    County,
    MediCalPlan,
    MediMediPlan,
    Organization,
    PlanProgram,
    ServiceArea,
)
from eligibility.selectors import service_areas_of
from enrollment.intake import intake_plans
from enrollment.medicare import submission_record_answer
from enrollment.models import (
    AuthorizedRepresentative,
    EndReason,
    Enrollment,
    EnrollmentKind,
    MedicareSubmission,
    PlanTransfer,
    PlanTransferMember,
    PlanTransferStatusChange,
    RepresentativeLetter,
)
from enrollment.tasks import plan_transfer_letters
from enrollment.transfer_models import PlanTransferLetterRun
from enrollment.transfers import _batch_apply, transfer_apply, transfer_plan
from notices.models import Notice
from tests.auth_helpers import login_verified
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
JAN_2024 = date(2024, 1, 1)
BEFORE = date(2023, 10, 1)


def plan(name: str) -> MediMediPlan:
    return MediMediPlan.objects.get(name=name)


def county(name: str) -> County:
    return County.objects.get(name=name)


def enroll(person: Any, medi_medi: MediMediPlan, start: date) -> tuple[Enrollment, Enrollment]:
    """A Medi-Medi enrollment and the aligned Medi-Cal one, as an approval makes them."""
    area = ServiceArea.objects.get(plan=medi_medi, county=person.county, start_date__lte=start)
    mm = Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_MEDI,
        medi_medi_plan=medi_medi,
        start_date=start,
        member_id=f"T{person.pk:08d}",
    )
    mc = Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=area.aligned_medi_cal_plan,
        start_date=start,
        aligned_with=mm,
    )
    return mm, mc


def person_in(name: str, **extra: Any) -> Any:
    return BeneficiaryFactory(county=county(name), **extra)


@pytest.fixture
def health_net_members() -> dict[str, Any]:
    """Health Net members in Riverside, San Bernardino and San Diego since 2023, one in LA."""
    wellcare = plan("Wellcare by Health Net")
    people = {
        "riverside": person_in("Riverside"),
        "san_bernardino": person_in("San Bernardino", preferred_language="es"),
        "san_diego": person_in("San Diego"),
        "los_angeles": person_in("Los Angeles"),
    }
    for person in people.values():
        enroll(person, wellcare, date(2023, 1, 1))
    return people


def hn_to_iehp(actor: User | None, *, dry_run: bool, today: date = BEFORE, **kw: Any) -> Any:
    return transfer_plan(
        actor=actor,
        from_plan=plan("Wellcare by Health Net"),
        to_plan=plan("IEHP DualChoice"),
        counties=[county("Riverside"), county("San Bernardino"), county("San Diego")],
        effective=JAN_2024,
        dry_run=dry_run,
        today=today,
        **kw,
    )


def test_dry_run_says_who_moves_and_who_cannot_and_changes_no_enrollment(
    health_net_members: dict[str, Any],
) -> None:
    before = list(Enrollment.objects.values_list("pk", "end_date", "end_reason"))

    report = hn_to_iehp(AdminFactory(), dry_run=True)

    assert report.dry_run and report.status == "planned"
    assert report.members == 3 and report.moves == 2
    assert report.cannot == {"NO_PLAN_IN_COUNTY": 1}
    assert report.cannot_sample == [
        {
            "beneficiary": health_net_members["san_diego"].pk,
            "county": "San Diego",
            "reason": "NO_PLAN_IN_COUNTY",
        }
    ]
    assert [(p.kind, p.send_on) for p in report.letters] == [
        ("plan_transfer_60", date(2023, 11, 2)),
        ("plan_transfer_30", date(2023, 12, 2)),
    ]
    assert list(Enrollment.objects.values_list("pk", "end_date", "end_reason")) == before
    assert not PlanTransferMember.objects.exists()
    assert not Notice.objects.exists()
    transfer = PlanTransfer.objects.get()
    assert list(transfer.status_changes.values_list("to_status", flat=True)) == ["planned"]


def test_apply_ends_both_halves_the_day_before_and_starts_both_on_the_date(
    health_net_members: dict[str, Any],
) -> None:
    admin = AdminFactory()
    report = hn_to_iehp(admin, dry_run=False)

    assert report.status == "completed" and report.moves == 2 and report.moved_now == 2
    riverside = health_net_members["riverside"]
    rows = Enrollment.objects.filter(beneficiary=riverside).order_by("start_date", "kind")
    old_mc, old_mm, new_mc, new_mm = rows
    assert (old_mm.end_date, old_mm.end_reason) == (date(2023, 12, 31), EndReason.TRANSFERRED)
    assert (old_mc.end_date, old_mc.end_reason) == (date(2023, 12, 31), EndReason.TRANSFERRED)
    assert old_mm.replaced_by_id == new_mm.pk and old_mc.replaced_by_id == new_mm.pk
    assert old_mm.end_date_before_replaced is None and old_mm.ended_by == admin
    assert (new_mm.medi_medi_plan, new_mm.start_date, new_mm.end_date) == (
        plan("IEHP DualChoice"),
        JAN_2024,
        None,
    )
    assert new_mm.member_id.startswith("IEHP")
    assert new_mc.medi_cal_plan == MediCalPlan.objects.get(name="IEHP")
    assert (new_mc.start_date, new_mc.aligned_with_id) == (JAN_2024, new_mm.pk)
    # The one who cannot move keeps the enrollment as it was, and is listed.
    san_diego = Enrollment.objects.get(
        beneficiary=health_net_members["san_diego"], kind=EnrollmentKind.MEDI_MEDI
    )
    assert san_diego.end_date is None
    unplaced = PlanTransferMember.objects.get(outcome="cannot")
    assert (unplaced.beneficiary_id, unplaced.reason) == (
        health_net_members["san_diego"].pk,
        "NO_PLAN_IN_COUNTY",
    )
    # Los Angeles was not asked for.
    assert not Enrollment.objects.filter(
        beneficiary=health_net_members["los_angeles"], end_date__isnull=False
    ).exists()
    transfer = PlanTransfer.objects.get()
    assert (transfer.moved_count, transfer.cannot_count, transfer.member_count) == (2, 1, 3)
    assert list(transfer.status_changes.values_list("to_status", flat=True)) == [
        "planned",
        "running",
        "completed",
    ]
    assert AuditEvent.objects.filter(object_type="plan_transfer", object_id=str(transfer.pk))


def test_each_move_records_a_pending_medicare_plan_switch(
    health_net_members: dict[str, Any],
) -> None:
    admin = AdminFactory()
    hn_to_iehp(admin, dry_run=False)

    submissions = MedicareSubmission.objects.order_by("beneficiary_id")
    moved = [health_net_members["riverside"], health_net_members["san_bernardino"]]
    assert [s.beneficiary_id for s in submissions] == [p.pk for p in moved]
    iehp = plan("IEHP DualChoice")
    for submission in submissions.select_related("enrollment"):
        assert (submission.kind, submission.transaction_type, submission.status) == (
            "plan_switch",
            "61",
            "pending",
        )
        assert submission.enrollment.medi_medi_plan == iehp
        assert submission.enrollment.start_date == JAN_2024 == submission.effective_date
        assert (submission.submitted_on, submission.created_by) == (BEFORE, admin)
        assert submission.contract_number == (iehp.contract_number or "")
        assert list(submission.status_changes.values_list("from_status", "to_status")) == [
            ("", "pending")
        ]
    # Asked again: nothing more.
    hn_to_iehp(admin, dry_run=False)
    assert MedicareSubmission.objects.count() == 2


def test_medicare_rejecting_a_moved_member_puts_the_old_plan_back(
    health_net_members: dict[str, Any],
) -> None:
    admin = AdminFactory()
    hn_to_iehp(admin, dry_run=False)
    riverside = health_net_members["riverside"]
    submission = MedicareSubmission.objects.get(beneficiary=riverside)

    submission_record_answer(
        actor=admin, submission=submission, status="rejected", reply_code="106", today=BEFORE
    )

    new_mm = Enrollment.objects.get(pk=submission.enrollment_id)
    assert new_mm.cancelled
    old_mm = Enrollment.objects.get(
        beneficiary=riverside, kind=EnrollmentKind.MEDI_MEDI, cancelled=False
    )
    assert (old_mm.medi_medi_plan, old_mm.end_date) == (plan("Wellcare by Health Net"), None)


def test_running_it_again_writes_nothing(health_net_members: dict[str, Any]) -> None:
    admin = AdminFactory()
    hn_to_iehp(admin, dry_run=False)
    counts = [
        m.objects.count()
        for m in (Enrollment, Notice, PlanTransferMember, PlanTransferStatusChange, AuditEvent)
    ]
    stamps = list(Enrollment.objects.order_by("pk").values_list("updated_at", flat=True))

    again = hn_to_iehp(admin, dry_run=False)
    by_id = transfer_apply(actor=admin, transfer_id=again.transfer_id, today=BEFORE)

    assert again.already_done and by_id.already_done and again.moved_now == 0
    assert (again.moves, again.cannot) == (2, {"NO_PLAN_IN_COUNTY": 1})
    assert counts == [
        m.objects.count()
        for m in (Enrollment, Notice, PlanTransferMember, PlanTransferStatusChange, AuditEvent)
    ]
    assert stamps == list(Enrollment.objects.order_by("pk").values_list("updated_at", flat=True))


def letters_job(day: date) -> int:
    """The daily job, as beat runs it, on ``day``."""
    return plan_transfer_letters(day.isoformat())


def test_a_stopped_run_goes_on_from_the_last_batch_it_committed(
    health_net_members: dict[str, Any],
) -> None:
    admin = AdminFactory()
    hn_to_iehp(admin, dry_run=True)
    transfer = PlanTransfer.objects.get()
    riverside = health_net_members["riverside"]
    # As a run stopped by an error leaves it: its first batch (up to the Riverside member)
    # committed, then failed.
    transfer.status = "failed"
    transfer.planned_on = BEFORE
    transfer.save()
    assert _batch_apply(transfer, after=0, upto=riverside.pk, actor=admin, today=BEFORE) == (1, 0)
    first = Enrollment.objects.get(beneficiary=riverside, start_date=JAN_2024, kind="medi_medi")

    report = transfer_apply(actor=admin, transfer_id=transfer.pk, today=BEFORE)

    assert report.status == "completed" and report.moved_now == 1
    assert (report.moves, report.cannot) == (2, {"NO_PLAN_IN_COUNTY": 1})
    # The first batch is not done again: one new pair each, the same new enrollment.
    assert Enrollment.objects.filter(start_date=JAN_2024).count() == 4
    assert (
        Enrollment.objects.get(beneficiary=riverside, start_date=JAN_2024, kind="medi_medi").pk
        == first.pk
    )
    # And a batch over people already done writes nothing.
    assert _batch_apply(transfer, after=0, upto=riverside.pk, actor=admin, today=BEFORE) == (0, 0)
    assert PlanTransferMember.objects.count() == 3


def test_the_run_writes_no_letter_before_its_day(health_net_members: dict[str, Any]) -> None:
    report = hn_to_iehp(AdminFactory(), dry_run=False)

    assert report.letters_queued == 0 and not Notice.objects.exists()
    assert letters_job(date(2023, 11, 1)) == 0
    assert not Notice.objects.exists()


def test_the_daily_job_writes_each_letter_on_its_day_in_the_members_language(
    health_net_members: dict[str, Any],
) -> None:
    hn_to_iehp(AdminFactory(), dry_run=False)
    spanish = health_net_members["san_bernardino"]
    letters = Notice.objects.filter(recipient_key=f"beneficiary:{spanish.pk}")

    assert letters_job(date(2023, 11, 2)) == 2
    assert [(n.kind, n.language, n.status) for n in letters] == [
        ("plan_transfer_60", "es", "queued")
    ]
    sixty = letters.get()
    assert sixty.scheduled_for == datetime(2023, 11, 2, 9, tzinfo=LA)
    assert sixty.bulk and sixty.idempotency_key.endswith(f":plan_transfer_60:{spanish.pk}")
    assert sixty.context["new_plan_name"] == "IEHP DualChoice"
    assert sixty.context["new_medi_cal_plan_name"] == "IEHP"
    assert sixty.context["old_plan_end_date"] == "2023-12-31"
    assert sixty.context["late"] is False

    assert letters_job(date(2023, 12, 2)) == 2
    thirty = letters.get(kind="plan_transfer_30")
    assert thirty.scheduled_for == datetime(2023, 12, 2, 9, tzinfo=LA)
    iehp = Organization.objects.get(code="iehp")
    assert set(
        BeneficiaryLetter.objects.filter(notice__in=letters).values_list("organization", flat=True)
    ) == {iehp.pk}
    # Nobody who cannot move is written to.
    assert not Notice.objects.filter(
        recipient_key=f"beneficiary:{health_net_members['san_diego'].pk}"
    ).exists()
    assert Notice.objects.count() == 4
    transfer = PlanTransfer.objects.get()
    assert transfer.letter_count == 4
    assert {(r.kind, r.status, r.written) for r in transfer.letter_runs.all()} == {
        ("plan_transfer_60", "finished", 2),
        ("plan_transfer_30", "finished", 2),
    }


def test_running_the_daily_job_again_writes_nothing_twice(
    health_net_members: dict[str, Any],
) -> None:
    hn_to_iehp(AdminFactory(), dry_run=False)
    assert letters_job(date(2023, 11, 2)) == 2
    assert letters_job(date(2023, 11, 2)) == 0
    assert letters_job(date(2023, 11, 20)) == 0
    assert letters_job(date(2023, 12, 2)) == 2
    assert letters_job(date(2023, 12, 3)) == 0
    # Even with its progress lost, a letter run writes each letter once (idempotency keys).
    PlanTransferLetterRun.objects.update(status="running", through_beneficiary=0)
    assert letters_job(date(2023, 12, 4)) == 0
    assert Notice.objects.count() == 4
    assert BeneficiaryLetter.objects.count() == 4


def test_a_stopped_letter_run_goes_on_after_the_last_person_it_covered(
    health_net_members: dict[str, Any],
) -> None:
    hn_to_iehp(AdminFactory(), dry_run=False)
    riverside = health_net_members["riverside"]
    transfer = PlanTransfer.objects.get()
    # As a job stopped after its first chunk leaves it: the chunk's letters are committed with
    # the run's progress (here, written by hand for the first person).
    PlanTransferLetterRun.objects.create(
        transfer=transfer,
        kind="plan_transfer_60",
        send_on=date(2023, 11, 2),
        through_beneficiary=riverside.pk,
    )

    assert letters_job(date(2023, 11, 2)) == 1
    assert list(Notice.objects.values_list("recipient_key", flat=True)) == [
        f"beneficiary:{health_net_members['san_bernardino'].pk}"
    ]


def test_a_missed_60_day_letter_is_passed_over_once_the_30_day_one_is_due(
    health_net_members: dict[str, Any],
) -> None:
    hn_to_iehp(AdminFactory(), dry_run=False)

    assert letters_job(date(2023, 12, 5)) == 2
    assert set(Notice.objects.values_list("kind", flat=True)) == {"plan_transfer_30"}
    runs = dict(PlanTransferLetterRun.objects.values_list("kind", "status"))
    assert runs == {"plan_transfer_60": "skipped", "plan_transfer_30": "finished"}
    assert letters_job(date(2023, 12, 6)) == 0


def test_a_representative_gets_a_copy_of_each_letter(health_net_members: dict[str, Any]) -> None:
    riverside = health_net_members["riverside"]
    representative = AuthorizedRepresentative.objects.create(
        beneficiary=riverside,
        name="Rep Resentative",
        relationship="daughter",
        document="power of attorney",
        valid_from=date(2020, 1, 1),
        email="rep@example.test",
    )

    hn_to_iehp(AdminFactory(), dry_run=False)
    letters_job(date(2023, 11, 2))
    letters_job(date(2023, 12, 2))

    copies = RepresentativeLetter.objects.filter(representative=representative)
    assert copies.count() == 2
    for copy in copies.select_related("notice", "copy_of"):
        assert copy.notice.recipient_key == f"representative:{representative.pk}"
        assert copy.notice.kind == copy.copy_of.kind
        assert copy.notice.scheduled_for == copy.copy_of.scheduled_for
        assert copy.copy_of.recipient_key == f"beneficiary:{riverside.pk}"


def test_too_late_for_notice_one_letter_goes_at_once_and_says_so(
    health_net_members: dict[str, Any], tasks_in_process: None
) -> None:
    report = hn_to_iehp(AdminFactory(), dry_run=False, today=date(2024, 3, 1))

    assert [(p.kind, p.late) for p in report.letters] == [("plan_transfer_30", True)]
    # Due at once: written at the end of the run, not the next morning.
    assert report.letters_queued == 2
    letters = Notice.objects.all()
    assert letters.count() == 2
    assert {(n.kind, n.scheduled_for, n.context["late"]) for n in letters} == {
        ("plan_transfer_30", None, True)
    }
    assert letters_job(date(2024, 3, 2)) == 0


def test_staff_of_the_old_organization_list_who_could_not_move(
    health_net_members: dict[str, Any],
) -> None:
    report = hn_to_iehp(AdminFactory(), dry_run=False)
    url = f"/api/v1/transfers/{report.transfer_id}/unplaced"
    healthnet = StaffFactory(organization=Organization.objects.get(code="healthnet"))

    client = APIClient()
    client.force_authenticate(healthnet)
    response = client.get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    san_diego = health_net_members["san_diego"]
    assert row["beneficiary"] == san_diego.pk
    assert row["reason"] == "NO_PLAN_IN_COUNTY"
    assert row["county"] == {"fips": "06073", "name": "San Diego"}
    assert row["last_name"] == san_diego.last_name
    assert AuditEvent.objects.filter(
        actor=healthnet, action="read", object_type="plan_transfer_unplaced"
    ).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("other_staff", 404), ("member", 403), (None, 401)],
    ids=["admin", "other-organization-staff", "member", "anonymous"],
)
def test_unplaced_list_access(
    health_net_members: dict[str, Any], who: str | None, status: int
) -> None:
    report = hn_to_iehp(AdminFactory(), dry_run=False)
    users = {"admin": AdminFactory, "other_staff": StaffFactory, "member": UserFactory}
    client = APIClient()
    if who is not None:
        client.force_authenticate(users[who]())
    for url in (
        f"/api/v1/transfers/{report.transfer_id}",
        f"/api/v1/transfers/{report.transfer_id}/unplaced",
    ):
        response = client.get(url)
        assert response.status_code == status
        if status == 404:
            assert response.json()["code"] == "not_found"
    if status == 200:
        body = client.get(f"/api/v1/transfers/{report.transfer_id}").json()
        assert (body["status"], body["moves"], body["cannot"]) == (
            "completed",
            2,
            {"NO_PLAN_IN_COUNTY": 1},
        )
        assert [letter["send_on"] for letter in body["letters"]] == ["2023-11-02", "2023-12-02"]


def test_only_admins_transfer(health_net_members: dict[str, Any]) -> None:
    for user in (
        StaffFactory(organization=Organization.objects.get(code="healthnet")),
        UserFactory(),
    ):
        with pytest.raises(Forbidden):
            hn_to_iehp(user, dry_run=True)
    assert not PlanTransfer.objects.exists()


def test_the_date_must_be_a_first_of_month_and_the_target_a_medi_medi_plan() -> None:
    admin = AdminFactory()
    with pytest.raises(DomainError) as error:
        transfer_plan(
            actor=admin,
            from_plan=plan("Wellcare by Health Net"),
            to_plan=plan("IEHP DualChoice"),
            counties=[county("Riverside")],
            effective=date(2024, 1, 15),
        )
    assert error.value.extra["field"] == "effective_date"
    legacy = MediMediPlan.objects.get(name="L.A. Care Health Plan Cal MediConnect plan (2022)")
    with pytest.raises(DomainError) as error:
        transfer_plan(
            actor=admin,
            from_plan=plan("L.A. Care Medicare Plus"),
            to_plan=legacy,
            counties=[county("Los Angeles")],
            effective=JAN_2024,
        )
    assert error.value.extra["field"] == "to_plan"


def test_a_member_who_chose_another_plan_from_the_date_is_not_moved(
    health_net_members: dict[str, Any],
) -> None:
    riverside = health_net_members["riverside"]
    old_mm = Enrollment.objects.get(beneficiary=riverside, kind=EnrollmentKind.MEDI_MEDI)
    old_mm.end_date = date(2023, 12, 31)
    old_mm.save()
    Enrollment.objects.filter(beneficiary=riverside, kind=EnrollmentKind.MEDI_CAL).update(
        end_date=date(2023, 12, 31)
    )
    enroll(riverside, plan("Molina Healthcare Medi-Medi Plan"), JAN_2024)
    bernardino = health_net_members["san_bernardino"]
    enroll_later = Enrollment.objects.get(beneficiary=bernardino, kind=EnrollmentKind.MEDI_MEDI)
    enroll_later.end_date = date(2024, 1, 31)
    enroll_later.save()
    Enrollment.objects.filter(beneficiary=bernardino, kind=EnrollmentKind.MEDI_CAL).update(
        end_date=date(2024, 1, 31)
    )
    enroll(bernardino, plan("Molina Healthcare Medi-Medi Plan"), date(2024, 2, 1))

    report = hn_to_iehp(AdminFactory(), dry_run=False)

    # Riverside's enrollment ends before the date: not concerned. San Bernardino chose Molina
    # from February: a later election stands.
    assert report.moves == 0
    assert report.cannot == {"LATER_ELECTION": 1, "NO_PLAN_IN_COUNTY": 1}


def test_health_net_left_medi_cal_in_three_counties_at_the_end_of_2023() -> None:
    """Reference data: the service areas end 2023-12-31 and say where that comes from."""
    areas = ServiceArea.objects.filter(
        plan__name="Wellcare by Health Net",
        county__name__in=["Riverside", "San Bernardino", "San Diego"],
    )
    assert areas.count() == 3
    for area in areas:
        assert area.end_date == date(2023, 12, 31)
        assert "2024 DHCS Medi-Cal Contract Transition" in area.source
        assert "cmadocs.org" in area.source  # DHCS's 2024 Medi-Cal plan contracts


def test_health_net_2024_members_are_moved_or_listed(health_net_members: dict[str, Any]) -> None:
    """Every Health Net member in the three counties either moves on 2024-01-01 or is listed:
    nobody stays in a plan that no longer serves their county without a staff decision."""
    report = transfer_plan(
        actor=AdminFactory(),
        from_plan=plan("Wellcare by Health Net"),
        to_plan=plan("Molina Healthcare Medi-Medi Plan"),
        counties=[county("Riverside"), county("San Bernardino"), county("San Diego")],
        effective=JAN_2024,
        dry_run=False,
        today=BEFORE,
        reason="Health Net Community Solutions left Medi-Cal in these counties on 2024-01-01.",
    )
    assert report.moves == 3 and report.cannot == {}
    still = Enrollment.objects.filter(
        medi_medi_plan__name="Wellcare by Health Net",
        beneficiary__county__name__in=["Riverside", "San Bernardino", "San Diego"],
    ).exclude(end_date__lt=JAN_2024)
    assert not still.exists()


def test_cal_mediconnect_plans_are_legacy_and_never_offered() -> None:
    legacy = MediMediPlan.objects.filter(program=PlanProgram.CAL_MEDICONNECT)
    assert legacy.count() == 9
    for cmc in legacy:
        assert cmc.contract_number is None and cmc.pbp is None
        assert "Cal MediConnect" in cmc.source
        for area in cmc.service_areas.all():
            assert (area.start_date, area.end_date) == (date(2022, 1, 1), date(2022, 12, 31))
            assert area.aligned_medi_cal_plan.organization_id == cmc.organization_id
    offered = {area.plan.program for area in service_areas_of(county("Los Angeles"))}
    assert offered == {PlanProgram.MEDI_MEDI}
    # Staff cannot record an election into one either.
    assert {p.program for p in intake_plans(actor=AdminFactory())} == {PlanProgram.MEDI_MEDI}


def test_the_2023_cal_mediconnect_crosswalk_as_a_transfer() -> None:
    """Members of L.A. Care's Cal MediConnect plan on 2022-12-31 are in L.A. Care Medicare Plus
    and its aligned Medi-Cal plan on 2023-01-01, told 60 and 30 days before."""
    cmc = MediMediPlan.objects.get(name="L.A. Care Health Plan Cal MediConnect plan (2022)")
    people = [person_in("Los Angeles") for _ in range(3)]
    for person in people:
        enroll(person, cmc, date(2022, 1, 1))

    report = transfer_plan(
        actor=AdminFactory(),
        from_plan=cmc,
        to_plan=plan("L.A. Care Medicare Plus"),
        counties=[county("Los Angeles")],
        effective=date(2023, 1, 1),
        dry_run=False,
        today=date(2022, 10, 1),
        reason="Cal MediConnect ended 2022-12-31 (domain.md section 6).",
    )
    letters_job(date(2022, 11, 2))
    letters_job(date(2022, 12, 2))

    assert report.moves == 3
    for person in people:
        mm = Enrollment.objects.filter(beneficiary=person, kind=EnrollmentKind.MEDI_MEDI)
        old, new = mm.order_by("start_date")
        assert (old.medi_medi_plan, old.end_date) == (cmc, date(2022, 12, 31))
        assert (new.medi_medi_plan.name, new.start_date) == (
            "L.A. Care Medicare Plus",
            date(2023, 1, 1),
        )
        # Already in L.A. Care on the Medi-Cal side: that enrollment continues, now aligned.
        medi_cal = Enrollment.objects.get(beneficiary=person, kind=EnrollmentKind.MEDI_CAL)
        assert (medi_cal.medi_cal_plan.name, medi_cal.start_date, medi_cal.end_date) == (
            "L.A. Care",
            date(2022, 1, 1),
            None,
        )
        assert medi_cal.aligned_with_id == new.pk
        letters = Notice.objects.filter(recipient_key=f"beneficiary:{person.pk}").order_by(
            "scheduled_for"
        )
        assert [(n.kind, n.scheduled_for) for n in letters] == [
            ("plan_transfer_60", datetime(2022, 11, 2, 9, tzinfo=LA)),
            ("plan_transfer_30", datetime(2022, 12, 2, 9, tzinfo=LA)),
        ]
        assert letters[0].context["old_plan_name"] == cmc.name


def test_command_dry_runs_by_default_and_applies_when_asked(
    health_net_members: dict[str, Any],
) -> None:
    args = [
        "--from-plan", "Wellcare by Health Net", "--to-plan", "IEHP DualChoice",
        "--county", "Riverside", "--county", "06071", "--county", "san diego",
        "--effective", "2024-01-01", "--today", "2023-10-01",
    ]  # fmt: skip
    out = StringIO()
    call_command("transfer_members", *args, stdout=out)
    assert "Dry run" in out.getvalue() and "2 move" in out.getvalue()
    assert "NO_PLAN_IN_COUNTY: 1" in out.getvalue()
    assert not Enrollment.objects.filter(end_reason=EndReason.TRANSFERRED).exists()

    out = StringIO()
    call_command("transfer_members", *args, "--apply", stdout=out)
    assert "completed" in out.getvalue()
    assert Enrollment.objects.filter(end_reason=EndReason.TRANSFERRED).count() == 4


def test_admin_transfer_page_dry_runs_then_applies(
    client: Any, health_net_members: dict[str, Any], tasks_in_process: None
) -> None:
    login_verified(client, AdminFactory())
    form = {
        "from_plan": plan("Wellcare by Health Net").pk,
        "to_plan": plan("IEHP DualChoice").pk,
        "counties": [county("Riverside").pk, county("San Diego").pk],
        "effective_date": "2024-01-01",
        "reason": "Health Net 2024",
    }
    page = client.post("/admin/enrollment/plantransfer/new/", form)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Dry run" in text and "NO_PLAN_IN_COUNTY" in text
    transfer = PlanTransfer.objects.get()
    assert not Enrollment.objects.filter(end_reason=EndReason.TRANSFERRED).exists()

    done = client.post(f"/admin/enrollment/plantransfer/{transfer.pk}/apply/")
    assert done.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "completed" and transfer.moved_count == 1


def test_admin_transfer_page_is_for_admins_only(client: Any) -> None:
    login_verified(client, StaffFactory(is_staff=True))
    assert client.get("/admin/enrollment/plantransfer/new/").status_code == 403
    assert client.get("/admin/enrollment/plantransfer/").status_code == 403


@pytest.mark.postgres
def test_no_overlap_holds_on_postgresql_through_a_transfer(
    health_net_members: dict[str, Any],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    hn_to_iehp(AdminFactory(), dry_run=False, batch_size=1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM enrollment_enrollment a JOIN enrollment_enrollment b
              ON a.beneficiary_id = b.beneficiary_id AND a.kind = b.kind AND a.id < b.id
             AND NOT a.cancelled AND NOT b.cancelled
             AND daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')
            """
        )
        assert cursor.fetchone()[0] == 0
    assert PlanTransferMember.objects.filter(outcome="moved").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_batches_run_side_by_side_on_postgresql_and_move_everyone_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    wellcare = plan("Wellcare by Health Net")
    people = [person_in("Riverside") for _ in range(5)] + [person_in("San Diego")]
    for person in people:
        enroll(person, wellcare, date(2023, 1, 1))

    report = hn_to_iehp(None, dry_run=False, batch_size=1, workers=2)

    assert report.status == "completed" and report.moved_now == 5
    assert (report.moves, report.cannot) == (5, {"NO_PLAN_IN_COUNTY": 1})
    new = Enrollment.objects.filter(start_date=JAN_2024)
    assert new.filter(kind=EnrollmentKind.MEDI_MEDI).count() == 5
    assert new.filter(kind=EnrollmentKind.MEDI_CAL).count() == 5
    assert len(set(new.exclude(member_id="").values_list("member_id", flat=True))) == 5
    # One audit row per batch (six people, six batches), each naming its person.
    batches = AuditEvent.objects.filter(object_type="plan_transfer", detail__has_key="moved")
    assert sorted(b for e in batches for b in e.detail["beneficiaries"]) == sorted(
        p.pk for p in people
    )
    assert hn_to_iehp(None, dry_run=False, workers=2).already_done
