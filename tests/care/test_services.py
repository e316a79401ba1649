"""Care coordination services: cases opened with enrollment, round-robin, assessments, plans,
the work queue and its daily job."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import AuditEvent
from care import services
from care.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CareCase,
    CareCoordinator,
    CareTask,
    CareTaskChange,
    CoordinatorChange,
    TaskKind,
    TaskStatus,
)
from care.questionnaire import CURRENT_VERSION
from care.tasks import care_daily
from tests.care.conftest import coordinator
from tests.enrollment.conftest import enrolled_member

pytestmark = pytest.mark.django_db

ANSWERS: dict[str, Any] = {
    "general_health": "fair",
    "conditions": ["diabetes", "heart"],
    "hospital_stays": 1,
    "help_with": ["bathing", "meals"],
    "has_caregiver": True,
    "caregiver_relationship": "Daughter",
    "housing": "stable",
    "safe_at_home": True,
    "transportation": True,
    "preferred_language": "es",
    "needs_interpreter": True,
    "format": "large_print",
    "little_interest": "1",
    "feeling_down": "0",
    "substance_concern": False,
    "receives_ihss": True,
    "ihss_hours": 60,
}


def test_a_new_medi_medi_enrollment_opens_a_case_with_a_coordinator_and_an_hra_due_in_90_days(
    case, coordinators
) -> None:
    assert case.coordinator == coordinators[0]
    assessment = case.assessments.get()
    assert assessment.kind == AssessmentKind.INITIAL
    assert assessment.status == AssessmentStatus.DUE
    assert assessment.due_date == date(2025, 2, 1) + timedelta(days=90) == date(2025, 5, 2)
    task = case.tasks.get()
    assert (task.kind, task.status, task.due_date) == (
        TaskKind.HRA,
        TaskStatus.OPEN,
        date(2025, 5, 2),
    )
    assert case.coordinator_changes.get().to_coordinator == coordinators[0]
    assert AuditEvent.objects.filter(object_type="care_case", object_id=str(case.pk)).exists()


def test_coordinators_take_new_members_in_turn_within_the_organization(
    django_capture_on_commit_callbacks, tasks_in_process, coordinators, admin
) -> None:
    from eligibility.models import Organization

    coordinator(admin, organization=Organization.objects.get(code="lacare"))  # never chosen
    inactive = coordinator(admin)
    services.care_coordinator_grant(actor=admin, user=inactive.membership.user, active=False)
    chosen = [
        CareCase.objects.get(
            enrollment__beneficiary=enrolled_member(
                django_capture_on_commit_callbacks, f"P{n}"
            ).beneficiary
        ).coordinator
        for n in range(4)
    ]
    assert chosen == [coordinators[0], coordinators[1], coordinators[0], coordinators[1]]


def test_a_plan_without_coordinators_still_enrolls_and_the_case_waits_unassigned(
    django_capture_on_commit_callbacks, tasks_in_process
) -> None:
    letters = enrolled_member(django_capture_on_commit_callbacks)
    case = CareCase.objects.get(enrollment__beneficiary=letters.beneficiary)
    assert case.coordinator is None
    assert case.tasks.filter(kind=TaskKind.HRA).exists()


def test_reassigning_keeps_every_change_in_history(case, coordinators, staff, admin) -> None:
    services.coordinator_reassign(
        actor=staff, case=case, coordinator=coordinators[1], note="Speaks Spanish"
    )
    case.refresh_from_db()
    assert case.coordinator == coordinators[1]
    changes = list(CoordinatorChange.objects.filter(case=case))
    assert [(c.from_coordinator, c.to_coordinator) for c in changes] == [
        (None, coordinators[0]),
        (coordinators[0], coordinators[1]),
    ]
    assert changes[-1].actor == staff and changes[-1].note == "Speaks Spanish"


def test_reassigning_to_another_organizations_coordinator_is_refused(case, admin, staff) -> None:
    from eligibility.models import Organization

    elsewhere = coordinator(admin, organization=Organization.objects.get(code="lacare"))
    with pytest.raises(DomainError) as refused:
        services.coordinator_reassign(actor=staff, case=case, coordinator=elsewhere)
    assert refused.value.extra["field"] == "coordinator"


def test_staff_of_another_organization_cannot_reassign(case, coordinators, other_staff) -> None:
    with pytest.raises(NotFound):
        services.coordinator_reassign(actor=other_staff, case=case, coordinator=coordinators[1])


def test_only_admins_grant_the_coordinator_capability(staff) -> None:
    with pytest.raises(Forbidden):
        services.care_coordinator_grant(actor=staff, user=staff)


def test_completing_the_hra_opens_the_care_plan_task_and_schedules_the_reassessment(
    case, staff
) -> None:
    assessment = case.assessments.get()
    services.assessment_submit(
        actor=staff, assessment=assessment, answers=ANSWERS, language="es", today=date(2025, 3, 10)
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.completed_on == date(2025, 3, 10)
    assert assessment.questionnaire_version == CURRENT_VERSION
    assert assessment.answers["conditions"] == ["diabetes", "heart"]
    assert assessment.filled_by == "coordinator"
    tasks = {t.kind: t for t in case.tasks.all()}
    assert tasks[TaskKind.HRA].status == TaskStatus.DONE
    assert tasks[TaskKind.CARE_PLAN].due_date == date(2025, 4, 9)  # 30 days (plan policy)
    assert tasks[TaskKind.REASSESSMENT].due_date == date(2026, 3, 10)  # 365 days
    following = case.assessments.get(status=AssessmentStatus.DUE)
    assert following.kind == AssessmentKind.REASSESSMENT


def test_the_member_fills_their_own_assessment_online(case, member) -> None:
    services.assessment_submit(
        actor=member.user, assessment=case.assessments.get(), answers=ANSWERS
    )
    assert case.assessments.get(status=AssessmentStatus.COMPLETED).filled_by == "member"


def test_another_member_cannot_fill_the_assessment(
    case, django_capture_on_commit_callbacks
) -> None:
    from tests.factories import UserFactory

    with pytest.raises(NotFound):
        services.assessment_submit(
            actor=UserFactory(), assessment=case.assessments.get(), answers=ANSWERS
        )


def test_invalid_answers_are_refused_keyed_by_question_in_the_members_language(
    case, member
) -> None:
    answers = {**ANSWERS, "housing": "castle", "hospital_stays": -1}
    del answers["general_health"]
    with pytest.raises(DomainError) as refused:
        services.assessment_submit(
            actor=member.user, assessment=case.assessments.get(), answers=answers, language="es"
        )
    assert refused.value.extra["fields"] == {
        "general_health": "Responda esta pregunta.",
        "housing": "Elija una de las respuestas ofrecidas.",
        "hospital_stays": "Escriba un número entero de 0 a 50.",
    }
    assert case.assessments.get().status == AssessmentStatus.DUE


def test_a_completed_assessment_cannot_be_submitted_twice(case, staff) -> None:
    assessment = case.assessments.get()
    services.assessment_submit(actor=staff, assessment=assessment, answers=ANSWERS)
    with pytest.raises(Conflict):
        services.assessment_submit(actor=staff, assessment=assessment, answers=ANSWERS)


def test_unable_to_reach_after_the_plans_number_of_attempts(case, staff, settings) -> None:
    settings.CARE_HRA_OUTREACH_ATTEMPTS = 3
    assessment = case.assessments.get()
    for day, result in ((3, "no_answer"), (5, "left_message"), (9, "no_answer")):
        services.outreach_record(
            actor=staff,
            assessment=assessment,
            attempted_on=date(2025, 2, day),
            channel="phone",
            result=result,
            today=date(2025, 2, 20),
        )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.UNABLE_TO_REACH
    assert assessment.attempts.count() == 3
    assert case.tasks.get(kind=TaskKind.HRA).status == TaskStatus.CLOSED
    assert case.assessments.get(status="due").due_date == date(2025, 2, 9) + timedelta(days=365)


def test_a_refusal_closes_the_assessment(case, staff) -> None:
    assessment = case.assessments.get()
    services.outreach_record(
        actor=staff,
        assessment=assessment,
        attempted_on=date(2025, 2, 3),
        channel="phone",
        result="refused",
        today=date(2025, 2, 3),
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REFUSED
    assert [c.to_status for c in assessment.changes.all()] == ["due", "refused"]


def test_an_attempt_in_the_future_is_refused(case, staff) -> None:
    with pytest.raises(DomainError) as refused:
        services.outreach_record(
            actor=staff,
            assessment=case.assessments.get(),
            attempted_on=date(2025, 3, 1),
            channel="phone",
            result="no_answer",
            today=date(2025, 2, 1),
        )
    assert refused.value.extra["field"] == "attempted_on"


def test_a_care_plan_from_the_assessment_closes_its_task_and_revisions_are_kept(
    case, staff
) -> None:
    assessment = case.assessments.get()
    services.assessment_submit(actor=staff, assessment=assessment, answers=ANSWERS)
    worker = services.team_member_add(
        actor=staff,
        case=case,
        role="ihss_social_worker",
        name="County IHSS office",
        phone="650-555-0100",
    )
    first = services.care_plan_write(
        actor=staff,
        case=case,
        assessment=assessment,
        items=[
            services.PlanItemInput(
                "goal", "Keep blood sugar in range", date(2025, 9, 1), owner_is_member=True
            ),
            services.PlanItemInput(
                "service", "Reassess IHSS hours", date(2025, 5, 1), owner=worker.pk
            ),
        ],
    )
    assert case.tasks.get(kind=TaskKind.CARE_PLAN).status == TaskStatus.DONE
    second = services.care_plan_write(
        actor=staff,
        case=case,
        reason="Hospital stay in June",
        items=[services.PlanItemInput("goal", "No readmission in 30 days", date(2025, 7, 31))],
    )
    assert (first.revision, second.revision) == (1, 2)
    assert first.items.count() == 2  # the earlier revision is unchanged
    services.care_plan_share(actor=staff, care_plan=second, today=date(2025, 7, 2))
    with pytest.raises(Conflict):
        services.care_plan_share(actor=staff, care_plan=second)


def test_a_care_plan_needs_a_goal_and_owners_on_the_team(case, staff) -> None:
    with pytest.raises(DomainError) as no_goal:
        services.care_plan_write(
            actor=staff,
            case=case,
            reason="Hospital stay",
            items=[services.PlanItemInput("service", "Home health", date(2025, 7, 1))],
        )
    assert no_goal.value.extra["field"] == "items"
    with pytest.raises(DomainError) as stranger:
        services.care_plan_write(
            actor=staff,
            case=case,
            reason="Hospital stay",
            items=[services.PlanItemInput("goal", "Walk daily", date(2025, 7, 1), owner=999999)],
        )
    assert stranger.value.extra["field"] == "items"


def test_the_daily_job_marks_overdue_items_once_with_a_change_row(case) -> None:
    with transaction.atomic():
        assert services.care_tasks_mark_overdue(today=date(2025, 5, 2)) == 0  # due today: not yet
    assert services.care_tasks_mark_overdue(today=date(2025, 5, 3)) == 1
    assert services.care_tasks_mark_overdue(today=date(2025, 5, 4)) == 0  # never twice
    task = case.tasks.get()
    assert task.overdue and task.overdue_since == date(2025, 5, 3)
    assert CareTaskChange.objects.filter(task=task, to_status="overdue").count() == 1


def test_the_beat_task_marks_overdue_and_opens_missing_cases(case) -> None:
    # An enrollment from before care coordination existed has no case until the daily job.
    CareTask.objects.filter(case=case).delete()
    Assessment.objects.filter(case=case).delete()
    enrollment = case.enrollment
    CoordinatorChange.objects.filter(case=case).delete()
    case.delete()
    result = care_daily.delay().get()
    assert result["opened"] == 1
    reopened = CareCase.objects.get(enrollment=enrollment)
    # Its assessment was due 2025-05-02, long past by now: marked at once.
    assert reopened.tasks.get().overdue is True
    assert result["overdue"] == 1
    assert care_daily.delay().get() == {
        "opened": 0,
        "closed": 0,
        "overdue": 0,
        "appeals_overdue": 0,
        "continuity_letters": 0,
    }


def test_the_beat_schedule_runs_the_care_job_daily(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["care-daily"]
    assert entry["task"] == "care.tasks.care_daily"


def test_coordinator_capability_needs_a_staff_membership(admin) -> None:
    from tests.factories import UserFactory

    with pytest.raises(DomainError):
        services.care_coordinator_grant(actor=admin, user=UserFactory())
    assert not CareCoordinator.objects.filter(membership__user__role="member").exists()


def test_the_daily_job_closes_the_work_of_an_enrollment_that_ended(case, member, staff) -> None:
    from enrollment import services as enrollment_services

    enrollment_services.enrollment_disenroll(
        enrollment=case.enrollment, actor=staff, requested_on=date(2025, 3, 10)
    )
    assert services.care_tasks_close_ended(today=date(2025, 3, 31)) == 0  # covered through today
    assert services.care_tasks_close_ended(today=date(2025, 4, 1)) == 1
    task = case.tasks.get()
    assert task.status == TaskStatus.CLOSED
    assert [c.to_status for c in task.changes.all()] == ["open", "closed"]
    assert services.care_tasks_mark_overdue(today=date(2025, 6, 1)) == 0  # closed: never overdue


def explode(*, enrollment: Any, actor: Any) -> None:
    raise RuntimeError("care step failed")


def test_the_case_is_opened_in_the_approvals_transaction(
    django_capture_on_commit_callbacks, tasks_in_process, settings
) -> None:
    """A failing step rolls the approval back: no enrollment without its care case."""
    from enrollment.models import Application, Enrollment

    settings.MEDI_MEDI_ENROLLMENT_STARTED = ["tests.care.test_services.explode"]
    with pytest.raises(RuntimeError):
        enrolled_member(django_capture_on_commit_callbacks)
    assert not Enrollment.objects.exists()
    assert Application.objects.get().status == "submitted"
