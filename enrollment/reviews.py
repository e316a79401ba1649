"""Review items: changes in the state's data that a person must look at and decide.

Opening is idempotent by ``source_key`` (an import run twice opens no second item), so the
importer and the daily jobs may call it freely. Reads and the resolve action live beside it:
they take the acting user (``actor``) and keep to ``enrollment.access.review_item_scope`` (staff
their organization's items, admins all, members none: 403); an item outside it is not found
(404). Staff and admin reads are audited; resolving writes the change row and the audit row, and
a ``disenroll`` decision ends the Medi-Medi enrollment through the disenrollment service, in the
same transaction, so the member's letter follows as for any disenrollment.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.errors import Conflict, DomainError, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary, County, MediCalPlan, Organization
from enrollment import access, services
from enrollment.models import (
    REVIEW_TRANSITIONS,
    Application,
    Enrollment,
    EnrollmentKind,
    ReviewDecision,
    ReviewItem,
    ReviewItemChange,
    ReviewKind,
    ReviewStatus,
)

REVIEW_PAGE_SIZE = 25


def review_item_open(
    *,
    kind: str,
    beneficiary: Beneficiary | int,
    source_key: str,
    detail: dict[str, Any],
    enrollment: Enrollment | None = None,
    organization: Organization | int | None = None,
    due_date: date | None = None,
) -> ReviewItem:
    """Open a review item once per ``source_key``; a second call returns the first item.

    The organization defaults to the enrollment's plan's organization (its staff decide); with
    neither, the item is the program admins'.
    """
    beneficiary_id = beneficiary if isinstance(beneficiary, int) else beneficiary.pk
    organization_id = organization if isinstance(organization, int | None) else organization.pk
    if organization_id is None and enrollment is not None:
        plan = enrollment.medi_medi_plan or (enrollment.medi_cal_plan)
        organization_id = plan.organization_id if plan is not None else None
    existing = ReviewItem.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            item = ReviewItem.objects.create(
                kind=kind,
                beneficiary_id=beneficiary_id,
                enrollment=enrollment,
                organization_id=organization_id,
                due_date=due_date,
                detail=detail,
                source_key=source_key,
            )
            ReviewItemChange.objects.create(review=item, to_status=ReviewStatus.OPEN)
    except IntegrityError:
        # Opened by a concurrent run between the check and the insert.
        return ReviewItem.objects.get(source_key=source_key)
    return item


# ---------------------------------------------------------------------------------------------
# Reads


def _reviews(actor: User) -> QuerySet[ReviewItem]:
    """The items the actor may see, soonest due first (no due date last), then oldest first.

    Members are refused (403) before anything is read.
    """
    access.require_staff(actor)
    return (
        ReviewItem.objects.filter(access.review_item_scope(actor))
        .select_related("beneficiary", "enrollment", "organization")
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def review_item_list(
    *,
    actor: User,
    kind: str | None = None,
    status: str | None = None,
    beneficiary_id: int | None = None,
) -> QuerySet[ReviewItem]:
    """The review items the actor may see, filtered, ordered by due date then id.

    Not audited itself: what is shown of it is (``review_item_rows_audit``), as for the queue.
    """
    queryset = _reviews(actor)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if beneficiary_id:
        queryset = queryset.filter(beneficiary_id=beneficiary_id)
    return queryset


def review_item_rows_audit(*, actor: User, reviews: Iterable[ReviewItem]) -> None:
    """Audit the items a staff member or admin was shown (ids, and the members they are about)."""
    rows = list(reviews)
    access.audit_read(
        actor,
        "review_item_list",
        "list",
        ids=[row.pk for row in rows],
        beneficiaries=sorted({row.beneficiary_id for row in rows}),
    )


def review_item_page(
    *,
    actor: User,
    page_number: str | None,
    page_size: int = REVIEW_PAGE_SIZE,
    kind: str | None = None,
    status: str | None = None,
    beneficiary_id: int | None = None,
) -> Page[ReviewItem]:
    """One page of the staff review list, audited with the ids shown.

    Each item carries ``staff_application_id``: the member's latest application the actor may
    see (the staff page of the member's record), or None.
    """
    applications = Application.objects.filter(
        Q(beneficiary=OuterRef("beneficiary")) & access.application_scope(actor)
    ).order_by("-pk")
    queryset = review_item_list(
        actor=actor, kind=kind, status=status, beneficiary_id=beneficiary_id
    ).annotate(staff_application_id=Subquery(applications.values("pk")[:1]))
    paginator: Paginator[ReviewItem] = Paginator(queryset, page_size)
    page = paginator.get_page(page_number)
    review_item_rows_audit(actor=actor, reviews=page.object_list)
    return page


def review_filter_choices(*, actor: User) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The kinds and statuses a staff member may filter the review list by (staff only)."""
    access.require_staff(actor)
    return list(ReviewKind.choices), list(ReviewStatus.choices)


def review_item_get(*, actor: User, review_id: int) -> ReviewItem:
    """Return one review item the actor may see, with its changes (audited)."""
    review = (
        _reviews(actor)
        .prefetch_related(
            Prefetch("changes", queryset=ReviewItemChange.objects.select_related("actor"))
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotFound("No such review item.")
    access.audit_read(actor, "review_item", review.pk, beneficiary=review.beneficiary_id)
    return review


def review_item_require_visible(*, actor: User, review_id: int) -> None:
    """Raise ``Forbidden`` for members and ``NotFound`` outside the actor's items (no audit).

    Adapters call it before validating a request body, so an outsider learns nothing (404)
    rather than which fields would be wrong (400).
    """
    if not _reviews(actor).filter(pk=review_id).exists():
        raise NotFound("No such review item.")


@dataclass(frozen=True)
class ReviewHistoryRow:
    at: datetime
    from_label: str
    to_label: str
    decision_label: str
    note: str
    actor: str


@dataclass(frozen=True)
class StaffReviewView:
    """What the staff review page shows, already limited to what the actor may see."""

    review: ReviewItem
    kind_label: str
    detail_rows: list[tuple[str, str]]
    history: list[ReviewHistoryRow]
    application_id: int | None
    can_resolve: bool


_DETAIL_LABELS = {
    "file_month": "State file month",
    "from_county": "County on record before",
    "to_county": "County in the file",
    "from_plan": "Medi-Cal plan on record",
    "to_plan": "Medi-Cal plan in the file",
    "first_month_without": "First month without full Medi-Cal",
    "first_month_with": "First month with full Medi-Cal again",
    "deeming_until": "Keeps the plan through",
    "part": "Medicare part",
    "end_date": "Medicare part ends",
    "date_of_death": "Date of death",
    "ends_on": "Enrollment ends on",
    "ended": "Enrollments ended",
    "medi_cal_ended": "Medi-Cal plan enrollments ended",
    # Reconciliation (interchange.reconciliation)
    "plan": "Medi-Cal plan concerned",
    "state_start": "Coverage start in the state's file",
    "portal_start": "Enrollment start here",
    "eligibility_import": "Eligibility import",
}


def _detail_text(key: str, value: Any) -> str:
    """One detail value in words: names for county and plan ids, dates spelled out."""
    if value is None:
        return "None (fee-for-service Medi-Cal)" if key.endswith("_plan") else "None"
    if key in ("from_county", "to_county"):
        county = County.objects.filter(pk=value).first()
        return county.name if county else f"County {value}"
    if key in ("from_plan", "to_plan", "plan"):
        plan = MediCalPlan.objects.filter(pk=value).first()
        return plan.name if plan else f"Medi-Cal plan {value}"
    if isinstance(value, list):
        return ", ".join(f"Enrollment {item}" for item in value) or "None"
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day:%B %Y}" if key.endswith("month") else f"{day:%B} {day.day}, {day.year}"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _detail_rows(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """The item's detail as labelled text a person can read (no ids where a name exists)."""
    return [
        (_DETAIL_LABELS.get(key, str(key).replace("_", " ").capitalize()), _detail_text(key, value))
        for key, value in detail.items()
    ]


def _status_label(value: str) -> str:
    return ReviewStatus(value).label if value in ReviewStatus.values else value


def review_history(review: ReviewItem) -> list[ReviewHistoryRow]:
    """The item's status changes, oldest first, in words."""
    return [
        ReviewHistoryRow(
            at=change.at,
            from_label=_status_label(change.from_status) if change.from_status else "",
            to_label=_status_label(change.to_status),
            decision_label=(
                ReviewDecision(change.decision).label
                if change.decision in ReviewDecision.values
                else ""
            ),
            note=change.note,
            actor=change.actor.get_username() if change.actor else "",
        )
        for change in review.changes.all()
    ]


def staff_review_view(*, actor: User, review_id: int) -> StaffReviewView:
    """The staff review page's data (audited as a read of the item)."""
    review = review_item_get(actor=actor, review_id=review_id)
    application_id = (
        Application.objects.filter(
            Q(beneficiary_id=review.beneficiary_id) & access.application_scope(actor)
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return StaffReviewView(
        review=review,
        kind_label=ReviewKind(review.kind).label if review.kind in ReviewKind.values else "",
        detail_rows=_detail_rows(review.detail or {}),
        history=review_history(review),
        application_id=application_id,
        can_resolve=ReviewStatus.RESOLVED in REVIEW_TRANSITIONS[review.status],
    )


# ---------------------------------------------------------------------------------------------
# Resolving


def _open_medi_medi(review: ReviewItem) -> Enrollment | None:
    """The item's Medi-Medi enrollment if it has not ended (a Medi-Cal one: the one it aligns
    with); None when the item names none."""
    enrollment = review.enrollment
    if enrollment is not None and enrollment.kind == EnrollmentKind.MEDI_CAL:
        enrollment = enrollment.aligned_with
    if (
        enrollment is None
        or enrollment.kind != EnrollmentKind.MEDI_MEDI
        or enrollment.cancelled
        or enrollment.end_date is not None
    ):
        return None
    return enrollment


@transaction.atomic
def review_item_resolve(*, actor: User, review: ReviewItem, decision: str, note: str) -> ReviewItem:
    """Resolve an open item with a decision and a note; staff of its organization, or admins.

    Locks the person, then the item (the order every enrollment service keeps), refuses a
    resolved item (``Conflict``, 409), a decision not in ``ReviewDecision`` or an empty note
    (400), writes the change row and the audit row. ``disenroll`` ends the item's open
    Medi-Medi enrollment through ``enrollment_disenroll`` (its letter follows on commit); with
    none open it is refused, so a recorded decision always matches what happened.
    Only ``review.pk`` is trusted: callers may pass ``ReviewItem(pk=...)``.
    """
    review_item_require_visible(actor=actor, review_id=review.pk)
    beneficiary_id = (
        ReviewItem.objects.filter(pk=review.pk).values_list("beneficiary_id", flat=True).get()
    )
    Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    locked = ReviewItem.objects.select_for_update().get(pk=review.pk)
    if ReviewStatus.RESOLVED not in REVIEW_TRANSITIONS[locked.status]:
        raise Conflict(
            f"This review item is already {locked.get_status_display().lower()}.",
            status=locked.status,
        )
    if decision not in ReviewDecision.values:
        raise DomainError("Choose a decision.", field="decision")
    note = note.strip()
    if not note:
        raise DomainError("Write a note that explains the decision.", field="note")
    to_end = None
    if decision == ReviewDecision.DISENROLL:
        to_end = _open_medi_medi(locked)
        if to_end is None:
            raise DomainError(
                "There is no open Medi-Medi Plan enrollment on this item to end; "
                "choose another decision.",
                field="decision",
            )
    from_status = locked.status
    locked.status = ReviewStatus.RESOLVED
    locked.decision = decision
    locked.note = note
    locked.resolved_at = timezone.now()
    locked.resolved_by = actor
    locked.save(update_fields=["status", "decision", "note", "resolved_at", "resolved_by"])
    ReviewItemChange.objects.create(
        review=locked,
        from_status=from_status,
        to_status=locked.status,
        actor=actor,
        decision=decision,
        note=note,
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="review_item",
        object_id=locked.pk,
        detail={
            "beneficiary": locked.beneficiary_id,
            "status": [from_status, locked.status],
            "decision": decision,
        },
    )
    if to_end is not None:
        services.enrollment_disenroll(enrollment=to_end, actor=actor, note=note)
    return locked
