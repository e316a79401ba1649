"""Medicare's answer in the API: `medicare` on enrollments and applications, answering a
submission, loading a reply file, and every refusal with its status code and body."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from eligibility.models import Organization
from enrollment.models import Enrollment, EnrollmentKind, MedicareSubmission
from tests.enrollment.conftest import Letters, enrolled_member
from tests.factories import AdminFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "mbi,contract,pbp,transaction,effective_date,reply_code,result\n"


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def member(django_capture_on_commit_callbacks: Any) -> Letters:
    return enrolled_member(django_capture_on_commit_callbacks)


def submission_of(member: Letters) -> MedicareSubmission:
    return MedicareSubmission.objects.get(enrollment__beneficiary=member.beneficiary)


def answer_url(submission: MedicareSubmission) -> str:
    return f"/api/v1/medicare-submissions/{submission.pk}/answer"


def reply_file(member: Letters, result: str = "accepted", code: str = "011") -> Any:
    submission = submission_of(member)
    row = ",".join(
        [
            member.beneficiary.mbi,
            "H0001",
            "001",
            "61",
            submission.effective_date.isoformat(),
            code,
            result,
        ]
    )
    return SimpleUploadedFile("replies.csv", (HEADER + row + "\n").encode(), "text/csv")


def test_application_and_enrollments_show_that_medicare_has_not_answered_yet(
    member: Letters,
) -> None:
    client = client_for(member.user)
    application = client.get(f"/api/v1/applications/{member.application.pk}").json()
    assert application["medicare"]["status"] == "pending"
    assert application["medicare"]["kind"] == "enrollment"
    assert application["medicare"]["transaction_type"] == "61"
    assert application["medicare"]["reply_code"] is None
    assert application["medicare"]["answered_at"] is None
    by_kind = {e["kind"]: e for e in application["enrollments"]}
    assert by_kind["medi_medi"]["medicare"]["status"] == "pending"
    assert by_kind["medi_cal"]["medicare"] is None
    rows = client.get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/enrollments").json()
    assert {row["kind"]: row["medicare"] and row["medicare"]["status"] for row in rows} == {
        "medi_medi": "pending",
        "medi_cal": None,
    }


def test_staff_record_an_acceptance_and_the_member_sees_it(member: Letters) -> None:
    staff = StaffFactory()
    submission = submission_of(member)
    response = client_for(staff).post(
        answer_url(submission), {"status": "accepted", "reply_code": "011"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["reply_code"], body["reply_text"]) == (
        "accepted",
        "011",
        "Enrollment accepted",
    )
    assert [h["to_status"] for h in body["history"]] == ["pending", "accepted"]
    mine = client_for(member.user).get(f"/api/v1/applications/{member.application.pk}").json()
    assert mine["medicare"]["status"] == "accepted"
    assert mine["medicare"]["answered_at"] is not None


def test_a_rejection_cancels_the_pair_in_the_answer(member: Letters) -> None:
    submission = submission_of(member)
    response = client_for(AdminFactory()).post(
        answer_url(submission),
        {"status": "rejected", "reply_code": "106", "reply_text": "Later application"},
        format="json",
    )
    assert response.status_code == 200
    assert Enrollment.objects.filter(beneficiary=member.beneficiary, cancelled=True).count() == 2
    rows = client_for(member.user).get(f"/api/v1/beneficiaries/{member.beneficiary.pk}/enrollments")
    medi_medi = next(row for row in rows.json() if row["kind"] == EnrollmentKind.MEDI_MEDI)
    assert medi_medi["cancelled"] is True
    assert medi_medi["end_reason"] == "cms_rejected"
    assert medi_medi["medicare"]["reply_text"] == "Later application"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "maybe"}, "status"),
        ({"status": "rejected"}, "reply_code"),
        ({"status": "rejected", "reply_code": "12a"}, "reply_code"),
        ({"status": "accepted", "reply_code": "106"}, "status"),
    ],
)
def test_a_bad_answer_is_a_field_keyed_400(
    member: Letters, body: dict[str, str], field: str
) -> None:
    response = client_for(StaffFactory()).post(
        answer_url(submission_of(member)), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert submission_of(member).status == "pending"


def test_a_second_different_answer_is_a_409_with_the_status(member: Letters) -> None:
    client = client_for(StaffFactory())
    url = answer_url(submission_of(member))
    assert client.post(url, {"status": "accepted"}, format="json").status_code == 200
    again = client.post(url, {"status": "accepted"}, format="json")
    assert again.status_code == 200  # the same answer: nothing changes
    response = client.post(url, {"status": "rejected", "reply_code": "106"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["status"] == "accepted"


def test_who_may_answer(member: Letters) -> None:
    url = answer_url(submission_of(member))
    body = {"status": "accepted"}
    other_staff = StaffFactory(organization=Organization.objects.get(code="lacare"))
    assert client_for(None).post(url, body, format="json").status_code == 401
    response = client_for(member.user).post(url, body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = client_for(other_staff).post(url, {}, format="json")
    assert response.status_code == 404  # before the body is looked at
    assert response.json() == {"detail": "No such Medicare submission.", "code": "not_found"}
    missing = client_for(StaffFactory()).post(
        "/api/v1/medicare-submissions/99999/answer", body, format="json"
    )
    assert missing.status_code == 404
    assert submission_of(member).status == "pending"


def test_reply_file_upload_reports_rows_and_a_reload_is_a_200_duplicate(member: Letters) -> None:
    client = client_for(StaffFactory())
    first = client.post(
        "/api/v1/medicare-replies", {"file": reply_file(member)}, format="multipart"
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["rows"], body["applied"], body["errors"]) == (1, 1, 0)
    assert body["results"] == [
        {"line": 2, "status": "applied", "submission": submission_of(member).pk, "errors": {}}
    ]
    second = client.post(
        "/api/v1/medicare-replies", {"file": reply_file(member)}, format="multipart"
    )
    assert second.status_code == 200
    assert second.json()["duplicate_file"] is True and second.json()["id"] == body["id"]


def test_reply_file_bad_rows_come_back_by_line_and_field(member: Letters) -> None:
    upload = SimpleUploadedFile(
        "bad.csv", (HEADER + "X,H1,1,61,2027-02-30,011,accepted\n").encode(), "text/csv"
    )
    response = client_for(StaffFactory()).post(
        "/api/v1/medicare-replies", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    row = response.json()["results"][0]
    assert row["line"] == 2 and row["status"] == "error"
    assert set(row["errors"]) == {"mbi", "contract", "pbp", "effective_date"}


def test_a_file_that_is_not_a_reply_file_is_a_400_on_file(member: Letters) -> None:
    upload = SimpleUploadedFile("x.csv", b"name,date\nRosa,2027-01-01\n", "text/csv")
    response = client_for(StaffFactory()).post(
        "/api/v1/medicare-replies", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()
    missing = client_for(StaffFactory()).post("/api/v1/medicare-replies", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()


def test_members_and_anonymous_cannot_load_reply_files(member: Letters) -> None:
    assert (
        client_for(None)
        .post("/api/v1/medicare-replies", {"file": reply_file(member)}, format="multipart")
        .status_code
        == 401
    )
    response = client_for(UserFactory()).post(
        "/api/v1/medicare-replies", {"file": reply_file(member)}
    )
    assert response.status_code == 403
