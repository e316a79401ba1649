"""Applications (with their status history) and enrollments (Medi-Medi and aligned Medi-Cal).

The status pipeline is one mapping, ``TRANSITIONS``; every move writes an
``ApplicationStatusChange`` row (who, when, from, to, why), which is the history and the audit trail.
"""

from django.conf import settings
from django.db import models

from eligibility.models import (
    Beneficiary,
    County,
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


class Channel(models.TextChoices):
    """How the election reached the plan."""

    ONLINE = "online", "Online (this portal)"
    PHONE = "phone", "By phone"
    PAPER = "paper", "Paper form"
    WALK_IN = "walk_in", "In person"
    BROKER = "broker", "Agent or broker"


class ElectionPeriod(models.TextChoices):
    """The Medicare election period an enrollment uses (42 CFR 422.62, CMS MA enrollment guidance)."""

    INTEGRATED_CARE_SEP = "icsep", "Integrated care special enrollment period (duals, monthly)"
    ANNUAL = "aep", "Annual election period (October 15 - December 7)"
    INITIAL_COVERAGE = "icep", "Initial coverage election period"
    OPEN_ENROLLMENT = "oep", "Medicare Advantage open enrollment period (January - March)"
    DUAL_LIS_SEP = "dual_sep", "Dual / Extra Help special enrollment period"
    MOVE_SEP = "move_sep", "Special enrollment period: moved"
    OTHER_SEP = "other_sep", "Another special enrollment period"


class Application(models.Model):
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="applications"
    )
    plan = models.ForeignKey(
        MediMediPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    # The person's county, copied here so the staff queue filters it on an index with the
    # submission date (``save`` sets it; a move is copied by ``enrollment.signals`` and the
    # eligibility-file loader). Always the beneficiary's current county.
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    # The person's last-name search key (``Beneficiary.search_last_name``), copied the same way,
    # so a search for a common last name reads this table's index in submission order instead
    # of probing every person of that name.
    search_last_name = models.CharField(max_length=64, blank=True, default="", editable=False)
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
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    received_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the plan received the election (phone, paper); sets the effective date.",
    )
    signed_by = models.CharField(
        max_length=128,
        blank=True,
        help_text="Who signed or spoke the election (the member or a representative).",
    )
    election_period = models.CharField(max_length=16, choices=ElectionPeriod.choices, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    effective_date_note = models.TextField(
        blank=True, help_text="Why the effective date differs from the first of the next month."
    )
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
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The staff queue, newest first, each filter on an index that also holds what the
            # scope and the other filters check (covering on PostgreSQL: no table reads).
            models.Index(
                fields=["submitted_at", "id"],
                include=["plan", "status", "county"],
                name="application_queue_submitted",
            ),
            models.Index(
                fields=["county", "submitted_at"],
                include=["plan", "id"],
                name="application_county_submitted",
            ),
            models.Index(
                fields=["plan", "submitted_at"], include=["id"], name="application_plan_submitted"
            ),
            # A last-name search, newest first (enrollment.selectors.application_queue).
            models.Index(
                fields=["search_last_name", "submitted_at", "id"],
                include=["plan", "status", "county"],
                name="application_name_submitted",
            ),
            # A name search: the people's applications (enrollment.selectors._people_ids).
            models.Index(
                fields=["beneficiary", "submitted_at"],
                include=["plan", "id"],
                name="application_person_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} ({self.status})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.beneficiary_id is not None and (
            self.county_id is None or not self.search_last_name
        ):
            self.county_id = self.county_id or self.beneficiary.county_id
            self.search_last_name = self.search_last_name or self.beneficiary.search_last_name
        super().save(*args, **kwargs)  # type: ignore[arg-type]


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
    MEDI_CAL_LOST = "medi_cal_lost", "Medi-Cal ended"
    DEEMING_ENDED = "deeming_ended", "Medi-Cal did not return within the deeming period"
    MEDICARE_ENDED = "medicare_ended", "Medicare Part A or B ended"
    MOVED = "moved", "Moved out of the plan's service area"
    INCARCERATED = "incarcerated", "Incarcerated (outside every service area)"
    DIED = "died", "Died"
    MEDI_CAL_PLAN_CHANGED = "mc_plan_changed", "Now in another Medi-Cal plan (state file)"
    TRANSFERRED = "transferred", "Moved to another plan by a plan-wide transfer"
    MEDICARE_REJECTED = "cms_rejected", "Medicare (CMS) did not accept the enrollment"


class Enrollment(models.Model):
    """Coverage in one plan from ``start_date`` to ``end_date`` inclusive (open when null).

    A Medi-Medi enrollment always has a Medi-Cal enrollment in the aligned plan for the same
    days, linked by ``aligned_with``. On PostgreSQL an exclusion constraint (migration 0002)
    forbids two overlapping enrollments of one kind for one beneficiary. A ``cancelled`` row
    was ended before it ever started and covers no day.
    """

    # Indexed by (beneficiary, kind, start_date) below, which serves every lookup by person.
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="enrollments", db_index=False
    )
    kind = models.CharField(max_length=16, choices=EnrollmentKind.choices)
    medi_medi_plan = models.ForeignKey(
        MediMediPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        db_index=False,  # a partial index below: most rows (Medi-Cal plans) have none
    )
    medi_cal_plan = models.ForeignKey(
        MediCalPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollments"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    member_id = models.CharField(
        max_length=20,
        blank=True,
        help_text=(
            "Medi-Medi only: the plan's own member ID printed on the ID card (never the MBI), "
            "made at approval; unique within the plan."
        ),
    )
    deeming_until = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "Medi-Medi only: the member lost full Medi-Cal and keeps the plan through this day "
            "unless Medi-Cal returns (DEEMING_PERIOD_MONTHS)."
        ),
    )
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    end_requested_on = models.DateField(null=True, blank=True)
    end_note = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    aligned_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aligned_medi_cal",
        help_text="For a Medi-Cal enrollment: the Medi-Medi enrollment it was made for.",
        db_index=False,
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        db_index=False,
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced",
        db_index=False,
        help_text=(
            "The Medi-Medi enrollment whose approval ended this one (a plan switch). If that one "
            "is cancelled before it starts, this one is put back as it was."
        ),
    )
    end_date_before_replaced = models.DateField(
        null=True,
        blank=True,
        help_text="This enrollment's end date before the switch ended it (empty: it was open).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["beneficiary", "start_date", "kind", "id"]
        # The state's monthly file writes a Medi-Cal plan enrollment for most of 1.5 million
        # people: the links most rows leave empty are indexed only where they are set.
        indexes = [
            models.Index(fields=["beneficiary", "kind", "start_date"]),
            *(
                models.Index(
                    fields=[name],
                    condition=models.Q(**{f"{name}__isnull": False}),
                    name=f"enrollment_{short}_set",
                )
                for name, short in (
                    ("replaced_by", "replacedby"),
                    ("medi_medi_plan", "mmplan"),
                    ("aligned_with", "aligned"),
                    ("application", "app"),
                    ("ended_by", "endedby"),
                )
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["medi_medi_plan", "member_id"],
                condition=~models.Q(member_id=""),
                name="enrollment_member_id_unique_in_plan",
            ),
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


class ReviewKind(models.TextChoices):
    NOT_IN_FILE = "not_in_file", "Not in this month's eligibility file"
    MEDI_CAL_PLAN_MISMATCH = (
        "medi_cal_plan_mismatch",
        "The state file shows a Medi-Cal plan that is not the aligned one",
    )
    MEDI_CAL_LOST = "medi_cal_lost", "Lost full Medi-Cal: deeming period running"
    MEDICARE_ENDED = "medicare_ended", "Medicare Part A or B ended"
    MOVED = "moved", "Moved out of the service area"
    INCARCERATED = "incarcerated", "Incarcerated"
    DIED = "died", "Death reported by the state"
    # Reconciliation of a state file with the enrollments here (interchange.reconciliation).
    RECON_NOT_AT_STATE = (
        "recon_not_at_state",
        "Reconciliation: the state's file does not show the member's aligned Medi-Cal plan",
    )
    RECON_NOT_HERE = (
        "recon_not_here",
        "Reconciliation: the state shows a Medi-Cal plan with no enrollment here",
    )
    RECON_START_DIFFERS = (
        "recon_start_differs",
        "Reconciliation: the state's coverage starts after the enrollment here",
    )
    MEDICARE_REJECTED = "medicare_rejected", "Medicare (CMS) rejected a submission"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ReviewDecision(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed: the change stands"
    DISENROLL = "disenroll", "Disenroll the member"
    NO_ACTION = "no_action", "No action needed"


REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.OPEN: frozenset({ReviewStatus.RESOLVED}),
    ReviewStatus.RESOLVED: frozenset(),
}


class ReviewItem(models.Model):
    """Something the state's data changed that a person must look at and decide.

    Belongs to the organization of the enrolled member's plan (null: the program's admins).
    ``source_key`` makes opening one idempotent (an import run twice opens no second item).
    """

    kind = models.CharField(max_length=32, choices=ReviewKind.choices)
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="review_items"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, null=True, blank=True, related_name="review_items"
    )
    organization = models.ForeignKey(
        "eligibility.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_items",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    detail = models.JSONField(default=dict, blank=True)
    decision = models.CharField(max_length=16, choices=ReviewDecision.choices, blank=True)
    note = models.TextField(blank=True)
    source_key = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["organization", "status", "due_date"])]

    def __str__(self) -> str:
        return f"Review {self.pk} ({self.kind}, {self.status})"


class ReviewItemChange(models.Model):
    """One status move of a review item: who, when, from, to, the decision and note."""

    review = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=16, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReviewStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=16, choices=ReviewDecision.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.from_status or '-'} -> {self.to_status}"


class AuthorizedRepresentative(models.Model):
    """Someone a member named to act for them; they receive a copy of every letter."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="representatives"
    )
    name = models.CharField(max_length=128)
    relationship = models.CharField(max_length=64)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    document = models.CharField(
        max_length=200, help_text="The document that names them (power of attorney, CMS form...)."
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["beneficiary", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="representative_to_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"Representative {self.pk} of beneficiary {self.beneficiary_id}"


class RepresentativeLetter(models.Model):
    """A notice that is a representative's copy of a member's letter: which copy of which letter.

    Kept as fields, beside the notice (the notices app knows nothing of representatives): the
    member's letters leave these out, a resend goes back to the representative.
    """

    notice = models.OneToOneField(
        "notices.Notice",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="representative_letter",
    )
    representative = models.ForeignKey(
        AuthorizedRepresentative, on_delete=models.PROTECT, related_name="letters"
    )
    copy_of = models.ForeignKey(
        "notices.Notice", on_delete=models.PROTECT, related_name="representative_copies"
    )

    def __str__(self) -> str:
        return f"Copy {self.notice_id} of letter {self.copy_of_id} for representative {self.representative_id}"


class MedicareSubmissionKind(models.TextChoices):
    """What the plan told Medicare (CMS): an enrollment, a disenrollment or a plan switch."""

    ENROLLMENT = "enrollment", "Enrollment"
    DISENROLLMENT = "disenrollment", "Disenrollment"
    PLAN_SWITCH = "plan_switch", "Plan switch"


class MedicareTransaction(models.TextChoices):
    """MARx transaction types, as the CMS Plan Communications User Guide names them
    (``docs/medicare.md`` cites it): 61 enrollment (a switch is an enrollment in the new plan),
    51 disenrollment, 80 enrollment cancellation (an enrollment ended before it started)."""

    ENROLLMENT = "61", "61: enrollment"
    DISENROLLMENT = "51", "51: disenrollment"
    ENROLLMENT_CANCELLATION = "80", "80: enrollment cancellation"


class MedicareStatus(models.TextChoices):
    PENDING = "pending", "Waiting for Medicare"
    ACCEPTED = "accepted", "Accepted by Medicare"
    REJECTED = "rejected", "Rejected by Medicare"


MEDICARE_TRANSITIONS: dict[str, frozenset[str]] = {
    MedicareStatus.PENDING: frozenset({MedicareStatus.ACCEPTED, MedicareStatus.REJECTED}),
    MedicareStatus.ACCEPTED: frozenset(),
    MedicareStatus.REJECTED: frozenset(),
}


class MedicareReplyFile(models.Model):
    """A reply file staff loaded (``docs/medicare.md``): its content hash and what it did.

    A second load of the same bytes finds this row and applies nothing again.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"Medicare reply file {self.pk} ({self.rows} rows)"


class MedicareSubmission(models.Model):
    """One transaction sent to Medicare about a Medi-Medi enrollment, and Medicare's answer.

    Written in the same transaction as the approval, switch or disenrollment that needs it.
    ``contract_number``/``pbp`` are the plan's at submission (empty when no public source
    confirmed them); ``effective_date`` is the first day of coverage (enrollment, switch) or
    the last (disenrollment). Every status change leaves a ``MedicareSubmissionStatusChange``.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="medicare_submissions"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="medicare_submissions"
    )
    kind = models.CharField(max_length=16, choices=MedicareSubmissionKind.choices)
    transaction_type = models.CharField(max_length=2, choices=MedicareTransaction.choices)
    election_period = models.CharField(max_length=16, choices=ElectionPeriod.choices, blank=True)
    contract_number = models.CharField(max_length=5, blank=True)
    pbp = models.CharField(max_length=3, blank=True)
    effective_date = models.DateField()
    submitted_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=MedicareStatus.choices, default=MedicareStatus.PENDING
    )
    reply_code = models.CharField(
        max_length=3, blank=True, help_text="CMS's transaction reply code (TRC), 3 digits."
    )
    reply_text = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_file = models.ForeignKey(
        MedicareReplyFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        help_text="The reply file that carried the answer (empty: recorded on the page or API).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_on", "id"]
        indexes = [
            models.Index(fields=["beneficiary", "transaction_type", "effective_date"]),
            models.Index(fields=["status", "submitted_on"]),
        ]

    def __str__(self) -> str:
        return f"Medicare submission {self.pk} ({self.kind}, {self.status})"


class MedicareSubmissionStatusChange(models.Model):
    """One status move of a Medicare submission: who, when, from, to, the reply."""

    submission = models.ForeignKey(
        MedicareSubmission, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=MedicareStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=MedicareStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reply_code = models.CharField(max_length=3, blank=True)
    reply_text = models.TextField(blank=True)
    reply_file = models.ForeignKey(
        MedicareReplyFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.from_status or '-'} -> {self.to_status}"


# Who each organization's staff may see, kept by the database (issue 12), and plan-wide
# transfers (issue 9) live in their own modules; imported here so they are this app's.
from enrollment.people_links import OrganizationPerson  # noqa: E402, F401
from enrollment.transfer_models import (  # noqa: E402, F401
    PlanTransfer,
    PlanTransferMember,
    PlanTransferStatusChange,
)
