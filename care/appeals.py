"""Integrated appeals and grievances (42 CFR 422.629-634: Medi-Medi Plans are applicable
integrated plans).

A member (online) or staff (taking it by phone or in writing, perhaps from the member's
authorized representative) files a **grievance** (any dissatisfaction) or an **appeal** of an
adverse decision; ``expedited`` when the member's health needs it. Each case is due
``APPEAL_DUE_HOURS`` after receipt (settings; sources in docs/care.md). Filing queues the
acknowledgment letter and resolving the decision letter, in the member's language; an appeal
decided against the member tells them their State Fair Hearing and independent review rights.
The daily ``care-daily`` job flags open cases past due. Staff may extend an open case once,
before its due time, by up to ``APPEAL_EXTENSION_MAX_DAYS`` (the member asked, or the plan needs
information in the member's interest), and decide that an expedited request does not qualify
(the case moves to the standard clock); the member gets a letter for each. An expedited appeal
decided against the member needs the time the member was told by phone (``oral_notice_at``).
Every status change writes an ``AppealCaseChange`` row; every write and every staff read an
audit row (ids only).

Selectors and services in one module: they share the one scope (``appeal_scope``).
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.errors import Conflict, DomainError, NotFound
from accounts.models import User
from accounts.services import audit_record
from care import access
from care.models import (
    APPEAL_TRANSITIONS,
    AppealCase,
    AppealCaseChange,
    AppealChannel,
    AppealKind,
    AppealOutcome,
    AppealStatus,
    ExtensionRequestedBy,
)
from eligibility.notifications import letter_queue, recipient_snapshot
from enrollment.models import AuthorizedRepresentative, Enrollment
from notices.models import NoticeKind

OVERDUE = "overdue"  # the history row's ``to_status`` when the daily job flags a case
EXTENDED = "extended"  # ... when the case's one extension moves its due time
EXPEDITE_DENIED = "expedite_denied"  # ... when an expedited request moves to the standard clock


def appeal_scope(actor: User) -> Q:
    """Appeals and grievances the actor may see: staff their organization's, members their own,
    admins all (``care.access``'s one rule)."""
    return access.case_scope(actor)


def appeal_due_at(*, kind: str, expedited: bool, received_at: datetime) -> datetime:
    """When a case received at ``received_at`` must be resolved (``APPEAL_DUE_HOURS``)."""
    key = f"{kind}_expedited" if expedited else kind
    return received_at + timedelta(hours=settings.APPEAL_DUE_HOURS[key])


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.PROGRAM_TIME_ZONE))


def _case_number(case: AppealCase) -> str:
    return f"{'G' if case.kind == AppealKind.GRIEVANCE else 'A'}-{case.pk:07d}"


def _letter(case: AppealCase, *, kind: str, context: dict[str, Any]) -> None:
    """Queue one letter about ``case`` to the member, in their language (once: idempotent).

    Each kind is sent once per case (its key is the kind and the case), which is what the rules
    allow: one acknowledgment, one extension, one expedite denial, one decision."""
    enrollment = case.enrollment
    plan = enrollment.medi_medi_plan
    letter_queue(
        beneficiary=enrollment.beneficiary,
        organization_id=case.organization_id,
        kind=kind,
        idempotency_key=f"{kind}:{case.pk}",
        recipient=recipient_snapshot(enrollment.beneficiary),
        context={
            "case_kind": case.kind,
            "case_number": _case_number(case),
            "plan_name": plan.name if plan else "",
            "plan_phone": plan.member_phone if plan else "",
            **context,
        },
    )


@transaction.atomic
def appeal_case_file(
    *,
    actor: User,
    kind: str,
    enrollment_id: int,
    description: str,
    expedited: bool = False,
    representative_id: int | None = None,
    by_phone: bool = False,
    now: datetime | None = None,
) -> AppealCase:
    """File a grievance or appeal: the member for themselves (online), staff for a member of
    their plan (by phone). ``NotFound`` for an enrollment outside the actor's scope; a 400 keyed
    by field for an empty description or another member's representative. ``by_phone``:
    staff recording a call (members ``Forbidden``)."""
    if by_phone:
        access.require_staff(actor)
    enrollment = (
        Enrollment.objects.filter(Q(pk=enrollment_id) & access.enrollment_scope(actor))
        .select_related("medi_medi_plan", "beneficiary")
        .first()
    )
    if enrollment is None:
        raise NotFound(gettext("No such enrollment."))
    # Members read these (the page and the API, in the request's language: docs/i18n.md).
    errors: dict[str, str] = {}
    if kind not in AppealKind.values:
        errors["kind"] = gettext("Choose a grievance or an appeal.")
    description = description.strip()
    if not description:
        errors["description"] = gettext("Describe the problem or the decision you disagree with.")
    representative = None
    if representative_id is not None:
        representative = AuthorizedRepresentative.objects.filter(
            pk=representative_id, beneficiary_id=enrollment.beneficiary_id
        ).first()
        if representative is None:
            errors["representative"] = "Choose one of the member's authorized representatives."
    if errors:
        raise DomainError(gettext("Check the form."), fields=errors)
    assert enrollment.medi_medi_plan is not None
    received_at = now or timezone.now()
    case = AppealCase.objects.create(
        kind=kind,
        enrollment=enrollment,
        organization_id=enrollment.medi_medi_plan.organization_id,
        representative=representative,
        channel=AppealChannel.PHONE if access.is_staff_actor(actor) else AppealChannel.ONLINE,
        description=description,
        expedited=expedited,
        received_at=received_at,
        due_at=appeal_due_at(kind=kind, expedited=expedited, received_at=received_at),
        filed_by=actor,
    )
    AppealCaseChange.objects.create(case=case, to_status=AppealStatus.OPEN, actor=actor)
    due = local_time(case.due_at)
    _letter(
        case,
        kind=NoticeKind.APPEAL_ACKNOWLEDGMENT,
        context={
            "received_date": local_time(received_at).date(),
            "due_date": due.date(),
            "due_time": due.strftime("%H:%M") if expedited else "",
            "expedited": expedited,
        },
    )
    _audit(
        actor,
        "create",
        case.pk,
        beneficiary=enrollment.beneficiary_id,
        kind=kind,
        expedited=expedited,
    )
    return case


def _audit(actor: User | None, action: str, case_id: int, **detail: Any) -> None:
    audit_record(
        actor=actor, action=action, object_type="appeal_case", object_id=case_id, detail=detail
    )


def appeal_case_require_resolvable(*, actor: User, case_id: int, kind: str | None = None) -> None:
    """``NotFound`` outside the actor's cases (or of another kind); ``Forbidden`` for members:
    decisions are staff's. Adapters call it before reading a body."""
    found = AppealCase.objects.filter(Q(pk=case_id) & appeal_scope(actor))
    if kind is not None:
        found = found.filter(kind=kind)
    if not found.exists():
        raise NotFound("No such case.")
    access.require_staff(actor)


@transaction.atomic
def appeal_case_resolve(
    *,
    actor: User,
    case_id: int,
    outcome: str,
    note: str = "",
    kind: str | None = None,
    oral_notice_at: datetime | None = None,
    now: datetime | None = None,
) -> AppealCase:
    """Decide an open case (staff of the member's plan, admins) and queue the decision letter.

    A decision against the member needs a note (why); a resolved case is a ``Conflict``. An
    **expedited appeal decided against the member** needs ``oral_notice_at``: when the member
    was told the decision by phone (recorded with the actor as who told them); any expedited
    case may record it. It cannot be before the case was received nor in the future."""
    appeal_case_require_resolvable(actor=actor, case_id=case_id, kind=kind)
    case = (
        AppealCase.objects.select_for_update(of=("self",))
        .select_related("enrollment__beneficiary", "enrollment__medi_medi_plan")
        .get(pk=case_id)
    )
    if outcome not in AppealOutcome.values:
        raise DomainError("Choose in the member's favor or against the member.", field="outcome")
    if AppealStatus.RESOLVED not in APPEAL_TRANSITIONS[case.status]:
        raise Conflict("This case is already resolved.", status=case.status)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    note = note.strip()
    if outcome == AppealOutcome.ADVERSE and not note:
        errors["note"] = "Write why the decision is against the member."
    oral_error = _oral_notice_error(case, outcome=outcome, oral_notice_at=oral_notice_at, now=now)
    if oral_error:
        errors["oral_notice_at"] = oral_error
    if errors:
        raise DomainError("Check the form.", fields=errors)
    AppealCaseChange.objects.create(
        case=case, from_status=case.status, to_status=AppealStatus.RESOLVED, actor=actor, note=note
    )
    case.status = AppealStatus.RESOLVED
    case.outcome = outcome
    case.resolution_note = note
    case.resolved_by = actor
    case.resolved_at = now
    if oral_notice_at is not None:
        case.oral_notice_at = oral_notice_at
        case.oral_notice_by = actor
    case.save()
    _letter(
        case,
        kind=NoticeKind.APPEAL_RESOLUTION,
        context={
            "outcome": outcome,
            "resolved_date": local_time(now).date(),
            "note": note,
            "expedited": case.expedited,
        },
    )
    _audit(
        actor,
        "update",
        case.pk,
        beneficiary=case.enrollment.beneficiary_id,
        status=AppealStatus.RESOLVED,
        outcome=outcome,
        oral_notice=oral_notice_at is not None,
    )
    return case


def oral_notice_required(case: AppealCase, *, outcome: str) -> bool:
    """An expedited appeal decided against the member: the plan must try to tell the member by
    phone promptly (42 CFR 422.633(f); docs/care.md), so the portal asks when it did."""
    return case.kind == AppealKind.APPEAL and case.expedited and outcome == AppealOutcome.ADVERSE


def _oral_notice_error(
    case: AppealCase, *, outcome: str, oral_notice_at: datetime | None, now: datetime
) -> str:
    if oral_notice_at is None:
        if oral_notice_required(case, outcome=outcome):
            return (
                "An expedited appeal decided against the member: record when you told the "
                "member the decision by phone."
            )
        return ""
    if not case.expedited:
        return "Only an expedited case records a phone notice of its decision."
    if oral_notice_at < case.received_at:
        return "The member cannot have been told before the case was received."
    if oral_notice_at > now + timedelta(minutes=5):
        return "The phone call cannot be in the future."
    return ""


def _case_for_change(*, actor: User, case_id: int, kind: str | None) -> AppealCase:
    """The open case an extension or expedite denial changes, locked; ``NotFound`` outside the
    actor's cases, ``Forbidden`` for members, ``Conflict`` once resolved."""
    appeal_case_require_resolvable(actor=actor, case_id=case_id, kind=kind)
    case = (
        AppealCase.objects.select_for_update(of=("self",))
        .select_related("enrollment__beneficiary", "enrollment__medi_medi_plan")
        .get(pk=case_id)
    )
    if case.status != AppealStatus.OPEN:
        raise Conflict("This case is already resolved.", status=case.status)
    return case


def appeal_extension_refusal(case: AppealCase, *, now: datetime | None = None) -> str:
    """Why ``case`` cannot be extended now ("" when it can): one extension, while open, before
    its due time. The staff page asks it to offer the form only where it would work."""
    if case.status != AppealStatus.OPEN:
        return "This case is already resolved."
    if case.extended_at is not None:
        return "This case was already extended once; a case gets one extension."
    if (now or timezone.now()) >= case.due_at:
        return "The due time has passed: a case can only be extended before it is due."
    return ""


@transaction.atomic
def appeal_case_extend(
    *,
    actor: User,
    case_id: int,
    requested_by: str,
    reason: str = "",
    days: int | None = None,
    kind: str | None = None,
    now: datetime | None = None,
) -> AppealCase:
    """Extend an open case's due time once, by up to ``APPEAL_EXTENSION_MAX_DAYS[kind]`` days
    (default: the most), and queue the member's extension letter (42 CFR 422.630(e)(2),
    422.633(f)): staff of the member's plan and admins.

    ``requested_by``: ``member`` (the member asked; ``reason`` optional) or ``plan`` (the plan
    needs more information and the delay is in the member's interest; ``reason`` required, and
    it is in the letter). ``Conflict`` (409) when resolved, already extended or past its due
    time; a 400 keyed by field for the rest."""
    case = _case_for_change(actor=actor, case_id=case_id, kind=kind)
    now = now or timezone.now()
    refusal = appeal_extension_refusal(case, now=now)
    if refusal:
        raise Conflict(refusal, status=case.status, due_at=case.due_at.isoformat())
    errors: dict[str, str] = {}
    if requested_by not in ExtensionRequestedBy.values:
        errors["requested_by"] = "Say who asked for more time: the member or the plan."
    maximum = settings.APPEAL_EXTENSION_MAX_DAYS[case.kind]
    days = maximum if days is None else days
    if not 1 <= days <= maximum:
        errors["days"] = f"Extend by 1 to {maximum} days."
    reason = reason.strip()
    if requested_by == ExtensionRequestedBy.PLAN and not reason:
        errors["reason"] = (
            "Write what information the plan needs and how waiting is in the member's interest."
        )
    if errors:
        raise DomainError("Check the form.", fields=errors)
    previous = case.due_at
    case.due_at = previous + timedelta(days=days)
    case.due_at_before_extension = previous
    case.extended_at = now
    case.extended_by = actor
    case.extension_requested_by = requested_by
    case.extension_days = days
    case.extension_reason = reason
    case.save()
    AppealCaseChange.objects.create(
        case=case,
        from_status=case.status,
        to_status=EXTENDED,
        actor=actor,
        note=f"{days} days, asked by the {requested_by}" + (f": {reason}" if reason else ""),
    )
    _letter(
        case,
        kind=NoticeKind.APPEAL_EXTENSION,
        context={
            "requested_by": requested_by,
            "reason": reason,
            "days": days,
            "due_date": local_time(case.due_at).date(),
            "previous_due_date": local_time(previous).date(),
            "expedited": case.expedited,
        },
    )
    _audit(
        actor,
        "update",
        case.pk,
        beneficiary=case.enrollment.beneficiary_id,
        extended_days=days,
        requested_by=requested_by,
    )
    return case


def appeal_expedite_denial_refusal(case: AppealCase, *, now: datetime | None = None) -> str:
    """Why ``case``'s expedited request cannot be denied now ("" when it can): an open
    expedited case, not extended, before its expedited due time."""
    if case.status != AppealStatus.OPEN:
        return "This case is already resolved."
    if not case.expedited:
        return "This case is not expedited: it is already on the standard timeframe."
    if case.extended_at is not None:
        return "This case was extended: decide whether it is expedited before extending it."
    if (now or timezone.now()) >= case.due_at:
        return "The expedited due time has passed: decide the case."
    return ""


@transaction.atomic
def appeal_case_deny_expedite(
    *,
    actor: User,
    case_id: int,
    reason: str,
    kind: str | None = None,
    now: datetime | None = None,
) -> AppealCase:
    """The plan decides an expedited request does not qualify: the case moves to the standard
    clock (due ``APPEAL_DUE_HOURS[kind]`` after its receipt) and the member gets a letter saying
    so, and that they may file an expedited grievance if they disagree (42 CFR 422.630(d),
    422.633(e); docs/care.md). Staff of the member's plan and admins; ``reason`` required (it
    is in the letter). ``Conflict`` (409) when resolved, not expedited, extended or past its
    expedited due time."""
    case = _case_for_change(actor=actor, case_id=case_id, kind=kind)
    now = now or timezone.now()
    refusal = appeal_expedite_denial_refusal(case, now=now)
    if refusal:
        raise Conflict(refusal, status=case.status, expedited=case.expedited)
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "Write why the member's health does not need the fast timeframe.", field="reason"
        )
    case.expedited = False
    case.due_at = appeal_due_at(kind=case.kind, expedited=False, received_at=case.received_at)
    case.expedite_denied_at = now
    case.expedite_denied_by = actor
    case.expedite_denial_reason = reason
    case.save()
    AppealCaseChange.objects.create(
        case=case, from_status=case.status, to_status=EXPEDITE_DENIED, actor=actor, note=reason
    )
    _letter(
        case,
        kind=NoticeKind.APPEAL_EXPEDITE_DENIED,
        context={
            "received_date": local_time(case.received_at).date(),
            "due_date": local_time(case.due_at).date(),
            "reason": reason,
        },
    )
    _audit(
        actor,
        "update",
        case.pk,
        beneficiary=case.enrollment.beneficiary_id,
        expedited=False,
    )
    return case


def appeal_cases_mark_overdue(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Flag every open case past its due time as overdue, with a history row each.

    Idempotent and restartable like ``care_tasks_mark_overdue``: batches in their own
    transactions, only unflagged cases taken, keyset over the id."""
    now = now or timezone.now()
    marked = 0
    last = 0
    while True:
        with transaction.atomic():
            ids = list(
                AppealCase.objects.select_for_update(skip_locked=True)
                .filter(status=AppealStatus.OPEN, overdue=False, due_at__lt=now, pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return marked
            last = ids[-1]
            AppealCase.objects.filter(pk__in=ids).update(overdue=True, overdue_since=now)
            AppealCaseChange.objects.bulk_create(
                AppealCaseChange(case_id=pk, from_status=AppealStatus.OPEN, to_status=OVERDUE)
                for pk in ids
            )
            marked += len(ids)


# ---------------------------------------------------------------------------------------------
# Reads


def appeal_case_list(
    *, actor: User, kind: str | None = None, status: str | None = None
) -> QuerySet[AppealCase]:
    """The actor's cases, open ones past due first, then soonest due. Members see their own;
    staff their organization's (audit the rows shown with ``appeal_cases_audit``)."""
    cases = AppealCase.objects.filter(appeal_scope(actor)).select_related("enrollment__beneficiary")
    if kind:
        cases = cases.filter(kind=kind)
    if status:
        cases = cases.filter(status=status)
    return cases.order_by("status", "due_at", "pk")


def appeal_cases_audit(*, actor: User, cases: list[AppealCase]) -> None:
    """The read-audit row of a page of cases staff or an admin looked at (ids only)."""
    if cases:
        access.audit_read(
            actor,
            "appeal_case",
            "list",
            cases=[case.pk for case in cases],
            beneficiaries=sorted({case.enrollment.beneficiary_id for case in cases}),
        )


def appeal_case_get(*, actor: User, case_id: int, kind: str | None = None) -> AppealCase:
    """One case the actor may see, with its history (``NotFound`` otherwise); audited."""
    found = AppealCase.objects.filter(Q(pk=case_id) & appeal_scope(actor))
    if kind is not None:
        found = found.filter(kind=kind)
    case = found.select_related("enrollment__beneficiary").prefetch_related("changes").first()
    if case is None:
        raise NotFound("No such case.")
    access.audit_read(actor, "appeal_case", case.pk, beneficiary=case.enrollment.beneficiary_id)
    return case


def appeal_is_overdue(case: AppealCase, *, now: datetime | None = None) -> bool:
    """Open and past its due time (whether or not the daily job has flagged it yet)."""
    return case.status == AppealStatus.OPEN and case.due_at < (now or timezone.now())


def appeal_staff_queue(*, actor: User) -> list[AppealCase]:
    """The staff page's open cases (their organization's; admins all), overdue first, then
    soonest due; members ``Forbidden``. Audited as a read of the rows shown."""
    access.require_staff(actor)
    cases = list(appeal_case_list(actor=actor, status=AppealStatus.OPEN)[:500])
    appeal_cases_audit(actor=actor, cases=cases)
    return cases


def appeal_member_cases(*, actor: User) -> list[AppealCase]:
    """The member's own cases, newest first (staff and admins ``Forbidden``)."""
    access.require_member(actor)
    return list(appeal_case_list(actor=actor).order_by("-received_at", "-pk"))
