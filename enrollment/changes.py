"""What enrollment does when the state's monthly eligibility file shows a change in a person's facts.

The importer (``interchange``) writes the new facts first, in a committed transaction, then calls
``fact_change_apply`` once per change inside its own transaction and marks the change applied.
A rerun after a crash calls it again for the same change, so every step here is idempotent: an
enrollment already ended by the change is not ended again, review items are opened once per
``source_key`` and letters once per idempotency key.

Rules (issue 8, domain.md section 6):

- ``medi_cal_lost``: the deeming period starts; the Medi-Medi enrollment keeps running through
  ``deeming_until`` (the last day of the Nth month counted from the first month without full
  Medi-Cal, N = ``DEEMING_PERIOD_MONTHS``), the Medi-Cal plan enrollment ends with Medi-Cal.
  Alignment holds every day except inside a recorded deeming period.
- ``medi_cal_regained`` before ``deeming_until``: the period clears and the aligned Medi-Cal
  enrollment starts again from the first month with Medi-Cal. Not regained: the daily job
  ``enrollment.tasks.deeming_periods_end`` ends the enrollment (``enrollment_deeming_end``).
- ``medicare_ended``: the Medi-Medi enrollment ends on the last day of the month the part ended;
  the Medi-Cal plan enrollment continues.
- ``moved`` out of the plan's service area, ``incarcerated``: involuntary disenrollment on the
  last day of the later of the month learned and the month before the file's month.
- ``died``: every enrollment ends on the last day of the month of death (cancelled if it had
  not started), queued letters to the member are cancelled and none is written.
- ``medi_cal_plan`` not the aligned one: staff confirm the disenrollment (a review item).
- ``not_in_file``: a review item, nothing else.

Every end goes through ``enrollment.services._end`` (``ended_by`` None, ``end_note`` naming the
file change) and writes an audit row. The person's row is locked first, then their enrollments
in primary-key order, as the other enrollment services do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from accounts.services import audit_record
from eligibility.models import Beneficiary, County, MediCalPlan
from eligibility.notifications import recipient_key
from eligibility.rules import last_day_of_month
from eligibility.selectors import plan_service_area, plans_on, service_areas_of
from enrollment import notifications
from enrollment.models import (
    AuthorizedRepresentative,
    EndReason,
    Enrollment,
    EnrollmentKind,
    ReviewKind,
)
from enrollment.representatives import representative_recipient_key
from enrollment.reviews import review_item_open
from enrollment.services import _end
from notices.services import notice_cancel_queued_to

CHANGE_KINDS = frozenset(
    {
        "medi_cal_lost",
        "medi_cal_regained",
        "medicare_ended",
        "moved",
        "died",
        "incarcerated",
        "medi_cal_plan",
        "not_in_file",
    }
)

# How long staff have to look at a review item that has no date of its own.
REVIEW_DAYS = 30


@dataclass(frozen=True)
class FactChange:
    """One change in a person's facts, as the importer found it in a state file."""

    beneficiary_id: int
    kind: str  # one of CHANGE_KINDS
    detail: dict[str, Any]  # JSON-safe; keys per kind (module docstring of the importer)
    file_month: date  # first day of the file's month
    learned_on: date  # the day the portal learned it (California today)
    source_key: str  # unique per change, e.g. "import:<import id>:<beneficiary id>:<kind>"


def deeming_period_end(first_month_without: date, months: int) -> date:
    """The last day of the ``months``-th month counted from ``first_month_without``.

    First month 2027-02 and 4 months: 2027-05-31.
    """
    index = first_month_without.month - 1 + max(months, 1) - 1
    return last_day_of_month(date(first_month_without.year + index // 12, index % 12 + 1, 1))


def involuntary_end_date(*, learned_on: date, file_month: date) -> date:
    """The last day of the later of the month learned and the month before the file's month."""
    month_before_file = (file_month.replace(day=1) - timedelta(days=1)).replace(day=1)
    return last_day_of_month(max(learned_on.replace(day=1), month_before_file))


def _day(value: Any) -> date:
    return date.fromisoformat(str(value)[:10])


def _open_from(beneficiary: Beneficiary, kind: str, day: date) -> list[Enrollment]:
    """Enrollments of ``kind`` covering ``day`` or later (not cancelled), locked, in id order."""
    return list(
        Enrollment.objects.select_for_update()
        .filter(beneficiary=beneficiary, kind=kind, cancelled=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("pk")
    )


def _note(change: FactChange, what: str) -> str:
    return f"State eligibility file {change.file_month:%Y-%m}: {what} ({change.source_key})."


def _audit(enrollment: Enrollment, change: FactChange, **detail: Any) -> None:
    audit_record(
        actor=None,
        action="update",
        object_type="enrollment",
        object_id=enrollment.pk,
        detail={"beneficiary": enrollment.beneficiary_id, "change": change.kind, **detail},
    )


def _end_for(enrollment: Enrollment, end: date, reason: str, change: FactChange, what: str) -> None:
    """End (or cancel) one enrollment for a file change and audit it."""
    _end(enrollment, end, reason, requested_on=change.learned_on, note=_note(change, what))
    _audit(
        enrollment,
        change,
        end_date=enrollment.end_date.isoformat() if enrollment.end_date else None,
        cancelled=enrollment.cancelled,
        end_reason=enrollment.end_reason,
    )


def _aligned_plan_name(medi_medi: Enrollment) -> str | None:
    aligned = (
        Enrollment.objects.filter(aligned_with=medi_medi, cancelled=False)
        .select_related("medi_cal_plan")
        .order_by("-start_date")
        .first()
    )
    return aligned.medi_cal_plan.name if aligned and aligned.medi_cal_plan else None


def _may_write_to(beneficiary: Beneficiary) -> bool:
    """No letter is addressed to a person the state reports dead."""
    return beneficiary.date_of_death is None


# --- Medi-Cal lost and regained ----------------------------------------------------------------


def _medi_cal_lost(beneficiary: Beneficiary, change: FactChange) -> None:
    first_without = _day(change.detail["first_month_without"])
    deeming_months = int(settings.DEEMING_PERIOD_MONTHS)
    medi_medi = _open_from(beneficiary, EnrollmentKind.MEDI_MEDI, first_without)
    medi_cal = _open_from(beneficiary, EnrollmentKind.MEDI_CAL, first_without)
    if not medi_medi:
        return  # the rule is for members of a Medi-Medi Plan; others' facts are the importer's
    primary: Enrollment | None = None
    for enrollment in medi_medi:
        until = deeming_period_end(first_without, deeming_months)
        if enrollment.end_date is not None:
            until = min(until, enrollment.end_date)
        if until < enrollment.start_date:
            continue  # starts after the period would end: nothing to keep it through
        if enrollment.deeming_until is None:
            enrollment.deeming_until = until
            enrollment.save(update_fields=["deeming_until", "updated_at"])
            _audit(enrollment, change, deeming_until=until.isoformat())
        if enrollment.deeming_until == until and primary is None:
            primary = enrollment  # set now, or by an earlier run of this same change
    day_before = first_without - timedelta(days=1)
    for enrollment in medi_cal:
        _end_for(enrollment, day_before, EndReason.MEDI_CAL_LOST, change, "full Medi-Cal ended")
    if primary is None or primary.deeming_until is None:
        return  # already deeming since an earlier loss: that period and its letter stand
    plan = primary.medi_medi_plan
    assert plan is not None
    if _may_write_to(beneficiary):
        ended_plan = next((e for e in medi_cal if e.aligned_with_id == primary.pk), None)
        notifications.deeming_started(
            primary,
            first_month_without=first_without,
            medi_cal_plan_name=(
                ended_plan.medi_cal_plan.name
                if ended_plan is not None and ended_plan.medi_cal_plan is not None
                else None
            ),
        )
    review_item_open(
        kind=ReviewKind.MEDI_CAL_LOST,
        beneficiary=beneficiary,
        source_key=change.source_key,
        detail={
            "first_month_without": first_without.isoformat(),
            "deeming_until": primary.deeming_until.isoformat(),
            "file_month": change.file_month.isoformat(),
            "medi_cal_ended": [e.pk for e in medi_cal],
        },
        enrollment=primary,
        organization=plan.organization_id,
        due_date=primary.deeming_until,
    )


def _aligned_medi_cal_plan(enrollment: Enrollment, county: County, day: date) -> int | None:
    """The aligned Medi-Cal plan of the enrollment's plan in ``county`` on ``day``.

    Where the plan no longer serves the county, the plan the member was last aligned with.
    """
    assert enrollment.medi_medi_plan_id is not None
    area = plan_service_area(plan_id=enrollment.medi_medi_plan_id, county=county, day=day)
    if area is not None:
        return area.aligned_medi_cal_plan_id
    last = (
        Enrollment.objects.filter(aligned_with=enrollment, kind=EnrollmentKind.MEDI_CAL)
        .order_by("-start_date", "-pk")
        .values_list("medi_cal_plan_id", flat=True)
        .first()
    )
    return last


def _medi_cal_regained(beneficiary: Beneficiary, change: FactChange) -> None:
    first_with = _day(change.detail["first_month_with"])
    deeming = [
        e
        for e in _open_from(beneficiary, EnrollmentKind.MEDI_MEDI, first_with)
        if e.deeming_until is not None
        and first_with <= e.deeming_until
        and e.end_reason != EndReason.DEEMING_ENDED
    ]
    if not deeming:
        return  # not deeming (a rerun, or Medi-Cal came back too late): nothing to undo
    for enrollment in deeming:
        start = max(first_with, enrollment.start_date)
        plan_id = _aligned_medi_cal_plan(enrollment, beneficiary.county, start)
        previous = enrollment.deeming_until
        enrollment.deeming_until = None
        enrollment.save(update_fields=["deeming_until", "updated_at"])
        _audit(
            enrollment,
            change,
            deeming_until=None,
            deeming_was=previous.isoformat() if previous else None,
        )
        if plan_id is None:
            continue
        overlapping = _open_from(beneficiary, EnrollmentKind.MEDI_CAL, start)
        kept = next(
            (
                e
                for e in overlapping
                if e.medi_cal_plan_id == plan_id and e.start_date <= start and e.end_date is None
            ),
            None,
        )
        for other in overlapping:
            if other is not kept:
                _end_for(
                    other,
                    start - timedelta(days=1),
                    EndReason.PLAN_SWITCH,
                    change,
                    "the aligned Medi-Cal plan starts again",
                )
        if kept is not None:
            kept.aligned_with = enrollment
            kept.save(update_fields=["aligned_with", "updated_at"])
            continue
        medi_cal = Enrollment.objects.create(
            beneficiary=beneficiary,
            kind=EnrollmentKind.MEDI_CAL,
            medi_cal_plan_id=plan_id,
            start_date=start,
            aligned_with=enrollment,
        )
        audit_record(
            actor=None,
            action="create",
            object_type="enrollment",
            object_id=medi_cal.pk,
            detail={
                "beneficiary": beneficiary.pk,
                "change": change.kind,
                "aligned_with": enrollment.pk,
            },
        )


# --- Medicare, moves, incarceration --------------------------------------------------------------


def _open_review(
    kind: str, beneficiary: Beneficiary, enrollment: Enrollment, change: FactChange, **detail: Any
) -> None:
    plan = enrollment.medi_medi_plan or enrollment.medi_cal_plan
    review_item_open(
        kind=kind,
        beneficiary=beneficiary,
        source_key=change.source_key,
        detail={"file_month": change.file_month.isoformat(), **change.detail, **detail},
        enrollment=enrollment,
        organization=plan.organization_id if plan is not None else None,
        due_date=change.learned_on + timedelta(days=REVIEW_DAYS),
    )


def _disenroll_medi_medi(
    beneficiary: Beneficiary,
    change: FactChange,
    *,
    end: date,
    reason: str,
    what: str,
    keep: Callable[[Enrollment], bool] = lambda enrollment: False,
    letter: dict[str, Any] | None = None,
) -> list[Enrollment]:
    """End each Medi-Medi enrollment still running after ``end`` on ``end`` (unless ``keep``)."""
    ended = []
    for enrollment in _open_from(beneficiary, EnrollmentKind.MEDI_MEDI, end + timedelta(days=1)):
        if keep(enrollment):
            continue
        _end_for(enrollment, end, reason, change, what)
        ended.append(enrollment)
        if _may_write_to(beneficiary):
            notifications.involuntarily_disenrolled(
                enrollment,
                reason=reason,
                medi_cal_plan_name=_aligned_plan_name(enrollment),
                **(letter or {}),
            )
    return ended


def _medicare_ended(beneficiary: Beneficiary, change: FactChange) -> None:
    part = str(change.detail.get("part", ""))
    end = last_day_of_month(_day(change.detail["end_date"]))
    ended = _disenroll_medi_medi(
        beneficiary,
        change,
        end=end,
        reason=EndReason.MEDICARE_ENDED,
        what=f"Medicare Part {part} ended",
    )
    if ended:
        _open_review(
            ReviewKind.MEDICARE_ENDED, beneficiary, ended[0], change, ends_on=end.isoformat()
        )


def _offered_plans(county: County, day: date) -> list[dict[str, str]]:
    return [
        {"name": p.name, "medi_cal_plan_name": p.aligned_medi_cal_plan, "phone": p.member_phone}
        for p in plans_on(service_areas_of(county), day)
    ]


def _moved(beneficiary: Beneficiary, change: FactChange) -> None:
    to_county = County.objects.get(pk=change.detail["to_county"])
    end = involuntary_end_date(learned_on=change.learned_on, file_month=change.file_month)
    next_day = end + timedelta(days=1)

    def still_served(enrollment: Enrollment) -> bool:
        assert enrollment.medi_medi_plan_id is not None
        day = max(next_day, enrollment.start_date)
        return (
            plan_service_area(plan_id=enrollment.medi_medi_plan_id, county=to_county, day=day)
            is not None
        )

    ended = _disenroll_medi_medi(
        beneficiary,
        change,
        end=end,
        reason=EndReason.MOVED,
        what="moved out of the plan's service area",
        keep=still_served,
        letter={"county_name": to_county.name, "plans": _offered_plans(to_county, next_day)},
    )
    if ended:
        _open_review(ReviewKind.MOVED, beneficiary, ended[0], change, ends_on=end.isoformat())


def _incarcerated(beneficiary: Beneficiary, change: FactChange) -> None:
    end = involuntary_end_date(learned_on=change.learned_on, file_month=change.file_month)
    ended = _disenroll_medi_medi(
        beneficiary, change, end=end, reason=EndReason.INCARCERATED, what="incarcerated"
    )
    if ended:
        _open_review(
            ReviewKind.INCARCERATED, beneficiary, ended[0], change, ends_on=end.isoformat()
        )


# --- Death ---------------------------------------------------------------------------------------


def _died(beneficiary: Beneficiary, change: FactChange) -> None:
    end = last_day_of_month(_day(change.detail["date_of_death"]))
    running = list(
        Enrollment.objects.select_for_update()
        .filter(beneficiary=beneficiary, cancelled=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=end))
        .order_by("pk")
    )
    for enrollment in running:
        _end_for(enrollment, end, EndReason.DIED, change, "death reported")
    notice_cancel_queued_to(recipient_key=recipient_key(beneficiary), reason="death reported")
    # The copies queued to their authorized representatives are about the member too.
    for representative_id in AuthorizedRepresentative.objects.filter(
        beneficiary=beneficiary
    ).values_list("pk", flat=True):
        notice_cancel_queued_to(
            recipient_key=representative_recipient_key(representative_id),
            reason="death reported",
        )
    if running:
        first = next((e for e in running if e.kind == EnrollmentKind.MEDI_MEDI), running[0])
        _open_review(
            ReviewKind.DIED,
            beneficiary,
            first,
            change,
            ends_on=end.isoformat(),
            ended=[e.pk for e in running],
        )


# --- The state's Medi-Cal plan, and people missing from a full file ------------------------------


def _medi_cal_plan(beneficiary: Beneficiary, change: FactChange) -> None:
    to_plan = change.detail.get("to_plan")
    for enrollment in _open_from(beneficiary, EnrollmentKind.MEDI_MEDI, change.file_month):
        day = max(change.file_month, enrollment.start_date)
        aligned = _aligned_medi_cal_plan(enrollment, beneficiary.county, day)
        if to_plan is not None and int(to_plan) == aligned:
            continue
        plan = enrollment.medi_medi_plan
        assert plan is not None
        review_item_open(
            kind=ReviewKind.MEDI_CAL_PLAN_MISMATCH,
            beneficiary=beneficiary,
            source_key=change.source_key,
            detail={
                "file_month": change.file_month.isoformat(),
                "from_plan": change.detail.get("from_plan"),
                "to_plan": to_plan,
                "to_plan_name": (
                    MediCalPlan.objects.filter(pk=to_plan).values_list("name", flat=True).first()
                    if to_plan is not None
                    else None
                ),
                "aligned_plan": aligned,
                "question": "Confirm the disenrollment: the member left the aligned Medi-Cal plan.",
            },
            enrollment=enrollment,
            organization=plan.organization_id,
            due_date=change.learned_on + timedelta(days=REVIEW_DAYS),
        )
        return  # one item per change: the member's current Medi-Medi enrollment


def _not_in_file(beneficiary: Beneficiary, change: FactChange) -> None:
    enrollment = next(
        iter(_open_from(beneficiary, EnrollmentKind.MEDI_MEDI, change.file_month)), None
    )
    organization = (
        enrollment.medi_medi_plan.organization_id
        if enrollment is not None and enrollment.medi_medi_plan is not None
        else None
    )
    review_item_open(
        kind=ReviewKind.NOT_IN_FILE,
        beneficiary=beneficiary,
        source_key=change.source_key,
        detail={"file_month": change.file_month.isoformat()},
        enrollment=enrollment,
        organization=organization,
        due_date=change.learned_on + timedelta(days=REVIEW_DAYS),
    )


_HANDLERS: dict[str, Callable[[Beneficiary, FactChange], None]] = {
    "medi_cal_lost": _medi_cal_lost,
    "medi_cal_regained": _medi_cal_regained,
    "medicare_ended": _medicare_ended,
    "moved": _moved,
    "died": _died,
    "incarcerated": _incarcerated,
    "medi_cal_plan": _medi_cal_plan,
    "not_in_file": _not_in_file,
}


@transaction.atomic
def fact_change_apply(*, change: FactChange) -> None:
    """Do what enrollment must for one change in a person's facts; safe to call again.

    Raise ``ValueError`` for an unknown kind. The caller has already written the new facts.
    """
    handler = _HANDLERS.get(change.kind)
    if handler is None:
        raise ValueError(f"unknown fact change kind {change.kind!r}")
    beneficiary = (
        Beneficiary.objects.select_for_update()
        .select_related("county")
        .get(pk=change.beneficiary_id)
    )
    handler(beneficiary, change)


# --- The end of a deeming period -----------------------------------------------------------------


@transaction.atomic
def enrollment_deeming_end(*, enrollment_id: int, today: date) -> Enrollment | None:
    """End a Medi-Medi enrollment whose deeming period passed without Medi-Cal coming back.

    It ends on ``deeming_until`` (reason ``deeming_ended``) with its letter. Returns None, doing
    nothing, when the enrollment is no longer due (already ended, Medi-Cal came back): so the
    daily job may run twice.
    """
    beneficiary_id = (
        Enrollment.objects.filter(pk=enrollment_id).values_list("beneficiary_id", flat=True).first()
    )
    if beneficiary_id is None:
        return None
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("medi_medi_plan")
        .get(pk=enrollment_id)
    )
    until = locked.deeming_until
    if (
        locked.kind != EnrollmentKind.MEDI_MEDI
        or locked.cancelled
        or until is None
        or until >= today
        or (locked.end_date is not None and locked.end_date <= until)
    ):
        return None
    _end(
        locked,
        until,
        EndReason.DEEMING_ENDED,
        requested_on=today,
        note=f"Full Medi-Cal did not return by {until.isoformat()} (deeming period).",
    )
    audit_record(
        actor=None,
        action="update",
        object_type="enrollment",
        object_id=locked.pk,
        detail={
            "beneficiary": beneficiary_id,
            "end_date": locked.end_date.isoformat() if locked.end_date else None,
            "cancelled": locked.cancelled,
            "end_reason": locked.end_reason,
        },
    )
    if _may_write_to(beneficiary):
        notifications.involuntarily_disenrolled(
            locked, reason=EndReason.DEEMING_ENDED, medi_cal_plan_name=None
        )
    return locked


def deeming_due(today: date) -> list[int]:
    """Ids of the Medi-Medi enrollments whose deeming period ended before ``today`` and still run."""
    return list(
        Enrollment.objects.filter(
            kind=EnrollmentKind.MEDI_MEDI, cancelled=False, deeming_until__lt=today
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=F("deeming_until")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
