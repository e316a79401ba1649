"""Reads for care coordination: a member's care (API and pages), the coordinators' work queue
and continuity of care requests. Each takes the acting user, keeps to ``care.access`` and audits
staff and admin reads of member data (ids only)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.errors import NotFound
from accounts.models import User
from care import access
from care.models import (
    Assessment,
    AssessmentStatus,
    CareCase,
    CareCoordinator,
    CarePlan,
    CarePlanItem,
    CareTask,
    ContinuityRequest,
    CoordinatorChange,
    HospitalStay,
    TaskKind,
    TaskStatus,
)
from enrollment.models import Enrollment


@dataclass(frozen=True)
class TeamEntry:
    role: str
    role_label: str
    name: str
    organization: str
    phone: str
    email: str
    id: int | None = None


@dataclass(frozen=True)
class CareView:
    """Everything about one member's care coordination, limited to what the actor may see."""

    case: CareCase
    enrollment: Enrollment
    coordinator: CareCoordinator | None
    assessment: Assessment | None  # the current one: due, or the latest closed
    assessments: list[Assessment]
    care_plan: CarePlan | None  # the latest revision (for the member: the latest shared)
    care_plans: list[CarePlan]
    team: list[TeamEntry]
    member_phone: str
    coordinator_history: list[CoordinatorChange]
    continuity_requests: list[ContinuityRequest]
    open_tasks: list[CareTask]
    hospital_stays: list[HospitalStay]  # staff only: latest admission first


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def coordinator_name(coordinator: CareCoordinator | None) -> str:
    return _name(coordinator.membership.user) if coordinator else ""


def _cases(actor: User) -> QuerySet[CareCase]:
    return CareCase.objects.filter(access.case_scope(actor)).select_related(
        "enrollment__beneficiary",
        "enrollment__medi_medi_plan",
        "coordinator__membership__user",
    )


def _view(actor: User, case: CareCase) -> CareView:
    assessments = list(
        case.assessments.prefetch_related("attempts", "changes").order_by("due_date", "pk")
    )
    current = next((a for a in assessments if a.status == AssessmentStatus.DUE), None)
    if current is None and assessments:
        current = assessments[-1]
    plans = list(
        case.care_plans.prefetch_related(
            Prefetch("items", queryset=CarePlanItem.objects.select_related("owner"))
        ).order_by("revision")
    )
    if not actor.acts_as_staff:
        plans = [plan for plan in plans if plan.shared_on is not None]
    plan = plans[-1] if plans else None
    beneficiary = case.enrollment.beneficiary
    team = [
        TeamEntry(
            role="member",
            role_label="Member",
            name=f"{beneficiary.first_name} {beneficiary.last_name}",
            organization="",
            phone=beneficiary.phone,
            email=beneficiary.email,
        )
    ]
    plan_phone = (
        case.enrollment.medi_medi_plan.member_phone if case.enrollment.medi_medi_plan else ""
    )
    if case.coordinator is not None:
        team.append(
            TeamEntry(
                role="care_coordinator",
                role_label="Care coordinator",
                name=coordinator_name(case.coordinator),
                organization=case.enrollment.medi_medi_plan.name
                if case.enrollment.medi_medi_plan
                else "",
                phone=plan_phone,
                email=case.coordinator.membership.user.email,
            )
        )
    team += [
        TeamEntry(
            id=member.pk,
            role=member.role,
            role_label=member.get_role_display(),
            name=member.name,
            organization=member.organization_name,
            phone=member.phone,
            email=member.email,
        )
        for member in case.team.filter(active=True)
    ]
    history = list(
        case.coordinator_changes.select_related(
            "from_coordinator__membership__user", "to_coordinator__membership__user", "actor"
        )
    )
    continuity = list(case.enrollment.continuity_requests.order_by("-received_on", "-pk"))
    return CareView(
        case=case,
        enrollment=case.enrollment,
        coordinator=case.coordinator,
        assessment=current,
        assessments=assessments,
        care_plan=plan,
        care_plans=plans,
        team=team,
        member_phone=plan_phone,
        coordinator_history=history,
        continuity_requests=continuity,
        open_tasks=list(case.tasks.filter(status=TaskStatus.OPEN).order_by("due_date", "pk"))
        if actor.acts_as_staff
        else [],
        hospital_stays=list(case.hospital_stays.select_related("recorded_by"))
        if actor.acts_as_staff
        else [],
    )


def enrollment_care_get(*, actor: User, enrollment_id: int) -> CareView:
    """The care of one enrollment (``GET /api/v1/enrollments/{id}/care``, the staff page)."""
    case = _cases(actor).filter(enrollment_id=enrollment_id).first()
    if case is None:
        raise NotFound("No care coordination for this enrollment.")
    access.audit_read(
        actor,
        "care_case",
        case.pk,
        beneficiary=case.enrollment.beneficiary_id,
        enrollment=enrollment_id,
    )
    return _view(actor, case)


def care_case_for_enrollment(*, actor: User, enrollment_id: int) -> CareCase:
    """The case of an enrollment the actor works (staff, admins), not audited: for actions,
    which audit what they change. Members are refused (403), outsiders 404."""
    access.require_staff(actor)
    case = CareCase.objects.filter(
        Q(enrollment_id=enrollment_id) & access.case_scope(actor)
    ).first()
    if case is None:
        raise NotFound("No care coordination for this enrollment.")
    return case


def hospital_stay_get(*, actor: User, stay_id: int) -> HospitalStay:
    """A hospital stay of a case the actor works (staff, admins), not audited: for the
    discharge, which audits what it changes. Members are refused (403), outsiders 404."""
    access.require_staff(actor)
    stay = (
        HospitalStay.objects.filter(
            Q(pk=stay_id) & Q(case__in=CareCase.objects.filter(access.case_scope(actor)))
        )
        .select_related("case")
        .first()
    )
    if stay is None:
        raise NotFound("No such hospital stay.")
    return stay


def staff_care_get(*, actor: User, enrollment_id: int) -> CareView:
    """The staff care page's data: staff and admins only (members use their own page)."""
    access.require_staff(actor)
    return enrollment_care_get(actor=actor, enrollment_id=enrollment_id)


def member_care_get(*, actor: User) -> CareView | None:
    """The member's own care: their latest case (None before they are enrolled)."""
    access.require_member(actor)
    case = _cases(actor).order_by("-enrollment__start_date", "-pk").first()
    return None if case is None else _view(actor, case)


def coordinator_choices(*, actor: User, case: CareCase) -> list[tuple[int, str]]:
    """The active coordinators a case may be reassigned to (its organization's), by name."""
    access.require_staff(actor)
    coordinators = (
        CareCoordinator.objects.filter(
            active=True, membership__organization_id=case.organization_id
        )
        .select_related("membership__user")
        .order_by("membership__user__username")
    )
    return [(c.pk, coordinator_name(c)) for c in coordinators]


# ---------------------------------------------------------------------------------------------
# The work queue


def care_task_list(
    *,
    actor: User,
    kind: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    mine: bool = False,
) -> QuerySet[CareTask]:
    """The work items the actor may see (staff their organization's; members 403), soonest
    due first."""
    access.require_staff(actor)
    queryset = (
        CareTask.objects.filter(access.task_scope(actor))
        .select_related(
            "case__enrollment__beneficiary", "case__coordinator__membership__user", "assessment"
        )
        .order_by("due_date", "pk")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if overdue is not None:
        queryset = queryset.filter(overdue=overdue)
    if mine:
        queryset = queryset.filter(case__coordinator__membership__user=actor)
    return queryset


def care_task_counts(*, actor: User, mine: bool = False) -> dict[str, dict[str, int]]:
    """Open items per kind: how many, and how many of them overdue."""
    rows = (
        care_task_list(actor=actor, status=TaskStatus.OPEN, mine=mine)
        .order_by()
        .values("kind")
        .annotate(total=Count("pk"), overdue=Count("pk", filter=Q(overdue=True)))
    )
    counts = {kind: {"open": 0, "overdue": 0} for kind in TaskKind.values}
    for row in rows:
        counts[row["kind"]] = {"open": row["total"], "overdue": row["overdue"]}
    return counts


def care_task_page(
    *, actor: User, page_number: str | None, page_size: int = 25, **filters: Any
) -> Page[CareTask]:
    """One page of the work queue, audited with the ids shown."""
    paginator: Paginator[CareTask] = Paginator(care_task_list(actor=actor, **filters), page_size)
    page = paginator.get_page(page_number)
    care_task_rows_audit(actor=actor, tasks=page.object_list)
    return page


def care_task_rows_audit(*, actor: User, tasks: Iterable[CareTask]) -> None:
    rows = list(tasks)
    access.audit_read(
        actor,
        "care_task_list",
        "list",
        ids=[row.pk for row in rows],
        beneficiaries=sorted({row.case.enrollment.beneficiary_id for row in rows}),
    )


# ---------------------------------------------------------------------------------------------
# Continuity of care


def continuity_request_get(*, actor: User, request_id: int) -> ContinuityRequest:
    request = (
        ContinuityRequest.objects.filter(Q(pk=request_id) & access.continuity_scope(actor))
        .select_related("enrollment")
        .first()
    )
    if request is None:
        raise NotFound("No such continuity of care request.")
    access.audit_read(
        actor, "continuity_request", request.pk, beneficiary=request.enrollment.beneficiary_id
    )
    return request


def hra_summary(view: CareView) -> dict[str, Any] | None:
    """The current assessment as the API shows it."""
    assessment = view.assessment
    if assessment is None:
        return None
    return {
        "id": assessment.pk,
        "kind": assessment.kind,
        "due_date": assessment.due_date,
        "status": assessment.status,
        "overdue": any(
            task.overdue and task.status == TaskStatus.OPEN for task in assessment.tasks.all()
        ),
        "attempts": list(assessment.attempts.all()),
        "completed_on": assessment.completed_on,
    }


def staff_enrollment_by_mbi(*, actor: User, mbi: str) -> Enrollment:
    """The member's active Medi-Medi enrollment the actor's organization holds, found by the
    member's Medicare number (for a grievance or appeal taken by phone).

    Active: not cancelled and not ended before today; when the member has a current and a
    future one, the current one. ``NotFound`` when there is none in the actor's scope (another
    organization's member is not found either, and the message says which it is not).
    """
    from eligibility.rules.identifiers import InvalidIdentifier, normalize_mbi
    from eligibility.selectors import california_today

    try:
        cleaned = normalize_mbi(mbi)
    except InvalidIdentifier as exc:
        raise NotFound(str(exc)) from exc
    today = california_today()
    active = list(
        Enrollment.objects.filter(access.enrollment_scope(actor))
        .filter(beneficiary__mbi=cleaned, cancelled=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("start_date")
    )
    current = [e for e in active if e.start_date <= today]
    found = current[-1] if current else (active[0] if active else None)
    if found is None:
        raise NotFound(
            "No active Medi-Medi enrollment of your organization has that Medicare number (MBI)."
        )
    return found
