"""Medicare's answer: what the plan submitted to CMS for each enrollment, and what CMS replied.

Every Medi-Medi approval (an enrollment or a plan switch) and every disenrollment records a
``MedicareSubmission`` in its own transaction (``submission_create``, called by
``enrollment.services``). Staff record CMS's answer one at a time (``submission_record_answer``)
or load a reply file (``reply_file_load``, the CSV in ``docs/medicare.md``). A rejection of an
enrollment or switch ends the enrollment pair as if it never started (both halves, through
``services._cancel_before_start``, which also puts back what the approval had ended), writes
the member's letter and opens a review item, all in the answer's transaction.

Access: staff of the organization whose plan the submission is for, and admins, read and
answer submissions (members: 403; anyone else: 404); members see their own status through
their enrollments. Every change writes a status-change row and an audit row; staff and admin
reads are audited.

Codes: only what a public CMS source shows is named here (``TRC_TITLES``, cited in
``docs/medicare.md``); any other reply code is taken as 3 digits, checked for shape only.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.errors import Conflict, DomainError, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary
from eligibility.notifications import letter_queue, recipient_snapshot
from eligibility.selectors import california_today
from enrollment import access, services
from enrollment.models import (
    MEDICARE_TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ElectionPeriod,
    EndReason,
    Enrollment,
    EnrollmentKind,
    MedicareReplyFile,
    MedicareStatus,
    MedicareSubmission,
    MedicareSubmissionKind,
    MedicareSubmissionStatusChange,
    MedicareTransaction,
    ReviewKind,
)
from notices.models import Notice, NoticeKind

if TYPE_CHECKING:
    from enrollment.medicare_replies import ReplyFileReport

# CMS, "Medicare Advantage and Prescription Drug Plans: Plan Communications User Guide
# Appendices", Version 6.3, Transaction Reply Codes table (code, type, title): only the codes
# this project's sources show (docs/medicare.md). Type A is an acceptance, R a rejection.
TRC_TITLES: dict[str, tuple[str, str]] = {
    "011": ("A", "Enrollment accepted"),
    "020": ("R", "Enrollment rejected: under 55 (PACE)"),
    "022": ("A", "Transaction accepted, claim number change"),
    "023": ("A", "Transaction accepted, name change"),
    "025": ("A", "Disenrollment accepted, claim number change"),
    "026": ("A", "Disenrollment accepted, name change"),
    "032": ("R", "Transaction rejected, beneficiary not entitled to Part B"),
    "103": ("R", "ICEP/IEP election, missing Part A/B entitlement date"),
    "104": ("R", "Rejected: invalid or missing election type"),
    "106": ("R", "Rejected: another transaction received with a later application date"),
    "107": ("R", "Rejected: invalid or missing PBP number"),
    "108": ("R", "Rejected: election limits exceeded"),
    "292": ("R", "Disenrollment rejected: was a cancellation attempt"),
}
_REPLY_CODE = re.compile(r"[0-9]{3}")
ANSWERS = (MedicareStatus.ACCEPTED, MedicareStatus.REJECTED)
REVIEW_DAYS = 30
# The reply file's columns (docs/medicare.md); ``reply_text`` is optional.
COLUMNS = ("mbi", "contract", "pbp", "transaction", "effective_date", "reply_code", "result")
OPTIONAL_COLUMNS = ("reply_text",)
MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Creation, called by the approval, switch and disenrollment services in their transaction


def submission_create(
    *,
    enrollment: Enrollment,
    kind: str,
    actor: User | None,
    application: Application | None = None,
    today: date | None = None,
) -> MedicareSubmission:
    """Record that the plan submits ``kind`` for a Medi-Medi ``enrollment`` to Medicare today.

    Enrollment and plan switch: transaction 61, effective on the enrollment's first day, with the
    application's election period (an online application by a full-benefit dual: the integrated
    care SEP, the only one the portal's own check admits). Disenrollment: transaction 51 on the
    last day of coverage, or 80 (an enrollment cancellation) when it ends before it starts.
    The caller holds the person's row lock and runs in the event's transaction.
    """
    plan = enrollment.medi_medi_plan
    assert plan is not None and enrollment.kind == EnrollmentKind.MEDI_MEDI
    if kind == MedicareSubmissionKind.DISENROLLMENT:
        cancelled = enrollment.cancelled
        transaction_type = (
            MedicareTransaction.ENROLLMENT_CANCELLATION
            if cancelled
            else MedicareTransaction.DISENROLLMENT
        )
        effective = enrollment.start_date if cancelled else enrollment.end_date
        election_period = ""
    else:
        transaction_type = MedicareTransaction.ENROLLMENT
        effective = enrollment.start_date
        election_period = (
            application.election_period
            if application is not None and application.election_period
            else ElectionPeriod.INTEGRATED_CARE_SEP
        )
    assert effective is not None
    submission = MedicareSubmission.objects.create(
        enrollment=enrollment,
        beneficiary_id=enrollment.beneficiary_id,
        kind=kind,
        transaction_type=transaction_type,
        election_period=election_period,
        contract_number=plan.contract_number or "",
        pbp=plan.pbp or "",
        effective_date=effective,
        submitted_on=today or california_today(),
        created_by=actor,
    )
    MedicareSubmissionStatusChange.objects.create(
        submission=submission, to_status=MedicareStatus.PENDING, actor=actor
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="medicare_submission",
        object_id=submission.pk,
        detail={
            "beneficiary": enrollment.beneficiary_id,
            "enrollment": enrollment.pk,
            "kind": kind,
            "transaction": transaction_type,
        },
    )
    return submission


# ---------------------------------------------------------------------------------------------
# Reads


def _scope(actor: User) -> Q:
    """Submissions the actor may see and answer (the one policy, ``enrollment.access``)."""
    return access.medicare_submission_scope(actor)


def _staff_submissions(actor: User) -> QuerySet[MedicareSubmission]:
    access.require_staff(actor)
    return MedicareSubmission.objects.filter(_scope(actor)).select_related(
        "enrollment__medi_medi_plan", "beneficiary", "answered_by", "reply_file"
    )


def submission_get(*, actor: User, submission_id: int) -> MedicareSubmission:
    """One submission with its history (staff of its organization, admins; audited)."""
    submission = (
        _staff_submissions(actor)
        .prefetch_related("status_changes__actor")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise NotFound("No such Medicare submission.")
    access.audit_read(
        actor, "medicare_submission", submission.pk, beneficiary=submission.beneficiary_id
    )
    return submission


def submission_require_visible(
    *, actor: User, submission_id: int, application_id: int | None = None
) -> None:
    """Raise ``Forbidden`` for members, ``NotFound`` outside the actor's scope (no audit), or
    when ``application_id`` is given and the submission is not about its enrollments.

    Adapters call it before reading a request body, so an outsider learns nothing (404).
    """
    found = _staff_submissions(actor).filter(pk=submission_id)
    if application_id is not None:
        found = found.filter(enrollment__application_id=application_id)
    if not found.exists():
        raise NotFound("No such Medicare submission.")


def application_submissions(*, actor: User, application_id: int) -> list[MedicareSubmission]:
    """The submissions about the application's enrollments, oldest first (the staff page).

    The caller has read the application through ``selectors.application_get`` (audited); the
    submissions shown are audited here by id.
    """
    rows = list(
        _staff_submissions(actor)
        .filter(enrollment__application_id=application_id)
        .prefetch_related("status_changes__actor")
        .order_by("submitted_on", "pk")
    )
    if rows:
        access.audit_read(
            actor,
            "medicare_submission_list",
            "list",
            ids=[row.pk for row in rows],
            beneficiaries=sorted({row.beneficiary_id for row in rows}),
        )
    return rows


def latest_submission(submissions: Iterable[MedicareSubmission]) -> MedicareSubmission | None:
    """The newest of an enrollment's submissions (prefetched), or None."""
    rows = sorted(submissions, key=lambda row: (row.submitted_on, row.pk))
    return rows[-1] if rows else None


def application_submission(application: Application) -> MedicareSubmission | None:
    """The enrollment or switch submission of an approved application (from prefetched rows)."""
    for enrollment in application.enrollments.all():
        if enrollment.kind != EnrollmentKind.MEDI_MEDI:
            continue
        found = [
            row
            for row in enrollment.medicare_submissions.all()
            if row.transaction_type == MedicareTransaction.ENROLLMENT
        ]
        if found:
            return latest_submission(found)
    return None


def trc_title(code: str) -> str:
    """CMS's title of a transaction reply code, when a cited source shows it; else ""."""
    known = TRC_TITLES.get(code)
    return known[1] if known else ""


# ---------------------------------------------------------------------------------------------
# Recording an answer


@dataclass(frozen=True)
class AnswerResult:
    submission: MedicareSubmission
    changed: bool  # False: it already had this answer (a re-load), nothing written


def _check_answer(status: str, reply_code: str) -> dict[str, list[str]]:
    """Field-keyed errors of an answer (empty: it may be recorded)."""
    errors: dict[str, list[str]] = {}
    if status not in ANSWERS:
        errors["status"] = ["Choose accepted or rejected."]
    if reply_code and not _REPLY_CODE.fullmatch(reply_code):
        errors["reply_code"] = ["A Medicare reply code (TRC) is 3 digits, for example 011."]
    elif not reply_code and status == MedicareStatus.REJECTED:
        errors["reply_code"] = ["Give Medicare's reply code for a rejection."]
    elif reply_code in TRC_TITLES and status in ANSWERS:
        kind, title = TRC_TITLES[reply_code]
        if (kind == "A") != (status == MedicareStatus.ACCEPTED):
            word = "an acceptance" if kind == "A" else "a rejection"
            errors["status"] = [f"Reply code {reply_code} ({title}) is {word} in CMS's list."]
    return errors


@transaction.atomic
def submission_record_answer(
    *,
    actor: User | None,
    submission: MedicareSubmission,
    status: str,
    reply_code: str = "",
    reply_text: str = "",
    reply_file: MedicareReplyFile | None = None,
    today: date | None = None,
) -> AnswerResult:
    """Record Medicare's answer to a pending submission (staff of its organization, admins).

    The same answer again changes nothing (``changed`` False: a reply file loaded twice); a
    different answer to an answered submission is a ``Conflict`` (409). A rejection of an
    enrollment or switch cancels the enrollment pair as if it never started and puts back what
    its approval had ended; any rejection queues the member's letter (once) and opens a review
    item for the plan's staff. ``actor`` None is a system job (the management command).
    Only ``submission.pk`` is trusted.
    """
    if actor is not None:
        submission_require_visible(actor=actor, submission_id=submission.pk)
    reply_code = reply_code.strip()
    reply_text = reply_text.strip()
    errors = _check_answer(status, reply_code)
    if errors:
        field_name = next(iter(errors))
        raise DomainError(
            errors[field_name][0],
            field=field_name,
            fields={key: messages[0] for key, messages in errors.items()},
        )
    beneficiary_id = (
        MedicareSubmission.objects.filter(pk=submission.pk)
        .values_list("beneficiary_id", flat=True)
        .first()
    )
    if beneficiary_id is None:
        raise NotFound("No such Medicare submission.")
    Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    locked = (
        MedicareSubmission.objects.select_for_update(of=("self",))
        .select_related("enrollment__medi_medi_plan")
        .get(pk=submission.pk)
    )
    if locked.status == status and locked.reply_code == reply_code:
        return AnswerResult(submission=locked, changed=False)
    if status not in MEDICARE_TRANSITIONS[locked.status]:
        raise Conflict(
            f"Medicare's answer is already recorded: {locked.get_status_display().lower()}"
            f"{f' ({locked.reply_code})' if locked.reply_code else ''}.",
            status=locked.status,
        )
    from_status = locked.status
    locked.status = status
    locked.reply_code = reply_code
    locked.reply_text = reply_text or trc_title(reply_code)
    locked.answered_at = timezone.now()
    locked.answered_by = actor
    locked.reply_file = reply_file
    locked.save(
        update_fields=[
            "status",
            "reply_code",
            "reply_text",
            "answered_at",
            "answered_by",
            "reply_file",
        ]
    )
    MedicareSubmissionStatusChange.objects.create(
        submission=locked,
        from_status=from_status,
        to_status=status,
        actor=actor,
        reply_code=reply_code,
        reply_text=locked.reply_text,
        reply_file=reply_file,
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="medicare_submission",
        object_id=locked.pk,
        detail={
            "beneficiary": locked.beneficiary_id,
            "status": [from_status, status],
            "reply_code": reply_code,
            "reply_file": reply_file.pk if reply_file is not None else None,
        },
    )
    if status == MedicareStatus.REJECTED:
        _rejected(locked, actor=actor, today=today or california_today())
    return AnswerResult(submission=locked, changed=True)


def _medi_cal_plan_name_on(enrollment: Enrollment, day: date) -> str | None:
    """The person's Medi-Cal plan that covers ``day`` (after a rejection put things back)."""
    medi_cal = (
        Enrollment.objects.filter(
            beneficiary_id=enrollment.beneficiary_id,
            kind=EnrollmentKind.MEDI_CAL,
            cancelled=False,
            start_date__lte=day,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("medi_cal_plan")
        .order_by("-start_date")
        .first()
    )
    return medi_cal.medi_cal_plan.name if medi_cal and medi_cal.medi_cal_plan else None


def _rejected(submission: MedicareSubmission, *, actor: User | None, today: date) -> None:
    """What a rejection does: the pair cancelled (enrollment, switch), the letter, the review."""
    enrollment = Enrollment.objects.select_for_update().get(pk=submission.enrollment_id)
    plan = enrollment.medi_medi_plan
    assert plan is not None
    detail: dict[str, Any] = {
        "source": "medicare_reply",
        "submission": submission.pk,
        "transaction": submission.transaction_type,
        "reply_code": submission.reply_code,
        "effective_date": submission.effective_date.isoformat(),
    }
    context: dict[str, object] = {
        "plan_name": plan.name,
        "plan_phone": plan.member_phone,
        "transaction": submission.kind,
        "reply_code": submission.reply_code,
        "reply_text": submission.reply_text,
    }
    letter = True
    if submission.kind == MedicareSubmissionKind.DISENROLLMENT:
        detail["question"] = (
            "Medicare did not accept the disenrollment: its records still show the member in "
            "the plan. Contact the member, then correct and resubmit, or reinstate the enrollment."
        )
        if enrollment.end_date is not None and not enrollment.cancelled:
            context["end_date"] = enrollment.end_date
        context["medi_cal_plan_name"] = _medi_cal_plan_name_on(enrollment, today)
    elif enrollment.cancelled or enrollment.replaced_by_id is not None:
        # A later election already took its place (Medicare's own reason, e.g. TRC 106): the
        # member heard of that one; staff check that the records agree.
        letter = False
        detail["question"] = (
            "Medicare rejected an enrollment that a later election had already replaced or "
            "that was cancelled: check that the enrollments here match Medicare's."
        )
    else:
        previous = (
            Enrollment.objects.filter(replaced_by=enrollment, kind=EnrollmentKind.MEDI_MEDI)
            .select_related("medi_medi_plan")
            .first()
        )
        restored = services._cancel_before_start(  # reused: "as if it never started"
            enrollment,
            EndReason.MEDICARE_REJECTED,
            actor=actor,
            requested_on=today,
            note=f"Medicare rejected the enrollment (reply code {submission.reply_code}).",
        )
        detail["cancelled"] = [enrollment.pk]
        detail["restored"] = [row.pk for row in restored]
        detail["question"] = (
            "Medicare rejected the enrollment; it is cancelled here as if it never started. "
            "Contact the member about the reason and a new election."
        )
        context["start_date"] = enrollment.start_date
        if previous is not None and previous.medi_medi_plan is not None:
            context["old_plan_name"] = previous.medi_medi_plan.name
        context["medi_cal_plan_name"] = _medi_cal_plan_name_on(enrollment, enrollment.start_date)
        _note_on_application(enrollment, submission, actor=actor)
    if letter:
        _letter_queue(submission, enrollment, context)
    # Imported here: enrollment.reviews resolves items through enrollment.services.
    from enrollment.reviews import review_item_open

    review = review_item_open(
        kind=ReviewKind.MEDICARE_REJECTED,
        beneficiary=submission.beneficiary_id,
        source_key=f"medicare-rejected:{submission.pk}",
        detail=detail,
        enrollment=enrollment,
        organization=plan.organization_id,
        due_date=today + timedelta(days=REVIEW_DAYS),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="review_item",
        object_id=review.pk,
        detail={"beneficiary": submission.beneficiary_id, "medicare_submission": submission.pk},
    )


def _note_on_application(
    enrollment: Enrollment, submission: MedicareSubmission, *, actor: User | None
) -> None:
    """Write on the approved application's history that Medicare rejected its enrollment."""
    if enrollment.application_id is None:
        return
    ApplicationStatusChange.objects.create(
        application_id=enrollment.application_id,
        from_status=ApplicationStatus.APPROVED,
        to_status=ApplicationStatus.APPROVED,
        actor=actor,
        note=(
            f"Medicare rejected the enrollment (reply code {submission.reply_code}"
            f"{f': {submission.reply_text}' if submission.reply_text else ''}); "
            "it is cancelled as if it never started."
        ),
        reason_codes=[EndReason.MEDICARE_REJECTED],
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="application",
        object_id=enrollment.application_id,
        detail={"medicare_rejected": submission.pk},
    )


def _letter_queue(
    submission: MedicareSubmission, enrollment: Enrollment, context: dict[str, object]
) -> Notice:
    """The member's letter: what Medicare did not accept, why, and what coverage they have."""
    plan = enrollment.medi_medi_plan
    assert plan is not None
    beneficiary = Beneficiary.objects.get(pk=enrollment.beneficiary_id)
    return letter_queue(
        beneficiary=beneficiary,
        organization_id=plan.organization_id,
        kind=NoticeKind.MEDICARE_REJECTION,
        idempotency_key=f"medicare-rejected:{submission.pk}",
        recipient=recipient_snapshot(beneficiary),
        context={key: value for key, value in context.items() if value not in (None, "")},
    )


# ---------------------------------------------------------------------------------------------
# Reply files


class ReplyFileRefused(DomainError):
    """The file cannot be read as a reply file at all: nothing of it is applied (400, ``file``)."""


def reply_file_load(
    *, actor: User | None, file: IO[bytes], file_name: str = ""
) -> "ReplyFileReport":
    """Load a reply file (``docs/medicare.md``): every row checked, the good ones applied.

    Refused whole (``ReplyFileRefused``, 400 on ``file``, nothing written) when it is not a
    reply file: not UTF-8 CSV, a column missing or unknown, too large. Otherwise each row is
    checked (field-keyed errors with its line) and matched to one submission the actor may
    answer; the rows without errors are applied in one transaction (``enrollment.medicare_replies``).
    The same bytes loaded again return the first report (``duplicate_file``) and write nothing;
    a row whose answer is already recorded is ``unchanged``. ``actor`` None: a system job.
    """
    # Imported here: the reply file module stands on this one.
    from enrollment.medicare_replies import load

    return load(actor=actor, file=file, file_name=file_name)


def reply_file_require_staff(actor: User) -> None:
    """Refuse members (403) before an upload is read."""
    access.require_staff(actor)


__all__ = [
    "TRC_TITLES",
    "AnswerResult",
    "ReplyFileRefused",
    "application_submission",
    "application_submissions",
    "latest_submission",
    "reply_file_load",
    "submission_create",
    "submission_get",
    "submission_record_answer",
    "submission_require_visible",
    "trc_title",
]
