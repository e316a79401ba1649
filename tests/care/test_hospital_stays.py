"""Hospital stays: recording one prompts the care plan's revision (issue 13: "revised after each
reassessment or hospital stay")."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import AuditEvent, User
from care import services
from care.models import CareCase, CareTask, HospitalStay, PlanItemKind, TaskKind, TaskStatus
from tests.auth_helpers import login_verified
from tests.enrollment.conftest import enrolled_member

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


def _hospital_tasks(case: CareCase) -> list[CareTask]:
    return list(case.tasks.filter(kind=TaskKind.CARE_PLAN, assessment__isnull=True))


def _record(actor: User, case: CareCase, **kwargs: Any) -> HospitalStay:
    fields = {"facility": "Seton Medical Center", "admitted_on": date(2025, 6, 1), **kwargs}
    return services.hospital_stay_record(actor=actor, case_id=case.pk, today=TODAY, **fields)


def _goal() -> list[services.PlanItemInput]:
    return [
        services.PlanItemInput(
            kind=PlanItemKind.GOAL, description="Home safely", target_date=date(2025, 9, 1)
        )
    ]


def _fields(exc: pytest.ExceptionInfo[DomainError]) -> dict[str, str]:
    fields = exc.value.extra["fields"]
    assert isinstance(fields, dict)
    return fields


def client_for(user: User) -> Client:
    return login_verified(Client(), user)


def test_a_stay_with_its_discharge_opens_one_care_plan_item_due_30_days_later(case, staff) -> None:
    stay = _record(staff, case, discharged_on=date(2025, 6, 10))
    [task] = _hospital_tasks(case)
    assert task.status == TaskStatus.OPEN and task.due_date == date(2025, 7, 10)
    assert task.changes.filter(to_status=TaskStatus.OPEN).count() == 1
    assert task.hospital_stay == stay and task.assessment is None
    assert stay.recorded_by == staff and stay.facility == "Seton Medical Center"
    audit = AuditEvent.objects.get(object_type="hospital_stay", object_id=str(stay.pk))
    assert audit.action == "create" and audit.actor == staff
    assert "Seton" not in str(audit.detail)


@override_settings(CARE_PLAN_AFTER_DISCHARGE_DAYS=14)
def test_the_days_after_discharge_come_from_the_setting(case, staff) -> None:
    _record(staff, case, discharged_on=date(2025, 6, 10))
    assert [t.due_date for t in _hospital_tasks(case)] == [date(2025, 6, 24)]


def test_a_stay_still_in_hospital_opens_nothing_until_the_discharge_is_recorded(
    case, staff
) -> None:
    stay = _record(staff, case)
    assert _hospital_tasks(case) == []
    services.hospital_stay_discharge(
        actor=staff, stay_id=stay.pk, discharged_on=date(2025, 6, 20), today=TODAY
    )
    stay.refresh_from_db()
    assert stay.discharged_on == date(2025, 6, 20)
    assert [t.due_date for t in _hospital_tasks(case)] == [date(2025, 7, 20)]
    assert stay.history.count() == 2  # recorded, then discharged
    with pytest.raises(Conflict):
        services.hospital_stay_discharge(
            actor=staff, stay_id=stay.pk, discharged_on=date(2025, 6, 21), today=TODAY
        )


def test_a_second_stay_while_the_item_is_open_keeps_one_item_with_the_earlier_due_date(
    case, staff
) -> None:
    _record(staff, case, discharged_on=date(2025, 6, 5))
    _record(
        staff,
        case,
        facility="Mills-Peninsula",
        admitted_on=date(2025, 6, 12),
        discharged_on=date(2025, 6, 15),
    )
    [task] = _hospital_tasks(case)
    assert task.due_date == date(2025, 7, 5)
    assert case.hospital_stays.count() == 2


def test_a_revision_for_the_hospital_stay_finishes_the_item(case, staff) -> None:
    stay = _record(staff, case, discharged_on=date(2025, 6, 10))
    plan = services.care_plan_write(actor=staff, case=case, items=_goal(), hospital_stay=stay)
    assert (plan.hospital_stay, plan.reason) == (stay, "Hospital stay")
    [task] = _hospital_tasks(case)
    assert task.status == TaskStatus.DONE and task.finished_at is not None
    assert task.changes.filter(to_status=TaskStatus.DONE, actor=staff).exists()
    # The next discharge opens a new item.
    _record(staff, case, admitted_on=date(2025, 6, 20), discharged_on=date(2025, 6, 25))
    assert [t.status for t in _hospital_tasks(case)] == [TaskStatus.DONE, TaskStatus.OPEN]


def test_a_revision_for_another_reason_leaves_the_item_open(case, staff) -> None:
    _record(staff, case, discharged_on=date(2025, 6, 10))
    # Only the stay chosen as a field counts: a reason that mentions a stay is just words.
    services.care_plan_write(
        actor=staff, case=case, items=_goal(), reason="Hospital stay talk, new caregiver"
    )
    assert [t.status for t in _hospital_tasks(case)] == [TaskStatus.OPEN]


def test_a_revision_naming_another_members_hospital_stay_is_refused(
    case, staff, django_capture_on_commit_callbacks
) -> None:
    other = enrolled_member(django_capture_on_commit_callbacks, first_name="Ana")
    other_case = CareCase.objects.get(enrollment__beneficiary=other.beneficiary)
    stay = _record(staff, other_case, discharged_on=date(2025, 6, 10))
    with pytest.raises(DomainError) as refused:
        services.care_plan_write(actor=staff, case=case, items=_goal(), hospital_stay=stay)
    assert refused.value.extra["field"] == "hospital_stay"


def test_dates_in_the_future_or_a_discharge_before_admission_are_refused_by_field(
    case, staff
) -> None:
    with pytest.raises(DomainError) as future:
        _record(staff, case, admitted_on=TODAY + timedelta(days=1))
    assert set(_fields(future)) == {"admitted_on"}
    with pytest.raises(DomainError) as before:
        _record(staff, case, admitted_on=date(2025, 6, 10), discharged_on=date(2025, 6, 9))
    assert _fields(before) == {
        "discharged_on": "The discharge date cannot be before the admission date."
    }
    with pytest.raises(DomainError) as later:
        _record(staff, case, discharged_on=TODAY + timedelta(days=1), facility=" ")
    assert set(_fields(later)) == {"discharged_on", "facility"}
    stay = _record(staff, case)
    with pytest.raises(DomainError) as discharge:
        services.hospital_stay_discharge(
            actor=staff, stay_id=stay.pk, discharged_on=date(2025, 5, 31), today=TODAY
        )
    assert set(_fields(discharge)) == {"discharged_on"}
    assert case.hospital_stays.count() == 1 and _hospital_tasks(case) == []


def test_another_organization_gets_404_and_members_403(case, member, other_staff, staff) -> None:
    with pytest.raises(NotFound):
        _record(other_staff, case, discharged_on=date(2025, 6, 10))
    with pytest.raises(Forbidden):
        _record(member.user, case, discharged_on=date(2025, 6, 10))
    stay = _record(staff, case)
    with pytest.raises(NotFound):
        services.hospital_stay_discharge(
            actor=other_staff, stay_id=stay.pk, discharged_on=date(2025, 6, 10), today=TODAY
        )
    assert case.hospital_stays.count() == 1 and _hospital_tasks(case) == []


def test_the_api_records_a_stay_201_and_shows_it_on_the_care(case, staff) -> None:
    client = client_for(staff)
    path = f"/api/v1/enrollments/{case.enrollment_id}/care/hospital-stays"
    answer = client.post(
        path,
        {"facility": "Seton", "admitted_on": "2025-06-01", "discharged_on": "2025-06-10"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert answer.json()["discharged_on"] == "2025-06-10"
    assert [t.due_date for t in _hospital_tasks(case)] == [date(2025, 7, 10)]
    care = client.get(f"/api/v1/enrollments/{case.enrollment_id}/care").json()
    assert [(s["facility"], s["admitted_on"]) for s in care["hospital_stays"]] == [
        ("Seton", "2025-06-01")
    ]


def test_the_api_answers_400_by_field_403_to_members_404_to_other_organizations(
    case, staff, member, other_staff
) -> None:
    path = f"/api/v1/enrollments/{case.enrollment_id}/care/hospital-stays"
    body = {"facility": "Seton", "admitted_on": "2025-06-10", "discharged_on": "2025-06-01"}
    bad = client_for(staff).post(path, body, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json() == {
        "discharged_on": ["The discharge date cannot be before the admission date."]
    }
    assert (
        client_for(member.user).post(path, body, content_type="application/json").status_code == 403
    )
    assert (
        client_for(other_staff).post(path, body, content_type="application/json").status_code == 404
    )
    stay = _record(staff, case)
    discharge = f"/api/v1/care/hospital-stays/{stay.pk}/discharge"
    ok = {"discharged_on": "2025-06-20"}
    assert (
        client_for(other_staff).post(discharge, ok, content_type="application/json").status_code
        == 404
    )
    assert (
        client_for(member.user).post(discharge, ok, content_type="application/json").status_code
        == 403
    )
    done = client_for(staff).post(discharge, ok, content_type="application/json")
    assert done.status_code == 200 and done.json()["discharged_on"] == "2025-06-20"
    again = client_for(staff).post(discharge, ok, content_type="application/json")
    assert again.status_code == 409


def test_staff_record_a_stay_and_its_discharge_on_the_case_page(case, staff) -> None:
    client = client_for(staff)
    page = f"/staff/care/enrollments/{case.enrollment_id}/"
    bad = client.post(
        f"{page}hospital-stays/",
        {"hospital-facility": "Seton", "hospital-admitted_on": "2150-01-01"},
    )
    assert bad.status_code == 400
    assert "The admission date cannot be in the future." in bad.content.decode()
    answer = client.post(
        f"{page}hospital-stays/",
        {"hospital-facility": "Seton", "hospital-admitted_on": "2025-06-01"},
    )
    assert answer.status_code == 302 and answer["Location"] == page
    stay = case.hospital_stays.get()
    shown = client.get(page).content.decode()
    assert "Seton" in shown and "Still in hospital" in shown
    assert _hospital_tasks(case) == []
    discharged = client.post(
        f"/staff/care/hospital-stays/{stay.pk}/discharge/",
        {"discharge-discharged_on": "2025-06-10"},
    )
    assert discharged.status_code == 302 and discharged["Location"] == page
    assert [t.due_date for t in _hospital_tasks(case)] == [date(2025, 7, 10)]
    # The care plan page offers the stay; writing the revision after it finishes the item.
    plan_page = f"/staff/care/enrollments/{case.enrollment_id}/plan/"
    assert f'<option value="{stay.pk}">Seton, June 1, 2025 to June 10, 2025</option>' in (
        client.get(plan_page).content.decode()
    )
    written = client.post(
        plan_page,
        {
            "plan-hospital_stay": str(stay.pk),
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-kind": "goal",
            "items-0-description": "Home safely",
            "items-0-owner": "member",
            "items-0-target_date": "2025-09-01",
        },
    )
    assert written.status_code == 302
    assert case.care_plans.get().hospital_stay == stay
    assert [t.status for t in _hospital_tasks(case)] == [TaskStatus.DONE]
