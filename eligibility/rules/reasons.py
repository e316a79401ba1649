"""Stable reason codes (domain.md section 3) and their plain-language messages."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ReasonCode(StrEnum):
    NO_MEDICARE_PART_A = "NO_MEDICARE_PART_A"
    NO_MEDICARE_PART_B = "NO_MEDICARE_PART_B"
    NO_MEDI_CAL = "NO_MEDI_CAL"
    RESTRICTED_MEDI_CAL = "RESTRICTED_MEDI_CAL"
    UNMET_SHARE_OF_COST = "UNMET_SHARE_OF_COST"
    INCARCERATED = "INCARCERATED"
    NOT_LAWFULLY_PRESENT = "NOT_LAWFULLY_PRESENT"
    COUNTY_NOT_YET_AVAILABLE = "COUNTY_NOT_YET_AVAILABLE"
    NO_PLAN_IN_COUNTY = "NO_PLAN_IN_COUNTY"


MESSAGES: dict[ReasonCode, str] = {
    ReasonCode.NO_MEDICARE_PART_A: "You need Medicare Part A (hospital insurance).",
    ReasonCode.NO_MEDICARE_PART_B: "You need Medicare Part B (medical insurance).",
    ReasonCode.NO_MEDI_CAL: "You need Medi-Cal as well as Medicare.",
    ReasonCode.RESTRICTED_MEDI_CAL: (
        "Your Medi-Cal is restricted (for example emergency or pregnancy services only). "
        "A Medi-Medi Plan needs full-scope Medi-Cal."
    ),
    ReasonCode.UNMET_SHARE_OF_COST: (
        "You have a Medi-Cal share of cost that is not met for the month, so you have no "
        "Medi-Cal that month."
    ),
    ReasonCode.INCARCERATED: "People who are incarcerated cannot join a Medicare health plan.",
    ReasonCode.NOT_LAWFULLY_PRESENT: (
        "You must be lawfully present in the United States to join a Medicare health plan."
    ),
    ReasonCode.COUNTY_NOT_YET_AVAILABLE: "Medi-Medi Plans are not offered in your county yet.",
    ReasonCode.NO_PLAN_IN_COUNTY: "No Medi-Medi Plan serves your county on that date.",
}

# Checks about the person, as opposed to the place; when any of these fails there is no
# earliest effective date.
PERSON_LEVEL: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.NO_MEDICARE_PART_A,
        ReasonCode.NO_MEDICARE_PART_B,
        ReasonCode.NO_MEDI_CAL,
        ReasonCode.RESTRICTED_MEDI_CAL,
        ReasonCode.UNMET_SHARE_OF_COST,
        ReasonCode.INCARCERATED,
        ReasonCode.NOT_LAWFULLY_PRESENT,
    }
)


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str

    @classmethod
    def of(cls, code: ReasonCode) -> "Reason":
        return cls(code=code, message=MESSAGES[code])


def long_date(day: date) -> str:
    """``January 1, 2026``: the form people read (no locale, so the rules stay pure)."""
    return f"{day:%B} {day.day}, {day.year}"
