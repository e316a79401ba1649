"""The care API: status codes, error bodies, and who sees what across organizations."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuditEvent, User
from care import services
from care.models import CareCase, ContinuityRequest, TaskKind
from tests.auth_helpers import login_verified
from tests.care.test_services import ANSWERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID_NPI = "1234567893"  # CMS's published example of a valid NPI


def client_for(user: User) -> Client:
    return login_verified(Client(), user)


def post(user: User, path: str, body: dict[str, Any]) -> Any:
    return client_for(user).post(path, body, content_type="application/json")


def test_npi_check_digit() -> None:
    assert services.npi_is_valid(VALID_NPI)
    assert not services.npi_is_valid("1234567890")
    assert not services.npi_is_valid("123456789")
    assert not services.npi_is_valid("12345678a3")


def test_staff_read_a_members_care_and_the_read_is_audited(case, staff, coordinators) -> None:
    answer = client_for(staff).get(f"/api/v1/enrollments/{case.enrollment_id}/care")
    assert answer.status_code == 200
    body = answer.json()
    assert body["coordinator"]["id"] == coordinators[0].pk
    assert body["hra"] == {
        "id": case.assessments.get().pk,
        "kind": "initial",
        "due_date": "2025-05-02",
        "status": "due",
        "overdue": False,
        "attempts": [],
        "completed_on": None,
    }
    assert body["care_plan"] is None
    assert [entry["role"] for entry in body["care_team"]] == ["member", "care_coordinator"]
    assert AuditEvent.objects.filter(actor=staff, object_type="care_case", action="read").exists()


def test_the_member_sees_only_shared_plans_and_their_team(case, member, staff) -> None:
    services.assessment_submit(actor=staff, assessment=case.assessments.get(), answers=ANSWERS)
    plan = services.care_plan_write(
        actor=staff,
        case=case,
        assessment=case.assessments.get(status="completed"),
        items=[
            services.PlanItemInput("goal", "Walk daily", date(2025, 6, 1), owner_is_member=True)
        ],
    )
    assert (
        client_for(member.user)
        .get(f"/api/v1/enrollments/{case.enrollment_id}/care")
        .json()["care_plan"]
        is None
    )
    services.care_plan_share(actor=staff, care_plan=plan)
    body = client_for(member.user).get(f"/api/v1/enrollments/{case.enrollment_id}/care").json()
    assert body["care_plan"]["revision"] == 1
    assert body["care_plan"]["items"][0]["owner"] == "member"
    assert body["hra"]["kind"] == "reassessment"


def test_care_is_404_to_other_organizations_and_other_members(case, other_staff) -> None:
    path = f"/api/v1/enrollments/{case.enrollment_id}/care"
    for user in (other_staff, UserFactory()):
        answer = client_for(user).get(path)
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
    assert Client().get(path).status_code == 401


def test_the_work_queue_filters_by_kind_status_and_overdue(case, staff, other_staff) -> None:
    services.care_tasks_mark_overdue(today=date(2025, 6, 1))
    answer = client_for(staff).get("/api/v1/care/tasks", {"kind": "hra", "overdue": "true"})
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [(r["kind"], r["overdue"], r["enrollment"]) for r in rows] == [
        ("hra", True, case.enrollment_id)
    ]
    assert client_for(staff).get("/api/v1/care/tasks", {"kind": "care_plan"}).json()["count"] == 0
    assert client_for(other_staff).get("/api/v1/care/tasks").json()["count"] == 0
    bad = client_for(staff).get("/api/v1/care/tasks", {"kind": "lunch"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_members_may_not_read_the_work_queue(member) -> None:
    answer = client_for(member.user).get("/api/v1/care/tasks")
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


def _request_body(case: CareCase, **overrides: Any) -> dict[str, Any]:
    return {
        "enrollment": case.enrollment_id,
        "provider_name": "Dr. Lena Ortiz",
        "npi": VALID_NPI,
        "specialty": "Cardiology",
        "last_seen_on": "2024-11-20",
        **overrides,
    }


def test_a_member_asks_for_continuity_of_care_and_gets_the_decision_due_date(case, member) -> None:
    answer = post(member.user, "/api/v1/continuity-requests", _request_body(case))
    assert answer.status_code == 201
    body = answer.json()
    received = date.fromisoformat(body["received_on"])
    assert body["decision_due"] == (received + timedelta(days=30)).isoformat()
    assert body["status"] == "pending"
    urgent = post(
        member.user, "/api/v1/continuity-requests", _request_body(case, urgency="risk_of_harm")
    )
    assert urgent.json()["decision_due"] == (received + timedelta(days=3)).isoformat()


def test_a_bad_npi_and_a_future_visit_are_400_keyed_by_field(case, member) -> None:
    answer = post(
        member.user,
        "/api/v1/continuity-requests",
        _request_body(case, npi="1234567890", last_seen_on="2150-01-01"),
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "npi": ["An NPI has 10 digits and a valid check digit."],
        "last_seen_on": ["The date last seen cannot be in the future."],
    }
    missing = post(member.user, "/api/v1/continuity-requests", {"enrollment": case.enrollment_id})
    assert missing.status_code == 400 and set(missing.json()) >= {"npi", "provider_name"}


def test_continuity_for_someone_elses_enrollment_is_404(case, other_staff) -> None:
    for user in (other_staff, UserFactory()):
        answer = post(user, "/api/v1/continuity-requests", _request_body(case))
        assert answer.status_code == 404


def test_approval_lasts_up_to_12_months_from_the_enrollment_start(case, member, staff) -> None:
    created = post(member.user, "/api/v1/continuity-requests", _request_body(case)).json()
    path = f"/api/v1/continuity-requests/{created['id']}/decide"
    assert post(member.user, path, {"decision": "approved"}).status_code == 403
    answer = post(staff, path, {"decision": "approved", "note": "Letter of agreement signed"})
    assert answer.status_code == 200
    assert answer.json()["valid_until"] == "2026-01-31"  # enrollment started 2025-02-01
    again = post(staff, path, {"decision": "denied", "note": "x"})
    assert again.status_code == 409
    assert again.json()["status"] == "approved"
    assert [c.to_status for c in ContinuityRequest.objects.get().changes.all()] == [
        "pending",
        "approved",
    ]


def test_a_provider_not_seen_in_the_12_months_before_enrolling_cannot_be_approved(
    case, member, staff
) -> None:
    created = post(
        member.user, "/api/v1/continuity-requests", _request_body(case, last_seen_on="2023-12-31")
    ).json()
    path = f"/api/v1/continuity-requests/{created['id']}/decide"
    refused = post(staff, path, {"decision": "approved"})
    assert refused.status_code == 400
    assert list(refused.json()) == ["decision"]
    assert post(staff, path, {"decision": "denied"}).json() == {
        "note": ["Write why the request is denied."]
    }
    assert (
        post(
            staff, path, {"decision": "denied", "note": "Not seen in the last 12 months"}
        ).status_code
        == 200
    )


def test_other_organizations_cannot_decide(case, member, other_staff) -> None:
    created = post(member.user, "/api/v1/continuity-requests", _request_body(case)).json()
    answer = post(
        other_staff, f"/api/v1/continuity-requests/{created['id']}/decide", {"decision": "approved"}
    )
    assert answer.status_code == 404


def test_an_unknown_kind_is_not_in_the_queue(case, staff) -> None:
    kinds = {row["kind"] for row in client_for(staff).get("/api/v1/care/tasks").json()["results"]}
    assert kinds <= set(TaskKind.values)


def test_a_request_is_a_work_item_until_decided_and_its_end_is_tracked(case, member, staff) -> None:
    from care.models import CareTask

    created = post(member.user, "/api/v1/continuity-requests", _request_body(case)).json()
    item = CareTask.objects.get(kind="continuity")
    assert (item.continuity_request_id, item.due_date.isoformat()) == (
        created["id"],
        created["decision_due"],
    )
    queue = client_for(staff).get("/api/v1/care/tasks", {"kind": "continuity"}).json()["results"]
    assert [row["continuity_request"] for row in queue] == [created["id"]]
    post(staff, f"/api/v1/continuity-requests/{created['id']}/decide", {"decision": "approved"})
    item.refresh_from_db()
    assert item.status == "done"
    ending = CareTask.objects.get(kind="continuity_end")
    assert ending.due_date == date(2026, 1, 1)  # 30 days before 2026-01-31
    answer = client_for(staff).post(f"/staff/care/tasks/{ending.pk}/done/")
    assert answer.status_code == 302
    ending.refresh_from_db()
    assert ending.status == "done"
    with pytest.raises(services.Conflict):
        services.care_task_done(actor=staff, task=ending)
    with pytest.raises(services.DomainError):
        services.care_task_done(actor=staff, task=case.tasks.get(kind="hra"))
