"""Reads for eligibility: ORM rows turned into the plain facts the rules evaluate."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from eligibility.models import Beneficiary, County, PlanProgram, ServiceArea
from eligibility.reference_cache import reference_snapshot
from eligibility.rules import (
    CountyFacts,
    CoverageWindow,
    Decision,
    MediCalScope,
    MSPCategory,
    PersonFacts,
    ShareOfCost,
    earliest_plan_date,
    evaluate,
)


def california_today() -> date:
    """Today's date in California, where coverage dates are counted."""
    return datetime.now(ZoneInfo(settings.PROGRAM_TIME_ZONE)).date()


def county_lookup(text: str) -> County | None:
    """Find a county by its 5-digit FIPS code or its name, ignoring case and extra spaces."""
    cleaned = " ".join((text or "").split()).lower()
    if not cleaned:
        return None
    snapshot = reference_snapshot()
    if cleaned.isdigit():
        return snapshot.by_fips.get(cleaned)
    if cleaned.endswith(" county"):
        cleaned = cleaned[: -len(" county")]
    return snapshot.by_name.get(cleaned)


def county_choices() -> list[tuple[str, str]]:
    return list(County.objects.order_by("name").values_list("fips", "name"))


@dataclass(frozen=True)
class OfferedPlan:
    id: int
    name: str
    contract_id: str | None
    organization: str
    member_phone: str
    aligned_medi_cal_plan: str


@dataclass(frozen=True)
class EligibilityResult:
    decision: Decision
    county: County
    plans: list[OfferedPlan]


def service_areas_of(county: County) -> list[ServiceArea]:
    """Every service area in the county with its plan, organization and aligned plan: one query."""
    return list(
        # Legacy Cal MediConnect plans are history, never offered.
        ServiceArea.objects.filter(
            county=county, plan__program=PlanProgram.MEDI_MEDI
        ).select_related("plan__organization", "aligned_medi_cal_plan")
    )


def county_facts(county: County, areas: list[ServiceArea]) -> CountyFacts:
    return CountyFacts(
        fips=county.fips,
        name=county.name,
        available_from=county.medi_medi_available_from,
        plan_windows=tuple(CoverageWindow(a.start_date, a.end_date) for a in areas),
    )


def plans_on(areas: list[ServiceArea], day: date) -> list[OfferedPlan]:
    """The Medi-Medi Plans whose service area covers ``day``, by name."""
    offered = {
        area.plan_id: OfferedPlan(
            id=area.plan_id,
            name=area.plan.name,
            contract_id=area.plan.contract_id,
            organization=area.plan.organization.name,
            member_phone=area.plan.member_phone,
            aligned_medi_cal_plan=area.aligned_medi_cal_plan.name,
        )
        for area in areas
        if area.start_date <= day and (area.end_date is None or day <= area.end_date)
    }
    return sorted(offered.values(), key=lambda plan: (plan.name, plan.id))


def eligibility_check(*, facts: PersonFacts, county: County, as_of: date) -> EligibilityResult:
    """Evaluate ``facts`` in ``county`` as of ``as_of`` and list the plans offered.

    Reads the reference snapshot: no query per plan or county, and none at all while the
    snapshot is fresh. Raises ``eligibility.rules.InvalidFacts`` for contradictory facts.
    """
    areas = reference_snapshot().areas_by_county.get(county.pk, [])
    decision = evaluate(facts, as_of=as_of, county=county_facts(county, areas))
    return EligibilityResult(
        decision=decision, county=county, plans=plans_on(areas, decision.plans_date)
    )


def person_facts_on(beneficiary: Beneficiary, day: date) -> PersonFacts:
    """The beneficiary's recorded coverage facts in force on ``day``, as the rules take them."""

    def entitled(start: date | None, end: date | None) -> bool:
        return start is not None and start <= day and (end is None or day <= end)

    period = next((p for p in beneficiary.medi_cal_periods.all() if p.covers(day)), None)
    if period is None:
        scope, soc, msp = MediCalScope.NONE, ShareOfCost.NONE, MSPCategory.NONE
    else:
        scope = MediCalScope(period.scope) if period.scope else MediCalScope.NONE
        soc = ShareOfCost(period.share_of_cost)
        msp = MSPCategory(period.msp)
    return PersonFacts(
        medicare_part_a=entitled(
            beneficiary.medicare_part_a_start, beneficiary.medicare_part_a_end
        ),
        medicare_part_b=entitled(
            beneficiary.medicare_part_b_start, beneficiary.medicare_part_b_end
        ),
        medi_cal=scope,
        share_of_cost=soc,
        msp=msp,
        incarcerated=beneficiary.incarcerated,
        lawfully_present=beneficiary.lawfully_present,
    )


def beneficiary_find_by_identity(
    *, mbi: str | None, cin: str | None, date_of_birth: date, last_name: str
) -> Beneficiary | None:
    """The beneficiary whose MBI or CIN, birth date and last name (any case) all match."""
    query = Beneficiary.objects.filter(
        date_of_birth=date_of_birth, last_name__iexact=last_name.strip()
    )
    if mbi:
        return query.filter(mbi=mbi).first()
    if cin:
        return query.filter(cin=cin).first()
    return None


def plan_service_area(*, plan_id: int, county: County, day: date) -> ServiceArea | None:
    """The plan's service area covering ``county`` on ``day``, with its aligned Medi-Cal plan."""
    return (
        ServiceArea.objects.filter(plan_id=plan_id, county=county, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("plan__organization", "aligned_medi_cal_plan")
        .first()
    )


def plan_first_day_in_county(*, plan_id: int, county: County, since: date) -> date | None:
    """The first first-of-a-month on or after ``since`` on which the plan serves the county.

    Coverage starts on the first of a month (42 CFR 422.68): a service area starting mid-month
    gives coverage from the next first of a month, as the rules engine counts it.
    """
    windows = tuple(
        CoverageWindow(area.start_date, area.end_date)
        for area in ServiceArea.objects.filter(plan_id=plan_id, county=county)
    )
    return earliest_plan_date(windows, since)


def beneficiary_offer(beneficiary: Beneficiary, *, as_of: date) -> EligibilityResult:
    """The check on a beneficiary's recorded facts as of ``as_of``, with the plans offered.

    Raises ``eligibility.rules.InvalidFacts`` when the recorded facts contradict each other.
    """
    return eligibility_check(
        facts=person_facts_on(beneficiary, as_of), county=beneficiary.county, as_of=as_of
    )


# What a moved rollout date leaves behind, told by the apps that know (enrollment counts its
# enrollments starting before the new date) without this app knowing of them: each check gets
# the county and the new date and answers a warning for the admin, or None.
RolloutCheck = Callable[[County, date], str | None]
_rollout_checks: list[RolloutCheck] = []


def rollout_check_register(check: RolloutCheck) -> None:
    """Have ``check`` asked whenever an admin moves a county's rollout date (once each)."""
    if all(registered is not check for registered in _rollout_checks):
        _rollout_checks.append(check)


def rollout_date_warnings(*, county: County, available_from: date) -> list[str]:
    """The warnings the registered checks give for moving ``county``'s date to
    ``available_from`` (nothing is undone: someone should look)."""
    return [
        warning
        for check in _rollout_checks
        if (warning := check(county, available_from)) is not None
    ]
