"""The engine: run every check and work out the dates (domain.md section 3)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from eligibility.rules.dates import first_of_next_month
from eligibility.rules.dual_status import DualStatus, derive_dual_status
from eligibility.rules.facts import CountyFacts, MediCalScope, PersonFacts, ShareOfCost
from eligibility.rules.reasons import PERSON_LEVEL, Reason, ReasonCode

# Bump when a rule changes so a stored determination says which rules made it.
POLICY_VERSION = "2026.1"


@dataclass(frozen=True, slots=True)
class DateContext:
    """The dates every check is made on."""

    as_of: date
    start: date  # coverage would start the first of the next month
    county_date: date  # the later of start and the county's availability date
    earliest_plan_date: date | None  # first day on or after county_date a plan serves the county


def _earliest_plan_date(county: CountyFacts, since: date) -> date | None:
    candidates = [
        max(window.start, since)
        for window in county.plan_windows
        if window.covers(max(window.start, since))
    ]
    return min(candidates) if candidates else None


def _dates(county: CountyFacts, as_of: date) -> DateContext:
    start = first_of_next_month(as_of)
    county_date = max(start, county.available_from)
    return DateContext(
        as_of=as_of,
        start=start,
        county_date=county_date,
        earliest_plan_date=_earliest_plan_date(county, county_date),
    )


Check = Callable[[PersonFacts, CountyFacts, DateContext], ReasonCode | None]


def check_part_a(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return None if p.medicare_part_a else ReasonCode.NO_MEDICARE_PART_A


def check_part_b(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return None if p.medicare_part_b else ReasonCode.NO_MEDICARE_PART_B


def check_has_medi_cal(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return ReasonCode.NO_MEDI_CAL if p.medi_cal is MediCalScope.NONE else None


def check_full_scope(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return ReasonCode.RESTRICTED_MEDI_CAL if p.medi_cal is MediCalScope.RESTRICTED else None


def check_share_of_cost(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return ReasonCode.UNMET_SHARE_OF_COST if p.share_of_cost is ShareOfCost.UNMET else None


def check_not_incarcerated(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return ReasonCode.INCARCERATED if p.incarcerated else None


def check_lawfully_present(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return None if p.lawfully_present else ReasonCode.NOT_LAWFULLY_PRESENT


def check_county_available(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    return ReasonCode.COUNTY_NOT_YET_AVAILABLE if c.available_from > d.start else None


def check_plan_in_county(p: PersonFacts, c: CountyFacts, d: DateContext) -> ReasonCode | None:
    served = any(window.covers(d.county_date) for window in c.plan_windows)
    return None if served else ReasonCode.NO_PLAN_IN_COUNTY


CHECKS: tuple[Check, ...] = (
    check_part_a,
    check_part_b,
    check_has_medi_cal,
    check_full_scope,
    check_share_of_cost,
    check_not_incarcerated,
    check_lawfully_present,
    check_county_available,
    check_plan_in_county,
)


@dataclass(frozen=True, slots=True)
class Decision:
    eligible: bool
    dual_status: DualStatus
    reasons: tuple[Reason, ...]
    earliest_effective_date: date | None
    start: date
    plans_date: date  # the day on which the offered plans are listed

    @property
    def reason_codes(self) -> tuple[ReasonCode, ...]:
        return tuple(reason.code for reason in self.reasons)


def evaluate(facts: PersonFacts, *, as_of: date, county: CountyFacts) -> Decision:
    """Evaluate every check for ``facts`` in ``county`` as of ``as_of``.

    Raises ``InvalidFacts`` when the facts contradict each other.
    """
    dual_status = derive_dual_status(facts)
    dates = _dates(county, as_of)
    codes = [code for check in CHECKS if (code := check(facts, county, dates)) is not None]
    person_ok = not any(code in PERSON_LEVEL for code in codes)
    earliest = dates.earliest_plan_date if person_ok else None
    return Decision(
        eligible=not codes,
        dual_status=dual_status,
        reasons=tuple(Reason.of(code) for code in codes),
        earliest_effective_date=earliest,
        start=dates.start,
        plans_date=earliest or dates.county_date,
    )
