"""Files exchanged with the outside world: the state's monthly eligibility files in.

An ``EligibilityImport`` is one file read (or being read): its content hash makes a second run of
the same file a ``duplicate_file`` that writes nothing; its status moves are kept as
``EligibilityImportStatusChange`` rows. Each record the file could not use is an
``EligibilityImportError``; each change the file made to a person that something must act on
is an ``EligibilityChange``, applied once (``applied_at``).
"""

from django.conf import settings
from django.db import models

from eligibility.models import Beneficiary


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    X12 = "x12", "X12 834"


class ImportKind(models.TextChoices):
    FULL = "full", "Full file (everyone eligible this month)"
    CHANGES = "changes", "Change file (only people whose facts changed)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    APPLYING = "applying", "Applying changes"
    DONE = "done", "Done"
    FAILED = "failed", "Could not be read"


IMPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ImportStatus.QUEUED: frozenset({ImportStatus.RUNNING, ImportStatus.FAILED}),
    # A run killed halfway is run again from the start: RUNNING -> RUNNING.
    ImportStatus.RUNNING: frozenset(
        {ImportStatus.RUNNING, ImportStatus.APPLYING, ImportStatus.FAILED}
    ),
    ImportStatus.APPLYING: frozenset({ImportStatus.APPLYING, ImportStatus.DONE}),
    ImportStatus.DONE: frozenset(),
    ImportStatus.FAILED: frozenset({ImportStatus.RUNNING}),
}


class EligibilityImport(models.Model):
    file_sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=255, blank=True)
    stored_path = models.CharField(
        max_length=500, blank=True, help_text="Where an uploaded file waits to be read."
    )
    format = models.CharField(max_length=8, choices=ImportFormat.choices)
    kind = models.CharField(max_length=8, choices=ImportKind.choices)
    file_month = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    records = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    events = models.JSONField(default=dict, blank=True, help_text="Change kind -> count.")
    reconciliation = models.JSONField(
        default=dict,
        blank=True,
        help_text="Discrepancy kind -> count, and the review items opened and closed.",
    )
    warnings = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True, help_text="Why the file could not be read at all.")
    seconds = models.FloatField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.format} {self.kind}, {self.status})"


class EligibilityImportStatusChange(models.Model):
    eligibility_import = models.ForeignKey(
        EligibilityImport, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=ImportStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ImportStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.eligibility_import_id}: {self.from_status or '-'} -> {self.to_status}"


class EligibilityImportError(models.Model):
    """One record the file could not use, and why. ``line`` for CSV, ``segment`` for X12."""

    eligibility_import = models.ForeignKey(
        EligibilityImport, on_delete=models.CASCADE, related_name="errors"
    )
    line = models.PositiveIntegerField(null=True, blank=True)
    segment = models.PositiveIntegerField(null=True, blank=True)
    field = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=32)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["eligibility_import", "id"]

    def __str__(self) -> str:
        return f"Import {self.eligibility_import_id} error {self.code}"


class ChangeKind(models.TextChoices):
    MEDI_CAL_LOST = "medi_cal_lost", "Lost full Medi-Cal"
    MEDI_CAL_REGAINED = "medi_cal_regained", "Full Medi-Cal returned"
    MEDICARE_ENDED = "medicare_ended", "Medicare Part A or B ended"
    MOVED = "moved", "Moved to another county"
    DIED = "died", "Death reported"
    INCARCERATED = "incarcerated", "Incarcerated"
    MEDI_CAL_PLAN = "medi_cal_plan", "Medi-Cal plan changed"
    NOT_IN_FILE = "not_in_file", "Not in this month's file"


class EligibilityChange(models.Model):
    """A change a file made to a person that enrollment must act on; applied exactly once."""

    eligibility_import = models.ForeignKey(
        EligibilityImport, on_delete=models.CASCADE, related_name="changes"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="eligibility_changes"
    )
    kind = models.CharField(max_length=24, choices=ChangeKind.choices)
    detail = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["eligibility_import", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["eligibility_import", "beneficiary", "kind"],
                name="eligibility_change_once",
            )
        ]
        indexes = [models.Index(fields=["eligibility_import", "applied_at"])]

    def __str__(self) -> str:
        return f"Change {self.pk} ({self.kind}) of beneficiary {self.beneficiary_id}"


class DiscrepancyKind(models.TextChoices):
    """How the state's view of a person's Medi-Cal plan and the portal's enrollments disagree.

    The values are also the review item kinds they open (``enrollment.models.ReviewKind``).
    """

    NOT_AT_STATE = "recon_not_at_state", "Member's aligned Medi-Cal plan not in the state's file"
    NOT_HERE = "recon_not_here", "State shows a Medi-Cal plan with no enrollment here"
    START_DIFFERS = "recon_start_differs", "State's coverage starts after the enrollment here"


class ReconciliationDiscrepancy(models.Model):
    """One disagreement between a state file and the portal, per person, plan, month and kind.

    Written set-based by ``interchange.reconciliation`` right after an import's merge. The
    unique key (person, plan, month, kind) makes a file read again, or a corrected file of the
    same month, update the row instead of adding one; ``review_item`` is the item that asks the
    plan's organization to look at it (shared with the same discrepancy of earlier months while
    that item is open).
    """

    eligibility_import = models.ForeignKey(
        EligibilityImport, on_delete=models.CASCADE, related_name="discrepancies"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="discrepancies"
    )
    organization = models.ForeignKey(
        "eligibility.Organization", on_delete=models.PROTECT, related_name="discrepancies"
    )
    medi_cal_plan = models.ForeignKey(
        "eligibility.MediCalPlan",
        on_delete=models.PROTECT,
        related_name="discrepancies",
        help_text="The plan the discrepancy is about (its organization reviews it).",
    )
    month = models.DateField(help_text="The file's month (first day).")
    kind = models.CharField(max_length=24, choices=DiscrepancyKind.choices)
    state_plan = models.ForeignKey(
        "eligibility.MediCalPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Medi-Cal plan the state's file shows (null: fee-for-service).",
    )
    state_start = models.DateField(
        null=True, blank=True, help_text="The coverage start in the state's file."
    )
    enrollment = models.ForeignKey(
        "enrollment.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The portal's Medi-Cal plan enrollment concerned (null: none here).",
    )
    portal_start = models.DateField(
        null=True, blank=True, help_text="The start of that enrollment here."
    )
    review_item = models.ForeignKey(
        "enrollment.ReviewItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discrepancies",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["month", "medi_cal_plan", "kind", "beneficiary"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "medi_cal_plan", "kind", "month"],
                name="discrepancy_once_a_month",
            )
        ]
        indexes = [
            models.Index(fields=["medi_cal_plan", "month", "kind"]),
            models.Index(fields=["eligibility_import", "kind"]),
        ]

    def __str__(self) -> str:
        return f"Discrepancy {self.pk} ({self.kind}, {self.month:%Y-%m})"


class X12ControlNumber(models.Model):
    """The last X12 interchange control number the portal used (one row per sender).

    Numbers are taken in their own committed transaction (``interchange.exports``), so a
    number once handed out is never handed out again, even when the file it was for fails.
    """

    sender = models.CharField(max_length=15, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.sender}: {self.last}"


class EnrollmentFileExport(models.Model):
    """One X12 834 written for a Medi-Cal plan and a period: who asked, its control numbers,
    its counts and where the file is stored. ``lines`` say which member each INS loop was
    about, so a later export of the same period sends only what this one did not."""

    medi_cal_plan = models.ForeignKey(
        "eligibility.MediCalPlan", on_delete=models.PROTECT, related_name="enrollment_files"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    full = models.BooleanField(
        default=False, help_text="A full audit file (INS03 030): every member of the period."
    )
    interchange_control = models.PositiveIntegerField(
        unique=True, help_text="ISA13, also GS06: never repeated."
    )
    transaction_control = models.CharField(max_length=9, help_text="ST02 (within the group).")
    file_name = models.CharField(max_length=100)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    members = models.PositiveIntegerField(default=0, help_text="INS loops in the file.")
    additions = models.PositiveIntegerField(default=0)
    terminations = models.PositiveIntegerField(default=0)
    reinstatements = models.PositiveIntegerField(default=0)
    changes = models.PositiveIntegerField(default=0)
    audits = models.PositiveIntegerField(default=0)
    segments = models.PositiveIntegerField(default=0, help_text="SE01: ST to SE.")
    earlier_export = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The latest export of the same plan and period before this one.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: made by manage.py export_834 without --user.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["medi_cal_plan", "period_start", "period_end"],
                name="enrollment_file_period",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="enrollment_file_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return (
            f"834 export {self.pk} (plan {self.medi_cal_plan_id}, ISA13 {self.interchange_control})"
        )


class Maintenance(models.TextChoices):
    """INS03 maintenance type codes of 005010X220A1 the portal sends."""

    CHANGE = "001", "Change (address, language)"
    ADDITION = "021", "Addition"
    TERMINATION = "024", "Cancellation or termination"
    REINSTATEMENT = "025", "Reinstatement"
    AUDIT = "030", "Audit or compare (full file)"


class EnrollmentFileLine(models.Model):
    """One member loop (INS) of an export: the enrollment it was about, the maintenance sent,
    the end date sent (021, 024) and, for a change, the history row whose values were sent.

    The partial unique constraints make "never repeat" hold in the database: an enrollment is
    added once, terminated once per end date, and a history row is sent once per enrollment.
    """

    # Indexed with the person below (the file's order), which serves every lookup by export.
    export = models.ForeignKey(
        EnrollmentFileExport, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    enrollment = models.ForeignKey(
        "enrollment.Enrollment", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    maintenance = models.CharField(max_length=3, choices=Maintenance.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    history = models.ForeignKey(
        "eligibility.HistoricalBeneficiary",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["export", "beneficiary", "id"]
        indexes = [
            models.Index(fields=["enrollment", "id"], name="enrollment_file_line_sent"),
            models.Index(fields=["export", "beneficiary"], name="enrollment_file_line_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=models.Q(maintenance="021"),
                name="enrollment_file_added_once",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "history"],
                condition=models.Q(maintenance="001"),
                name="enrollment_file_change_once",
            ),
        ]

    def __str__(self) -> str:
        return f"834 line {self.pk} ({self.maintenance}) of export {self.export_id}"
