"""Issue 10's date rules in the pure engine: coverage starts on a first of a month, and the
place-level reasons never contradict each other. No database."""

from datetime import date

from eligibility.rules import (
    RESTRICTED_SCOPE_AID_CODES,
    CountyFacts,
    CoverageWindow,
    MediCalScope,
    PersonFacts,
    ReasonCode,
    earliest_plan_date,
    evaluate,
    first_of_month_on_or_after,
    is_restricted_scope_aid_code,
)

D = date
FULL_DUAL = PersonFacts(medicare_part_a=True, medicare_part_b=True, medi_cal=MediCalScope.FULL)


def test_first_of_month_on_or_after_keeps_a_first_and_rounds_any_other_day_up() -> None:
    assert first_of_month_on_or_after(D(2026, 9, 1)) == D(2026, 9, 1)
    assert first_of_month_on_or_after(D(2026, 8, 15)) == D(2026, 9, 1)
    assert first_of_month_on_or_after(D(2026, 12, 2)) == D(2027, 1, 1)
    assert first_of_month_on_or_after(D(2028, 2, 29)) == D(2028, 3, 1)


def test_a_service_area_starting_mid_month_gives_coverage_from_the_next_first() -> None:
    county = CountyFacts("06001", "Alameda", D(2026, 1, 1), (CoverageWindow(D(2026, 8, 15)),))
    decision = evaluate(FULL_DUAL, as_of=D(2026, 7, 20), county=county)
    assert decision.reason_codes == (ReasonCode.NO_PLAN_IN_COUNTY,)
    assert decision.earliest_effective_date == D(2026, 9, 1)
    assert decision.plans_date == D(2026, 9, 1)


def test_a_window_inside_one_month_never_gives_coverage() -> None:
    assert (
        earliest_plan_date((CoverageWindow(D(2026, 8, 15), D(2026, 8, 31)),), D(2026, 8, 1)) is None
    )


def test_a_mid_month_county_date_counts_from_the_next_first() -> None:
    county = CountyFacts("06001", "Alameda", D(2027, 6, 15), (CoverageWindow(D(2027, 1, 1)),))
    decision = evaluate(FULL_DUAL, as_of=D(2027, 5, 31), county=county)
    # Coverage would start 2027-06-01, before the county opens: the answer is July 1, not June 15.
    assert decision.reason_codes == (ReasonCode.COUNTY_NOT_YET_AVAILABLE,)
    assert decision.county_available_from == D(2027, 7, 1)
    assert decision.earliest_effective_date == D(2027, 7, 1)


def test_a_county_opening_without_any_plan_says_both_and_what_comes_next() -> None:
    alameda = CountyFacts("06001", "Alameda", D(2026, 1, 1), ())
    decision = evaluate(FULL_DUAL, as_of=D(2025, 6, 1), county=alameda)
    assert decision.reason_codes == (
        ReasonCode.COUNTY_NOT_YET_AVAILABLE,
        ReasonCode.NO_PLAN_IN_COUNTY,
    )
    county_reason, plan_reason = (reason.message for reason in decision.reasons)
    assert "January 1, 2026" in county_reason
    assert "no plan has said it will serve Alameda County yet" in county_reason
    assert "no plan has said it will serve it later" in plan_reason
    assert decision.first_plan_date is None
    assert decision.earliest_effective_date is None


def test_a_county_whose_first_plan_comes_later_names_that_day() -> None:
    tulare = CountyFacts("06107", "Tulare", D(2024, 1, 1), (CoverageWindow(D(2024, 7, 1)),))
    decision = evaluate(FULL_DUAL, as_of=D(2023, 6, 1), county=tulare)
    county_reason, plan_reason = (reason.message for reason in decision.reasons)
    assert "January 1, 2024" in county_reason and "July 1, 2024" in county_reason
    assert "July 1, 2024" in plan_reason
    assert decision.first_plan_date == decision.earliest_effective_date == D(2024, 7, 1)


def test_restricted_scope_aid_codes_are_data_with_the_obra_codes() -> None:
    assert {"C1", "C2", "D9"} <= RESTRICTED_SCOPE_AID_CODES
    assert is_restricted_scope_aid_code(" c1 ")
    assert not is_restricted_scope_aid_code("10")  # SSI/SSP aged: full scope
    assert not is_restricted_scope_aid_code("")
