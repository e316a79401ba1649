"""The rules engine, table-driven (domain.md sections 2 and 3). No database: pytest-django
refuses database access in these tests unless asked, which proves the rules are pure."""

from datetime import date
from typing import Any

import pytest

from eligibility.rules import (
    CountyFacts,
    CoverageWindow,
    InvalidFacts,
    MediCalScope,
    MSPCategory,
    PersonFacts,
    ShareOfCost,
    derive_dual_status,
    evaluate,
    first_of_next_month,
    last_day_of_month,
)

D = date
LOS_ANGELES = CountyFacts("06037", "Los Angeles", D(2023, 1, 1), (CoverageWindow(D(2023, 1, 1)),))
FRESNO = CountyFacts("06019", "Fresno", D(2024, 1, 1), (CoverageWindow(D(2024, 1, 1)),))
SACRAMENTO = CountyFacts("06067", "Sacramento", D(2024, 1, 1), ())
AMADOR = CountyFacts("06005", "Amador", D(2026, 1, 1), (CoverageWindow(D(2026, 1, 1)),))
ALAMEDA = CountyFacts("06001", "Alameda", D(2026, 1, 1), ())
PLAN_AFTER_ROLLOUT = CountyFacts("06107", "Tulare", D(2024, 1, 1), (CoverageWindow(D(2024, 7, 1)),))
PLAN_ENDED = CountyFacts(
    "06059", "Orange", D(2023, 1, 1), (CoverageWindow(D(2023, 1, 1), D(2023, 12, 31)),)
)
PLAN_GAP = CountyFacts(
    "06081",
    "San Mateo",
    D(2023, 1, 1),
    (CoverageWindow(D(2023, 1, 1), D(2023, 6, 30)), CoverageWindow(D(2024, 1, 1))),
)

FULL_DUAL: dict[str, Any] = {
    "medicare_part_a": True,
    "medicare_part_b": True,
    "medi_cal": MediCalScope.FULL,
}


def person(**changes: Any) -> PersonFacts:
    return PersonFacts(**{**FULL_DUAL, **changes})


# (id naming the rule, facts, county, as_of, eligible, reason codes, earliest effective date)
ROWS = [
    # Person-level checks (section 3 table), one at a time, in a live county.
    ("full-dual-in-live-county-is-eligible", person(), LOS_ANGELES, D(2026, 11, 27), True, [], D(2026, 12, 1)),
    ("qmb-plus-is-eligible", person(msp=MSPCategory.QMB), LOS_ANGELES, D(2026, 3, 10), True, [], D(2026, 4, 1)),
    ("slmb-plus-is-eligible", person(msp=MSPCategory.SLMB), LOS_ANGELES, D(2026, 3, 10), True, [], D(2026, 4, 1)),
    ("part-a-required", person(medicare_part_a=False), LOS_ANGELES, D(2026, 1, 5), False, ["NO_MEDICARE_PART_A"], None),
    ("part-b-required", person(medicare_part_b=False), LOS_ANGELES, D(2026, 1, 5), False, ["NO_MEDICARE_PART_B"], None),
    ("no-medicare-fails-a-and-b", person(medicare_part_a=False, medicare_part_b=False), LOS_ANGELES, D(2026, 1, 5), False, ["NO_MEDICARE_PART_A", "NO_MEDICARE_PART_B"], None),
    ("medi-cal-required", person(medi_cal=MediCalScope.NONE), LOS_ANGELES, D(2026, 1, 5), False, ["NO_MEDI_CAL"], None),
    ("restricted-medi-cal-is-not-full-scope", person(medi_cal=MediCalScope.RESTRICTED), LOS_ANGELES, D(2026, 1, 5), False, ["RESTRICTED_MEDI_CAL"], None),
    ("unmet-share-of-cost-fails", person(share_of_cost=ShareOfCost.UNMET), LOS_ANGELES, D(2026, 1, 5), False, ["UNMET_SHARE_OF_COST"], None),
    ("met-share-of-cost-passes", person(share_of_cost=ShareOfCost.MET), LOS_ANGELES, D(2026, 1, 5), True, [], D(2026, 2, 1)),
    ("incarcerated-fails", person(incarcerated=True), LOS_ANGELES, D(2026, 1, 5), False, ["INCARCERATED"], None),
    ("not-lawfully-present-fails", person(lawfully_present=False), LOS_ANGELES, D(2026, 1, 5), False, ["NOT_LAWFULLY_PRESENT"], None),
    ("partial-dual-qmb-only-fails-medi-cal", person(medi_cal=MediCalScope.NONE, msp=MSPCategory.QMB), LOS_ANGELES, D(2026, 1, 5), False, ["NO_MEDI_CAL"], None),
    ("partial-dual-qi-fails-medi-cal", person(medi_cal=MediCalScope.NONE, msp=MSPCategory.QI), LOS_ANGELES, D(2026, 1, 5), False, ["NO_MEDI_CAL"], None),
    ("partial-dual-qdwi-fails-medi-cal", person(medi_cal=MediCalScope.NONE, msp=MSPCategory.QDWI), LOS_ANGELES, D(2026, 1, 5), False, ["NO_MEDI_CAL"], None),
    ("partial-dual-slmb-restricted-fails-scope", person(medi_cal=MediCalScope.RESTRICTED, msp=MSPCategory.SLMB), LOS_ANGELES, D(2026, 1, 5), False, ["RESTRICTED_MEDI_CAL"], None),
    ("every-failing-check-is-reported", person(medicare_part_a=False, medicare_part_b=False, medi_cal=MediCalScope.RESTRICTED, share_of_cost=ShareOfCost.UNMET, incarcerated=True, lawfully_present=False), ALAMEDA, D(2025, 6, 1), False, ["NO_MEDICARE_PART_A", "NO_MEDICARE_PART_B", "RESTRICTED_MEDI_CAL", "UNMET_SHARE_OF_COST", "INCARCERATED", "NOT_LAWFULLY_PRESENT", "COUNTY_NOT_YET_AVAILABLE", "NO_PLAN_IN_COUNTY"], None),
    ("esrd-is-not-an-exclusion-so-no-such-fact", person(), LOS_ANGELES, D(2024, 5, 31), True, [], D(2024, 6, 1)),
    # Dates (section 3 "Dates, exactly").
    ("start-is-first-of-next-month", person(), LOS_ANGELES, D(2026, 1, 1), True, [], D(2026, 2, 1)),
    ("december-check-starts-in-january", person(), LOS_ANGELES, D(2026, 12, 31), True, [], D(2027, 1, 1)),
    ("la-checked-2022-12-15-starts-on-go-live", person(), LOS_ANGELES, D(2022, 12, 15), True, [], D(2023, 1, 1)),
    ("la-checked-2022-11-30-county-not-yet", person(), LOS_ANGELES, D(2022, 11, 30), False, ["COUNTY_NOT_YET_AVAILABLE"], D(2023, 1, 1)),
    ("fresno-2023-waits-for-2024", person(), FRESNO, D(2023, 6, 15), False, ["COUNTY_NOT_YET_AVAILABLE"], D(2024, 1, 1)),
    ("fresno-2023-12-20-starts-on-go-live", person(), FRESNO, D(2023, 12, 20), True, [], D(2024, 1, 1)),
    ("fresno-after-go-live-is-eligible", person(), FRESNO, D(2024, 2, 29), True, [], D(2024, 3, 1)),
    ("amador-2025-not-yet-with-date", person(), AMADOR, D(2025, 3, 1), False, ["COUNTY_NOT_YET_AVAILABLE"], D(2026, 1, 1)),
    ("amador-2026-is-eligible", person(), AMADOR, D(2026, 11, 27), True, [], D(2026, 12, 1)),
    ("county-not-yet-with-person-failure-has-no-date", person(medicare_part_b=False), AMADOR, D(2025, 3, 1), False, ["NO_MEDICARE_PART_B", "COUNTY_NOT_YET_AVAILABLE"], None),
    ("sacramento-live-but-no-plan", person(), SACRAMENTO, D(2024, 6, 1), False, ["NO_PLAN_IN_COUNTY"], None),
    ("sacramento-before-live-and-no-plan", person(), SACRAMENTO, D(2023, 6, 1), False, ["COUNTY_NOT_YET_AVAILABLE", "NO_PLAN_IN_COUNTY"], None),
    ("alameda-2026-no-plan", person(), ALAMEDA, D(2026, 11, 27), False, ["NO_PLAN_IN_COUNTY"], None),
    ("plan-after-rollout-no-plan-on-go-live-but-earliest-later", person(), PLAN_AFTER_ROLLOUT, D(2023, 12, 1), False, ["NO_PLAN_IN_COUNTY"], D(2024, 7, 1)),
    ("plan-after-rollout-eligible-once-plan-starts", person(), PLAN_AFTER_ROLLOUT, D(2024, 6, 10), True, [], D(2024, 7, 1)),
    ("plan-ended-before-start-no-plan-no-date", person(), PLAN_ENDED, D(2023, 12, 31), False, ["NO_PLAN_IN_COUNTY"], None),
    ("plan-ending-on-last-day-still-serves-start", person(), PLAN_ENDED, D(2023, 11, 30), True, [], D(2023, 12, 1)),
    ("gap-between-windows-earliest-is-next-window", person(), PLAN_GAP, D(2023, 8, 1), False, ["NO_PLAN_IN_COUNTY"], D(2024, 1, 1)),
    ("gap-first-window-serves-start", person(), PLAN_GAP, D(2023, 5, 20), True, [], D(2023, 6, 1)),
    ("gap-second-window-serves-start", person(), PLAN_GAP, D(2024, 1, 15), True, [], D(2024, 2, 1)),
    ("partial-dual-in-county-not-yet-live-has-no-date", person(medi_cal=MediCalScope.NONE, msp=MSPCategory.SLMB), FRESNO, D(2023, 1, 1), False, ["NO_MEDI_CAL", "COUNTY_NOT_YET_AVAILABLE"], None),
    ("leap-day-check-starts-march", person(), LOS_ANGELES, D(2028, 2, 29), True, [], D(2028, 3, 1)),
    ("unmet-soc-and-restricted-both-reported", person(medi_cal=MediCalScope.RESTRICTED, share_of_cost=ShareOfCost.UNMET), LOS_ANGELES, D(2026, 1, 5), False, ["RESTRICTED_MEDI_CAL", "UNMET_SHARE_OF_COST"], None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "county", "as_of", "eligible", "codes", "earliest"),
    [pytest.param(*row[1:], id=row[0]) for row in ROWS],
)
def test_eligibility_rules(
    facts: PersonFacts,
    county: CountyFacts,
    as_of: date,
    eligible: bool,
    codes: list[str],
    earliest: date | None,
) -> None:
    decision = evaluate(facts, as_of=as_of, county=county)
    assert [code.value for code in decision.reason_codes] == codes
    assert decision.eligible is eligible
    assert decision.earliest_effective_date == earliest
    assert all(reason.message for reason in decision.reasons)


# (id naming the section 2 row, facts, code, category, full benefit)
DUAL_ROWS = [
    ("no-medicare-is-00", person(medicare_part_a=False, medicare_part_b=False), "00", "NOT_MEDICARE", False),
    ("no-medicare-with-medi-cal-and-qmb-is-still-00", person(medicare_part_a=False, medicare_part_b=False, msp=MSPCategory.QMB), "00", "NOT_MEDICARE", False),
    ("part-b-only-counts-as-medicare", person(medicare_part_a=False), "08", "FBDE", True),
    ("full-and-qmb-is-02-qmb-plus", person(msp=MSPCategory.QMB), "02", "QMB_PLUS", True),
    ("full-and-slmb-is-04-slmb-plus", person(msp=MSPCategory.SLMB), "04", "SLMB_PLUS", True),
    ("full-no-msp-is-08-fbde", person(), "08", "FBDE", True),
    ("full-soc-met-is-full", person(share_of_cost=ShareOfCost.MET), "08", "FBDE", True),
    ("full-soc-unmet-is-not-full", person(share_of_cost=ShareOfCost.UNMET, msp=MSPCategory.QMB), "01", "QMB_ONLY", False),
    ("none-and-qmb-is-01", person(medi_cal=MediCalScope.NONE, msp=MSPCategory.QMB), "01", "QMB_ONLY", False),
    ("restricted-and-slmb-is-03", person(medi_cal=MediCalScope.RESTRICTED, msp=MSPCategory.SLMB), "03", "SLMB_ONLY", False),
    ("none-and-qdwi-is-05", person(medi_cal=MediCalScope.NONE, msp=MSPCategory.QDWI), "05", "QDWI", False),
    ("none-and-qi-is-06", person(medi_cal=MediCalScope.NONE, msp=MSPCategory.QI), "06", "QI", False),
    ("restricted-no-msp-is-09", person(medi_cal=MediCalScope.RESTRICTED), "09", "OTHER_DUAL", False),
    ("none-no-msp-is-na", person(medi_cal=MediCalScope.NONE), "NA", "NON_DUAL", False),
    ("full-soc-unmet-no-msp-is-na", person(share_of_cost=ShareOfCost.UNMET), "NA", "NON_DUAL", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "code", "category", "full_benefit"),
    [pytest.param(*row[1:], id=row[0]) for row in DUAL_ROWS],
)
def test_dual_status(facts: PersonFacts, code: str, category: str, full_benefit: bool) -> None:
    status = derive_dual_status(facts)
    assert (status.code, status.category, status.full_benefit) == (code, category, full_benefit)
    assert status.description


@pytest.mark.parametrize("msp", [MSPCategory.QI, MSPCategory.QDWI])
def test_qi_and_qdwi_with_full_medi_cal_are_contradictory(msp: MSPCategory) -> None:
    with pytest.raises(InvalidFacts) as excinfo:
        evaluate(person(msp=msp), as_of=D(2026, 1, 1), county=LOS_ANGELES)
    assert excinfo.value.field == "medicare_savings_program"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 1, 1), D(2026, 2, 1)),
        (D(2026, 1, 31), D(2026, 2, 1)),
        (D(2026, 12, 1), D(2027, 1, 1)),
        (D(2024, 2, 29), D(2024, 3, 1)),
    ],
)
def test_first_of_next_month(day: date, expected: date) -> None:
    assert first_of_next_month(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 1, 15), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2028, 2, 10), D(2028, 2, 29)),
        (D(2026, 12, 31), D(2026, 12, 31)),
        (D(2026, 4, 30), D(2026, 4, 30)),
    ],
)
def test_last_day_of_month(day: date, expected: date) -> None:
    assert last_day_of_month(day) == expected


def test_plans_are_listed_on_the_earliest_date_or_the_county_date() -> None:
    eligible_later = evaluate(person(), as_of=D(2023, 6, 1), county=FRESNO)
    assert eligible_later.plans_date == D(2024, 1, 1)
    person_fails = evaluate(person(medicare_part_a=False), as_of=D(2023, 6, 1), county=FRESNO)
    assert person_fails.earliest_effective_date is None
    assert person_fails.plans_date == D(2024, 1, 1)
    live = evaluate(person(incarcerated=True), as_of=D(2026, 5, 3), county=LOS_ANGELES)
    assert live.plans_date == D(2026, 6, 1)
