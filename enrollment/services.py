"""Writes for applications and enrollments. Views, API and tasks call these; they hold the rules.

Every service runs in one transaction, refuses an illegal status move with ``Conflict`` (409),
records the move (who, when, why) and audits the change. Services that touch one person's
enrollments lock that person's beneficiary row first, then the application: the same order
everywhere, so two approvals for one person queue behind each other instead of deadlocking.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

from accounts.errors import Conflict, DomainError, Forbidden, NotEligible, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary, BeneficiaryLetter, MediMediPlan
from eligibility.notifications import recipient_snapshot
from eligibility.rules import first_of_next_month, last_day_of_month
from eligibility.selectors import (
    OfferedPlan,
    california_today,
    plan_first_day_in_county,
    plan_service_area,
)
from eligibility.services import determination_create
from enrollment import access, notifications, selectors
from enrollment.member_ids import member_id_new
from enrollment.models import (
    OPEN_FOR_STAFF,
    TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    DenialReason,
    EndReason,
    Enrollment,
    EnrollmentKind,
    RepresentativeLetter,
    ReviewItem,
    ReviewKind,
)
from enrollment.representatives import representative_snapshot
from notices.kinds import InvalidNotice, ResendRefused
from notices.models import Notice, NoticeKind
from notices.services import notice_resend

# A deny with the reason OTHER needs a note; staff read the reason's name, not its code.
EXPLAIN_OTHER_MESSAGE = gettext_noop("Explain the reason “Another reason” in the note.")

PLAN_NOT_IN_COUNTY = {
    "code": "PLAN_NOT_IN_COUNTY",
    "message": "The plan you chose does not serve your county on the date coverage would start.",
}

# The same plan twice: refused when a member submits, and again at approval (one rule,
# ``enrolled_in_plan``); the member's words are translated, staff read theirs in English.
ALREADY_IN_PLAN_MEMBER_MESSAGE = gettext_noop(
    "You are already enrolled in this plan. Choose another plan to switch, or keep your "
    "coverage as it is."
)
ALREADY_IN_PLAN_STAFF_MESSAGE = "This person is already enrolled in this plan."

# How the plan reaches the member about an application (``contact_clean``).
PHONE_INVALID_MESSAGE = gettext_noop(
    "Enter a US phone number with 10 digits, for example 650-555-0100"
)
EMAIL_INVALID_MESSAGE = gettext_noop("Enter an email address like name@example.com")
NO_CONTACT_MESSAGE = gettext_noop(
    "Give a phone number or an email address, so the plan can reach you about this application"
)
_PHONE_CHARACTERS = re.compile(r"[0-9\s().+\-]+")

EDITABLE_DRAFT_FIELDS = frozenset(
    {"plan", "contact_email", "contact_phone", "language", "notice_format"}
)


def phone_normalize(raw: str) -> str | None:
    """A US phone number as ``650-555-0100``; "" when empty; None when it is not one.

    Ten digits (an 11th, leading 1 is the country code), with spaces, dots, dashes,
    parentheses or a leading + between them; nothing else.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    if not _PHONE_CHARACTERS.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        return None
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def contact_clean(
    *, email: str, phone: str, account_email: str = "", require_reachable: bool = True
) -> tuple[str, str]:
    """Check an application's contact details; return ``(email, phone)`` as they are stored.

    The phone is a US number, stored normalized. At least one way to reach the member is
    needed: a phone, an email, or the account's email (then stored as the contact email).
    Refused with ``DomainError`` whose ``fields`` maps each field at fault to its message.
    The member form, the API serializer and the draft services all call this one function.
    """
    email = (email or "").strip()
    errors: dict[str, str] = {}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = gettext(EMAIL_INVALID_MESSAGE)
    normalized = phone_normalize(phone)
    if normalized is None:
        errors["contact_phone"] = gettext(PHONE_INVALID_MESSAGE)
    elif require_reachable and not normalized and not email:
        if not (account_email or "").strip():
            errors["contact_email"] = gettext(NO_CONTACT_MESSAGE)
        else:
            email = account_email.strip()
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field, fields=errors)
    return email, normalized or ""


def enrolled_in_plan(*, beneficiary_id: int, plan_id: int, day: date) -> Enrollment | None:
    """The person's Medi-Medi enrollment in ``plan_id`` that covers ``day`` or starts later.

    The one rule for "already enrolled in this plan": submission and approval refuse it, the
    member's Apply page does not offer the plan, and the staff page warns.
    """
    return (
        Enrollment.objects.filter(
            beneficiary_id=beneficiary_id,
            kind=EnrollmentKind.MEDI_MEDI,
            medi_medi_plan_id=plan_id,
            cancelled=False,
        )
        .exclude(end_date__lt=day)
        .order_by("pk")
        .first()
    )


CHOOSE_PLAN_MESSAGE = gettext_noop("Choose a plan before submitting.")
CHOOSE_PLAN_TO_SAVE_MESSAGE = gettext_noop("Choose a plan before you save your application.")


def plan_required(plan_id: int | None, *, submitting: bool = True) -> None:
    """Refuse (``DomainError`` on ``plan``) a submission, or a new application, with no plan.

    A draft already saved may stay without a plan; submitting it, or starting one on the
    member's Apply page, needs one, so nothing is created when none is chosen.
    """
    if plan_id is None:
        message = CHOOSE_PLAN_MESSAGE if submitting else CHOOSE_PLAN_TO_SAVE_MESSAGE
        raise DomainError(gettext(message), field="plan")


def plans_to_apply_for(
    beneficiary: Beneficiary, plans: Sequence[OfferedPlan], *, today: date
) -> tuple[list[OfferedPlan], list[OfferedPlan]]:
    """Split the offered plans into those the member may apply for and those they are in.

    A member enrolled in a plan (``enrolled_in_plan``, from the day coverage from a new
    application could start) is not offered it again; every other offered plan is a switch.
    """
    day = application_start_day(beneficiary, today)
    open_plans: list[OfferedPlan] = []
    enrolled: list[OfferedPlan] = []
    for plan in plans:
        same = enrolled_in_plan(beneficiary_id=beneficiary.pk, plan_id=plan.id, day=day)
        (open_plans if same is None else enrolled).append(plan)
    return open_plans, enrolled


def application_start_day(beneficiary: Beneficiary, today: date) -> date:
    """The first day coverage from an application submitted ``today`` could start."""
    return max(first_of_next_month(today), beneficiary.county.medi_medi_available_from)


def _california_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _check_move(application: Application, to_status: str) -> None:
    """Raise ``Conflict`` (with the current status) unless the pipeline allows the move."""
    if to_status not in TRANSITIONS[application.status]:
        raise Conflict(
            gettext("An application that is %(status)s cannot become %(to)s.")
            % {
                "status": gettext(application.get_status_display()).lower(),
                "to": gettext(ApplicationStatus(to_status).label).lower(),
            },
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
    if contact_email is not None or contact_phone is not None:
        # Given by the member (page or API): checked; the record's own values are copied as is.
        contact_email, contact_phone = contact_clean(
            email=beneficiary.email if contact_email is None else contact_email,
            phone=beneficiary.phone if contact_phone is None else contact_phone,
            account_email=actor.email if actor is not None else "",
        )
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
        raise Conflict(gettext("Only a draft can be changed."), status=locked.status)
    for field, value in changes.items():
        setattr(locked, field, value)
    if {"contact_email", "contact_phone"} & set(changes):
        locked.contact_email, locked.contact_phone = contact_clean(
            email=locked.contact_email,
            phone=locked.contact_phone,
            account_email=actor.email if actor is not None else "",
        )
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
        raise Conflict(gettext("Only a draft can be submitted."), status=locked.status)
    plan_required(locked.plan_id)
    assert locked.plan_id is not None
    now = now or timezone.now()
    today = _california_date(now)
    determination = determination_create(beneficiary=beneficiary, as_of=today)
    if not determination.eligible:
        raise NotEligible(
            gettext("You cannot join a Medi-Medi Plan now."), reasons=determination.reasons
        )
    county = beneficiary.county
    since = application_start_day(beneficiary, today)
    effective = plan_first_day_in_county(plan_id=locked.plan_id, county=county, since=since)
    if effective is None:
        raise NotEligible(gettext("You cannot join this plan."), reasons=[PLAN_NOT_IN_COUNTY])
    same = enrolled_in_plan(beneficiary_id=beneficiary.pk, plan_id=locked.plan_id, day=effective)
    if same is not None:
        raise Conflict(
            gettext(ALREADY_IN_PLAN_MEMBER_MESSAGE),
            status=locked.status,
            field="plan",
            enrollment=same.pk,
        )
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


def denial_check(reasons: Iterable[str], note: str) -> list[str]:
    """The reasons of a denial, each once, or ``DomainError`` on the field at fault.

    At least one known ``DenialReason``; "Another reason" (OTHER) needs a note. The deny form
    (before the confirmation page), the API and ``application_deny`` all call this.
    """
    codes = list(dict.fromkeys(reasons))
    if not codes:
        raise DomainError("Give at least one reason.", field="reasons")
    unknown = [code for code in codes if code not in DenialReason.values]
    if unknown:
        raise DomainError(f"Unknown reason codes: {', '.join(unknown)}.", field="reasons")
    if DenialReason.OTHER in codes and not note.strip():
        raise DomainError(gettext(EXPLAIN_OTHER_MESSAGE), field="note")
    return codes


@transaction.atomic
def application_deny(
    *, application: Application, actor: User, reasons: list[str], note: str = ""
) -> Application:
    """Deny with one or more coded reasons (``DenialReason``) and a note."""
    _, locked = _lock(application)
    access.check_staff_decides(actor, locked)
    codes = denial_check(reasons, note)
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


# The note on a Medi-Cal plan enrollment an approval ended (or cancelled) the day before the
# aligned plan starts: it names the application and the end the row had before, so a
# cancellation of that approval before it starts can put the row back as it was.
def _cancel_before_start(
    medi_medi: Enrollment,
    reason: str,
    *,
    actor: User | None,
    requested_on: date | None,
    note: str,
) -> list[Enrollment]:
    """Cancel a Medi-Medi enrollment that has not started and its aligned Medi-Cal enrollment.

    The Medi-Cal plan enrollment the approval had ended the day before is put back as it was
    (its earlier end, or open). The caller holds the person's row lock; the enrollments are
    locked here in primary-key order. Returns the Medi-Cal rows restored.
    """
    start = medi_medi.start_date
    day_before = start - timedelta(days=1)
    _end(medi_medi, day_before, reason, actor=actor, requested_on=requested_on, note=note)
    aligned = list(
        Enrollment.objects.select_for_update()
        .filter(aligned_with=medi_medi, cancelled=False)
        .order_by("pk")
    )
    for medi_cal in aligned:
        if medi_cal.start_date >= start:  # made by the approval: never started either
            _end(medi_cal, day_before, reason, actor=actor, requested_on=requested_on, note=note)
    # What this enrollment's approval had ended (a plan switch) is put back as it was: the
    # earlier Medi-Medi enrollment and its Medi-Cal plan enrollment, recorded as fields.
    restored = list(
        Enrollment.objects.select_for_update().filter(replaced_by=medi_medi).order_by("pk")
    )
    for previous in restored:
        previous.end_date = previous.end_date_before_replaced
        previous.cancelled = False
        previous.end_reason = ""
        previous.ended_by = None
        previous.end_requested_on = None
        previous.end_note = ""
        previous.replaced_by = None
        previous.end_date_before_replaced = None
        previous.save(
            update_fields=[
                "end_date",
                "cancelled",
                "end_reason",
                "ended_by",
                "end_requested_on",
                "end_note",
                "replaced_by",
                "end_date_before_replaced",
                "updated_at",
            ]
        )
    # A Medi-Cal plan enrollment the approval had kept and linked goes back to the restored
    # Medi-Medi enrollment, or stands alone.
    earlier = next((e for e in restored if e.kind == EnrollmentKind.MEDI_MEDI), None)
    for kept in aligned:
        if kept.start_date < start:
            kept.aligned_with = earlier
            kept.save(update_fields=["aligned_with", "updated_at"])
    for row in (medi_medi, *aligned, *restored):
        audit_record(
            actor=actor,
            action="update",
            object_type="enrollment",
            object_id=row.pk,
            detail={
                "beneficiary": row.beneficiary_id,
                "cancelled": row.cancelled,
                "end_reason": row.end_reason,
                "restored": row in restored,
            },
        )
    return restored


def _earlier_elections_close(approved: Application, *, actor: User | None) -> None:
    """The person's open applications submitted before the approved one are withdrawn.

    The last election made counts (CMS MA enrollment guidance): an earlier one left open would
    sit in a queue, undecidable. Later ones stay: they are later elections. The caller holds
    the person's row lock, so these rows are locked in primary-key order after it.
    """
    if approved.submitted_at is None:
        return
    earlier = (
        Application.objects.select_for_update()
        .filter(
            beneficiary_id=approved.beneficiary_id,
            status__in=OPEN_FOR_STAFF,
            submitted_at__lt=approved.submitted_at,
        )
        .exclude(pk=approved.pk)
        .order_by("pk")
    )
    for application in earlier:
        _move(
            application,
            ApplicationStatus.WITHDRAWN,
            actor=actor,
            note=f"Replaced by application {approved.pk}, a later election that was approved.",
        )
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()


def _approval_effective_date(
    application: Application,
    beneficiary: Beneficiary,
    *,
    actor: User,
    today: date,
    effective_date: date | None,
    reason: str,
) -> tuple[date, str]:
    """The day coverage starts on approval, and why it is not the date set on submission.

    No retroactive enrollment (42 CFR 422.68, CMS MA enrollment guidance): approved after the
    effective date, coverage starts on the first of the next month. Only an admin may keep an
    earlier date, with a reason.
    """
    scheduled = application.effective_date
    assert scheduled is not None and application.plan_id is not None  # set on submission
    if effective_date is not None:
        if not actor.is_admin:
            raise Forbidden("Only an admin may set the effective date on approval.")
        if not reason.strip():
            raise DomainError("Say why the effective date is kept.", field="reason")
        if effective_date.day != 1:
            raise DomainError(
                "Coverage starts on the first of a month (42 CFR 422.68).", field="effective_date"
            )
        if effective_date < scheduled:
            raise DomainError(
                f"The effective date cannot be before {scheduled.isoformat()}, the first of the "
                "month after the application was received.",
                field="effective_date",
            )
        latest = max(scheduled, first_of_next_month(today))
        if effective_date > latest:
            raise DomainError(
                f"An admin may keep an earlier date, not set a later one: coverage would start "
                f"{latest.isoformat()} without this.",
                field="effective_date",
            )
        if effective_date == scheduled and scheduled >= today:
            return scheduled, application.effective_date_note
        return effective_date, (
            f"Effective date {effective_date.isoformat()} set by an admin on approval "
            f"({today.isoformat()}): {reason.strip()}"
        )
    if scheduled >= today:
        return scheduled, application.effective_date_note
    moved = selectors.approval_start(application, today=today)
    if moved is None:
        raise NotEligible("The plan no longer serves the county.", reasons=[PLAN_NOT_IN_COUNTY])
    return moved, (
        f"Approved on {today.isoformat()}, after the effective date {scheduled.isoformat()}: "
        f"coverage starts {moved.isoformat()}, the first of the next month (no retroactive "
        "enrollment)."
    )


@transaction.atomic
def application_approve(
    *,
    application: Application,
    actor: User,
    today: date | None = None,
    effective_date: date | None = None,
    reason: str = "",
) -> Application:
    """Approve and enroll, all or nothing.

    Re-checks eligibility for coverage starting on the effective date; starts the Medi-Medi
    enrollment and, the same day, the aligned Medi-Cal enrollment; ends any earlier Medi-Medi and
    Medi-Cal enrollment the day before (a plan switch). A Medi-Medi enrollment of another plan
    that has not started and would start on or after the new one is replaced (the last election
    before the effective date counts): it and its aligned Medi-Cal enrollment are cancelled
    (``superseded``) and the Medi-Cal plan enrollment its approval ended is put back first.
    Approved after the effective date, coverage starts on the next first of a month
    (``effective_date_note`` says so); an admin may keep an earlier ``effective_date`` with a
    ``reason``.
    """
    beneficiary, locked = _lock(application)
    access.check_staff_decides(actor, locked)
    _check_move(locked, ApplicationStatus.APPROVED)
    today = today or california_today()
    assert locked.effective_date is not None and locked.plan_id is not None  # set on submission
    effective, effective_note = _approval_effective_date(
        locked, beneficiary, actor=actor, today=today, effective_date=effective_date, reason=reason
    )
    recheck = determination_create(beneficiary=beneficiary, as_of=today, coverage_start=effective)
    if not recheck.eligible:
        raise NotEligible(
            "The person is no longer eligible for coverage on the effective date.",
            reasons=recheck.reasons,
        )
    area = plan_service_area(plan_id=locked.plan_id, county=beneficiary.county, day=effective)
    if area is None:
        raise NotEligible("The plan no longer serves the county.", reasons=[PLAN_NOT_IN_COUNTY])

    current = _active_on_or_after(beneficiary, EnrollmentKind.MEDI_MEDI, effective)
    same = enrolled_in_plan(beneficiary_id=beneficiary.pk, plan_id=locked.plan_id, day=effective)
    if same is not None:
        raise Conflict(ALREADY_IN_PLAN_STAFF_MESSAGE, status=locked.status, enrollment=same.pk)
    superseded: list[Enrollment] = []
    for enrollment in current:
        if enrollment.start_date >= effective:
            if enrollment.start_date <= today:
                raise Conflict(
                    f"This person is already enrolled in a Medi-Medi Plan from "
                    f"{enrollment.start_date.isoformat()}.",
                    status=locked.status,
                    enrollment=enrollment.pk,
                )
            earlier = enrollment.application
            if (
                earlier is not None
                and earlier.submitted_at is not None
                and locked.submitted_at is not None
                and earlier.submitted_at > locked.submitted_at
            ):
                raise Conflict(
                    f"A later election stands: application {earlier.pk}, approved for coverage "
                    f"from {enrollment.start_date.isoformat()}, was made after this one.",
                    status=locked.status,
                    enrollment=enrollment.pk,
                )
            superseded.append(enrollment)
    restored: list[Enrollment] = []
    for enrollment in superseded:
        restored += _cancel_before_start(
            enrollment,
            EndReason.SUPERSEDED,
            actor=actor,
            requested_on=today,
            note=f"Replaced by application {locked.pk}: the later election counts.",
        )
        _note_superseded(enrollment, by=locked, actor=actor)
    if superseded:
        # A superseded approval may have put back the plan it had replaced: that one is ended
        # by this switch like any current enrollment.
        current = _active_on_or_after(beneficiary, EnrollmentKind.MEDI_MEDI, effective)
    current = [e for e in current if e not in superseded]
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
        switched = [*current, *previous_medi_cal]
        ends_before = {old.pk: old.end_date for old in switched}
        for old in switched:
            _end(
                old,
                day_before,
                EndReason.PLAN_SWITCH,
                actor=actor,
                requested_on=today,
                note=f"Replaced by application {locked.pk} from {effective.isoformat()}.",
            )
        medi_medi = Enrollment.objects.create(
            beneficiary=beneficiary,
            kind=EnrollmentKind.MEDI_MEDI,
            medi_medi_plan_id=locked.plan_id,
            start_date=effective,
            application=locked,
            member_id=member_id_new(area.plan),  # the card's member ID, never the MBI
        )
        for old in switched:
            old.replaced_by = medi_medi
            old.end_date_before_replaced = ends_before[old.pk]
            old.save(update_fields=["replaced_by", "end_date_before_replaced", "updated_at"])
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
    moved_note = effective_note if effective != locked.effective_date else ""
    locked.effective_date = effective
    locked.effective_date_note = effective_note
    locked.approval_determination = recheck
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    _move(locked, ApplicationStatus.APPROVED, actor=actor, note=moved_note)
    locked.save()
    _earlier_elections_close(locked, actor=actor)
    _medicare_submit(medi_medi, switch=bool(current), application=locked, actor=actor, today=today)
    audit_record(
        actor=actor,
        action="create",
        object_type="enrollment",
        object_id=medi_medi.pk,
        detail={
            "application": locked.pk,
            "switched_from": [e.pk for e in current],
            "superseded": [e.pk for e in superseded],
            "medi_cal_kept": kept.pk if kept is not None else None,
            "medi_cal_restored": [e.pk for e in restored],
        },
    )
    _medi_medi_started(medi_medi, actor=actor)
    notifications.enrolled(
        locked,
        medi_medi,
        medi_cal,
        switched_from=current[0] if current else None,
        previous_medi_cal=previous_medi_cal[0] if previous_medi_cal else None,
    )
    return locked


def _medi_medi_started(enrollment: Enrollment, *, actor: User | None) -> None:
    """Run the steps other apps hang on a new Medi-Medi enrollment, in this transaction.

    ``MEDI_MEDI_ENROLLMENT_STARTED`` names them (dotted paths, e.g. care coordination opening
    the member's case), so enrollment imports no app that stands on it.
    """
    for path in settings.MEDI_MEDI_ENROLLMENT_STARTED:
        import_string(path)(enrollment=enrollment, actor=actor)


def _medicare_submit(
    enrollment: Enrollment,
    *,
    actor: User | None,
    switch: bool = False,
    disenroll: bool = False,
    application: Application | None = None,
    today: date | None = None,
) -> None:
    """Record the transaction the plan submits to Medicare, in the event's transaction."""
    # Imported here: enrollment.medicare reuses these services (a rejection cancels the pair).
    from enrollment.medicare import submission_create
    from enrollment.models import MedicareSubmissionKind

    kind = (
        MedicareSubmissionKind.DISENROLLMENT
        if disenroll
        else MedicareSubmissionKind.PLAN_SWITCH
        if switch
        else MedicareSubmissionKind.ENROLLMENT
    )
    submission_create(
        enrollment=enrollment, kind=kind, actor=actor, application=application, today=today
    )


def _note_superseded(enrollment: Enrollment, *, by: Application, actor: User | None) -> None:
    """Write on the replaced application's history why its enrollment will not start.

    The application stays approved (its status cannot move on); its history row, from approved
    to approved, says which application replaced it.
    """
    if enrollment.application_id is None:
        return
    ApplicationStatusChange.objects.create(
        application_id=enrollment.application_id,
        from_status=ApplicationStatus.APPROVED,
        to_status=ApplicationStatus.APPROVED,
        actor=actor,
        note=(
            f"Superseded: application {by.pk} was approved before this coverage started; "
            "the later election counts, so this enrollment is cancelled."
        ),
        reason_codes=[EndReason.SUPERSEDED],
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="application",
        object_id=enrollment.application_id,
        detail={"superseded_by": by.pk},
    )


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
    is cancelled, with its aligned Medi-Cal enrollment, and the member's earlier Medi-Cal plan
    enrollment that its approval ended is put back.
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
            gettext("This enrollment has already ended or is already set to end by then."),
            end_date=locked.end_date.isoformat() if locked.end_date else None,
        )
    if end < locked.start_date:
        # Cancelled before it starts: the aligned Medi-Cal enrollment goes with it and the
        # Medi-Cal plan enrollment its approval ended is put back.
        _cancel_before_start(
            locked, EndReason.DISENROLLED, actor=actor, requested_on=requested_on, note=note.strip()
        )
    else:
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
    _medicare_submit(locked, disenroll=True, actor=actor)
    aligned = (
        Enrollment.objects.filter(aligned_with=locked, cancelled=False)
        .select_related("medi_cal_plan")
        .first()
    )
    if aligned is None and locked.cancelled:
        aligned = (
            Enrollment.objects.filter(
                beneficiary_id=locked.beneficiary_id,
                kind=EnrollmentKind.MEDI_CAL,
                cancelled=False,
                start_date__lt=locked.start_date,
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=locked.start_date))
            .select_related("medi_cal_plan")
            .order_by("-start_date")
            .first()
        )
    notifications.disenrolled(
        locked, aligned.medi_cal_plan.name if aligned and aligned.medi_cal_plan else None
    )
    return locked


# How long staff have to decide a member's request to leave the aligned Medi-Cal plan.
LEAVE_REVIEW_DAYS = 30
LEAVE_REVIEW_MESSAGE = (
    "Your request to leave your Medi-Cal plan is being reviewed. A Medi-Medi Plan works only "
    "with its aligned Medi-Cal plan, so the plan will contact you about leaving the Medi-Medi "
    "Plan too. Until the review is decided your coverage continues."
)


@dataclass(frozen=True)
class LeaveResult:
    """What a request to leave a plan did: the enrollment ended, or a review was opened."""

    enrollment: Enrollment
    review: ReviewItem | None = None

    @property
    def reviewing(self) -> bool:
        return self.review is not None


@transaction.atomic
def enrollment_leave(
    *,
    enrollment: Enrollment,
    actor: User | None,
    requested_on: date | None = None,
    note: str = "",
) -> LeaveResult:
    """A request to leave a plan: a Medi-Medi enrollment ends (``enrollment_disenroll``).

    Leaving the aligned Medi-Cal plan means the member can no longer stay in the Medi-Medi Plan
    (domain.md section 6): the request opens a disenrollment review for the plan's staff instead
    of being refused; nothing ends until they decide. Asking again returns the same review.
    """
    kind = Enrollment.objects.filter(pk=enrollment.pk).values_list("kind", flat=True).first()
    if kind is None:
        raise NotFound("No such enrollment.")
    if kind == EnrollmentKind.MEDI_MEDI:
        ended = enrollment_disenroll(
            enrollment=enrollment, actor=actor, requested_on=requested_on, note=note
        )
        return LeaveResult(enrollment=ended)
    return LeaveResult(
        enrollment=Enrollment.objects.get(pk=enrollment.pk),
        review=_medi_cal_leave_review(enrollment, actor=actor, note=note),
    )


def _medi_cal_leave_review(enrollment: Enrollment, *, actor: User | None, note: str) -> ReviewItem:
    # Imported here: enrollment.reviews resolves items through these services.
    from enrollment.reviews import review_item_open

    beneficiary_id = (
        Enrollment.objects.filter(pk=enrollment.pk).values_list("beneficiary_id", flat=True).get()
    )
    Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("medi_cal_plan", "aligned_with__medi_medi_plan")
        .get(pk=enrollment.pk)
    )
    access.check_enrollment_end(actor, locked)
    if actor is not None and actor.acts_as_staff:
        raise DomainError(
            "Only a Medi-Medi Plan enrollment can be ended here; Medi-Cal plan coverage continues."
        )
    today = california_today()
    medi_medi = locked.aligned_with
    running = (
        medi_medi is not None
        and not medi_medi.cancelled
        and (medi_medi.end_date is None or medi_medi.end_date >= today)
    )
    if locked.cancelled or (locked.end_date is not None and locked.end_date < today):
        raise Conflict(gettext("This Medi-Cal plan enrollment has already ended."))
    if not running or medi_medi is None or medi_medi.medi_medi_plan is None:
        raise DomainError(
            gettext(
                "This Medi-Cal plan is not tied to a Medi-Medi Plan enrollment: ask your county "
                "Medi-Cal office or Health Care Options to change Medi-Cal plans."
            )
        )
    review = review_item_open(
        kind=ReviewKind.MEDI_CAL_PLAN_MISMATCH,
        beneficiary=beneficiary_id,
        source_key=f"member-leaves-medi-cal:{locked.pk}",
        detail={
            "source": "member_request",
            "requested_on": today.isoformat(),
            "from_plan": locked.medi_cal_plan_id,
            "medi_cal_enrollment": locked.pk,
            **({"member_note": note.strip()} if note.strip() else {}),
            "question": (
                "The member asks to leave the aligned Medi-Cal plan: confirm the disenrollment "
                "from the Medi-Medi Plan, or record that the member stays."
            ),
        },
        enrollment=medi_medi,
        organization=medi_medi.medi_medi_plan.organization_id,
        due_date=today + timedelta(days=LEAVE_REVIEW_DAYS),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="review_item",
        object_id=review.pk,
        detail={"beneficiary": beneficiary_id, "medi_cal_enrollment": locked.pk},
    )
    return review


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
    # A representative's copy goes again to the representative, at their contact now.
    recipient: dict[str, object] = recipient_snapshot(letter.beneficiary)
    copy = list(
        RepresentativeLetter.objects.filter(notice=original).select_related("representative")
    )
    for representative_letter in copy:  # a representative's copy goes again to them
        recipient = representative_snapshot(representative_letter.representative, original)
    try:
        resent = notice_resend(
            notice=original,
            requested_by=actor,
            kind=NoticeKind.ID_CARD if id_card_only else None,
            recipient=recipient,
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
    for representative_letter in copy:
        RepresentativeLetter.objects.get_or_create(
            notice=resent,
            defaults={
                "representative": representative_letter.representative,
                "copy_of": representative_letter.copy_of,
            },
        )
    return resent
