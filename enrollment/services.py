"""Writes for applications and enrollments. Views, API and tasks call these; they hold the rules.

Every service runs in one transaction, refuses an illegal status move with ``Conflict`` (409),
records the move (who, when, why) and audits the change. Services that touch one person's
enrollments lock that person's beneficiary row first, then the application: the same order
everywhere, so two approvals for one person queue behind each other instead of deadlocking.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import Conflict, DomainError, NotEligible
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary, MediMediPlan
from eligibility.notifications import recipient_snapshot
from eligibility.rules import first_of_next_month, last_day_of_month
from eligibility.selectors import california_today, plan_first_day_in_county, plan_service_area
from eligibility.services import determination_create
from enrollment import notifications
from enrollment.models import (
    TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    DenialReason,
    EndReason,
    Enrollment,
    EnrollmentKind,
)
from notices.kinds import InvalidNotice
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_resend

PLAN_NOT_IN_COUNTY = {
    "code": "PLAN_NOT_IN_COUNTY",
    "message": "The plan you chose does not serve your county on the date coverage would start.",
}

EDITABLE_DRAFT_FIELDS = frozenset(
    {"plan", "contact_email", "contact_phone", "language", "notice_format"}
)


def _california_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _check_move(application: Application, to_status: str) -> None:
    """Raise ``Conflict`` (with the current status) unless the pipeline allows the move."""
    if to_status not in TRANSITIONS[application.status]:
        raise Conflict(
            f"An application that is {application.get_status_display().lower()} cannot become "
            f"{ApplicationStatus(to_status).label.lower()}.",
            status=application.status,
        )


def _move(
    application: Application,
    to_status: str,
    *,
    actor: User | None,
    note: str = "",
    reason_codes: Iterable[str] = (),
) -> ApplicationStatusChange:
    """Move ``application`` to ``to_status`` or raise ``Conflict``; write the history row."""
    _check_move(application, to_status)
    from_status = application.status
    application.status = to_status
    change = ApplicationStatusChange.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
        reason_codes=list(reason_codes),
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="application",
        object_id=application.pk,
        detail={"status": [from_status, to_status]},
    )
    return change


def _lock(application: Application) -> tuple[Beneficiary, Application]:
    """Lock the person, then the application (always this order), and return fresh rows."""
    beneficiary = Beneficiary.objects.select_for_update().get(pk=application.beneficiary_id)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    return beneficiary, locked


@transaction.atomic
def application_create(
    *,
    beneficiary: Beneficiary,
    actor: User | None,
    plan: MediMediPlan | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    language: str | None = None,
    notice_format: str | None = None,
) -> Application:
    """Start a draft application; contact details default to the beneficiary's record."""
    application = Application.objects.create(
        beneficiary=beneficiary,
        plan=plan,
        contact_email=beneficiary.email if contact_email is None else contact_email,
        contact_phone=beneficiary.phone if contact_phone is None else contact_phone,
        language=language or beneficiary.preferred_language,
        notice_format=notice_format or beneficiary.preferred_format,
        created_by=actor,
    )
    ApplicationStatusChange.objects.create(
        application=application, from_status="", to_status=ApplicationStatus.DRAFT, actor=actor
    )
    audit_record(actor=actor, action="create", object_type="application", object_id=application.pk)
    return application


@transaction.atomic
def application_update_draft(
    *, application: Application, actor: User | None, changes: dict[str, Any]
) -> Application:
    """Change a draft's plan, contact details, language or format."""
    unknown = set(changes) - EDITABLE_DRAFT_FIELDS
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    _, locked = _lock(application)
    if locked.status != ApplicationStatus.DRAFT:
        raise Conflict("Only a draft can be changed.", status=locked.status)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(
        actor=actor,
        action="update",
        object_type="application",
        object_id=locked.pk,
        detail={"fields": sorted(changes)},
    )
    return locked


@transaction.atomic
def application_submit(
    *, application: Application, actor: User | None, now: datetime | None = None
) -> Application:
    """Submit a draft: run the rules on the recorded facts as of today and fix the effective date.

    Refused (``NotEligible``, nothing written) when the person is not eligible or the chosen
    plan does not serve their county when coverage would start.
    """
    beneficiary, locked = _lock(application)
    if locked.status != ApplicationStatus.DRAFT:
        raise Conflict("Only a draft can be submitted.", status=locked.status)
    if locked.plan_id is None:
        raise DomainError("Choose a plan before submitting.", field="plan")
    now = now or timezone.now()
    today = _california_date(now)
    determination = determination_create(beneficiary=beneficiary, as_of=today)
    if not determination.eligible:
        raise NotEligible("You cannot join a Medi-Medi Plan now.", reasons=determination.reasons)
    county = beneficiary.county
    since = max(first_of_next_month(today), county.medi_medi_available_from)
    effective = plan_first_day_in_county(plan_id=locked.plan_id, county=county, since=since)
    if effective is None:
        raise NotEligible("You cannot join this plan.", reasons=[PLAN_NOT_IN_COUNTY])
    locked.determination = determination
    locked.submitted_at = now
    locked.effective_date = effective
    _move(locked, ApplicationStatus.SUBMITTED, actor=actor)
    locked.save()
    _keep_letter_preferences(beneficiary, locked, actor)
    notifications.application_received(locked)
    return locked


def _keep_letter_preferences(
    beneficiary: Beneficiary, application: Application, actor: User | None
) -> None:
    """The language and format chosen on an application become the standing request."""
    changed = {
        field: value
        for field, value in (
            ("preferred_language", application.language),
            ("preferred_format", application.notice_format),
        )
        if getattr(beneficiary, field) != value
    }
    if not changed:
        return
    for field, value in changed.items():
        setattr(beneficiary, field, value)
    beneficiary.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        object_type="beneficiary",
        object_id=beneficiary.pk,
        detail={"fields": sorted(changed), "application": application.pk},
    )


@transaction.atomic
def application_start_review(*, application: Application, actor: User) -> Application:
    _, locked = _lock(application)
    _move(locked, ApplicationStatus.IN_REVIEW, actor=actor)
    locked.save()
    return locked


@transaction.atomic
def application_request_info(*, application: Application, actor: User, note: str) -> Application:
    """Ask the member for a document or a fact; the note goes to the member."""
    if not note.strip():
        raise DomainError("Say what information is needed.", field="note")
    _, locked = _lock(application)
    change = _move(locked, ApplicationStatus.INFO_REQUESTED, actor=actor, note=note.strip())
    locked.save()
    notifications.info_requested(locked, change)
    return locked


@transaction.atomic
def application_deny(
    *, application: Application, actor: User, reasons: list[str], note: str = ""
) -> Application:
    """Deny with one or more coded reasons (``DenialReason``) and a note."""
    codes = list(dict.fromkeys(reasons))
    if not codes:
        raise DomainError("Give at least one reason.", field="reasons")
    unknown = [code for code in codes if code not in DenialReason.values]
    if unknown:
        raise DomainError(f"Unknown reason codes: {', '.join(unknown)}.", field="reasons")
    if DenialReason.OTHER in codes and not note.strip():
        raise DomainError("Explain the reason OTHER in the note.", field="note")
    _, locked = _lock(application)
    _move(locked, ApplicationStatus.DENIED, actor=actor, note=note.strip(), reason_codes=codes)
    locked.denial_reasons = codes
    locked.decision_note = note.strip()
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save()
    notifications.denied(locked)
    return locked


@transaction.atomic
def application_withdraw(
    *, application: Application, actor: User | None, note: str = ""
) -> Application:
    """Withdraw an application before a decision (the member, or staff marking it)."""
    _, locked = _lock(application)
    _move(locked, ApplicationStatus.WITHDRAWN, actor=actor, note=note.strip())
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save()
    return locked


def _end(
    enrollment: Enrollment,
    end_date: date,
    reason: str,
    *,
    actor: User | None = None,
    requested_on: date | None = None,
    note: str = "",
) -> None:
    enrollment.ended_by = actor
    enrollment.end_requested_on = requested_on
    enrollment.end_note = note
    if end_date < enrollment.start_date:
        enrollment.cancelled = True
        enrollment.end_date = enrollment.start_date
        enrollment.end_reason = EndReason.SUPERSEDED if reason != EndReason.DISENROLLED else reason
    else:
        enrollment.end_date = end_date
        enrollment.end_reason = reason
    enrollment.save(
        update_fields=[
            "end_date",
            "cancelled",
            "end_reason",
            "ended_by",
            "end_requested_on",
            "end_note",
            "updated_at",
        ]
    )


def _active_on_or_after(beneficiary: Beneficiary, kind: str, day: date) -> list[Enrollment]:
    """Enrollments of ``kind`` that cover ``day`` or start later, locked, in id order."""
    return list(
        Enrollment.objects.select_for_update()
        .filter(beneficiary=beneficiary, kind=kind, cancelled=False)
        .exclude(end_date__lt=day)
        .order_by("pk")
    )


@transaction.atomic
def application_approve(
    *, application: Application, actor: User, today: date | None = None
) -> Application:
    """Approve and enroll, all or nothing.

    Re-checks eligibility for coverage starting on the effective date; starts the Medi-Medi
    enrollment and, the same day, the aligned Medi-Cal enrollment; ends any earlier Medi-Medi and
    Medi-Cal enrollment the day before (a plan switch).
    """
    beneficiary, locked = _lock(application)
    _check_move(locked, ApplicationStatus.APPROVED)
    effective = locked.effective_date
    assert effective is not None and locked.plan_id is not None  # set on submission
    recheck = determination_create(
        beneficiary=beneficiary, as_of=today or california_today(), coverage_start=effective
    )
    if not recheck.eligible:
        raise NotEligible(
            "The person is no longer eligible for coverage on the effective date.",
            reasons=recheck.reasons,
        )
    area = plan_service_area(plan_id=locked.plan_id, county=beneficiary.county, day=effective)
    if area is None:
        raise NotEligible("The plan no longer serves the county.", reasons=[PLAN_NOT_IN_COUNTY])

    current = _active_on_or_after(beneficiary, EnrollmentKind.MEDI_MEDI, effective)
    for enrollment in current:
        if enrollment.start_date >= effective:
            raise Conflict(
                f"This person is already enrolled in a Medi-Medi Plan from "
                f"{enrollment.start_date.isoformat()}.",
                status=locked.status,
                enrollment=enrollment.pk,
            )
        if enrollment.medi_medi_plan_id == locked.plan_id:
            raise Conflict(
                "This person is already enrolled in this plan.",
                status=locked.status,
                enrollment=enrollment.pk,
            )
    day_before = effective - timedelta(days=1)
    previous_medi_cal = _active_on_or_after(beneficiary, EnrollmentKind.MEDI_CAL, effective)
    try:
        for old in [*current, *previous_medi_cal]:
            _end(old, day_before, EndReason.PLAN_SWITCH, actor=actor, requested_on=today)
        medi_medi = Enrollment.objects.create(
            beneficiary=beneficiary,
            kind=EnrollmentKind.MEDI_MEDI,
            medi_medi_plan_id=locked.plan_id,
            start_date=effective,
            application=locked,
        )
        medi_cal = Enrollment.objects.create(
            beneficiary=beneficiary,
            kind=EnrollmentKind.MEDI_CAL,
            medi_cal_plan=area.aligned_medi_cal_plan,
            start_date=effective,
            aligned_with=medi_medi,
            application=locked,
        )
    except IntegrityError as exc:  # the exclusion constraint: a race the locks did not see
        raise Conflict("A conflicting enrollment was written at the same time.") from exc
    locked.approval_determination = recheck
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    _move(locked, ApplicationStatus.APPROVED, actor=actor)
    locked.save()
    audit_record(
        actor=actor,
        action="create",
        object_type="enrollment",
        object_id=medi_medi.pk,
        detail={"application": locked.pk, "switched_from": [e.pk for e in current]},
    )
    notifications.enrolled(
        locked,
        medi_medi,
        medi_cal,
        switched_from=current[0] if current else None,
        previous_medi_cal=previous_medi_cal[0] if previous_medi_cal else None,
    )
    return locked


def disenrollment_end_date(requested_on: date) -> date:
    """A Medi-Medi enrollment ends on the last day of the month the member asks to leave."""
    return last_day_of_month(requested_on)


@transaction.atomic
def enrollment_disenroll(
    *,
    enrollment: Enrollment,
    actor: User | None,
    requested_on: date | None = None,
    note: str = "",
) -> Enrollment:
    """End a Medi-Medi enrollment on the last day of the month of the request.

    The aligned Medi-Cal enrollment continues. An enrollment that would end before it starts
    is cancelled.
    """
    Beneficiary.objects.select_for_update().get(pk=enrollment.beneficiary_id)
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.kind != EnrollmentKind.MEDI_MEDI:
        raise DomainError(
            "Only a Medi-Medi Plan enrollment can be ended here; Medi-Cal plan coverage continues."
        )
    requested_on = requested_on or california_today()
    end = disenrollment_end_date(requested_on)
    if locked.cancelled or (locked.end_date is not None and locked.end_date <= end):
        raise Conflict(
            "This enrollment has already ended or is already set to end by then.",
            end_date=locked.end_date.isoformat() if locked.end_date else None,
        )
    _end(
        locked,
        end,
        EndReason.DISENROLLED,
        actor=actor,
        requested_on=requested_on,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="enrollment",
        object_id=locked.pk,
        detail={
            "beneficiary": locked.beneficiary_id,
            "end_date": locked.end_date.isoformat() if locked.end_date else None,
            "cancelled": locked.cancelled,
        },
    )
    aligned = Enrollment.objects.filter(aligned_with=locked).select_related("medi_cal_plan").first()
    notifications.disenrolled(
        locked, aligned.medi_cal_plan.name if aligned and aligned.medi_cal_plan else None
    )
    return locked


# A letter can be sent again once it was sent or failed; a queued or sending one is still on its
# way, and a cancelled one was withdrawn on purpose (e.g. a county's date moved).
RESENDABLE_STATUSES = frozenset({NoticeStatus.SENT, NoticeStatus.FAILED})


@transaction.atomic
def letter_resend(
    *, notice: Notice, beneficiary: Beneficiary, actor: User, id_card_only: bool = False
) -> Notice:
    """Send a member's letter (or only its ID card) again, to their address and language now.

    Refused while the letter itself, or an earlier resend of it, is still on its way, so a
    double click sends one copy.
    """
    if notice.status not in RESENDABLE_STATUSES:
        raise Conflict(
            "This letter has not been sent yet; it cannot be sent again.", status=notice.status
        )
    pending = Notice.objects.filter(
        resend_of=notice, status__in=(NoticeStatus.QUEUED, NoticeStatus.SENDING)
    ).first()
    if pending is not None:
        raise Conflict(
            f"Letter {notice.pk} is already being sent again as letter {pending.pk}.",
            status=pending.status,
        )
    try:
        return notice_resend(
            notice=notice,
            requested_by=actor,
            kind=NoticeKind.ID_CARD if id_card_only else None,
            recipient=recipient_snapshot(beneficiary),
        )
    except InvalidNotice as exc:
        raise DomainError(str(exc), field="id_card_only" if id_card_only else "detail") from exc
