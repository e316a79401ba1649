"""Reads of people on the state's eligibility records, for the beneficiaries API.

Who may read whom is ``enrollment.access.beneficiary_scope``: a member only their own record,
staff the people who applied to or are enrolled in their organization's plans, admins everyone;
anyone else's record is ``NotFound``. The list is for staff and admins only (a member is refused
with ``Forbidden``). Every staff and admin read is audited here: one row for a record, one row
per page of the list naming the ids shown.

A list of millions of people stays a handful of queries a page: the county is joined, the
Medi-Cal periods and the Medi-Cal plan enrollment covering today are prefetched for the page, and
``enrolled`` is an ``EXISTS`` subquery, never a join that multiplies rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.errors import DomainError, NotFound
from accounts.models import User
from eligibility.models import Beneficiary, County, MediCalEligibility
from eligibility.reference_cache import reference_snapshot
from eligibility.rules import (
    DualStatus,
    InvalidFacts,
    InvalidIdentifier,
    derive_dual_status,
    normalize_cin,
    normalize_mbi,
)
from eligibility.selectors import california_today, person_facts_on
from enrollment import access
from enrollment.keyset import Key, KeysetPage, keyset_page
from enrollment.models import Enrollment, EnrollmentKind

# What an MSP-only period (stored with an empty scope) is called in answers.
NO_SCOPE = "none"
OTHER_MEDI_CAL_PLAN = "Another Medi-Cal plan"
PAGE_SIZE = 25
LIST_ORDER = [Key("id")]


T = TypeVar("T")


class InvalidFilter(DomainError):
    """A filter value is malformed or names nothing; answered 400 keyed by the filter."""


# ---------------------------------------------------------------------------------------------
# What the selectors return


@dataclass(frozen=True)
class Medicare:
    part_a_start: date | None
    part_a_end: date | None
    part_b_start: date | None
    part_b_end: date | None


@dataclass(frozen=True)
class MediCalPeriod:
    start_date: date
    end_date: date | None
    scope: str  # "full", "restricted" or "none" (an MSP-only period)
    aid_code: str | None
    share_of_cost: str
    msp: str


@dataclass(frozen=True)
class CountyRef:
    fips: str
    name: str


@dataclass(frozen=True)
class MediCalPlanRef:
    """The Medi-Cal plan enrollment covering today. Of an organization the reader may not see,
    only that there is one: ``id``, ``state_code`` and ``enrollment`` are None."""

    id: int | None
    name: str
    state_code: str | None
    enrollment: int | None
    start_date: date


@dataclass(frozen=True)
class BeneficiaryRecord:
    """A person as the API answers them."""

    id: int
    mbi: str
    cin: str
    first_name: str
    middle_initial: str | None
    last_name: str
    date_of_birth: date
    date_of_death: date | None
    sex: str | None
    county: CountyRef
    language: str
    medicare: Medicare
    medi_cal: list[MediCalPeriod]
    dual_status: DualStatus | None
    medi_cal_plan: MediCalPlanRef | None


# ---------------------------------------------------------------------------------------------
# Filters


def _county_by_fips(value: str) -> County:
    cleaned = value.strip()
    if not (len(cleaned) == 5 and cleaned.isascii() and cleaned.isdigit()):
        raise InvalidFilter(
            "A county is its 5-digit FIPS code: 06 and 3 digits (Alameda is 06001).",
            field="county",
        )
    county = reference_snapshot().by_fips.get(cleaned)
    if county is None:
        raise InvalidFilter(f"No California county has the FIPS code {cleaned}.", field="county")
    return county


def _identifier(normalize: Any, value: str, field: str) -> str:
    try:
        normalized: str = normalize(value)
    except InvalidIdentifier as error:
        # The message never repeats the value: an identifier is PHI.
        raise InvalidFilter(str(error), field=field) from None
    return normalized


def _covering(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


def _live_enrollments(kind: str, day: date) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(_covering(day), kind=kind, cancelled=False)


# ---------------------------------------------------------------------------------------------
# Reads


def _beneficiaries(actor: User, today: date) -> QuerySet[Beneficiary]:
    """The people the actor may see, with what a record shows fetched in a fixed few queries."""
    return _beneficiary_rows(actor, today).filter(access.beneficiary_scope(actor))


def _beneficiary_rows(actor: User, today: date) -> QuerySet[Beneficiary]:
    """People with what a record shows (no scope: ``_beneficiaries`` filters, or the caller
    asks only for ids the scoped list gave)."""
    medi_cal_plan = (
        _live_enrollments(EnrollmentKind.MEDI_CAL, today)
        .select_related("medi_cal_plan")
        .annotate(
            visible=Exists(
                Enrollment.objects.filter(Q(pk=OuterRef("pk")) & access.enrollment_scope(actor))
            )
        )
        .order_by("start_date", "id")
    )
    return (
        Beneficiary.objects.select_related("county")
        .prefetch_related(
            Prefetch(
                "medi_cal_periods",
                queryset=MediCalEligibility.objects.order_by("start_date", "id"),
            ),
            Prefetch("enrollments", queryset=medi_cal_plan, to_attr="current_medi_cal"),
        )
        .order_by("pk")
    )


def beneficiary_list_require(*, actor: User) -> None:
    """Refuse anyone but staff and admins (before their filters are even read)."""
    access.require_staff(actor)


def beneficiary_list(
    *,
    actor: User,
    mbi: str | None = None,
    cin: str | None = None,
    county: str | None = None,
    enrolled: bool | None = None,
) -> QuerySet[Beneficiary]:
    """The people a staff member or admin may see, filtered, ordered by id (not audited:
    ``beneficiary_page`` audits each page shown).

    ``mbi`` accepts lower case and dashes; ``cin`` the 9-character CIN or the 14-character
    benefits card id; ``county`` a FIPS code (``06xxx``); ``enrolled`` whether the person has a
    Medi-Medi enrollment covering today. A malformed or unknown value raises ``InvalidFilter``.
    """
    access.require_staff(actor)
    today = california_today()
    queryset = _beneficiaries(actor, today)
    refused: dict[str, str] = {}  # every bad filter is reported, not the first alone

    def checked(name: str, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except InvalidFilter as error:
            refused[name] = error.message
            return None

    wanted_mbi = (
        checked("mbi", lambda: _identifier(normalize_mbi, mbi, "mbi")) if mbi is not None else None
    )
    wanted_cin = (
        checked("cin", lambda: _identifier(normalize_cin, cin, "cin")) if cin is not None else None
    )
    wanted_county = (
        checked("county", lambda: _county_by_fips(county)) if county is not None else None
    )
    if refused:
        first = next(iter(refused))
        raise InvalidFilter(refused[first], field=first, fields=refused)
    if wanted_mbi is not None:
        queryset = queryset.filter(mbi=wanted_mbi)
    if wanted_cin is not None:
        queryset = queryset.filter(cin=wanted_cin)
    if wanted_county is not None:
        queryset = queryset.filter(county_id=wanted_county.pk)
    if enrolled is not None:
        medi_medi = Exists(
            _live_enrollments(EnrollmentKind.MEDI_MEDI, today).filter(beneficiary=OuterRef("pk"))
        )
        queryset = queryset.filter(medi_medi if enrolled else ~medi_medi)
    return queryset


def beneficiary_list_page(
    *, actor: User, cursor: str | None = None, page_size: int | None = None, **filters: Any
) -> KeysetPage[BeneficiaryRecord]:
    """One keyset page of ``beneficiary_list`` by id (``cursor`` from a page's
    ``next_cursor``/``previous_cursor``; the count stops at 1,000), audited with the ids shown."""
    page = keyset_page(
        beneficiary_list(actor=actor, **filters),
        keys=LIST_ORDER,
        cursor=cursor,
        page_size=page_size or PAGE_SIZE,
        rows=_beneficiary_rows(actor, california_today()),
    )
    records = beneficiary_page(actor=actor, beneficiaries=page.object_list)
    return replace(page, object_list=records)  # type: ignore[arg-type, return-value]


def beneficiary_page(*, actor: User, beneficiaries: list[Beneficiary]) -> list[BeneficiaryRecord]:
    """The records of one page of ``beneficiary_list``, audited with the ids shown."""
    ids = [beneficiary.pk for beneficiary in beneficiaries]
    # ``beneficiaries`` too, so the audit log's search by member finds the page (accounts).
    access.audit_read(actor, "beneficiary_list", "list", ids=ids, beneficiaries=ids)
    today = california_today()
    return [_record(beneficiary, today) for beneficiary in beneficiaries]


def beneficiary_detail(*, actor: User, beneficiary_id: int) -> BeneficiaryRecord:
    """One person the actor may see (a member only themselves), audited for staff and admins."""
    today = california_today()
    beneficiary = _beneficiaries(actor, today).filter(pk=beneficiary_id).first()
    if beneficiary is None:
        raise NotFound("No such beneficiary.")
    access.audit_read(actor, "beneficiary", beneficiary.pk)
    return _record(beneficiary, today)


# ---------------------------------------------------------------------------------------------
# Rows to records


def _dual_status(beneficiary: Beneficiary, today: date) -> DualStatus | None:
    try:
        return derive_dual_status(person_facts_on(beneficiary, today))
    except InvalidFacts:
        return None  # contradictory recorded facts (QI or QDWI with full scope): no code


def _medi_cal_plan(beneficiary: Beneficiary) -> MediCalPlanRef | None:
    current: list[Enrollment] = getattr(beneficiary, "current_medi_cal", [])
    if not current:
        return None
    enrollment = current[-1]  # the latest start, should two ever overlap
    plan = enrollment.medi_cal_plan
    if plan is None:
        return None
    if not getattr(enrollment, "visible", False):
        return MediCalPlanRef(
            id=None,
            name=OTHER_MEDI_CAL_PLAN,
            state_code=None,
            enrollment=None,
            start_date=enrollment.start_date,
        )
    return MediCalPlanRef(
        id=plan.pk,
        name=plan.name,
        state_code=plan.state_code or None,
        enrollment=enrollment.pk,
        start_date=enrollment.start_date,
    )


def _record(beneficiary: Beneficiary, today: date) -> BeneficiaryRecord:
    return BeneficiaryRecord(
        id=beneficiary.pk,
        mbi=beneficiary.mbi,
        cin=beneficiary.cin,
        first_name=beneficiary.first_name,
        middle_initial=beneficiary.middle_initial or None,
        last_name=beneficiary.last_name,
        date_of_birth=beneficiary.date_of_birth,
        date_of_death=beneficiary.date_of_death,
        sex=beneficiary.sex or None,
        county=CountyRef(fips=beneficiary.county.fips, name=beneficiary.county.name),
        language=beneficiary.preferred_language,
        medicare=Medicare(
            part_a_start=beneficiary.medicare_part_a_start,
            part_a_end=beneficiary.medicare_part_a_end,
            part_b_start=beneficiary.medicare_part_b_start,
            part_b_end=beneficiary.medicare_part_b_end,
        ),
        medi_cal=[
            MediCalPeriod(
                start_date=period.start_date,
                end_date=period.end_date,
                scope=period.scope or NO_SCOPE,
                aid_code=period.aid_code or None,
                share_of_cost=period.share_of_cost,
                msp=period.msp,
            )
            for period in beneficiary.medi_cal_periods.all()
        ],
        dual_status=_dual_status(beneficiary, today),
        medi_cal_plan=_medi_cal_plan(beneficiary),
    )
