"""Notices: the outbox of letters to members (design.md section 3, domain.md section 7).

A ``Notice`` row is written in the same transaction as the business change that needs it. A
Celery task, given only the row's id, claims it, renders it and delivers it; a periodic sweeper
re-enqueues rows a broker outage or a crashed worker left behind. The ``recipient`` snapshot and
the ``context`` are protected health information: they live in the database only, never in task
arguments or logs.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.db import models


class NoticeKind(models.TextChoices):
    APPLICATION_RECEIVED = "application_received", "Application received"
    INFO_REQUESTED = "info_requested", "Request for information"
    ENROLLMENT_CONFIRMATION = "enrollment_confirmation", "Enrollment confirmation"
    DENIAL = "denial", "Denial"
    DISENROLLMENT_CONFIRMATION = "disenrollment_confirmation", "Disenrollment confirmation"
    PLAN_SWITCH_CONFIRMATION = "plan_switch_confirmation", "Plan switch confirmation"
    COUNTY_TRANSITION_60 = "county_transition_60", "County transition, 60 days before"
    COUNTY_TRANSITION_30 = "county_transition_30", "County transition, 30 days before"
    ID_CARD = "id_card", "Member ID card"
    DEEMING_PERIOD = "deeming_period", "Medi-Cal ended: deeming period"
    INVOLUNTARY_DISENROLLMENT = "involuntary_disenrollment", "Involuntary disenrollment"
    PLAN_TRANSFER_60 = "plan_transfer_60", "Plan transfer, 60 days before"
    PLAN_TRANSFER_30 = "plan_transfer_30", "Plan transfer, 30 days before"
    MEDICARE_REJECTION = "medicare_rejection", "Medicare did not accept a request"
    APPEAL_ACKNOWLEDGMENT = "appeal_acknowledgment", "Grievance or appeal received"
    APPEAL_RESOLUTION = "appeal_resolution", "Grievance or appeal decision"
    CARE_PLAN = "care_plan", "Care plan"
    CONTINUITY_ENDING = "continuity_ending", "Continuity of care ending"
    APPEAL_EXTENSION = "appeal_extension", "Grievance or appeal: more time to decide"
    APPEAL_EXPEDITE_DENIED = "appeal_expedite_denied", "Grievance or appeal: not expedited"


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# The allowed moves. ``sending -> queued`` is a transient failure (or a reclaim of a row whose
# worker died); a failed or sent row never moves again: a resend is a new row.
NOTICE_TRANSITIONS: dict[str, frozenset[str]] = {
    NoticeStatus.QUEUED: frozenset({NoticeStatus.SENDING, NoticeStatus.CANCELLED}),
    NoticeStatus.SENDING: frozenset(
        {NoticeStatus.SENT, NoticeStatus.QUEUED, NoticeStatus.FAILED, NoticeStatus.SENDING}
    ),
    NoticeStatus.SENT: frozenset(),
    NoticeStatus.FAILED: frozenset(),
    NoticeStatus.CANCELLED: frozenset(),
}


class NoticeChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PRINT = "print", "Print and mail"


class NoticeFormat(models.TextChoices):
    """The member's standing request for how every notice reaches them (domain.md section 7)."""

    STANDARD = "standard", "Standard print"
    LARGE_PRINT = "large_print", "Large print (18 pt)"
    BRAILLE = "braille", "Braille"
    AUDIO = "audio", "Audio"
    ACCESSIBLE_ELECTRONIC = "accessible_electronic", "Accessible electronic"


# Formats the print vendor produces from the stored letter (the portal cannot).
SPECIAL_FORMATS = frozenset({NoticeFormat.BRAILLE, NoticeFormat.AUDIO})


def _stored_path(notice: "Notice", suffix: str) -> str:
    created = notice.created_at
    return str(PurePosixPath("notices", f"{created:%Y}", f"{created:%m}", f"{notice.pk}{suffix}"))


def notice_pdf_path(instance: "Notice", filename: str) -> str:
    """Store a letter as ``notices/<yyyy>/<mm>/<id>.pdf``."""
    return _stored_path(instance, ".pdf")


def notice_id_card_path(instance: "Notice", filename: str) -> str:
    """Store an ID card as ``notices/<yyyy>/<mm>/<id>-id-card.pdf``."""
    return _stored_path(instance, "-id-card.pdf")


def print_batch_path(instance: "PrintBatch", filename: str) -> str:
    """Store a print batch as ``notices/print-batches/<yyyy>/<id>.zip``."""
    return str(PurePosixPath("notices", "print-batches", f"{instance.created_at:%Y}", filename))


class PrintBatch(models.Model):
    """One hand-over to the print vendor: a zip of letters and a manifest (ids, no PHI)."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notice_count = models.PositiveIntegerField(default=0)
    special_format_count = models.PositiveIntegerField(
        default=0, help_text="Letters the vendor must produce in braille or audio."
    )
    file = models.FileField(upload_to=print_batch_path, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "print batches"

    def __str__(self) -> str:
        return f"Print batch {self.pk} ({self.notice_count} letters)"


class Notice(models.Model):
    """One letter to one person: the outbox row, its delivery state and its rendered output."""

    kind = models.CharField(max_length=32, choices=NoticeKind.choices)
    idempotency_key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Identifies the business event, e.g. enrollment-confirmed:<enrollment id>.",
    )
    recipient_key = models.CharField(
        max_length=100,
        db_index=True,
        help_text="Whom it is for, e.g. beneficiary:42; used to list a person's letters.",
    )
    recipient = models.JSONField(help_text="PHI: name, email, address, language, format.")
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=16, default="en")
    format = models.CharField(
        max_length=24, choices=NoticeFormat.choices, default=NoticeFormat.STANDARD
    )
    channel = models.CharField(max_length=8, choices=NoticeChannel.choices)
    bulk = models.BooleanField(
        default=False,
        help_text="One of many letters queued at once (county transitions): delivered from the "
        "low-priority queue, behind every single letter.",
    )

    status = models.CharField(
        max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    scheduled_for = models.DateTimeField(
        null=True, blank=True, help_text="Not to be sent before this time."
    )
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The sweeper leaves a queued row alone until then (grace, backoff, schedule).",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_notices",
    )
    resend_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resends"
    )

    subject = models.CharField(max_length=300, blank=True)
    html = models.TextField(blank=True, help_text="The rendered letter, for the letters page.")
    pdf = models.FileField(upload_to=notice_pdf_path, blank=True, max_length=200)
    id_card_pdf = models.FileField(upload_to=notice_id_card_path, blank=True, max_length=200)
    print_batch = models.ForeignKey(
        PrintBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notice_sweep_idx"),
            models.Index(fields=["recipient_key", "-created_at"], name="notice_recipient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notice_sent_has_sent_at",
            )
        ]

    def __str__(self) -> str:
        # Ids and codes only: the admin and logs must not show PHI.
        return f"Notice {self.pk} {self.kind} ({self.status})"

    @property
    def special_format(self) -> str:
        """Return ``braille`` or ``audio`` when the print vendor must produce it, else ``""``."""
        return self.format if self.format in SPECIAL_FORMATS else ""
