"""The engine: run every check and work out the dates (domain.md section 3)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from eligibility.rules.dates import first_of_month_on_or_after, first_of_next_month
from eligibility.rules.dual_status import DualStatus, derive_dual_status
from eligibility.rules.facts import (
    CountyFacts,
    CoverageWindow,
    MediCalScope,
    PersonFacts,
    ShareOfCost,
)
from eligibility.rules.reasons import PERSON_LEVEL, Reason, ReasonCode, long_date

# Bump when a rule changes so a stored determination says which rules made it.
POLICY_VERSION = "2026.1"


@dataclass(frozen=True, slots=True)
class DateContext:
    """The dates every check is made on."""

    as_of: date
    start: date  # coverage would start the first of the next month
    available_from: date  # the county's availability date, on a first of a month
    county_date: date  # the later of start and available_from
    earliest_plan_date: date | None  # first first-of-month on or after county_date a plan serves


def earliest_plan_date(windows: tuple[CoverageWindow, ...], since: date) -> date | None:
    """The first first-of-a-month on or after ``since`` that one of ``windows`` covers.

    Coverage starts on the first of a month (42 CFR 422.68): a window starting mid-month gives
    coverage from the next first of a month.
    """
    candidates = []
    for window in windows:
        day = first_of_month_on_or_after(max(window.start, since))
        if window.covers(day):
            candidates.append(day)
    return min(candidates) if candidates else None


def _dates(county: CountyFacts, as_of: date) -> DateContext:
    start = first_of_next_month(as_of)
    available_from = first_of_month_on_or_after(county.available_from)
    county_date = max(start, available_from)
    return DateContext(
        as_of=as_of,
        start=start,
        available_from=available_from,
        county_date=county_date,
        earliest_plan_date=earliest_plan_date(county.plan_windows, county_date),
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
    return ReasonCode.COUNTY_NOT_YET_AVAILABLE if d.available_from > d.start else None


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
    county_available_from: date  # the county's availability date, on a first of a month
    first_plan_date: date | None  # whoever asks: the first day a plan serves the county (or None)

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
        reasons=tuple(_reason(code, county, dates) for code in codes),
        earliest_effective_date=earliest,
        start=dates.start,
        plans_date=earliest or dates.county_date,
        county_available_from=dates.available_from,
        first_plan_date=dates.earliest_plan_date,
    )


def _reason(code: ReasonCode, county: CountyFacts, d: DateContext) -> Reason:
    """The reason with its message; the place-level ones say what is true and what comes next,
    so the county's date and the plans never seem to contradict each other."""
    place = f"{county.name} County"
    if code is ReasonCode.COUNTY_NOT_YET_AVAILABLE:
        if d.earliest_plan_date is None:
            return Reason(
                code,
                f"{Reason.of(code).message} The program opens {place} to Medi-Medi Plans on "
                f"{long_date(d.available_from)}, but no plan has said it will serve {place} yet.",
            )
        if d.earliest_plan_date == d.available_from:
            return Reason(
                code,
                f"{Reason.of(code).message} Medi-Medi Plans start in {place} on "
                f"{long_date(d.available_from)}.",
            )
        return Reason(
            code,
            f"{Reason.of(code).message} The program opens {place} to Medi-Medi Plans on "
            f"{long_date(d.available_from)}; the first plan starts there on "
            f"{long_date(d.earliest_plan_date)}.",
        )
    if code is ReasonCode.NO_PLAN_IN_COUNTY:
        if d.earliest_plan_date is None:
            return Reason(
                code,
                f"No Medi-Medi Plan serves {place} on {long_date(d.county_date)}, and no plan "
                "has said it will serve it later.",
            )
        return Reason(
            code,
            f"No Medi-Medi Plan serves {place} on {long_date(d.county_date)}; the first one "
            f"starts there on {long_date(d.earliest_plan_date)}.",
        )
    return Reason.of(code)
