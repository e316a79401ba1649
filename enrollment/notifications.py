"""The letters that enrollment events send, queued in the event's own transaction (the outbox).

Each function builds the recipient snapshot and the context a notice kind needs and calls
``eligibility.notifications.letter_queue`` (which records the member and the organization
sending it) with an idempotency key naming the event, so a retried request
never sends a letter twice and a rolled-back event sends none.
"""

from datetime import date, timedelta

from eligibility.models import Beneficiary, MediMediPlan
from eligibility.notifications import letter_queue, recipient_snapshot
from enrollment.models import Application, ApplicationStatusChange, DenialReason, Enrollment
from notices.models import Notice, NoticeKind


def _recipient(application: Application) -> dict[str, object]:
    return recipient_snapshot(application.beneficiary, email=application.contact_email or None)


def _organization_id(application: Application) -> int | None:
    """The organization whose staff handle the application: its letters are theirs."""
    return application.plan.organization_id if application.plan is not None else None


def _plan_context(plan: MediMediPlan | None) -> dict[str, object]:
    if plan is None:
        return {}
    return {"plan_name": plan.name, "plan_phone": plan.member_phone}


def application_received(application: Application) -> Notice:
    return letter_queue(
        beneficiary=application.beneficiary_id,
        organization_id=_organization_id(application),
        kind=NoticeKind.APPLICATION_RECEIVED,
        idempotency_key=f"application-received:{application.pk}",
        recipient=_recipient(application),
        context={
            **_plan_context(application.plan),
            "received_date": application.submitted_at.date() if application.submitted_at else None,
            "expected_effective_date": application.effective_date,
            "application_reference": str(application.pk),
        },
    )


def info_requested(application: Application, change: ApplicationStatusChange) -> Notice:
    return letter_queue(
        beneficiary=application.beneficiary_id,
        organization_id=_organization_id(application),
        kind=NoticeKind.INFO_REQUESTED,
        idempotency_key=f"info-requested:{application.pk}:{change.pk}",
        recipient=_recipient(application),
        context={
            **_plan_context(application.plan),
            "staff_note": change.note,
            "application_reference": str(application.pk),
        },
    )


def denied(application: Application) -> Notice:
    reasons = [
        {
            "code": code,
            "message": application.decision_note
            if code == DenialReason.OTHER and application.decision_note
            else DenialReason(code).label,
        }
        for code in application.denial_reasons
    ]
    return letter_queue(
        beneficiary=application.beneficiary_id,
        organization_id=_organization_id(application),
        kind=NoticeKind.DENIAL,
        idempotency_key=f"application-denied:{application.pk}",
        recipient=_recipient(application),
        context={
            **_plan_context(application.plan),
            "reasons": reasons,
            "decision_date": application.decided_at.date() if application.decided_at else None,
            "application_reference": str(application.pk),
        },
    )


def enrolled(
    application: Application,
    medi_medi: Enrollment,
    medi_cal: Enrollment,
    switched_from: Enrollment | None,
    previous_medi_cal: Enrollment | None,
) -> Notice:
    """The enrollment confirmation with the ID card, or the plan switch confirmation (with a new card)."""
    plan = medi_medi.medi_medi_plan
    assert plan is not None and medi_cal.medi_cal_plan is not None
    beneficiary: Beneficiary = application.beneficiary
    common = {
        "plan_phone": plan.member_phone,
        "mbi": beneficiary.mbi,
        "contract_id": plan.contract_id or "",
        "application_reference": str(application.pk),
        # The card's facts: the plan's own member ID and numbers; empty prints as "unknown".
        "member_id": medi_medi.member_id,
        "plan_tty": plan.member_tty,
        "rx_bin": plan.rx_bin,
        "rx_pcn": plan.rx_pcn,
        "rx_group": plan.rx_group,
    }
    if switched_from is not None and switched_from.medi_medi_plan is not None:
        return letter_queue(
            beneficiary=beneficiary,
            organization_id=plan.organization_id,
            kind=NoticeKind.PLAN_SWITCH_CONFIRMATION,
            idempotency_key=f"plan-switch-confirmed:{medi_medi.pk}",
            recipient=_recipient(application),
            context={
                **common,
                "old_plan_name": switched_from.medi_medi_plan.name,
                "old_plan_end_date": medi_medi.start_date - timedelta(days=1),
                "new_plan_name": plan.name,
                "new_plan_start_date": medi_medi.start_date,
                "new_medi_cal_plan_name": medi_cal.medi_cal_plan.name,
            },
        )
    context: dict[str, object] = {
        **common,
        "plan_name": plan.name,
        "medi_cal_plan_name": medi_cal.medi_cal_plan.name,
        "effective_date": medi_medi.start_date,
    }
    if (
        previous_medi_cal is not None
        and previous_medi_cal.medi_cal_plan is not None
        and previous_medi_cal.medi_cal_plan_id != medi_cal.medi_cal_plan_id
    ):
        context["previous_medi_cal_plan_name"] = previous_medi_cal.medi_cal_plan.name
    return letter_queue(
        beneficiary=beneficiary,
        organization_id=plan.organization_id,
        kind=NoticeKind.ENROLLMENT_CONFIRMATION,
        idempotency_key=f"enrollment-confirmed:{medi_medi.pk}",
        recipient=_recipient(application),
        context=context,
    )


def _coverage_end(enrollment: Enrollment) -> date:
    """The last day covered; a cancelled enrollment never started, so the day before its start."""
    assert enrollment.end_date is not None
    return (
        enrollment.start_date - timedelta(days=1) if enrollment.cancelled else enrollment.end_date
    )


def _medi_medi_letter(
    enrollment: Enrollment,
    *,
    kind: str,
    idempotency_key: str,
    medi_cal_plan_name: str | None,
    **context: object,
) -> Notice:
    """Queue a letter about a Medi-Medi enrollment, from its plan's organization."""
    plan = enrollment.medi_medi_plan
    assert plan is not None
    full: dict[str, object] = {**_plan_context(plan), **context}
    if medi_cal_plan_name:
        full["medi_cal_plan_name"] = medi_cal_plan_name
    return letter_queue(
        beneficiary=enrollment.beneficiary_id,
        organization_id=plan.organization_id,
        kind=kind,
        idempotency_key=idempotency_key,
        recipient=recipient_snapshot(enrollment.beneficiary),
        context=full,
    )


def disenrolled(enrollment: Enrollment, medi_cal_plan_name: str | None) -> Notice:
    return _medi_medi_letter(
        enrollment,
        kind=NoticeKind.DISENROLLMENT_CONFIRMATION,
        idempotency_key=f"disenrollment-confirmed:{enrollment.pk}",
        medi_cal_plan_name=medi_cal_plan_name,
        end_date=_coverage_end(enrollment),
        # Cancelled before it started: the letter says so, never "ends on" a day before it.
        **(
            {"cancelled": True, "start_date": enrollment.start_date} if enrollment.cancelled else {}
        ),
    )


def deeming_started(
    enrollment: Enrollment, *, first_month_without: date, medi_cal_plan_name: str | None
) -> Notice:
    """The member lost full Medi-Cal: the plan continues through ``deeming_until``, unless..."""
    assert enrollment.deeming_until is not None
    return _medi_medi_letter(
        enrollment,
        kind=NoticeKind.DEEMING_PERIOD,
        idempotency_key=f"deeming-started:{enrollment.pk}:{first_month_without.isoformat()}",
        medi_cal_plan_name=medi_cal_plan_name,
        first_month_without=first_month_without,
        deeming_until=enrollment.deeming_until,
    )


def involuntarily_disenrolled(
    enrollment: Enrollment,
    *,
    reason: str,
    medi_cal_plan_name: str | None,
    county_name: str | None = None,
    plans: list[dict[str, str]] | None = None,
) -> Notice:
    """The Medi-Medi enrollment ends because the state's or Medicare's data changed.

    ``reason`` is the end reason (medicare_ended, moved, incarcerated, deeming_ended); a move
    names the new county and the Medi-Medi Plans offered there.
    """
    extra: dict[str, object] = {}
    if county_name:
        extra["county_name"] = county_name
    if plans:
        extra["plans"] = plans
    return _medi_medi_letter(
        enrollment,
        kind=NoticeKind.INVOLUNTARY_DISENROLLMENT,
        idempotency_key=f"disenrolled-involuntarily:{enrollment.pk}:{reason}",
        medi_cal_plan_name=medi_cal_plan_name,
        end_date=_coverage_end(enrollment),
        reason=reason,
        **extra,
    )
