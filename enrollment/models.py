"""Applications (with their status history) and enrollments (Medi-Medi and aligned Medi-Cal).

The status pipeline is one mapping, ``TRANSITIONS``; every move writes an
``ApplicationStatusChange`` row (who, when, from, to, why), which is the history and the audit trail.
"""

from django.conf import settings
from django.db import models

from eligibility.models import (
    Beneficiary,
    EligibilityDetermination,
    Language,
    MediCalPlan,
    MediMediPlan,
    NoticeFormat,
)


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    INFO_REQUESTED = "info_requested", "Information requested"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = ApplicationStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.INFO_REQUESTED, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.INFO_REQUESTED, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    S.INFO_REQUESTED: frozenset({S.IN_REVIEW, S.APPROVED, S.DENIED, S.WITHDRAWN}),
    S.APPROVED: frozenset(),
    S.DENIED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
DECIDED: frozenset[str] = frozenset({S.APPROVED, S.DENIED, S.WITHDRAWN})
OPEN_FOR_STAFF: frozenset[str] = frozenset({S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED})


class DenialReason(models.TextChoices):
    """Coded reasons staff give for a denial; each has plain words for the member's letter."""

    NOT_ELIGIBLE = "NOT_ELIGIBLE", "You do not meet the rules to join a Medi-Medi Plan."
    NOT_FULL_BENEFIT_DUAL = (
        "NOT_FULL_BENEFIT_DUAL",
        "You need both Medicare (Parts A and B) and full-scope Medi-Cal.",
    )
    OUT_OF_SERVICE_AREA = "OUT_OF_SERVICE_AREA", "You do not live where this plan offers coverage."
    IDENTITY_NOT_VERIFIED = "IDENTITY_NOT_VERIFIED", "We could not verify your identity."
    INFORMATION_NOT_RECEIVED = (
        "INFORMATION_NOT_RECEIVED",
        "We did not receive the information we asked you for.",
    )
    DUPLICATE_APPLICATION = (
        "DUPLICATE_APPLICATION",
        "You already have another application or enrollment for this plan.",
    )
    OTHER = "OTHER", "Another reason, explained in the note."


class Application(models.Model):
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="applications"
    )
    plan = models.ForeignKey(
        MediMediPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    status = models.CharField(
        max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    notice_format = models.CharField(
        max_length=24, choices=NoticeFormat.choices, default=NoticeFormat.STANDARD
    )
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    effective_date = models.DateField(null=True, blank=True)
    determination = models.ForeignKey(
        EligibilityDetermination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The rules' answer on the recorded facts as of the submission date.",
    )
    approval_determination = models.ForeignKey(
        EligibilityDetermination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The re-check for coverage starting on the effective date, made on approval.",
    )
    denial_reasons = models.JSONField(default=list, blank=True)
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"Application {self.pk} ({self.status})"


class ApplicationStatusChange(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    reason_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '-'} -> {self.to_status}"


class EnrollmentKind(models.TextChoices):
    MEDI_MEDI = "medi_medi", "Medi-Medi Plan"
    MEDI_CAL = "medi_cal", "Medi-Cal plan"


class EndReason(models.TextChoices):
    PLAN_SWITCH = "plan_switch", "Switched to another plan"
    DISENROLLED = "disenrolled", "Disenrolled"
    SUPERSEDED = "superseded", "Replaced by a newer enrollment before it started"


class Enrollment(models.Model):
    """Coverage in one plan from ``start_date`` to ``end_date`` inclusive (open when null).

    A Medi-Medi enrollment always has a Medi-Cal enrollment in the aligned plan for the same
    days, linked by ``aligned_with``. On PostgreSQL an exclusion constraint (migration 0002)
    forbids two overlapping enrollments of one kind for one beneficiary. A ``cancelled`` row
    was ended before it ever started and covers no day.
    """

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="enrollments"
    )
    kind = models.CharField(max_length=16, choices=EnrollmentKind.choices)
    medi_medi_plan = models.ForeignKey(
        MediMediPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollments"
    )
    medi_cal_plan = models.ForeignKey(
        MediCalPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollments"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    end_requested_on = models.DateField(null=True, blank=True)
    end_note = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    aligned_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aligned_medi_cal",
        help_text="For a Medi-Cal enrollment: the Medi-Medi enrollment it was made for.",
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["beneficiary", "start_date", "kind", "id"]
        indexes = [models.Index(fields=["beneficiary", "kind", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="enrollment_end_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="medi_medi", medi_medi_plan__isnull=False, medi_cal_plan__isnull=True
                    )
                    | models.Q(
                        kind="medi_cal", medi_cal_plan__isnull=False, medi_medi_plan__isnull=True
                    )
                ),
                name="enrollment_plan_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="medi_cal") | models.Q(aligned_with__isnull=True),
                name="enrollment_only_medi_cal_is_aligned",
            ),
        ]

    def __str__(self) -> str:
        return f"Enrollment {self.pk} ({self.kind} {self.start_date}..{self.end_date or ''})"

    @property
    def plan_id(self) -> int | None:
        return (
            self.medi_medi_plan_id
            if self.kind == EnrollmentKind.MEDI_MEDI
            else self.medi_cal_plan_id
        )
