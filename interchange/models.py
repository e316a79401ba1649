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
