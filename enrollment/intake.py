"""Applications that start elsewhere: staff record an election made by phone, on paper, in
person or through a broker, on their organization's behalf.

The date the plan received the request sets the effective date (the first of the next month,
42 CFR 422.68), within the rules of the election period used (42 CFR 422.62; CMS Medicare
Managed Care Manual, chapter 2, section 30). The application is created submitted, with the
same history, audit, determination and "application received" letter as a member's own
submission, and goes into the staff queue like one.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.errors import DomainError, Forbidden, NotEligible, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import Beneficiary, MediMediPlan, PlanProgram
from eligibility.notifications import letter_queue, recipient_snapshot
from eligibility.rules import (
    InvalidIdentifier,
    first_of_next_month,
    last_day_of_month,
    normalize_cin,
    normalize_mbi,
)
from eligibility.selectors import plan_first_day_in_county
from eligibility.services import determination_create
from enrollment import access
from enrollment.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Channel,
    ElectionPeriod,
    Enrollment,
    EnrollmentKind,
)
from enrollment.services import PLAN_NOT_IN_COUNTY
from notices.models import NoticeKind

# A request older than this is not entered as new: the plan had to act on it already.
MAX_DAYS_BACK = 60
FULL_BENEFIT_CATEGORIES = frozenset({"QMB_PLUS", "SLMB_PLUS", "FBDE"})
INTAKE_CHANNELS = frozenset({Channel.PHONE, Channel.PAPER, Channel.WALK_IN, Channel.BROKER})


@dataclass(frozen=True)
class PeriodStart:
    """The first day coverage may start under the election period, and why if not the usual."""

    start: date
    note: str = ""


def _months_before(day: date, months: int) -> date:
    """The first of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _long(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def election_period_start(
    *, period: str, received_on: date, beneficiary: Beneficiary
) -> PeriodStart:
    """Check that ``period`` could be used on ``received_on``; return when coverage may start.

    Raise ``DomainError`` (field ``election_period``) when the request falls outside it.
    The integrated care SEP's dual status check needs the rules' determination: see
    ``application_intake``.
    """
    usual = first_of_next_month(received_on)
    if period == ElectionPeriod.ANNUAL:
        opens, closes = date(received_on.year, 10, 15), date(received_on.year, 12, 7)
        if not opens <= received_on <= closes:
            raise DomainError(
                "The annual election period runs from October 15 to December 7; "
                f"this request was received on {_long(received_on)}.",
                field="election_period",
            )
        return PeriodStart(
            date(received_on.year + 1, 1, 1),
            "Annual election period: coverage starts on January 1.",
        )
    if period == ElectionPeriod.OPEN_ENROLLMENT:
        if received_on.month > 3:
            raise DomainError(
                "The Medicare Advantage open enrollment period runs from January 1 to March 31.",
                field="election_period",
            )
        in_ma_plan = (
            Enrollment.objects.filter(
                beneficiary=beneficiary,
                kind=EnrollmentKind.MEDI_MEDI,
                cancelled=False,
                start_date__lte=received_on,
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=received_on))
            .exists()
        )
        note = (
            ""
            if in_ma_plan
            else "Open enrollment period: the portal cannot confirm that the person was in a "
            "Medicare Advantage plan on the day received (only Medi-Medi Plans are known here); "
            "accepted on the staff member's word."
        )
        return PeriodStart(usual, note)
    if period == ElectionPeriod.INITIAL_COVERAGE:
        part_a, part_b = beneficiary.medicare_part_a_start, beneficiary.medicare_part_b_start
        if part_a is None or part_b is None:
            raise DomainError(
                "The initial coverage election period needs the dates Medicare Parts A and B "
                "start; the record does not have both.",
                field="election_period",
            )
        entitled = max(part_a, part_b).replace(day=1)
        opens = _months_before(entitled, 3)
        closes = last_day_of_month(_months_before(entitled, -3))
        if not opens <= received_on <= closes:
            raise DomainError(
                "The initial coverage election period is the seven months around the month "
                f"Medicare Parts A and B start ({_long(opens)} to {_long(closes)}).",
                field="election_period",
            )
        if received_on < entitled:
            return PeriodStart(
                entitled, "Initial coverage: coverage starts when Medicare Parts A and B start."
            )
        return PeriodStart(usual)
    if period in ElectionPeriod.values:
        return PeriodStart(usual)
    raise DomainError("Choose the election period used.", field="election_period")


def _check_received_on(received_on: date | None, today: date) -> date:
    if received_on is None:
        raise DomainError("Give the date the plan received the request.", field="received_on")
    if received_on > today:
        raise DomainError("The date received cannot be in the future.", field="received_on")
    if received_on < today - timedelta(days=MAX_DAYS_BACK):
        raise DomainError(
            f"The date received cannot be more than {MAX_DAYS_BACK} days ago.",
            field="received_on",
        )
    return received_on


def _check_plan(actor: User, plan: MediMediPlan | None) -> MediMediPlan:
    if plan is None:
        raise DomainError("Choose a plan.", field="plan")
    if not actor.is_admin and plan.organization_id != access.organization_id_of(actor):
        raise Forbidden("Staff start applications only for their own organization's plans.")
    return plan


def _beneficiary(beneficiary_id: int | None) -> Beneficiary:
    if beneficiary_id is None:
        raise DomainError("Name the person the application is for.", field="beneficiary")
    beneficiary = Beneficiary.objects.select_for_update().filter(pk=beneficiary_id).first()
    if beneficiary is None:
        raise NotFound("No such beneficiary.")
    return beneficiary


def intake_require_staff(*, actor: User) -> None:
    """Refuse (403) anyone but staff and admins: only they record elections made elsewhere."""
    access.require_staff(actor)


def intake_person_find(*, actor: User, identifier: str, date_of_birth: date) -> Beneficiary:
    """Find the person an election is for by MBI or CIN and date of birth (staff, admins).

    Staff look up any person, since an election by phone or paper may be the person's first
    contact with the organization; each match is an audited read.
    """
    access.require_staff(actor)
    text = identifier.strip().upper().replace("-", "").replace(" ", "")
    query = Beneficiary.objects.filter(date_of_birth=date_of_birth)
    found: Beneficiary | None = None
    for normalize, field in ((normalize_mbi, "mbi"), (normalize_cin, "cin")):
        try:
            value = normalize(text)
        except InvalidIdentifier:
            continue
        found = query.filter(**{field: value}).first()
        if found is not None:
            break
    if found is None:
        raise DomainError(
            "No person matches this Medicare number or CIN and date of birth.",
            field="identifier",
        )
    access.audit_read(actor, "beneficiary", found.pk, purpose="intake")
    return found


@transaction.atomic
def application_intake(
    *,
    actor: User,
    beneficiary_id: int | None,
    plan: MediMediPlan | None,
    channel: str,
    received_on: date | None,
    signed_by: str,
    election_period: str,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    language: str | None = None,
    notice_format: str | None = None,
    now: datetime | None = None,
) -> Application:
    """Record an election received by phone, paper, in person or through a broker: submitted.

    Staff of the plan's organization and admins only. The effective date is the first of the
    month after ``received_on`` (or what the election period says), never before the plan
    serves the person's county; ``effective_date_note`` says why when it differs. Refused
    like a member's submission when the rules say the person cannot join.
    """
    access.require_staff(actor)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    plan = _check_plan(actor, plan)
    if channel not in INTAKE_CHANNELS:
        raise DomainError(
            "Choose how the request came in: phone, paper, in person or a broker.",
            field="channel",
        )
    received = _check_received_on(received_on, today)
    if not signed_by.strip():
        raise DomainError(
            "Say who signed or spoke the election (the person or their representative).",
            field="signed_by",
        )
    beneficiary = _beneficiary(beneficiary_id)
    period = election_period_start(
        period=election_period, received_on=received, beneficiary=beneficiary
    )
    county = beneficiary.county
    # No retroactive enrollment: a request recorded late starts no earlier than the first of
    # next month (an admin may keep the earlier date on approval, with a reason).
    earliest = first_of_next_month(today)
    since = max(period.start, county.medi_medi_available_from, earliest)
    effective = plan_first_day_in_county(plan_id=plan.pk, county=county, since=since)
    if effective is None:
        raise NotEligible("The person cannot join this plan.", reasons=[PLAN_NOT_IN_COUNTY])
    notes = [period.note] if period.note else []
    if period.start < earliest and effective == max(earliest, county.medi_medi_available_from):
        notes.append(
            f"Received {_long(received)}, recorded {_long(today)}: coverage cannot start in the "
            f"past, so it starts on {_long(effective)} (no retroactive enrollment)."
        )
    elif effective != period.start:
        notes.append(
            f"Coverage starts on {_long(effective)}, the first day the plan serves the county."
        )
    # The facts in force when coverage would start (for initial coverage, Medicare may only
    # start then), as the approval's re-check does.
    determination = determination_create(
        beneficiary=beneficiary, as_of=received, coverage_start=effective
    )
    if (
        election_period == ElectionPeriod.INTEGRATED_CARE_SEP
        and determination.dual_status_category not in FULL_BENEFIT_CATEGORIES
    ):
        raise DomainError(
            "The integrated care special enrollment period is for full-benefit dual eligible "
            "people only; the rules do not find full Medi-Cal with Medicare for this person.",
            field="election_period",
        )
    if not determination.eligible:
        raise NotEligible(
            "The person cannot join a Medi-Medi Plan now.", reasons=determination.reasons
        )
    application = Application.objects.create(
        beneficiary=beneficiary,
        plan=plan,
        status=ApplicationStatus.SUBMITTED,
        contact_email=beneficiary.email if contact_email is None else contact_email,
        contact_phone=beneficiary.phone if contact_phone is None else contact_phone,
        language=language or beneficiary.preferred_language,
        notice_format=notice_format or beneficiary.preferred_format,
        submitted_at=now,
        channel=channel,
        received_on=received,
        signed_by=signed_by.strip(),
        election_period=election_period,
        effective_date=effective,
        effective_date_note=" ".join(notes),
        determination=determination,
        created_by=actor,
    )
    ApplicationStatusChange.objects.create(
        application=application,
        from_status="",
        to_status=ApplicationStatus.SUBMITTED,
        actor=actor,
        note=f"Received {Channel(channel).label.lower()} on {received.isoformat()}.",
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="application",
        object_id=application.pk,
        detail={
            "channel": channel,
            "received_on": received.isoformat(),
            "election_period": election_period,
            "status": ApplicationStatus.SUBMITTED,
        },
    )
    letter_queue(
        beneficiary=beneficiary,
        organization_id=plan.organization_id,
        kind=NoticeKind.APPLICATION_RECEIVED,
        idempotency_key=f"application-received:{application.pk}",
        recipient=recipient_snapshot(beneficiary, email=application.contact_email or None),
        context={
            "plan_name": plan.name,
            "plan_phone": plan.member_phone,
            "received_date": received,
            "expected_effective_date": effective,
            "application_reference": str(application.pk),
        },
    )
    return application


def intake_plans(*, actor: User) -> list[MediMediPlan]:
    """The plans an actor may start an application for: their organization's (admins: all)."""
    access.require_staff(actor)
    plans = (
        MediMediPlan.objects.filter(program=PlanProgram.MEDI_MEDI)  # legacy plans take no one
        .select_related("organization")
        .order_by("name")
    )
    if actor.is_admin:
        return list(plans)
    organization_id = access.organization_id_of(actor)
    return [] if organization_id is None else list(plans.filter(organization_id=organization_id))


__all__ = [
    "INTAKE_CHANNELS",
    "application_intake",
    "election_period_start",
    "intake_person_find",
    "intake_plans",
    "intake_require_staff",
]
