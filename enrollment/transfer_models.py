"""Plan-wide transfers: one run moving a plan's members in some counties to another plan.

A ``PlanTransfer`` records who asked, from and to which plan, in which counties, from which
date, its counts and its status (every move a ``PlanTransferStatusChange`` row). Each member it
concerns has one ``PlanTransferMember`` row: moved (with the enrollments ended and started) or
cannot move (with the reason), so staff can list who is left. ``key`` names the transfer by its
parameters, so asking for the same transfer twice finds the first one.

Imported by ``enrollment.models`` so the app's models stay one registry.
"""

from django.conf import settings
from django.db import models

from eligibility.models import Beneficiary, County, MediCalPlan, MediMediPlan


class TransferStatus(models.TextChoices):
    PLANNED = "planned", "Planned (dry run done)"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    TransferStatus.PLANNED: frozenset({TransferStatus.RUNNING}),
    # A failed or interrupted run is started again: it carries on with the members left.
    TransferStatus.RUNNING: frozenset(
        {TransferStatus.COMPLETED, TransferStatus.FAILED, TransferStatus.RUNNING}
    ),
    TransferStatus.FAILED: frozenset({TransferStatus.RUNNING}),
    TransferStatus.COMPLETED: frozenset(),
}


class TransferOutcome(models.TextChoices):
    PENDING = "pending", "To be moved"
    MOVED = "moved", "Moved"
    CANNOT = "cannot", "Cannot be moved"


class TransferReason(models.TextChoices):
    """Why a member cannot be moved; staff decide what happens to them."""

    NO_PLAN_IN_COUNTY = (
        "NO_PLAN_IN_COUNTY",
        "The new plan does not serve the member's county on the date",
    )
    DIED = "DIED", "The member died before the date"
    STARTS_ON_OR_AFTER_DATE = (
        "STARTS_ON_OR_AFTER_DATE",
        "The member's enrollment in the old plan starts on or after the date",
    )
    LATER_ELECTION = (
        "LATER_ELECTION",
        "The member has another Medi-Medi enrollment starting on or after the date",
    )
    LATER_MEDI_CAL_CHANGE = (
        "LATER_MEDI_CAL_CHANGE",
        "The member has a Medi-Cal plan enrollment starting after the date",
    )
    CHANGED = "CHANGED", "The member's enrollment changed after the transfer was planned"


class PlanTransfer(models.Model):
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="from plan, to plan, date and counties: the same transfer asked twice is one.",
    )
    from_plan = models.ForeignKey(MediMediPlan, on_delete=models.PROTECT, related_name="+")
    to_plan = models.ForeignKey(MediMediPlan, on_delete=models.PROTECT, related_name="+")
    counties = models.ManyToManyField(County, related_name="+")
    effective_date = models.DateField(help_text="The first day in the new plan.")
    status = models.CharField(
        max_length=16, choices=TransferStatus.choices, default=TransferStatus.PLANNED
    )
    reason = models.TextField(blank=True, help_text="Why the members move, and its sources.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    planned_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the letters are counted from: the dry run's, then the run's.",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    member_count = models.PositiveIntegerField(default=0)
    moved_count = models.PositiveIntegerField(default=0)
    cannot_count = models.PositiveIntegerField(default=0)
    letter_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Transfer {self.pk} ({self.status})"


class PlanTransferStatusChange(models.Model):
    transfer = models.ForeignKey(
        PlanTransfer, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=TransferStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=TransferStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.from_status or '-'} -> {self.to_status}"


class PlanTransferMember(models.Model):
    """One member a transfer concerns: moved (old and new enrollments) or why not."""

    # Indexed by the constraint below (transfer first); the county's and the plan's are not
    # indexed: a transfer writes 300,000 rows at once, and nothing reads them by those.
    transfer = models.ForeignKey(
        PlanTransfer, on_delete=models.CASCADE, related_name="members", db_index=False
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", db_index=False)
    old_enrollment = models.ForeignKey(
        "enrollment.Enrollment", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    new_enrollment = models.ForeignKey(
        "enrollment.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    aligned_medi_cal_plan = models.ForeignKey(
        MediCalPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    outcome = models.CharField(max_length=8, choices=TransferOutcome.choices)
    reason = models.CharField(max_length=32, choices=TransferReason.choices, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["transfer", "beneficiary"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "beneficiary"], name="plan_transfer_member_once"
            )
        ]
        indexes = [
            models.Index(fields=["transfer", "outcome", "beneficiary"], name="transfer_outcome")
        ]

    def __str__(self) -> str:
        return f"Transfer {self.transfer_id} member {self.beneficiary_id} ({self.outcome})"


class LetterRunStatus(models.TextChoices):
    RUNNING = "running", "Writing"
    FINISHED = "finished", "Written"
    SKIPPED = "skipped", "Skipped (a later letter was already due)"


class PlanTransferLetterRun(models.Model):
    """One kind of letter (60 or 30 days) of a transfer, written by the daily job when due.

    The job writes the moved members' letters in chunks of people, each chunk in its own
    transaction, and moves ``through_beneficiary`` on in that transaction: a stopped run goes
    on from there, and the idempotency keys make any chunk run twice write nothing twice.
    """

    transfer = models.ForeignKey(PlanTransfer, on_delete=models.CASCADE, related_name="letter_runs")
    kind = models.CharField(max_length=32)
    send_on = models.DateField(help_text="The day the letter is due.")
    late = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=LetterRunStatus.choices, default=LetterRunStatus.RUNNING
    )
    through_beneficiary = models.BigIntegerField(
        default=0, help_text="Every moved member up to this person id has the letter."
    )
    written = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["transfer", "send_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "kind"], name="plan_transfer_letter_once")
        ]

    def __str__(self) -> str:
        return f"Transfer {self.transfer_id} {self.kind} ({self.status})"
