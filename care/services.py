"""Writes for care coordination and continuity of care. Pages, API and tasks call these.

Each service runs in one transaction, takes the acting user (``actor``; None for a system job),
decides access with ``care.access``, refuses an illegal move with ``Conflict`` (409), writes the
change row and the audit row (ids only). Deadlines come from settings (docs/care.md cites each).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, Max, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import User
from accounts.services import audit_record
from care import access, questionnaire
from care.models import (
    ASSESSMENT_TRANSITIONS,
    CONTINUITY_TRANSITIONS,
    UNSUCCESSFUL_RESULTS,
    Assessment,
    AssessmentChange,
    AssessmentKind,
    AssessmentStatus,
    CareCase,
    CareCoordinator,
    CarePlan,
    CarePlanItem,
    CareTask,
    CareTaskChange,
    CareTeamMember,
    ContinuityRequest,
    ContinuityRequestChange,
    ContinuityStatus,
    ContinuityUrgency,
    CoordinatorChange,
    FilledBy,
    HospitalStay,
    OutreachAttempt,
    OutreachResult,
    PlanItemKind,
    TaskKind,
    TaskStatus,
    TeamRole,
)
from eligibility.models import StaffMembership
from eligibility.notifications import letter_queue, recipient_snapshot
from eligibility.selectors import california_today
from enrollment.models import Enrollment, EnrollmentKind
from notices.models import Notice, NoticeKind


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _audit(
    actor: User | None, action: str, object_type: str, object_id: object, **detail: Any
) -> None:
    audit_record(
        actor=actor, action=action, object_type=object_type, object_id=object_id, detail=detail
    )


# ---------------------------------------------------------------------------------------------
# Coordinators


@transaction.atomic
def care_coordinator_grant(
    *, actor: User | None, user: User, active: bool = True
) -> CareCoordinator:
    """Give a staff member the care coordinator capability (or take it away: ``active=False``).

    Only admins (or a system job) grant it; the staff member must work for an organization.
    """
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only administrators give the care coordinator capability.")
    membership = StaffMembership.objects.filter(user=user).first()
    if membership is None:
        raise DomainError("Only staff of an organization can be care coordinators.", field="user")
    coordinator, _ = CareCoordinator.objects.get_or_create(membership=membership)
    if coordinator.active != active:
        coordinator.active = active
        coordinator.save(update_fields=["active"])
    _audit(actor, "update", "care_coordinator", coordinator.pk, user=user.pk, active=active)
    return coordinator


def _next_coordinator(organization_id: int) -> CareCoordinator | None:
    """The organization's active coordinator whose turn it is (round-robin), locked and moved
    to the end of the line; None when the organization has none."""
    candidates = list(
        CareCoordinator.objects.select_for_update()
        .filter(active=True, membership__organization_id=organization_id)
        .order_by("pk")
    )
    if not candidates:
        return None
    chosen = min(
        candidates,
        key=lambda c: (c.last_assigned_at is not None, c.last_assigned_at or timezone.now(), c.pk),
    )
    chosen.last_assigned_at = timezone.now()
    chosen.save(update_fields=["last_assigned_at"])
    return chosen


def _assessment_open(case: CareCase, *, kind: str, due_date: date) -> Assessment:
    assessment = Assessment.objects.create(case=case, kind=kind, due_date=due_date)
    AssessmentChange.objects.create(assessment=assessment, to_status=AssessmentStatus.DUE)
    task_kind = TaskKind.HRA if kind == AssessmentKind.INITIAL else TaskKind.REASSESSMENT
    _task_open(case, kind=task_kind, due_date=due_date, assessment=assessment)
    return assessment


def _task_open(
    case: CareCase,
    *,
    kind: str,
    due_date: date,
    assessment: Assessment | None = None,
    continuity_request: ContinuityRequest | None = None,
    hospital_stay: HospitalStay | None = None,
) -> CareTask:
    task = CareTask.objects.create(
        case=case,
        kind=kind,
        due_date=due_date,
        assessment=assessment,
        continuity_request=continuity_request,
        hospital_stay=hospital_stay,
    )
    CareTaskChange.objects.create(task=task, to_status=TaskStatus.OPEN)
    return task


def _tasks_finish(tasks: Iterable[CareTask], *, to_status: str, actor: User | None) -> None:
    for task in tasks:
        if task.status != TaskStatus.OPEN:
            continue
        CareTaskChange.objects.create(
            task=task, from_status=task.status, to_status=to_status, actor=actor
        )
        task.status = to_status
        task.finished_at = timezone.now()
        task.save(update_fields=["status", "finished_at"])


def care_case_open(*, enrollment: Enrollment, actor: User | None) -> CareCase | None:
    """Open care coordination for a new Medi-Medi enrollment: idempotent, never raises for a
    plan without coordinators.

    Runs inside the approval's transaction (``MEDI_MEDI_ENROLLMENT_STARTED``), so an enrollment
    and its case are written together: the coordinator whose turn it is in the plan's
    organization (none yet: the case waits in the work queue unassigned), and the initial Health
    Risk Assessment, due ``CARE_HRA_INITIAL_DAYS`` after the effective date.
    """
    if enrollment.kind != EnrollmentKind.MEDI_MEDI or enrollment.cancelled:
        return None
    existing = CareCase.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    assert enrollment.medi_medi_plan is not None
    organization_id = enrollment.medi_medi_plan.organization_id
    with transaction.atomic():
        coordinator = _next_coordinator(organization_id)
        case = CareCase.objects.create(
            enrollment=enrollment, organization_id=organization_id, coordinator=coordinator
        )
        CoordinatorChange.objects.create(
            case=case,
            to_coordinator=coordinator,
            actor=actor,
            note="Assigned in turn." if coordinator else "No active coordinator in the plan.",
        )
        _assessment_open(
            case,
            kind=AssessmentKind.INITIAL,
            due_date=enrollment.start_date + timedelta(days=settings.CARE_HRA_INITIAL_DAYS),
        )
        _audit(
            actor,
            "create",
            "care_case",
            case.pk,
            enrollment=enrollment.pk,
            beneficiary=enrollment.beneficiary_id,
            coordinator=coordinator.pk if coordinator else None,
        )
    return case


def _case_for_staff(actor: User, case_id: int) -> CareCase:
    """Lock and return a case the actor works (staff of its organization or an admin)."""
    access.require_staff(actor)
    if not CareCase.objects.filter(Q(pk=case_id) & access.case_scope(actor)).exists():
        raise NotFound("No such care case.")
    return CareCase.objects.select_for_update().get(pk=case_id)


@transaction.atomic
def coordinator_reassign(
    *, actor: User, case: CareCase, coordinator: CareCoordinator | int, note: str = ""
) -> CareCase:
    """Give the case another coordinator of its organization; the change is kept in history."""
    locked = _case_for_staff(actor, case.pk)
    coordinator_id = coordinator if isinstance(coordinator, int) else coordinator.pk
    chosen = CareCoordinator.objects.filter(
        pk=coordinator_id, active=True, membership__organization_id=locked.organization_id
    ).first()
    if chosen is None:
        raise DomainError(
            "Choose an active care coordinator of the member's plan.", field="coordinator"
        )
    if chosen.pk == locked.coordinator_id:
        raise DomainError("This coordinator is already assigned.", field="coordinator")
    CoordinatorChange.objects.create(
        case=locked,
        from_coordinator_id=locked.coordinator_id,
        to_coordinator=chosen,
        actor=actor,
        note=note.strip(),
    )
    previous = locked.coordinator_id
    locked.coordinator = chosen
    locked.save(update_fields=["coordinator"])
    _audit(
        actor,
        "update",
        "care_case",
        locked.pk,
        beneficiary=locked.enrollment.beneficiary_id,
        coordinator=[previous, chosen.pk],
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Health Risk Assessments


def _assessment_locked(assessment_id: int) -> Assessment:
    locked = Assessment.objects.select_for_update().filter(pk=assessment_id).first()
    if locked is None:
        raise NotFound("No such assessment.")
    return locked


def _assessment_move(
    assessment: Assessment, to_status: str, *, actor: User | None, note: str = ""
) -> None:
    if to_status not in ASSESSMENT_TRANSITIONS[assessment.status]:
        raise Conflict(
            f"This assessment is already {assessment.get_status_display().lower()}.",
            status=assessment.status,
        )
    AssessmentChange.objects.create(
        assessment=assessment,
        from_status=assessment.status,
        to_status=to_status,
        actor=actor,
        note=note,
    )
    assessment.status = to_status


def _assessment_close(
    assessment: Assessment, to_status: str, *, actor: User | None, on: date, note: str = ""
) -> Assessment:
    """Close an assessment; its work item is done (or closed) and the next one is scheduled,
    due ``CARE_HRA_REASSESSMENT_DAYS`` after this one."""
    _assessment_move(assessment, to_status, actor=actor, note=note)
    assessment.closed_by = actor if actor is not None and actor.is_authenticated else None
    if to_status == AssessmentStatus.COMPLETED:
        assessment.completed_on = on
    assessment.save()
    _tasks_finish(
        assessment.tasks.filter(kind__in=[TaskKind.HRA, TaskKind.REASSESSMENT]),
        to_status=TaskStatus.DONE if to_status == AssessmentStatus.COMPLETED else TaskStatus.CLOSED,
        actor=actor,
    )
    case = assessment.case
    if to_status == AssessmentStatus.COMPLETED:
        _task_open(
            case,
            kind=TaskKind.CARE_PLAN,
            due_date=on + timedelta(days=settings.CARE_PLAN_DUE_DAYS),
            assessment=assessment,
        )
    _assessment_open(
        case,
        kind=AssessmentKind.REASSESSMENT,
        due_date=on + timedelta(days=settings.CARE_HRA_REASSESSMENT_DAYS),
    )
    _audit(
        actor,
        "update",
        "assessment",
        assessment.pk,
        beneficiary=case.enrollment.beneficiary_id,
        status=to_status,
    )
    return assessment


def _assessment_for(actor: User, assessment_id: int, *, staff_only: bool) -> Assessment:
    visible = Assessment.objects.filter(
        Q(pk=assessment_id) & Q(case__in=CareCase.objects.filter(access.case_scope(actor)))
    )
    if not visible.exists():
        raise NotFound("No such assessment.")
    if staff_only:
        access.require_staff(actor)
    return _assessment_locked(assessment_id)


@transaction.atomic
def outreach_record(
    *,
    actor: User,
    assessment: Assessment,
    attempted_on: date,
    channel: str,
    result: str,
    note: str = "",
    today: date | None = None,
) -> OutreachAttempt:
    """Record one try to reach the member for a due assessment.

    ``refused`` closes the assessment as refused; the ``CARE_HRA_OUTREACH_ATTEMPTS``-th
    unsuccessful try closes it as unable to reach. Either way the next one is scheduled.
    """
    locked = _assessment_for(actor, assessment.pk, staff_only=True)
    today = today or california_today()
    if attempted_on > today:
        raise DomainError("The date of the attempt cannot be in the future.", field="attempted_on")
    if locked.status != AssessmentStatus.DUE:
        raise Conflict(
            f"This assessment is already {locked.get_status_display().lower()}.",
            status=locked.status,
        )
    attempt = OutreachAttempt.objects.create(
        assessment=locked,
        attempted_on=attempted_on,
        channel=channel,
        result=result,
        note=note.strip(),
        actor=actor,
    )
    _audit(
        actor,
        "create",
        "outreach_attempt",
        attempt.pk,
        assessment=locked.pk,
        beneficiary=locked.case.enrollment.beneficiary_id,
        result=result,
    )
    if result == OutreachResult.REFUSED:
        _assessment_close(
            locked, AssessmentStatus.REFUSED, actor=actor, on=attempted_on, note="Declined."
        )
    else:
        failed = locked.attempts.filter(result__in=UNSUCCESSFUL_RESULTS).count()
        if failed >= settings.CARE_HRA_OUTREACH_ATTEMPTS:
            _assessment_close(
                locked,
                AssessmentStatus.UNABLE_TO_REACH,
                actor=actor,
                on=attempted_on,
                note=f"{failed} attempts without reaching the member.",
            )
    return attempt


@transaction.atomic
def assessment_submit(
    *,
    actor: User,
    assessment: Assessment,
    answers: dict[str, Any],
    language: str = "en",
    version: str = questionnaire.CURRENT_VERSION,
    today: date | None = None,
) -> Assessment:
    """Complete a due assessment with the member's answers.

    A coordinator of the member's plan fills it during a call, or the member online (their own
    only). The answers are validated against the questionnaire ``version`` (400, each message
    keyed by its question, in ``language``) and stored with it. Completing it opens the care
    plan to write (due ``CARE_PLAN_DUE_DAYS`` later) and schedules the reassessment.
    """
    filled_by = FilledBy.COORDINATOR if actor.acts_as_staff else FilledBy.MEMBER
    locked = _assessment_for(actor, assessment.pk, staff_only=False)
    if locked.status != AssessmentStatus.DUE:
        raise Conflict(
            f"This assessment is already {locked.get_status_display().lower()}.",
            status=locked.status,
        )
    language = language if language in questionnaire.LANGUAGES else "en"
    errors = questionnaire.answers_validate(version, answers, language=language)
    if errors:
        raise DomainError(
            questionnaire.message("required", language)
            if len(errors) == 1
            else "Check the answers.",
            fields=errors,
        )
    locked.questionnaire_version = version
    locked.language = language
    locked.answers = questionnaire.answers_clean(version, answers)
    locked.filled_by = filled_by
    return _assessment_close(
        locked, AssessmentStatus.COMPLETED, actor=actor, on=today or california_today()
    )


@transaction.atomic
def assessment_draft_save(
    *,
    actor: User,
    assessment: Assessment,
    answers: dict[str, Any],
    language: str = "en",
    version: str = questionnaire.CURRENT_VERSION,
) -> Assessment:
    """Keep a due assessment's answers so far, to finish later (the member's "Save and finish
    later"); it stays due and its work item stays open.

    Questions may be left blank, but an answer given must be one the questionnaire ``version``
    takes (400, each message keyed by its question). A later save, or the submit, replaces the
    saved answers. No status change: an audit row records the save (without the answers).
    """
    locked = _assessment_for(actor, assessment.pk, staff_only=False)
    if locked.status != AssessmentStatus.DUE:
        raise Conflict(
            f"This assessment is already {locked.get_status_display().lower()}.",
            status=locked.status,
        )
    language = language if language in questionnaire.LANGUAGES else "en"
    errors = questionnaire.answers_validate(version, answers, language=language, partial=True)
    if errors:
        raise DomainError("Check the answers.", fields=errors)
    locked.questionnaire_version = version
    locked.language = language
    locked.answers = questionnaire.answers_clean(version, answers)
    locked.save(update_fields=["questionnaire_version", "language", "answers"])
    _audit(
        actor,
        "update",
        "assessment",
        locked.pk,
        beneficiary=locked.case.enrollment.beneficiary_id,
        draft=True,
        answered=len(locked.answers),
    )
    return locked


# ---------------------------------------------------------------------------------------------
# The care team


@transaction.atomic
def team_member_add(
    *,
    actor: User,
    case: CareCase,
    role: str,
    name: str,
    organization_name: str = "",
    phone: str = "",
    email: str = "",
) -> CareTeamMember:
    """Add a provider or county contact to the member's interdisciplinary care team."""
    locked = _case_for_staff(actor, case.pk)
    if role not in TeamRole.values:
        raise DomainError("Choose a role.", field="role")
    if not name.strip():
        raise DomainError("Write the person's or office's name.", field="name")
    if not (phone.strip() or email.strip()):
        raise DomainError("Give a phone number or an email address.", field="phone")
    member = CareTeamMember.objects.create(
        case=locked,
        role=role,
        name=name.strip(),
        organization_name=organization_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        added_by=actor,
    )
    _audit(
        actor,
        "create",
        "care_team_member",
        member.pk,
        case=locked.pk,
        beneficiary=locked.enrollment.beneficiary_id,
        role=role,
    )
    return member


@transaction.atomic
def team_member_remove(*, actor: User, member: CareTeamMember) -> CareTeamMember:
    """Take someone off the team (kept in the team's history, no longer shown)."""
    row = CareTeamMember.objects.filter(pk=member.pk).first()
    if row is None:
        raise NotFound("No such team member.")
    locked_case = _case_for_staff(actor, row.case_id)
    if not row.active:
        raise Conflict("This person is no longer on the team.", status="inactive")
    row.active = False
    row.save(update_fields=["active"])
    _audit(
        actor,
        "update",
        "care_team_member",
        row.pk,
        case=locked_case.pk,
        beneficiary=locked_case.enrollment.beneficiary_id,
        active=False,
    )
    return row


# ---------------------------------------------------------------------------------------------
# Care plans


@dataclass(frozen=True)
class PlanItemInput:
    kind: str
    description: str
    target_date: date
    owner: int | None = None  # a CareTeamMember id of the case
    owner_is_member: bool = False


@transaction.atomic
def care_plan_write(
    *,
    actor: User,
    case: CareCase,
    items: list[PlanItemInput],
    assessment: Assessment | None = None,
    hospital_stay: HospitalStay | None = None,
    reason: str = "",
    summary: str = "",
) -> CarePlan:
    """Write the next revision of the member's care plan (earlier revisions are kept).

    From a completed assessment of the case (its "care plan to write" item is then done), or,
    without one, after a ``hospital_stay`` of the case (the item its discharge opened is then
    done) or for another ``reason``. At least one goal is needed; every
    item's owner is on the member's team (empty: the coordinator).
    """
    locked = _case_for_staff(actor, case.pk)
    source = None
    if assessment is not None:
        source = locked.assessments.filter(pk=assessment.pk).first()
        if source is None or source.status != AssessmentStatus.COMPLETED:
            raise DomainError("Choose a completed assessment of this member.", field="assessment")
    stay = None
    if hospital_stay is not None:
        stay = locked.hospital_stays.filter(pk=hospital_stay.pk).first()
        if stay is None:
            raise DomainError("Choose a hospital stay of this member.", field="hospital_stay")
    if source is None and stay is None and not reason.strip():
        raise DomainError(
            "Say why the plan is revised without an assessment or a hospital stay.",
            field="reason",
        )
    if not any(item.kind == PlanItemKind.GOAL for item in items):
        raise DomainError("A care plan needs at least one goal.", field="items")
    team = set(locked.team.filter(active=True).values_list("pk", flat=True))
    for item in items:
        if item.kind not in PlanItemKind.values or not item.description.strip():
            raise DomainError("Each item needs a kind and a description.", field="items")
        if item.owner is not None and item.owner not in team:
            raise DomainError("Each item's owner must be on the member's team.", field="items")
    revision = (locked.care_plans.aggregate(n=Max("revision"))["n"] or 0) + 1
    plan = CarePlan.objects.create(
        case=locked,
        revision=revision,
        assessment=source,
        hospital_stay=stay,
        reason=reason.strip()
        or (
            HOSPITAL_STAY_REASON
            if source is None and stay is not None
            else ("Initial assessment" if revision == 1 else "Reassessment")
        ),
        summary=summary.strip(),
        created_by=actor,
    )
    CarePlanItem.objects.bulk_create(
        CarePlanItem(
            care_plan=plan,
            kind=item.kind,
            description=item.description.strip(),
            owner_id=item.owner,
            owner_is_member=item.owner_is_member,
            target_date=item.target_date,
        )
        for item in items
    )
    if source is not None:
        _tasks_finish(
            source.tasks.filter(kind=TaskKind.CARE_PLAN), to_status=TaskStatus.DONE, actor=actor
        )
    if stay is not None:
        _tasks_finish(
            _hospital_stay_tasks(locked).select_for_update(),
            to_status=TaskStatus.DONE,
            actor=actor,
        )
    _audit(
        actor,
        "create",
        "care_plan",
        plan.pk,
        case=locked.pk,
        beneficiary=locked.enrollment.beneficiary_id,
        revision=revision,
    )
    return plan


@transaction.atomic
def care_plan_share(*, actor: User, care_plan: CarePlan, today: date | None = None) -> CarePlan:
    """Mark a care plan revision shared with the member (it shows on their care page)."""
    row = CarePlan.objects.filter(pk=care_plan.pk).first()
    if row is None:
        raise NotFound("No such care plan.")
    _case_for_staff(actor, row.case_id)
    if row.shared_on is not None:
        raise Conflict("This care plan was already shared.", status="shared")
    row.shared_on = today or california_today()
    row.save(update_fields=["shared_on"])
    care_plan_letter_queue(row)
    _audit(actor, "update", "care_plan", row.pk, case=row.case_id, shared=True)
    return row


# The order a care plan letter lists its items in: goals, then what the team does, then services.
_ITEM_ORDER: dict[str, int] = {
    PlanItemKind.GOAL: 0,
    PlanItemKind.INTERVENTION: 1,
    PlanItemKind.SERVICE: 2,
}


def _coordinator_name(case: CareCase) -> str:
    """The coordinator's name for a letter (their full name only: never a login)."""
    return case.coordinator.membership.user.get_full_name() if case.coordinator else ""


def care_plan_letter_key(care_plan: CarePlan) -> str:
    return f"care-plan-shared:{care_plan.case_id}:{care_plan.revision}"


def care_plan_letter_queue(care_plan: CarePlan) -> Notice | None:
    """Queue the letter of a shared care plan revision to the member, in their language: its
    goals, interventions and services with who does each and by when, and the one phone number.

    Keyed by the revision (``care-plan-shared:<case>:<revision>``): once per version, however
    often it is called. In the caller's transaction. None for a revision not shared (yet) and
    for a member who has died.
    """
    care_plan = CarePlan.objects.get(pk=care_plan.pk)
    if care_plan.shared_on is None:
        return None
    case = CareCase.objects.select_related(
        "enrollment__beneficiary", "enrollment__medi_medi_plan", "coordinator__membership__user"
    ).get(pk=care_plan.case_id)
    beneficiary = case.enrollment.beneficiary
    if beneficiary.date_of_death is not None:
        return None
    plan = case.enrollment.medi_medi_plan
    items = sorted(
        care_plan.items.select_related("owner"),
        key=lambda item: (_ITEM_ORDER.get(item.kind, 3), item.target_date, item.pk),
    )
    return letter_queue(
        beneficiary=beneficiary,
        organization_id=case.organization_id,
        kind=NoticeKind.CARE_PLAN,
        idempotency_key=care_plan_letter_key(care_plan),
        recipient=recipient_snapshot(beneficiary),
        context={
            "revision": care_plan.revision,
            "shared_date": care_plan.shared_on,
            "summary": care_plan.summary,
            "plan_name": plan.name if plan else "",
            "plan_phone": plan.member_phone if plan else "",
            "coordinator_name": _coordinator_name(case),
            "items": [
                {
                    "kind": item.kind,
                    "description": item.description.rstrip(". "),
                    "target_date": item.target_date,
                    "owner": {
                        "type": "team",
                        "name": item.owner.name,
                        "organization": item.owner.organization_name,
                    }
                    if item.owner is not None
                    else {"type": "member" if item.owner_is_member else "coordinator"},
                }
                for item in items
            ],
        },
    )


# ---------------------------------------------------------------------------------------------
# Hospital stays: the care plan is revised after each one

HOSPITAL_STAY_REASON = "Hospital stay"


def _hospital_stay_tasks(case: CareCase) -> Any:
    """The case's open ``care_plan`` items a hospital stay's discharge opened (they name the
    stay, ``CareTask.hospital_stay``)."""
    return CareTask.objects.filter(
        case=case, kind=TaskKind.CARE_PLAN, status=TaskStatus.OPEN, hospital_stay__isnull=False
    )


def _hospital_stay_dates_check(
    *, admitted_on: date, discharged_on: date | None, today: date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if admitted_on > today:
        errors["admitted_on"] = "The admission date cannot be in the future."
    if discharged_on is not None:
        if discharged_on > today:
            errors["discharged_on"] = "The discharge date cannot be in the future."
        elif discharged_on < admitted_on:
            errors["discharged_on"] = "The discharge date cannot be before the admission date."
    return errors


def _hospital_stay_discharged(case: CareCase, stay: HospitalStay) -> CareTask | None:
    """A discharge is known: the care plan is to be revised within
    ``CARE_PLAN_AFTER_DISCHARGE_DAYS``. One item at a time: while one is open it stays, with
    the earlier due date. Returns the item opened (None when one was open already)."""
    assert stay.discharged_on is not None
    if _hospital_stay_tasks(case).exists():
        return None
    return _task_open(
        case,
        kind=TaskKind.CARE_PLAN,
        due_date=stay.discharged_on + timedelta(days=settings.CARE_PLAN_AFTER_DISCHARGE_DAYS),
        hospital_stay=stay,
    )


@transaction.atomic
def hospital_stay_record(
    *,
    actor: User,
    case_id: int,
    facility: str,
    admitted_on: date,
    discharged_on: date | None = None,
    today: date | None = None,
) -> HospitalStay:
    """Record a hospital stay of the member (staff of the member's plan, admins).

    Dates are not in the future and the discharge is not before the admission (400, keyed by
    field). With a discharge date, a ``care_plan`` item is opened, due
    ``CARE_PLAN_AFTER_DISCHARGE_DAYS`` after it, unless one is already open; without one (still
    in hospital) nothing is opened until ``hospital_stay_discharge``.
    """
    locked = _case_for_staff(actor, case_id)
    today = today or california_today()
    errors = _hospital_stay_dates_check(
        admitted_on=admitted_on, discharged_on=discharged_on, today=today
    )
    facility = facility.strip()
    if not facility:
        errors["facility"] = "Write the hospital's name."
    elif len(facility) > 128:
        errors["facility"] = "Write at most 128 characters."
    if errors:
        raise DomainError("Check the hospital stay.", fields=errors)
    stay = HospitalStay.objects.create(
        case=locked,
        facility=facility,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        recorded_by=actor,
    )
    task = _hospital_stay_discharged(locked, stay) if discharged_on is not None else None
    _audit(
        actor,
        "create",
        "hospital_stay",
        stay.pk,
        case=locked.pk,
        beneficiary=locked.enrollment.beneficiary_id,
        discharged=discharged_on is not None,
        care_task=task.pk if task else None,
    )
    return stay


@transaction.atomic
def hospital_stay_discharge(
    *, actor: User, stay_id: int, discharged_on: date, today: date | None = None
) -> HospitalStay:
    """Record the discharge of a stay recorded while the member was still in hospital; opens
    the ``care_plan`` item as ``hospital_stay_record`` does. A stay already discharged: 409."""
    row = HospitalStay.objects.filter(pk=stay_id).first()
    if row is None:
        raise NotFound("No such hospital stay.")
    locked_case = _case_for_staff(actor, row.case_id)
    stay = HospitalStay.objects.select_for_update().get(pk=stay_id)
    if stay.discharged_on is not None:
        raise Conflict("This stay's discharge is already recorded.", status="discharged")
    errors = _hospital_stay_dates_check(
        admitted_on=stay.admitted_on,
        discharged_on=discharged_on,
        today=today or california_today(),
    )
    errors.pop("admitted_on", None)
    if errors:
        raise DomainError("Check the hospital stay.", fields=errors)
    stay.discharged_on = discharged_on
    stay.save(update_fields=["discharged_on"])
    task = _hospital_stay_discharged(locked_case, stay)
    _audit(
        actor,
        "update",
        "hospital_stay",
        stay.pk,
        case=locked_case.pk,
        beneficiary=locked_case.enrollment.beneficiary_id,
        discharged=True,
        care_task=task.pk if task else None,
    )
    return stay


# ---------------------------------------------------------------------------------------------
# The work queue


@transaction.atomic
def care_task_done(*, actor: User, task: CareTask, note: str = "") -> CareTask:
    """Mark done a reminder that no other action finishes (a continuity of care ending: the
    member was told). Assessments, care plans and decisions finish their items themselves."""
    access.require_staff(actor)
    row = CareTask.objects.filter(Q(pk=task.pk) & access.task_scope(actor)).first()
    if row is None:
        raise NotFound("No such work item.")
    locked = CareTask.objects.select_for_update().select_related("case__enrollment").get(pk=row.pk)
    if locked.kind != TaskKind.CONTINUITY_END:
        raise DomainError(
            "This item is finished by its own action (the assessment, plan or decision).",
            field="kind",
        )
    if locked.status != TaskStatus.OPEN:
        raise Conflict("This item is already finished.", status=locked.status)
    _tasks_finish([locked], to_status=TaskStatus.DONE, actor=actor)
    _audit(
        actor,
        "update",
        "care_task",
        locked.pk,
        beneficiary=locked.case.enrollment.beneficiary_id,
        status=TaskStatus.DONE,
        note=bool(note),
    )
    return locked


def care_tasks_mark_overdue(*, today: date, batch_size: int = 1000) -> int:
    """Mark every open item whose due date has passed as overdue, with a change row each.

    Idempotent and restartable: each batch is its own transaction and only unmarked items are
    taken, so a second run (or two at once) marks nothing twice.
    """
    marked = 0
    last = 0  # keyset: each batch starts after the last, never rescanning marked rows
    while True:
        with transaction.atomic():
            ids = list(
                CareTask.objects.select_for_update(skip_locked=True)
                .filter(status=TaskStatus.OPEN, overdue=False, due_date__lt=today, pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return marked
            last = ids[-1]
            CareTask.objects.filter(pk__in=ids).update(overdue=True, overdue_since=today)
            CareTaskChange.objects.bulk_create(
                CareTaskChange(task_id=pk, from_status=TaskStatus.OPEN, to_status="overdue")
                for pk in ids
            )
            marked += len(ids)


def care_tasks_close_ended(*, today: date, batch_size: int = 1000) -> int:
    """Close the open work items of enrollments that have ended (or were cancelled): nobody
    is left to assess. Each closes with a change row; batched, idempotent like the marking."""
    closed = 0
    last = 0
    ended = Q(case__enrollment__cancelled=True) | Q(case__enrollment__end_date__lt=today)
    while True:
        with transaction.atomic():
            ids = list(
                CareTask.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(ended, status=TaskStatus.OPEN, pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return closed
            last = ids[-1]
            CareTask.objects.filter(pk__in=ids).update(
                status=TaskStatus.CLOSED, finished_at=timezone.now()
            )
            CareTaskChange.objects.bulk_create(
                CareTaskChange(task_id=pk, from_status=TaskStatus.OPEN, to_status=TaskStatus.CLOSED)
                for pk in ids
            )
            closed += len(ids)


def care_cases_open_missing(*, batch_size: int = 500) -> int:
    """Open the cases of current Medi-Medi enrollments that have none (started before this
    app, or written by a path without the hook). Idempotent."""
    today = california_today()
    opened = 0
    last = 0
    while True:
        batch = list(
            Enrollment.objects.filter(
                kind=EnrollmentKind.MEDI_MEDI, cancelled=False, care__isnull=True, pk__gt=last
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .select_related("medi_medi_plan")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return opened
        for enrollment in batch:
            with transaction.atomic():
                opened += care_case_open(enrollment=enrollment, actor=None) is not None
        last = batch[-1].pk


# ---------------------------------------------------------------------------------------------
# Continuity of care


def npi_is_valid(npi: str) -> bool:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit of the
    first nine prefixed with 80840 (the health industry's card issuer prefix)."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi[:9])):
        digit = int(char)
        if position % 2 == 0:  # doubled: every second digit from the right of the payload
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def continuity_decision_due(*, received_on: date, urgency: str) -> date:
    return received_on + timedelta(days=settings.CONTINUITY_DECISION_DAYS[urgency])


def continuity_valid_until(enrollment: Enrollment) -> date:
    """The last day continuity of care may last: ``CONTINUITY_MAX_MONTHS`` from the
    enrollment's start, or its end if sooner."""
    limit = add_months(enrollment.start_date, settings.CONTINUITY_MAX_MONTHS) - timedelta(days=1)
    return min(limit, enrollment.end_date) if enrollment.end_date else limit


def continuity_seen_in_time(enrollment: Enrollment, last_seen_on: date) -> bool:
    """Seen by the provider in the ``CONTINUITY_LOOKBACK_MONTHS`` before the enrollment started
    (or since)."""
    return last_seen_on >= add_months(enrollment.start_date, -settings.CONTINUITY_LOOKBACK_MONTHS)


@transaction.atomic
def continuity_request_create(
    *,
    actor: User,
    enrollment_id: int,
    provider_name: str,
    npi: str,
    specialty: str,
    last_seen_on: date,
    urgency: str = ContinuityUrgency.STANDARD,
    today: date | None = None,
) -> ContinuityRequest:
    """Record a request to keep seeing an out-of-network provider; the decision is due in
    ``CONTINUITY_DECISION_DAYS[urgency]`` days. The member asks for themselves, staff for a
    member of their plan."""
    enrollment = (
        Enrollment.objects.filter(Q(pk=enrollment_id) & access.enrollment_scope(actor))
        .select_related("medi_medi_plan")
        .first()
    )
    if enrollment is None:
        raise NotFound("No such enrollment.")
    today = today or california_today()
    errors: dict[str, str] = {}
    npi = npi.strip()
    if not npi_is_valid(npi):
        errors["npi"] = gettext("An NPI has 10 digits and a valid check digit.")
    if last_seen_on > today:
        errors["last_seen_on"] = gettext("The date last seen cannot be in the future.")
    if not provider_name.strip():
        errors["provider_name"] = gettext("Write the provider's name.")
    if not specialty.strip():
        errors["specialty"] = gettext("Write the provider's specialty.")
    if urgency not in ContinuityUrgency.values:
        errors["urgency"] = gettext("Choose how urgent the request is.")
    if errors:
        raise DomainError(gettext("Check the request."), fields=errors)
    assert enrollment.medi_medi_plan is not None
    request = ContinuityRequest.objects.create(
        enrollment=enrollment,
        organization_id=enrollment.medi_medi_plan.organization_id,
        provider_name=provider_name.strip(),
        npi=npi,
        specialty=specialty.strip(),
        last_seen_on=last_seen_on,
        urgency=urgency,
        received_on=today,
        decision_due=continuity_decision_due(received_on=today, urgency=urgency),
        requested_by=actor,
    )
    ContinuityRequestChange.objects.create(
        request=request, to_status=ContinuityStatus.PENDING, actor=actor
    )
    case = CareCase.objects.filter(enrollment=enrollment).first() or care_case_open(
        enrollment=enrollment, actor=actor
    )
    if case is not None:
        _task_open(
            case,
            kind=TaskKind.CONTINUITY,
            due_date=request.decision_due,
            continuity_request=request,
        )
    _audit(
        actor,
        "create",
        "continuity_request",
        request.pk,
        enrollment=enrollment.pk,
        beneficiary=enrollment.beneficiary_id,
    )
    return request


def continuity_ending_letter_key(request_id: int) -> str:
    return f"continuity-ending:{request_id}"


def continuity_ending_letters_queue(*, today: date, batch_size: int = 500) -> int:
    """Queue the "continuity of care ends" letter of every approved request whose end
    (``valid_until``) is ``CONTINUITY_END_NOTICE_DAYS`` away or less and not yet past; the daily
    job runs it. A day the job missed is caught up the next day, until the end date.

    Once per request: keyed ``continuity-ending:<request id>``, and requests whose letter is on
    record are not read again. Each batch is its own transaction (keyset order, rows locked
    with SKIP LOCKED): restartable, and two runs at once queue nothing twice. Not for denied or
    pending requests, ended or cancelled enrollments, or a member who has died.
    """
    key = Concat(Value(continuity_ending_letter_key(0)[:-1]), Cast(OuterRef("pk"), CharField()))
    due = (
        ContinuityRequest.objects.filter(
            status=ContinuityStatus.APPROVED,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=settings.CONTINUITY_END_NOTICE_DAYS),
            enrollment__cancelled=False,
            enrollment__beneficiary__date_of_death__isnull=True,
        )
        .filter(Q(enrollment__end_date__isnull=True) | Q(enrollment__end_date__gte=today))
        .exclude(Exists(Notice.objects.filter(idempotency_key=key)))
    )
    queued = 0
    last = 0
    while True:
        with transaction.atomic():
            batch = list(
                due.filter(pk__gt=last)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("enrollment__beneficiary", "enrollment__medi_medi_plan")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return queued
            last = batch[-1].pk
            cases = {
                case.enrollment_id: case
                for case in CareCase.objects.filter(
                    enrollment_id__in={request.enrollment_id for request in batch}
                ).select_related("coordinator__membership__user")
            }
            for request in batch:
                enrollment = request.enrollment
                plan = enrollment.medi_medi_plan
                case = cases.get(enrollment.pk)
                letter_queue(
                    beneficiary=enrollment.beneficiary,
                    organization_id=request.organization_id,
                    kind=NoticeKind.CONTINUITY_ENDING,
                    idempotency_key=continuity_ending_letter_key(request.pk),
                    recipient=recipient_snapshot(enrollment.beneficiary),
                    context={
                        "provider_name": request.provider_name,
                        "specialty": request.specialty,
                        "valid_until": request.valid_until,
                        "plan_name": plan.name if plan else "",
                        "plan_phone": plan.member_phone if plan else "",
                        "coordinator_name": _coordinator_name(case) if case else "",
                    },
                )
                _audit(
                    None,
                    "update",
                    "continuity_request",
                    request.pk,
                    beneficiary=enrollment.beneficiary_id,
                    ending_letter=True,
                )
            queued += len(batch)


def continuity_request_require_visible(*, actor: User, request_id: int) -> None:
    """``NotFound`` outside the actor's requests; ``Forbidden`` for members (decisions are
    staff's). Adapters call it before reading a body."""
    if not ContinuityRequest.objects.filter(
        Q(pk=request_id) & access.continuity_scope(actor)
    ).exists():
        raise NotFound("No such continuity of care request.")
    access.require_staff(actor)


@transaction.atomic
def continuity_request_decide(
    *, actor: User, request: ContinuityRequest, decision: str, note: str = ""
) -> ContinuityRequest:
    """Approve or deny a pending request (staff of the member's plan, admins).

    Approval needs the provider seen in the 12 months before the enrollment (a 400 on
    ``decision`` otherwise) and lasts until ``continuity_valid_until``; a denial needs a note.
    """
    continuity_request_require_visible(actor=actor, request_id=request.pk)
    locked = (
        ContinuityRequest.objects.select_for_update()
        .select_related("enrollment")
        .get(pk=request.pk)
    )
    if decision not in CONTINUITY_TRANSITIONS[ContinuityStatus.PENDING]:
        raise DomainError("Choose approved or denied.", field="decision")
    if decision not in CONTINUITY_TRANSITIONS[locked.status]:
        raise Conflict(
            f"This request is already {locked.get_status_display().lower()}.",
            status=locked.status,
        )
    note = note.strip()
    if decision == ContinuityStatus.DENIED and not note:
        raise DomainError("Write why the request is denied.", field="note")
    if decision == ContinuityStatus.APPROVED:
        if not continuity_seen_in_time(locked.enrollment, locked.last_seen_on):
            raise DomainError(
                "The member must have seen this provider in the 12 months before enrolling.",
                field="decision",
            )
        locked.valid_until = continuity_valid_until(locked.enrollment)
    ContinuityRequestChange.objects.create(
        request=locked, from_status=locked.status, to_status=decision, actor=actor, note=note
    )
    locked.status = decision
    locked.note = note
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save()
    _tasks_finish(
        locked.tasks.filter(kind=TaskKind.CONTINUITY), to_status=TaskStatus.DONE, actor=actor
    )
    case = CareCase.objects.filter(enrollment_id=locked.enrollment_id).first()
    if locked.valid_until is not None and case is not None:
        # Tracked to its end: the member is told CONTINUITY_END_NOTICE_DAYS before it.
        _task_open(
            case,
            kind=TaskKind.CONTINUITY_END,
            due_date=locked.valid_until - timedelta(days=settings.CONTINUITY_END_NOTICE_DAYS),
            continuity_request=locked,
        )
    _audit(
        actor,
        "update",
        "continuity_request",
        locked.pk,
        beneficiary=locked.enrollment.beneficiary_id,
        status=decision,
    )
    return locked
