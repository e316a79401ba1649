"""Reads for applications and enrollments, always through ``enrollment.access``.

Each selector takes the acting user (``actor``), keeps to what the policy lets them see, raises
``NotFound`` for anything else, and writes the read-audit row itself when staff or an admin read
member data. Page and API views call these and never query the ORM or audit on their own.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.errors import NotFound
from accounts.models import User
from eligibility.models import Beneficiary, County, EligibilityDetermination, MediMediPlan
from eligibility.reference_cache import reference_snapshot
from eligibility.rules import first_of_next_month
from eligibility.search import (  # also registers ``in_array_of``
    last_name_sought,
    people_sought,
)
from eligibility.selectors import california_today, plan_first_day_in_county
from enrollment import access
from enrollment.keyset import Key, KeysetPage, keyset_page
from enrollment.models import (
    TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    DenialReason,
    EndReason,
    Enrollment,
    EnrollmentKind,
    MedicareSubmission,
)

QUEUE_PAGE_SIZE = 25
# The queue's one order, newest submission first (drafts, never submitted, first), read by
# keyset pages on the (filter, submitted_at) indexes.
QUEUE_ORDER = [Key("submitted_at", descending=True, nullable=True), Key("id", descending=True)]


def _applications(actor: User) -> QuerySet[Application]:
    return _application_rows().filter(access.application_scope(actor))


def _application_rows() -> QuerySet[Application]:
    """Applications with what their pages and answers show, joined and prefetched (no scope:
    callers filter by ``access.application_scope`` or ask only for ids they were given)."""
    return Application.objects.select_related(
        "beneficiary__county", "plan__organization", "determination", "approval_determination"
    ).prefetch_related(
        Prefetch(
            "status_changes", queryset=ApplicationStatusChange.objects.select_related("actor")
        ),
        Prefetch(
            "enrollments",
            queryset=Enrollment.objects.select_related(
                "medi_medi_plan", "medi_cal_plan"
            ).prefetch_related("medicare_submissions"),
        ),
    )


def application_get(*, actor: User, application_id: int) -> Application:
    """Return one application the actor may see (audited for staff and admins)."""
    application = _applications(actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound("No such application.")
    access.audit_read(actor, "application", application.pk)
    return application


def staff_application_require(*, actor: User, application_id: int) -> None:
    """Refuse as the staff application page does (403 for members, 404 for an application the
    staff member may not see), without reading it: for a refused action that goes back there."""
    access.require_staff(actor)
    access.check_application_visible(actor, Application(pk=application_id))


def application_require_visible(*, actor: User, application_id: int) -> None:
    """Raise ``NotFound`` unless the actor may see the application (no audit: nothing is read).

    Adapters call it before validating a request body, so an outsider learns nothing (404)
    rather than which fields would be wrong (400).
    """
    access.check_application_visible(actor, Application(pk=application_id))


def application_queue(
    *,
    actor: User,
    status: str | None = None,
    plan: int | None = None,
    county: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    new: bool = False,
    search: str | None = None,
    date_of_birth: date | None = None,
) -> QuerySet[Application]:
    """The applications the actor may see, filtered (not audited: pages of it are).

    ``search`` takes an MBI, a CIN or a name, whatever its case and accents (a name search is
    narrowed by ``date_of_birth`` when given). Each filter is answered by an index: the county
    and plan with the submission date, a name by the people found first (their search names
    are indexed) and then their applications.
    """
    queryset = _applications(actor)
    if new:
        queryset = queryset.filter(status=ApplicationStatus.SUBMITTED)
    if status:
        queryset = queryset.filter(status=status)
    if plan:
        queryset = queryset.filter(plan_id=plan)
    if county:
        cleaned = county.strip()
        snapshot = reference_snapshot()
        found = snapshot.by_fips.get(cleaned) or snapshot.by_name.get(cleaned.lower())
        if found is None:
            return queryset.none()
        queryset = queryset.filter(county_id=found.pk)
    # Days in California, as moments: a range on the submitted_at index (``__date`` is not).
    if submitted_from:
        queryset = queryset.filter(submitted_at__gte=_day_start(submitted_from))
    if submitted_to:
        queryset = queryset.filter(submitted_at__lt=_day_start(submitted_to + timedelta(days=1)))
    last_name = last_name_sought(search) if search and not date_of_birth else None
    if last_name is not None:
        # One last name: the applications' copy of the key, on its index in submission order.
        return queryset.filter(search_last_name=last_name)
    people = people_sought(search) if search and search.strip() else None
    if people is not None and date_of_birth:
        people = people & Q(date_of_birth=date_of_birth)
    elif date_of_birth:
        people = Q(date_of_birth=date_of_birth)
    if people is not None:
        queryset = queryset.filter(beneficiary__in_array_of=_people_ids(people))
    return queryset


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _people_ids(people: Q) -> QuerySet[Beneficiary, Any]:
    """The people sought (on the index of their search names, MBI or CIN), looked up first:
    their applications are then read by ``beneficiary_id``."""
    return Beneficiary.objects.filter(people).order_by().values("pk")


def application_rows_audit(*, actor: User, application_ids: list[int]) -> None:
    """Audit the page of applications a staff member or admin was shown (ids only)."""
    access.audit_read(actor, "application_queue", "list", ids=application_ids)


def application_list_page(
    *,
    actor: User,
    cursor: str | None = None,
    page_size: int = QUEUE_PAGE_SIZE,
    **filters: object,
) -> KeysetPage[Application]:
    """One keyset page of the applications the actor may see (a member their own, staff the
    queue), newest submission first, audited with the ids shown for staff and admins.

    ``cursor`` is a page's ``next_cursor`` or ``previous_cursor`` (``InvalidCursor`` if not);
    the count stops at ``keyset.COUNT_CAP``.
    """
    page = keyset_page(
        application_queue(actor=actor, **filters),  # type: ignore[arg-type]
        keys=QUEUE_ORDER,
        cursor=cursor,
        page_size=page_size,
        rows=_application_rows(),
    )
    application_rows_audit(actor=actor, application_ids=[a.pk for a in page.object_list])
    return page


def application_queue_page(
    *,
    actor: User,
    cursor: str | None = None,
    page_size: int = QUEUE_PAGE_SIZE,
    **filters: object,
) -> KeysetPage[Application]:
    """One page of the staff work queue (staff and admins only), audited with the ids shown."""
    access.require_staff(actor)
    return application_list_page(actor=actor, cursor=cursor, page_size=page_size, **filters)


def queue_plans(*, actor: User) -> QuerySet[MediMediPlan]:
    """The plans a staff member may filter the queue by: their organization's (admins: all)."""
    access.require_staff(actor)
    if actor.is_admin:
        return MediMediPlan.objects.all()
    org = access.organization_id_of(actor)
    return MediMediPlan.objects.filter(organization_id=org) if org else MediMediPlan.objects.none()


def queue_statuses(*, actor: User) -> list[str]:
    """The statuses a staff member may filter by: never draft (admins see drafts too)."""
    return [s for s in ApplicationStatus.values if actor.is_admin or s != ApplicationStatus.DRAFT]


# ---------------------------------------------------------------------------------------------
# Beneficiaries and enrollments


def beneficiary_get(
    *, actor: User, beneficiary_id: int, audit_as: str | None = "beneficiary"
) -> Beneficiary:
    """Return a person the actor may see, audited as ``audit_as`` (None: the caller audits)."""
    beneficiary = (
        Beneficiary.objects.filter(access.beneficiary_scope(actor))
        .filter(pk=beneficiary_id)
        .select_related("county")
        .first()
    )
    if beneficiary is None:
        raise NotFound("No such beneficiary.")
    if audit_as is not None:
        access.audit_read(actor, audit_as, beneficiary.pk)
    return beneficiary


@dataclass(frozen=True)
class EnrollmentView:
    """An enrollment as the actor may see it: in full, or of another organization, dates only."""

    enrollment: Enrollment
    visible: bool

    @property
    def id(self) -> int | None:
        return self.enrollment.pk if self.visible else None

    @property
    def kind(self) -> str:
        return self.enrollment.kind

    @property
    def plan(self) -> int | None:
        return self.enrollment.plan_id if self.visible else None

    @property
    def plan_name(self) -> str:
        if self.visible:
            plan = self.enrollment.medi_medi_plan or self.enrollment.medi_cal_plan
            return plan.name if plan else ""
        if self.enrollment.kind == EnrollmentKind.MEDI_MEDI:
            return "Another Medi-Medi Plan"
        return "Another Medi-Cal plan"

    @property
    def start_date(self) -> date:
        return self.enrollment.start_date

    @property
    def end_date(self) -> date | None:
        return self.enrollment.end_date

    @property
    def cancelled(self) -> bool:
        return self.enrollment.cancelled

    @property
    def end_reason(self) -> str | None:
        return (self.enrollment.end_reason or None) if self.visible else None

    @property
    def aligned_with(self) -> int | None:
        return self.enrollment.aligned_with_id if self.visible else None

    @property
    def deeming_until(self) -> date | None:
        return self.enrollment.deeming_until if self.visible else None

    @property
    def application_id(self) -> int | None:
        return self.enrollment.application_id if self.visible else None

    @property
    def medicare(self) -> "MedicareSubmission | None":
        """The latest submission to Medicare about it (prefetched); None if not visible."""
        if not self.visible:
            return None
        rows = sorted(
            self.enrollment.medicare_submissions.all(), key=lambda r: (r.submitted_on, r.pk)
        )
        return rows[-1] if rows else None

    @property
    def kind_label(self) -> str:
        return EnrollmentKind(self.enrollment.kind).label

    @property
    def end_reason_label(self) -> str:
        reason = self.end_reason
        return EndReason(reason).label if reason else ""


def _enrollment_views(actor: User, beneficiary: Beneficiary) -> list[EnrollmentView]:
    rows = list(
        Enrollment.objects.filter(beneficiary=beneficiary)
        .select_related("medi_medi_plan", "medi_cal_plan", "beneficiary")
        .prefetch_related("medicare_submissions")
    )
    visible = set(
        Enrollment.objects.filter(beneficiary=beneficiary)
        .filter(access.enrollment_scope(actor))
        .values_list("pk", flat=True)
    )
    return [EnrollmentView(enrollment=row, visible=row.pk in visible) for row in rows]


def beneficiary_enrollments(*, actor: User, beneficiary_id: int) -> list[EnrollmentView]:
    """A person's enrollments, oldest first; another organization's show only kind and dates."""
    beneficiary = beneficiary_get(
        actor=actor, beneficiary_id=beneficiary_id, audit_as="beneficiary_enrollments"
    )
    return _enrollment_views(actor, beneficiary)


# ---------------------------------------------------------------------------------------------
# The member's own record


def member_record(*, actor: User) -> Beneficiary | None:
    """Return the record linked to the member's account (None before linking); members only."""
    access.require_member(actor)
    return Beneficiary.objects.filter(user=actor).select_related("county").first()


def member_applications(*, actor: User) -> QuerySet[Application]:
    """The member's own applications, newest first."""
    access.require_member(actor)
    return _applications(actor)


def member_application_get(*, actor: User, application_id: int) -> Application:
    """One of the member's own applications (anyone else's is not found)."""
    application = member_applications(actor=actor).filter(pk=application_id).first()
    if application is None:
        raise NotFound("No such application.")
    return application


def member_enrollments(*, actor: User) -> QuerySet[Enrollment]:
    """The member's own enrollments."""
    access.require_member(actor)
    return (
        Enrollment.objects.filter(beneficiary__user=actor)
        .select_related("medi_medi_plan", "medi_cal_plan")
        .prefetch_related("medicare_submissions")
    )


def member_enrollment_get(*, actor: User, enrollment_id: int) -> Enrollment:
    enrollment = member_enrollments(actor=actor).filter(pk=enrollment_id).first()
    if enrollment is None:
        raise NotFound("No such enrollment.")
    return enrollment


def enrollment_require_endable(*, actor: User, enrollment_id: int) -> None:
    """Raise ``NotFound`` unless the actor may end this Medi-Medi enrollment (no audit)."""
    access.require_staff(actor)
    enrollment = Enrollment.objects.filter(pk=enrollment_id, kind=EnrollmentKind.MEDI_MEDI).first()
    if enrollment is None:
        raise NotFound("No such enrollment.")
    access.check_enrollment_end(actor, enrollment)


def enrollment_aligned_medi_cal(enrollment: Enrollment) -> QuerySet[Enrollment]:
    """The live Medi-Cal enrollment made with a Medi-Medi enrollment (shown before leaving)."""
    return enrollment.aligned_medi_cal.filter(cancelled=False).select_related("medi_cal_plan")


# ---------------------------------------------------------------------------------------------
# What pages show: history rows and the staff application page


def status_label(value: str) -> str:
    return ApplicationStatus(value).label if value else "New"


def denial_labels(codes: list[str]) -> list[str]:
    return [DenialReason(code).label for code in codes if code in DenialReason.values]


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    from_label: str
    to_label: str
    to_status: str
    note: str
    reasons: list[str]
    actor: str


def application_history(application: Application) -> list[HistoryRow]:
    """The application's status changes, oldest first, in words."""
    return [
        HistoryRow(
            at=change.at,
            from_label=status_label(change.from_status) if change.from_status else "",
            to_label=status_label(change.to_status),
            to_status=change.to_status,
            note=change.note,
            reasons=denial_labels(list(change.reason_codes or [])),
            actor=change.actor.get_username() if change.actor else "",
        )
        for change in application.status_changes.all()
    ]


def can_become(application: Application, status: str) -> bool:
    """Tell whether the pipeline allows the move: it decides which buttons show, nothing more."""
    return status in TRANSITIONS[application.status]


@dataclass(frozen=True)
class StaffApplicationView:
    """Everything the staff application page shows, already limited to what the actor may see."""

    application: Application
    beneficiary: Beneficiary
    medi_cal_periods: list[object]
    determinations: list[tuple[str, EligibilityDetermination]]
    history: list[HistoryRow]
    denial_reasons: list[str]
    enrollments: list[EnrollmentView]
    endable_enrollment_ids: frozenset[int]
    can: dict[str, bool]
    other_open_applications: list["OtherApplication"] = field(default_factory=list)
    # The day coverage would start if approved today (it moves once the effective date passed).
    approval_starts_on: date | None = None


def approval_start(application: Application, *, today: date) -> date | None:
    """The day coverage starts if the application is approved ``today`` (None: it cannot).

    The effective date set on submission, unless it has passed: then the first day on or after
    the first of next month that the plan serves the county (no retroactive enrollment, 42 CFR
    422.68). The approval and the staff page both ask here.
    """
    scheduled = application.effective_date
    if scheduled is None or application.plan_id is None:
        return None
    if scheduled >= today:
        return scheduled
    county = application.beneficiary.county
    since = max(first_of_next_month(today), county.medi_medi_available_from)
    return plan_first_day_in_county(plan_id=application.plan_id, county=county, since=since)


def staff_application_view(*, actor: User, application_id: int) -> StaffApplicationView:
    """The staff application page's data (audited as a read of the application)."""
    access.require_staff(actor)
    application = application_get(actor=actor, application_id=application_id)
    beneficiary = application.beneficiary
    enrollments = _enrollment_views(actor, beneficiary)
    endable = frozenset(
        Enrollment.objects.filter(
            beneficiary=beneficiary,
            kind=EnrollmentKind.MEDI_MEDI,
            cancelled=False,
            end_date__isnull=True,
        )
        .filter(access.enrollment_end_scope(actor))
        .values_list("pk", flat=True)
    )
    return StaffApplicationView(
        application=application,
        beneficiary=beneficiary,
        medi_cal_periods=list(beneficiary.medi_cal_periods.all()),
        determinations=[
            (title, determination)
            for title, determination in (
                ("Eligibility check at submission", application.determination),
                (
                    "Re-check for the effective date, at approval",
                    application.approval_determination,
                ),
            )
            if determination is not None
        ],
        history=application_history(application),
        denial_reasons=denial_labels(application.denial_reasons),
        enrollments=enrollments,
        endable_enrollment_ids=endable,
        can={
            "review": can_become(application, ApplicationStatus.IN_REVIEW),
            "request_info": can_become(application, ApplicationStatus.INFO_REQUESTED),
            "approve": can_become(application, ApplicationStatus.APPROVED),
            "deny": can_become(application, ApplicationStatus.DENIED),
            "withdraw": can_become(application, ApplicationStatus.WITHDRAWN),
            # Only an admin keeps an effective date that has passed (no retroactive enrollment).
            "keep_effective_date": actor.is_admin,
        },
        other_open_applications=open_applications(
            actor=actor, beneficiary_id=beneficiary.pk, exclude=application.pk
        ),
        approval_starts_on=approval_start(application, today=california_today()),
    )


@dataclass(frozen=True)
class OtherApplication:
    """Another open application of the same person, as the actor may see it.

    ``stands``: of the person's submitted open applications, the one submitted last is the one
    that counts if approved before coverage starts (the last election before the effective date,
    CMS MA enrollment guidance); a draft is no election yet.
    """

    id: int | None  # None: another organization's application (staff see only that it exists)
    plan_name: str
    status: str
    status_label: str
    submitted_at: datetime | None
    effective_date: date | None
    stands: bool


OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.INFO_REQUESTED,
)


def open_applications(
    *, actor: User, beneficiary_id: int, exclude: int | None = None
) -> list[OtherApplication]:
    """The person's open applications (drafts only for the member), newest election first.

    Staff see another organization's open application only as "Another Medi-Medi Plan" (no id).
    The actor must already be allowed to see the person (callers read one of their applications).
    """
    rows = list(
        Application.objects.filter(beneficiary_id=beneficiary_id, status__in=OPEN_STATUSES)
        .exclude(pk__in=[] if exclude is None else [exclude])
        .select_related("plan")
        .order_by("-submitted_at", "-pk")
    )
    if actor.acts_as_staff:
        rows = [row for row in rows if row.status != ApplicationStatus.DRAFT]
    visible = set(
        Application.objects.filter(pk__in=[row.pk for row in rows])
        .filter(access.application_scope(actor))
        .values_list("pk", flat=True)
    )
    submitted = [
        row
        for row in Application.objects.filter(
            beneficiary_id=beneficiary_id,
            status__in=OPEN_STATUSES,
            submitted_at__isnull=False,
        ).order_by("-submitted_at", "-pk")[:1]
    ]
    standing = submitted[0].pk if submitted else None
    return [
        OtherApplication(
            id=row.pk if row.pk in visible else None,
            plan_name=(
                (row.plan.name if row.plan else "No plan chosen yet")
                if row.pk in visible
                else "Another Medi-Medi Plan"
            ),
            status=row.status,
            status_label=row.get_status_display(),
            submitted_at=row.submitted_at,
            effective_date=row.effective_date,
            stands=row.pk == standing,
        )
        for row in rows
    ]


def member_open_applications(*, actor: User) -> list[OtherApplication]:
    """The member's own open applications (told before starting another)."""
    beneficiary = member_record(actor=actor)
    if beneficiary is None:
        return []
    return open_applications(actor=actor, beneficiary_id=beneficiary.pk)


def beneficiary_applications(*, actor: User, beneficiary: Beneficiary) -> QuerySet[Application]:
    """The person's applications the actor may see (for links beside their letters)."""
    return _applications(actor).filter(beneficiary=beneficiary)


def me(*, actor: User) -> dict[str, object]:
    """Who is logged in: username, role, organization (staff), linked beneficiary (members)."""
    beneficiary = (
        None
        if actor.acts_as_staff
        else Beneficiary.objects.filter(user=actor).values_list("pk", flat=True).first()
    )
    return {
        "username": actor.get_username(),
        "role": actor.role,
        "organization": access.organization_id_of(actor),
        "beneficiary": beneficiary,
    }


def county_enrollments_starting_before(*, county: County, available_from: date) -> int:
    """How many Medi-Medi enrollments of the county's members start before ``available_from``.

    Those members stay enrolled when a county's rollout date is moved past them (nothing is
    undone), but their coverage now starts before the county opens, and someone should look at
    them. Cancelled enrollments and ones that ended before the new date are not counted.
    """
    return (
        Enrollment.objects.filter(
            beneficiary__county=county,
            kind=EnrollmentKind.MEDI_MEDI,
            cancelled=False,
            start_date__lt=available_from,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=available_from))
        .count()
    )


def rollout_date_warning(county: County, available_from: date) -> str | None:
    """The admin's warning when a county's new rollout date passes enrollment starts
    (registered with ``eligibility.selectors.rollout_check_register``)."""
    count = county_enrollments_starting_before(county=county, available_from=available_from)
    if not count:
        return None
    return (
        f"{count} Medi-Medi enrollment(s) of {county.name} members start before the new date "
        f"({available_from.isoformat()}). They stay enrolled; review them."
    )
