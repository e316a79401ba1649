"""After enrollment: care coordinators, Health Risk Assessments, care plans and teams, the
coordinators' work queue and continuity of care.

Every Medi-Medi enrollment gets one ``CareCase`` (opened in the approval's transaction): the
organization whose staff coordinate it, its coordinator, and everything below hangs on it.
Statuses are ``TextChoices`` with their allowed moves as one mapping beside the model; every
move writes a change row (who, when, from, to, note), which is the history.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from eligibility.models import Organization, StaffMembership
from enrollment.models import Enrollment

USER = settings.AUTH_USER_MODEL


class CareCoordinator(models.Model):
    """The care coordinator capability of one staff member (their organization's membership).

    A row here, not a role string: staff become coordinators when an admin adds one (active),
    and stop taking new members when it is made inactive. ``last_assigned_at`` is the
    round-robin's turn: the active coordinator assigned longest ago (never first) is next.
    """

    membership = models.OneToOneField(
        StaffMembership, on_delete=models.CASCADE, related_name="care_coordinator"
    )
    active = models.BooleanField(default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["membership"]

    def __str__(self) -> str:
        return f"Care coordinator {self.membership.user_id}"


class CareCase(models.Model):
    """Care coordination of one Medi-Medi enrollment, by its plan's organization."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="care")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(
        CareCoordinator, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Care case of enrollment {self.enrollment_id}"


class CoordinatorChange(models.Model):
    """One assignment or reassignment of a case's coordinator: the coordinator history."""

    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="coordinator_changes")
    from_coordinator = models.ForeignKey(
        CareCoordinator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_coordinator = models.ForeignKey(
        CareCoordinator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Coordinator change {self.pk} of case {self.case_id}"


# ---------------------------------------------------------------------------------------------
# Health Risk Assessments


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", "Initial assessment"
    REASSESSMENT = "reassessment", "Reassessment"


class AssessmentStatus(models.TextChoices):
    DUE = "due", "Due"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused by the member"
    UNABLE_TO_REACH = "unable_to_reach", "Unable to reach"


ASSESSMENT_TRANSITIONS: dict[str, set[str]] = {
    AssessmentStatus.DUE: {
        AssessmentStatus.COMPLETED,
        AssessmentStatus.REFUSED,
        AssessmentStatus.UNABLE_TO_REACH,
    },
    AssessmentStatus.COMPLETED: set(),
    AssessmentStatus.REFUSED: set(),
    AssessmentStatus.UNABLE_TO_REACH: set(),
}


class FilledBy(models.TextChoices):
    COORDINATOR = "coordinator", "A coordinator, during a call"
    MEMBER = "member", "The member, online"


class Assessment(models.Model):
    """One Health Risk Assessment of a case: due, then completed, refused or unable to reach.

    The answers are stored with the questionnaire version they answer (``care.questionnaire``
    validates them against that version's schema).
    """

    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=16, choices=AssessmentKind.choices)
    due_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DUE
    )
    completed_on = models.DateField(null=True, blank=True)
    questionnaire_version = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=8, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    filled_by = models.CharField(max_length=16, choices=FilledBy.choices, blank=True)
    closed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "due_date", "id"]
        constraints = [
            # One assessment open at a time per case.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="due"), name="care_one_due_assessment"
            )
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} ({self.status})"


class AssessmentChange(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Assessment {self.assessment_id}: {self.from_status} to {self.to_status}"


class OutreachChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    MAIL = "mail", "Letter"
    HOME_VISIT = "home_visit", "Home visit"


class OutreachResult(models.TextChoices):
    REACHED = "reached", "Reached the member"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    WRONG_NUMBER = "wrong_number", "Wrong number or address"
    REFUSED = "refused", "The member declined the assessment"


# Results that count toward "unable to reach" (the plan's policy number of attempts).
UNSUCCESSFUL_RESULTS = frozenset(
    {OutreachResult.NO_ANSWER, OutreachResult.LEFT_MESSAGE, OutreachResult.WRONG_NUMBER}
)


class OutreachAttempt(models.Model):
    """One try to reach the member for an assessment: date, channel, result."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attempts")
    attempted_on = models.DateField()
    channel = models.CharField(max_length=16, choices=OutreachChannel.choices)
    result = models.CharField(max_length=16, choices=OutreachResult.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempted_on", "id"]

    def __str__(self) -> str:
        return f"Attempt {self.pk} ({self.result})"


# ---------------------------------------------------------------------------------------------
# The interdisciplinary care team


class TeamRole(models.TextChoices):
    MEDICARE_PROVIDER = "medicare_provider", "Medicare provider (primary care or specialist)"
    MEDI_CAL_PROVIDER = "medi_cal_provider", "Medi-Cal provider"
    IHSS_SOCIAL_WORKER = "ihss_social_worker", "County In-Home Supportive Services social worker"
    COUNTY_MENTAL_HEALTH = "county_mental_health", "County specialty mental health"
    CAREGIVER = "caregiver", "Caregiver or family"
    OTHER = "other", "Other"


class CareTeamMember(models.Model):
    """Someone on the member's team besides the member and the coordinator (always on it)."""

    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=24, choices=TeamRole.choices)
    name = models.CharField(max_length=128)
    organization_name = models.CharField(max_length=128, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on case {self.case_id}"


# ---------------------------------------------------------------------------------------------
# The individualized care plan


class CarePlan(models.Model):
    """One revision of a member's individualized care plan, written from an assessment.

    A new revision is written after each reassessment (or hospital stay); older revisions are
    kept, never changed: the plan the member sees is the latest shared one.
    """

    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="care_plans")
    revision = models.PositiveIntegerField()
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="care_plans"
    )
    reason = models.CharField(max_length=128, blank=True)
    hospital_stay = models.ForeignKey(
        "HospitalStay",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_plans",
        help_text="The hospital stay this revision was written after (empty: none).",
    )
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    shared_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["case", "revision"], name="care_plan_revision_unique")
        ]

    def __str__(self) -> str:
        return f"Care plan {self.case_id} revision {self.revision}"


class PlanItemKind(models.TextChoices):
    GOAL = "goal", "Goal"
    INTERVENTION = "intervention", "Intervention"
    SERVICE = "service", "Service"


class CarePlanItem(models.Model):
    """A goal, intervention or service of one care plan revision, with its owner and date."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=16, choices=PlanItemKind.choices)
    description = models.TextField()
    owner = models.ForeignKey(
        CareTeamMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        help_text="Who on the team carries it out (empty: the coordinator).",
    )
    owner_is_member = models.BooleanField(
        default=False, help_text="The member themselves carries it out."
    )
    target_date = models.DateField()

    class Meta:
        ordering = ["care_plan", "kind", "target_date", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of care plan {self.care_plan_id}"


class HospitalStay(models.Model):
    """A stay of the member in a hospital, recorded by staff of the member's plan.

    Its discharge (known when recorded, or recorded later) opens a ``care_plan`` work item: the
    care plan is revised after each hospital stay (issue 13).
    """

    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="hospital_stays")
    facility = models.CharField(max_length=128)
    admitted_on = models.DateField()
    discharged_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "-admitted_on", "-id"]

    def __str__(self) -> str:
        return f"Hospital stay {self.pk} of case {self.case_id}"


# ---------------------------------------------------------------------------------------------
# The coordinators' work queue


class TaskKind(models.TextChoices):
    HRA = "hra", "Initial assessment"
    CARE_PLAN = "care_plan", "Care plan to write"
    REASSESSMENT = "reassessment", "Reassessment"
    CONTINUITY = "continuity", "Continuity of care request to decide"
    CONTINUITY_END = "continuity_end", "Continuity of care ending: tell the member"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CLOSED = "closed", "Closed without doing (refused, unable to reach, enrollment ended)"


class CareTask(models.Model):
    """One item of work with a deadline. The daily job sets ``overdue`` once its day passes
    (with a change row), so no deadline passes unseen."""

    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=16, choices=TaskKind.choices)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    continuity_request = models.ForeignKey(
        "ContinuityRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    hospital_stay = models.ForeignKey(
        HospitalStay,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        help_text="The hospital stay whose discharge opened this care plan item.",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    overdue = models.BooleanField(default=False)
    overdue_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(
                fields=["due_date"], condition=models.Q(status="open"), name="care_task_open_due"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind"],
                condition=models.Q(assessment__isnull=False),
                name="care_task_once_per_assessment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} task {self.pk} ({self.status})"


class CareTaskChange(models.Model):
    """A task's status change, or its becoming overdue (``to_status`` ``overdue``)."""

    task = models.ForeignKey(CareTask, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Task {self.task_id}: {self.from_status} to {self.to_status}"


# ---------------------------------------------------------------------------------------------
# Continuity of care


class ContinuityUrgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    URGENT = "urgent", "The member's condition needs quicker attention"
    RISK_OF_HARM = "risk_of_harm", "Risk of harm to the member"


class ContinuityStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


CONTINUITY_TRANSITIONS: dict[str, set[str]] = {
    ContinuityStatus.PENDING: {ContinuityStatus.APPROVED, ContinuityStatus.DENIED},
    ContinuityStatus.APPROVED: set(),
    ContinuityStatus.DENIED: set(),
}


class ContinuityRequest(models.Model):
    """A member's request to keep seeing an out-of-network provider after enrolling."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="continuity_requests"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    provider_name = models.CharField(max_length=128)
    npi = models.CharField("NPI", max_length=10)
    specialty = models.CharField(max_length=128)
    last_seen_on = models.DateField()
    urgency = models.CharField(
        max_length=16, choices=ContinuityUrgency.choices, default=ContinuityUrgency.STANDARD
    )
    received_on = models.DateField()
    decision_due = models.DateField()
    status = models.CharField(
        max_length=8, choices=ContinuityStatus.choices, default=ContinuityStatus.PENDING
    )
    note = models.TextField(blank=True)
    valid_until = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision_due", "id"]

    def __str__(self) -> str:
        return f"Continuity request {self.pk} ({self.status})"


class ContinuityRequestChange(models.Model):
    request = models.ForeignKey(ContinuityRequest, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Continuity request {self.request_id}: {self.from_status} to {self.to_status}"


# ---------------------------------------------------------------------------------------------
# Integrated appeals and grievances (42 CFR 422.629-634; deadlines in settings, docs/care.md)


class AppealKind(models.TextChoices):
    GRIEVANCE = "grievance", "Grievance"
    APPEAL = "appeal", "Appeal"


class AppealStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class AppealOutcome(models.TextChoices):
    FAVORABLE = "favorable", "In the member's favor"
    ADVERSE = "adverse", "Against the member"


class AppealChannel(models.TextChoices):
    ONLINE = "online", "Online"
    PHONE = "phone", "By phone"
    WRITING = "writing", "In writing"


class ExtensionRequestedBy(models.TextChoices):
    MEMBER = "member", "The member asked for it"
    PLAN = "plan", "The plan needs more information (in the member's interest)"


APPEAL_TRANSITIONS: dict[str, set[str]] = {
    AppealStatus.OPEN: {AppealStatus.RESOLVED},
    AppealStatus.RESOLVED: set(),
}


class AppealCase(models.Model):
    """A grievance (any dissatisfaction) or an appeal of an adverse decision (an integrated
    reconsideration) of one member's Medi-Medi enrollment, due by ``due_at``."""

    kind = models.CharField(max_length=16, choices=AppealKind.choices)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="appeal_cases"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    representative = models.ForeignKey(
        "enrollment.AuthorizedRepresentative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member's authorized representative who filed it, if not the member.",
    )
    channel = models.CharField(max_length=8, choices=AppealChannel.choices)
    description = models.TextField()
    expedited = models.BooleanField(default=False)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    overdue = models.BooleanField(default=False)
    overdue_since = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    filed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # One extension of up to APPEAL_EXTENSION_MAX_DAYS (42 CFR 422.630(e)(2), 422.633(f)).
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    extension_requested_by = models.CharField(
        max_length=8, choices=ExtensionRequestedBy.choices, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    due_at_before_extension = models.DateTimeField(null=True, blank=True)
    # An expedited request the plan decided does not qualify: moved to the standard clock.
    expedite_denied_at = models.DateTimeField(null=True, blank=True)
    expedite_denied_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expedite_denial_reason = models.TextField(blank=True)
    # When the member was told an expedited decision by phone, and who recorded it.
    oral_notice_at = models.DateTimeField(null=True, blank=True)
    oral_notice_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="care_appeal_open_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.status})"


class AppealCaseChange(models.Model):
    """One change of an appeal or grievance (filed, overdue, extended, expedite denied,
    resolved): its history."""

    case = models.ForeignKey(AppealCase, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Appeal case {self.case_id}: {self.from_status} to {self.to_status}"
