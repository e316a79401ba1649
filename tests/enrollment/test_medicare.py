"""Medicare's answer: submissions on approval, switch and disenrollment; answers; reply files."""

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import AuditEvent
from eligibility.models import County, MediCalPlan, MediMediPlan, Organization
from eligibility.notifications import recipient_key
from enrollment import medicare, services
from enrollment.models import (
    Application,
    Enrollment,
    EnrollmentKind,
    MedicareReplyFile,
    MedicareStatus,
    MedicareSubmission,
    ReviewItem,
)
from notices.models import Notice
from tests.enrollment.conftest import at
from tests.factories import AdminFactory, BeneficiaryFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "mbi,contract,pbp,transaction,effective_date,reply_code,result,reply_text\n"


def submitted(beneficiary=None, plan=None, when=None) -> Application:
    beneficiary = beneficiary or BeneficiaryFactory()
    plan = plan or MediMediPlan.objects.get(name="CareAdvantage")
    draft = services.application_create(beneficiary=beneficiary, actor=None, plan=plan)
    return services.application_submit(application=draft, actor=None, now=when or at(2026, 11, 27))


def approved(beneficiary=None, plan=None, when=None, today=date(2026, 11, 28), actor=None):
    application = submitted(beneficiary, plan, when)
    services.application_approve(
        application=application, actor=actor or StaffFactory(), today=today
    )
    return application


def medi_medi_of(application: Application) -> Enrollment:
    return Enrollment.objects.get(application=application, kind=EnrollmentKind.MEDI_MEDI)


def submission_of(enrollment: Enrollment, transaction: str = "61") -> MedicareSubmission:
    return MedicareSubmission.objects.get(enrollment=enrollment, transaction_type=transaction)


def la_person():
    return BeneficiaryFactory(county=County.objects.get(name="Los Angeles"))


def switched(capture: Any = None) -> tuple[Any, Enrollment, Enrollment]:
    """An LA member in L.A. Care from February, switching to Blue Shield from June 2026."""
    person = la_person()
    admin = AdminFactory()
    first = approved(
        person,
        MediMediPlan.objects.get(name="L.A. Care Medicare Plus"),
        at(2026, 1, 10),
        date(2026, 1, 20),
        admin,
    )
    second = approved(
        person,
        MediMediPlan.objects.get(name="Blue Shield TotalDual"),
        at(2026, 5, 20),
        date(2026, 5, 25),
        admin,
    )
    return person, medi_medi_of(first), medi_medi_of(second)


# ---------------------------------------------------------------------------------------------
# Creation


def test_approval_records_a_pending_enrollment_submission_in_its_transaction() -> None:
    application = approved()
    enrollment = medi_medi_of(application)
    submission = submission_of(enrollment)
    plan = enrollment.medi_medi_plan
    assert submission.kind == "enrollment"
    assert submission.status == MedicareStatus.PENDING
    assert submission.effective_date == date(2026, 12, 1)
    assert submission.submitted_on == date(2026, 11, 28)
    assert submission.election_period == "icsep"  # the member's own online election
    assert (submission.contract_number, submission.pbp) == (
        plan.contract_number or "",
        plan.pbp or "",
    )
    assert [c.to_status for c in submission.status_changes.all()] == ["pending"]
    assert AuditEvent.objects.filter(
        object_type="medicare_submission", object_id=str(submission.pk), action="create"
    ).exists()


def test_a_refused_approval_records_no_submission() -> None:
    person = BeneficiaryFactory()
    application = submitted(person)
    person.medicare_part_b_start = None  # type: ignore[assignment]
    person.save()
    with pytest.raises(DomainError):
        services.application_approve(
            application=application, actor=StaffFactory(), today=date(2026, 11, 28)
        )
    assert not MedicareSubmission.objects.exists()


def test_plan_switch_records_a_switch_submission_for_the_new_plan() -> None:
    _, old, new = switched()
    assert submission_of(old).kind == "enrollment"
    switch = submission_of(new)
    assert switch.kind == "plan_switch"
    assert switch.transaction_type == "61"
    assert switch.effective_date == date(2026, 6, 1)


def test_disenrollment_records_a_disenrollment_on_the_last_day_of_coverage() -> None:
    enrollment = medi_medi_of(approved())
    services.enrollment_disenroll(
        enrollment=enrollment, actor=StaffFactory(), requested_on=date(2027, 3, 14)
    )
    submission = submission_of(enrollment, "51")
    assert submission.kind == "disenrollment"
    assert submission.effective_date == date(2027, 3, 31)
    assert submission.election_period == ""


def test_disenrolling_before_the_start_records_an_enrollment_cancellation() -> None:
    enrollment = medi_medi_of(approved(when=at(2026, 11, 2), today=date(2026, 11, 3)))
    services.enrollment_disenroll(enrollment=enrollment, actor=None, requested_on=date(2026, 11, 5))
    submission = submission_of(enrollment, "80")
    assert submission.kind == "disenrollment"
    assert submission.effective_date == enrollment.start_date


# ---------------------------------------------------------------------------------------------
# Answers


def test_accepted_answer_is_recorded_with_history_and_audit() -> None:
    submission = submission_of(medi_medi_of(approved()))
    staff = StaffFactory()
    result = medicare.submission_record_answer(
        actor=staff, submission=submission, status="accepted", reply_code="011"
    )
    assert result.changed is True
    submission.refresh_from_db()
    assert submission.status == "accepted"
    assert submission.reply_text == "Enrollment accepted"  # CMS's title of TRC 011
    assert submission.answered_by == staff and submission.answered_at is not None
    changes = list(submission.status_changes.values_list("from_status", "to_status", "actor"))
    assert changes[1:] == [("pending", "accepted", staff.pk)]
    assert changes[0][:2] == ("", "pending")  # written by the approving staff member
    assert AuditEvent.objects.filter(
        object_type="medicare_submission", object_id=str(submission.pk), action="update"
    ).exists()
    assert Enrollment.objects.filter(cancelled=True).count() == 0


def test_the_same_answer_again_changes_nothing_and_another_answer_is_a_conflict() -> None:
    submission = submission_of(medi_medi_of(approved()))
    staff = StaffFactory()
    medicare.submission_record_answer(
        actor=staff, submission=submission, status="accepted", reply_code="011"
    )
    again = medicare.submission_record_answer(
        actor=staff, submission=submission, status="accepted", reply_code="011"
    )
    assert again.changed is False
    with pytest.raises(Conflict) as excinfo:
        medicare.submission_record_answer(
            actor=staff, submission=submission, status="rejected", reply_code="106"
        )
    assert excinfo.value.extra["status"] == "accepted"
    assert submission.status_changes.count() == 2


@pytest.mark.parametrize(
    ("status", "code", "field"),
    [
        ("maybe", "011", "status"),
        ("rejected", "", "reply_code"),
        ("rejected", "10", "reply_code"),
        ("accepted", "1O6", "reply_code"),
        ("accepted", "106", "status"),  # 106 is a rejection in CMS's list
        ("rejected", "011", "status"),  # 011 is an acceptance
    ],
)
def test_an_answer_is_checked_field_by_field(status: str, code: str, field: str) -> None:
    submission = submission_of(medi_medi_of(approved()))
    with pytest.raises(DomainError) as excinfo:
        medicare.submission_record_answer(
            actor=StaffFactory(), submission=submission, status=status, reply_code=code
        )
    assert excinfo.value.extra["field"] == field
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_an_unlisted_reply_code_of_the_right_shape_is_taken_as_given() -> None:
    submission = submission_of(medi_medi_of(approved()))
    medicare.submission_record_answer(
        actor=StaffFactory(),
        submission=submission,
        status="rejected",
        reply_code="999",
        reply_text="Some reason CMS gave",
    )
    submission.refresh_from_db()
    assert (submission.reply_code, submission.reply_text) == ("999", "Some reason CMS gave")


def test_rejection_cancels_both_halves_as_if_they_never_started(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = BeneficiaryFactory()
    earlier_medi_cal = Enrollment.objects.create(
        beneficiary=person,
        kind=EnrollmentKind.MEDI_CAL,
        medi_cal_plan=MediCalPlan.objects.get(name="L.A. Care"),
        start_date=date(2024, 1, 1),
    )
    application = approved(person)
    enrollment = medi_medi_of(application)
    earlier_medi_cal.refresh_from_db()
    assert earlier_medi_cal.end_date == date(2026, 11, 30)  # the approval ended it
    with django_capture_on_commit_callbacks(execute=True):
        medicare.submission_record_answer(
            actor=StaffFactory(),
            submission=submission_of(enrollment),
            status="rejected",
            reply_code="106",
        )
    rows = {
        row.kind: row
        for row in Enrollment.objects.filter(beneficiary=person, start_date=date(2026, 12, 1))
    }
    assert rows["medi_medi"].cancelled and rows["medi_cal"].cancelled
    assert rows["medi_medi"].end_reason == "cms_rejected"
    assert rows["medi_cal"].end_reason == "cms_rejected"
    # What the approval had ended is put back as it was.
    earlier_medi_cal.refresh_from_db()
    assert (earlier_medi_cal.end_date, earlier_medi_cal.end_reason) == (None, "")
    notes = [c.note for c in application.status_changes.all()]
    assert "Medicare rejected the enrollment (reply code 106" in notes[-1]


def test_rejection_queues_one_letter_and_opens_one_review(
    django_capture_on_commit_callbacks: Any, tasks_in_process: None
) -> None:
    person = BeneficiaryFactory(preferred_language="es")
    enrollment = medi_medi_of(approved(person))
    submission = submission_of(enrollment)
    with django_capture_on_commit_callbacks(execute=True):
        medicare.submission_record_answer(
            actor=StaffFactory(), submission=submission, status="rejected", reply_code="106"
        )
    with django_capture_on_commit_callbacks(execute=True):
        medicare.submission_record_answer(
            actor=StaffFactory(), submission=submission, status="rejected", reply_code="106"
        )
    letters = Notice.objects.filter(recipient_key=recipient_key(person), kind="medicare_rejection")
    assert letters.count() == 1
    letter = letters.get()
    assert letter.language == "es"
    assert letter.context["reply_code"] == "106"
    assert letter.context["transaction"] == "enrollment"
    assert "fecha de solicitud" not in letter.subject  # Spanish words, CMS's text as given
    assert letter.subject.startswith("Medicare no aceptó")
    review = ReviewItem.objects.get(kind="medicare_rejected")
    assert review.beneficiary_id == person.pk
    assert review.organization == Organization.objects.get(code="hpsm")
    assert review.detail["submission"] == submission.pk
    assert review.detail["cancelled"] == [enrollment.pk]


def test_rejected_switch_puts_the_member_back_in_the_old_plan() -> None:
    person, old, new = switched()
    medicare.submission_record_answer(
        actor=AdminFactory(), submission=submission_of(new), status="rejected", reply_code="108"
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.cancelled is True
    assert (old.end_date, old.end_reason, old.cancelled) == (None, "", False)
    live_medi_cal = Enrollment.objects.get(
        beneficiary=person, kind="medi_cal", cancelled=False, end_date=None
    )
    assert live_medi_cal.medi_cal_plan.name == "L.A. Care"
    assert live_medi_cal.aligned_with == old
    letter = Notice.objects.get(kind="medicare_rejection")
    assert letter.context["transaction"] == "plan_switch"
    assert letter.context["old_plan_name"] == "L.A. Care Medicare Plus"


def test_rejected_disenrollment_changes_no_enrollment_but_tells_and_opens_a_review() -> None:
    enrollment = medi_medi_of(approved())
    services.enrollment_disenroll(
        enrollment=enrollment, actor=StaffFactory(), requested_on=date(2027, 3, 14)
    )
    medicare.submission_record_answer(
        actor=StaffFactory(),
        submission=submission_of(enrollment, "51"),
        status="rejected",
        reply_code="292",
    )
    enrollment.refresh_from_db()
    assert (enrollment.end_date, enrollment.cancelled) == (date(2027, 3, 31), False)
    letter = Notice.objects.get(kind="medicare_rejection")
    assert letter.context["transaction"] == "disenrollment"
    assert ReviewItem.objects.filter(kind="medicare_rejected").count() == 1


def test_rejection_of_an_already_superseded_enrollment_sends_no_letter() -> None:
    person = la_person()
    admin = AdminFactory()
    one = approved(person, MediMediPlan.objects.get(name="L.A. Care Medicare Plus"), actor=admin)
    two = approved(
        person,
        MediMediPlan.objects.get(name="Blue Shield TotalDual"),
        at(2026, 11, 28),
        actor=admin,
    )
    first = medi_medi_of(one)
    first.refresh_from_db()
    assert first.cancelled  # the later election replaced it
    medicare.submission_record_answer(
        actor=admin, submission=submission_of(first), status="rejected", reply_code="106"
    )
    assert not Notice.objects.filter(kind="medicare_rejection").exists()
    assert ReviewItem.objects.filter(kind="medicare_rejected").count() == 1
    assert not medi_medi_of(two).cancelled


# ---------------------------------------------------------------------------------------------
# Access


def test_staff_of_another_organization_cannot_see_or_answer() -> None:
    submission = submission_of(medi_medi_of(approved()))
    other = StaffFactory(organization=Organization.objects.get(code="lacare"))
    with pytest.raises(NotFound):
        medicare.submission_record_answer(
            actor=other, submission=submission, status="accepted", reply_code="011"
        )
    with pytest.raises(NotFound):
        medicare.submission_get(actor=other, submission_id=submission.pk)


def test_a_member_is_refused() -> None:
    user = UserFactory()
    submission = submission_of(medi_medi_of(approved(BeneficiaryFactory(user=user))))
    with pytest.raises(Forbidden):
        medicare.submission_record_answer(
            actor=user, submission=submission, status="accepted", reply_code="011"
        )


def test_staff_reads_are_audited() -> None:
    application = approved()
    staff = StaffFactory()
    rows = medicare.application_submissions(actor=staff, application_id=application.pk)
    assert len(rows) == 1
    assert AuditEvent.objects.filter(
        actor=staff, action="read", object_type="medicare_submission_list"
    ).exists()


# ---------------------------------------------------------------------------------------------
# Reply files


def _row(
    submission: MedicareSubmission,
    *,
    result: str = "accepted",
    code: str = "011",
    contract: str | None = None,
    pbp: str | None = None,
    mbi: str | None = None,
    text: str = "",
) -> str:
    return ",".join(
        [
            mbi if mbi is not None else submission.beneficiary.mbi,
            contract if contract is not None else (submission.contract_number or "H0001"),
            pbp if pbp is not None else (submission.pbp or "001"),
            submission.transaction_type,
            submission.effective_date.isoformat(),
            code,
            result,
            text,
        ]
    )


def _load(text: str, actor: Any = None, name: str = "replies.csv") -> dict[str, Any]:
    report = medicare.reply_file_load(actor=actor, file=io.BytesIO(text.encode()), file_name=name)
    return report.as_dict()


def test_reply_file_applies_good_rows_and_reports_bad_ones_by_line_and_field() -> None:
    accepted = submission_of(medi_medi_of(approved()))
    rejected = submission_of(medi_medi_of(approved()))
    text = (
        HEADER
        + _row(accepted)
        + "\n"
        + _row(rejected, result="rejected", code="106", text="Later application")
        + "\n"
        + "NOTANMBI,H12,1,99,2026-13-01,1,maybe,\n"
        + _row(accepted, mbi="1EG4TE5MK99")
        + "\n"
    )
    report = _load(text, actor=StaffFactory())
    assert (report["rows"], report["applied"], report["unchanged"], report["errors"]) == (
        4,
        2,
        0,
        2,
    )
    results = report["results"]
    assert [r["line"] for r in results] == [2, 3, 4, 5]
    assert [r["status"] for r in results] == ["applied", "applied", "error", "error"]
    assert set(results[2]["errors"]) == {
        "mbi",
        "contract",
        "pbp",
        "transaction",
        "effective_date",
        "reply_code",
        "result",
    }
    assert "row" in results[3]["errors"]
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.status == "accepted" and accepted.reply_file_id == report["id"]
    assert accepted.reply_text == "Enrollment accepted"
    assert list(accepted.status_changes.values_list("to_status", "reply_file")) == [
        ("pending", None),
        ("accepted", report["id"]),
    ]
    assert AuditEvent.objects.filter(
        object_type="medicare_submission", object_id=str(accepted.pk), action="update"
    ).exists()
    assert (rejected.status, rejected.reply_text) == ("rejected", "Later application")
    assert Enrollment.objects.get(pk=rejected.enrollment_id).cancelled is True


def test_reloading_the_same_file_writes_nothing() -> None:
    submission = submission_of(medi_medi_of(approved()))
    text = HEADER + _row(submission, result="rejected", code="106") + "\n"
    first = _load(text)
    audit_before = AuditEvent.objects.filter(object_type="medicare_submission").count()
    second = _load(text)
    assert second["duplicate_file"] is True and second["id"] == first["id"]
    assert MedicareReplyFile.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="medicare_submission").count() == audit_before
    # The same rows in another file: unchanged, still one letter and one review.
    third = _load(text + "\n", name="again.csv")
    assert third["results"][0]["status"] == "unchanged" and third["applied"] == 0
    assert Notice.objects.filter(kind="medicare_rejection").count() == 1
    assert ReviewItem.objects.filter(kind="medicare_rejected").count() == 1


def test_a_file_that_is_not_a_reply_file_is_refused_whole() -> None:
    submission = submission_of(medi_medi_of(approved()))
    for text in (
        "",
        "mbi,contract\n" + _row(submission) + "\n",
        HEADER.replace("result", "outcome") + _row(submission) + "\n",
    ):
        with pytest.raises(medicare.ReplyFileRefused) as excinfo:
            _load(text)
        assert excinfo.value.extra["field"] == "file"
    with pytest.raises(medicare.ReplyFileRefused):
        medicare.reply_file_load(actor=None, file=io.BytesIO(b"\xff\xfe\x00bad"))
    assert not MedicareReplyFile.objects.exists()
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_a_row_for_another_organization_is_not_found_for_staff() -> None:
    submission = submission_of(medi_medi_of(approved()))
    other = StaffFactory(organization=Organization.objects.get(code="lacare"))
    report = _load(HEADER + _row(submission) + "\n", actor=other)
    assert report["results"][0]["status"] == "error"
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_a_row_contradicting_a_recorded_answer_is_reported_and_others_stand() -> None:
    one = submission_of(medi_medi_of(approved()))
    two = submission_of(medi_medi_of(approved()))
    medicare.submission_record_answer(
        actor=None, submission=one, status="accepted", reply_code="011"
    )
    report = _load(HEADER + _row(one, result="rejected", code="106") + "\n" + _row(two) + "\n")
    assert [r["status"] for r in report["results"]] == ["error", "applied"]
    assert "row" in report["results"][0]["errors"]


def test_members_cannot_load_reply_files() -> None:
    with pytest.raises(Forbidden):
        medicare.reply_file_load(actor=UserFactory(), file=io.BytesIO(HEADER.encode()))


def test_management_command_loads_a_file(tmp_path: Any, capsys: Any) -> None:
    submission = submission_of(medi_medi_of(approved()))
    path = tmp_path / "replies.csv"
    path.write_text(HEADER + _row(submission) + "\n")
    call_command("load_medicare_replies", str(path), "--json")
    out = capsys.readouterr().out
    assert '"applied": 1' in out
    submission.refresh_from_db()
    assert submission.status == "accepted"


# ---------------------------------------------------------------------------------------------
# Pages


def _page_text(response: Any) -> str:
    import html
    import re

    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _logged_in(user: Any) -> Any:
    from django.test import Client

    from tests.auth_helpers import login_verified

    return login_verified(Client(), user)


def test_staff_application_page_shows_the_submission_and_records_an_answer() -> None:
    application = approved()
    submission = submission_of(medi_medi_of(application))
    client = _logged_in(StaffFactory())
    page = _page_text(client.get(f"/staff/applications/{application.pk}/"))
    assert "Medicare's answer" in page
    assert "Waiting for Medicare" in page
    assert f"/staff/applications/{application.pk}/medicare/{submission.pk}/answer/" in page
    url = f"/staff/applications/{application.pk}/medicare/{submission.pk}/answer/"
    prefix = f"medicare{submission.pk}"
    bad = client.post(
        url, {f"{prefix}-status": "rejected", f"{prefix}-reply_code": ""}, follow=True
    )
    assert bad.status_code == 200
    assert "error-summary" in bad.content.decode()
    assert "Give Medicare's reply code for a rejection." in _page_text(bad)
    response = client.post(
        url, {f"{prefix}-status": "rejected", f"{prefix}-reply_code": "106"}, follow=True
    )
    assert "Recorded: Medicare rejected it." in _page_text(response)
    submission.refresh_from_db()
    assert submission.status == "rejected"
    assert Enrollment.objects.get(pk=submission.enrollment_id).cancelled


def test_answer_page_refuses_another_organization_and_another_application() -> None:
    application = approved()
    submission = submission_of(medi_medi_of(application))
    other = _logged_in(StaffFactory(organization=Organization.objects.get(code="lacare")))
    url = f"/staff/applications/{application.pk}/medicare/{submission.pk}/answer/"
    assert other.post(url, {}).status_code == 404
    elsewhere = approved()
    wrong = f"/staff/applications/{elsewhere.pk}/medicare/{submission.pk}/answer/"
    assert _logged_in(StaffFactory()).post(wrong, {}).status_code == 404
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_reply_file_page_loads_a_file_and_shows_each_row() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    submission = submission_of(medi_medi_of(approved()))
    client = _logged_in(StaffFactory())
    assert client.get("/staff/medicare/replies/").status_code == 200
    upload = SimpleUploadedFile(
        "replies.csv",
        (HEADER + _row(submission) + "\nX,H1,1,61,2027-01-01,011,accepted,\n").encode(),
    )
    page = _page_text(client.post("/staff/medicare/replies/", {"file": upload}))
    assert "Loaded: 1 applied, 0 unchanged, 1 with errors." in page
    assert "Not applied" in page and "A CMS contract number is H and 4 digits." in page
    refused = client.post(
        "/staff/medicare/replies/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")}
    )
    assert "error-summary" in refused.content.decode()
    member = UserFactory()
    BeneficiaryFactory(user=member)
    assert _logged_in(member).get("/staff/medicare/replies/").status_code == 403


def test_member_page_says_whether_medicare_has_confirmed() -> None:
    user = UserFactory()
    application = approved(BeneficiaryFactory(user=user))
    client = _logged_in(user)
    assert "Waiting for Medicare to confirm your enrollment" in _page_text(client.get("/me/"))
    submission = submission_of(medi_medi_of(application))
    medicare.submission_record_answer(
        actor=None,
        submission=submission,
        status="rejected",
        reply_code="106",
        reply_text="A later application was received",
    )
    page = _page_text(client.get("/me/"))
    assert "Medicare did not accept the enrollment: A later application was received" in page
    detail = _page_text(client.get(f"/me/applications/{application.pk}/"))
    assert "Medicare did not accept the enrollment: A later application was received" in detail


# ---------------------------------------------------------------------------------------------
# Real concurrency (PostgreSQL)


def _in_parallel(calls: list[Any]) -> list[Any]:
    """Run the calls at the same instant, each in its own thread and database connection."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_staff_answering_at_once_record_one_answer() -> None:
    from rest_framework.test import APIClient

    submission = submission_of(medi_medi_of(approved()))

    def answer(user: Any, body: dict[str, str]) -> Any:
        def call() -> int:
            client = APIClient()
            client.force_authenticate(user)
            url = f"/api/v1/medicare-submissions/{submission.pk}/answer"
            return client.post(url, body, format="json").status_code

        return call

    statuses = _in_parallel(
        [
            answer(StaffFactory(), {"status": "accepted", "reply_code": "011"}),
            answer(StaffFactory(), {"status": "rejected", "reply_code": "106"}),
        ]
    )
    assert sorted(statuses) == [200, 409]
    submission.refresh_from_db()
    assert submission.status_changes.count() == 2
    rejected = submission.status == "rejected"
    assert Notice.objects.filter(kind="medicare_rejection").count() == int(rejected)
    assert Enrollment.objects.filter(cancelled=True).count() == (2 if rejected else 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_same_file_loaded_twice_at_once_is_applied_once() -> None:
    submission = submission_of(medi_medi_of(approved()))
    data = (HEADER + _row(submission, result="rejected", code="106") + "\n").encode()

    def load() -> dict[str, Any]:
        return medicare.reply_file_load(actor=None, file=io.BytesIO(data)).as_dict()

    reports = _in_parallel([load, load])
    assert sorted(report["duplicate_file"] for report in reports) == [False, True]
    assert MedicareReplyFile.objects.count() == 1
    assert Notice.objects.filter(kind="medicare_rejection").count() == 1
    assert ReviewItem.objects.filter(kind="medicare_rejected").count() == 1


def test_admins_read_submissions_in_the_admin_and_the_read_is_audited() -> None:
    submission = submission_of(medi_medi_of(approved()))
    admin_user = AdminFactory()
    client = _logged_in(admin_user)
    assert client.get("/admin/enrollment/medicaresubmission/").status_code == 200
    page = client.get(f"/admin/enrollment/medicaresubmission/{submission.pk}/change/")
    assert page.status_code == 200
    assert AuditEvent.objects.filter(
        actor=admin_user,
        action="read",
        object_type="medicare_submission",
        object_id=str(submission.pk),
    ).exists()
