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

from accounts.errors import Conflict, DomainError, Forbidden, NotEligible, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary, BeneficiaryLetter, MediMediPlan
from eligibility.notifications import recipient_snapshot
from eligibility.rules import first_of_next_month, last_day_of_month
from eligibility.selectors import california_today, plan_first_day_in_county, plan_service_area
from eligibility.services import determination_create
from enrollment import access, notifications
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
from notices.kinds import InvalidNotice, ResendRefused
from notices.models import Notice, NoticeKind
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
    """Lock the person, then the application (always this order), and return fresh rows.

    Only ``application.pk`` is trusted: callers may pass ``Application(pk=...)``.
    """
    beneficiary_id = (
        Application.objects.filter(pk=application.pk)
        .values_list("beneficiary_id", flat=True)
        .first()
    )
    if beneficiary_id is None:
        raise NotFound("No such application.")
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    return beneficiary, locked


def _applicant(actor: User | None, beneficiary: Beneficiary | None) -> Beneficiary:
    """The person a new application is for: the member's own record (a job names one)."""
    if actor is None:
        if beneficiary is None:
            raise DomainError("Name the person the application is for.", field="beneficiary")
        return beneficiary
    access.require_member(actor)
    own = Beneficiary.objects.filter(user=actor).first()
    if own is None:
        raise Forbidden("Link your account to your Medicare and Medi-Cal record before you apply.")
    if beneficiary is not None and beneficiary.pk != own.pk:
        raise NotFound("No such beneficiary.")
    return own


@transaction.atomic
def application_create(
    *,
    actor: User | None,
    beneficiary: Beneficiary | None = None,
    plan: MediMediPlan | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    language: str | None = None,
    notice_format: str | None = None,
) -> Application:
    """Start a draft application for the member's own record (a system job names the person).

    Contact details default to the beneficiary's record. Staff and admins cannot apply as a
    member (``Forbidden``); a member who has not linked their record is told to link it first.
    """
    beneficiary = _applicant(actor, beneficiary)
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
    access.check_owner(actor, locked)
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
    access.check_owner(actor, locked)
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
    """Start reviewing a submitted application (staff of the plan's organization, admins)."""
    _, locked = _lock(application)
    access.check_staff_decides(actor, locked)
    _move(locked, ApplicationStatus.IN_REVIEW, actor=actor)
    locked.save()
    return locked


@transaction.atomic
def application_request_info(*, application: Application, actor: User, note: str) -> Application:
    """Ask the member for a document or a fact; the note goes to the member."""
    _, locked = _lock(application)
    access.check_staff_decides(actor, locked)
    if not note.strip():
        raise DomainError("Say what information is needed.", field="note")
    change = _move(locked, ApplicationStatus.INFO_REQUESTED, actor=actor, note=note.strip())
    locked.save()
    notifications.info_requested(locked, change)
    return locked


@transaction.atomic
def application_deny(
    *, application: Application, actor: User, reasons: list[str], note: str = ""
) -> Application:
    """Deny with one or more coded reasons (``DenialReason``) and a note."""
    _, locked = _lock(application)
    access.check_staff_decides(actor, locked)
    codes = list(dict.fromkeys(reasons))
    if not codes:
        raise DomainError("Give at least one reason.", field="reasons")
    unknown = [code for code in codes if code not in DenialReason.values]
    if unknown:
        raise DomainError(f"Unknown reason codes: {', '.join(unknown)}.", field="reasons")
    if DenialReason.OTHER in codes and not note.strip():
        raise DomainError("Explain the reason OTHER in the note.", field="note")
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
    access.check_application_visible(actor, locked)
    _move(locked, ApplicationStatus.WITHDRAWN, actor=actor, note=note.strip())
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save()
    return locked


def application_mark_withdrawn(
    *, application: Application, actor: User, note: str = ""
) -> Application:
    """Staff record that the member withdrew (by phone, on paper): staff and admins only."""
    access.require_staff(actor)
    return application_withdraw(application=application, actor=actor, note=note)


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
        # A plan switch replaces a future enrollment; any other reason (the member's request,
        # a change in the state's data) stays the reason it never started.
        enrollment.end_reason = EndReason.SUPERSEDED if reason == EndReason.PLAN_SWITCH else reason
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
    access.check_staff_decides(actor, locked)
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
    # Already in the aligned Medi-Cal plan (loaded from the state's file, or kept after leaving
    # a Medi-Medi Plan): that enrollment continues, linked to the new one, not ended and re-added.
    kept = next(
        (
            e
            for e in previous_medi_cal
            if e.medi_cal_plan_id == area.aligned_medi_cal_plan_id
            and e.start_date <= effective
            and e.end_date is None
        ),
        None,
    )
    previous_medi_cal = [e for e in previous_medi_cal if e is not kept]
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
        if kept is not None:
            kept.aligned_with = medi_medi
            kept.save(update_fields=["aligned_with", "updated_at"])
            medi_cal = kept
        else:
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
        detail={
            "application": locked.pk,
            "switched_from": [e.pk for e in current],
            "medi_cal_kept": kept.pk if kept is not None else None,
        },
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
    beneficiary_id = (
        Enrollment.objects.filter(pk=enrollment.pk).values_list("beneficiary_id", flat=True).first()
    )
    if beneficiary_id is None:
        raise NotFound("No such enrollment.")
    Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("medi_medi_plan", "beneficiary")
        .get(pk=enrollment.pk)
    )
    access.check_enrollment_end(actor, locked)
    if requested_on is not None and actor is not None and not access.is_staff_actor(actor):
        raise Forbidden("Members ask to leave as of today; only staff record an earlier request.")
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


def enrollment_disenroll_for_member(
    *, enrollment: Enrollment, actor: User, requested_on: date | None = None, note: str = ""
) -> Enrollment:
    """Staff record a member's request to leave, on the date it was made: staff only."""
    access.require_staff(actor)
    return enrollment_disenroll(
        enrollment=enrollment, actor=actor, requested_on=requested_on, note=note
    )


@transaction.atomic
def letter_resend(
    *,
    actor: User,
    notice_id: int,
    id_card_only: bool = False,
    beneficiary_id: int | None = None,
) -> Notice:
    """Send a member's letter (or only its ID card) again, to their address and language now.

    Staff of the organization whose event sent it (program letters: any staff) and admins.
    Refused (409) while the letter itself, or an earlier resend of it, is still on its way,
    decided under the letter's row lock, so a double click sends one copy.
    """
    access.require_staff(actor)
    letters = Notice.objects.filter(access.letter_scope(actor))
    if beneficiary_id is not None:  # asked from one person's letters page: theirs only
        letters = letters.filter(beneficiary_letter__beneficiary_id=beneficiary_id)
    original = (
        letters.filter(pk=notice_id).select_related("beneficiary_letter__beneficiary").first()
    )
    if original is None:
        raise NotFound("No such notice.")
    letter = original.beneficiary_letter
    try:
        resent = notice_resend(
            notice=original,
            requested_by=actor,
            kind=NoticeKind.ID_CARD if id_card_only else None,
            recipient=recipient_snapshot(letter.beneficiary),
        )
    except ResendRefused as exc:
        raise Conflict(str(exc), status=exc.status) from exc
    except InvalidNotice as exc:
        raise DomainError(str(exc), field="id_card_only" if id_card_only else "detail") from exc
    BeneficiaryLetter.objects.get_or_create(
        notice=resent,
        defaults={
            "beneficiary_id": letter.beneficiary_id,
            "organization_id": letter.organization_id,
        },
    )
    return resent
