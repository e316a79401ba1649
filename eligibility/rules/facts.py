"""The facts the rules evaluate: frozen dataclasses and the enumerations they use."""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class InvalidFacts(ValueError):
    """The facts contradict each other, so no determination can be made.

    ``field`` names the input at fault so forms and the API can key their error on it.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class MediCalScope(StrEnum):
    FULL = "full"
    RESTRICTED = "restricted"
    NONE = "none"


class ShareOfCost(StrEnum):
    NONE = "none"
    MET = "met"
    UNMET = "unmet"


class MSPCategory(StrEnum):
    NONE = "none"
    QMB = "QMB"
    SLMB = "SLMB"
    QI = "QI"
    QDWI = "QDWI"


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """A person's coverage facts for the month being checked."""

    medicare_part_a: bool
    medicare_part_b: bool
    medi_cal: MediCalScope
    share_of_cost: ShareOfCost = ShareOfCost.NONE
    msp: MSPCategory = MSPCategory.NONE
    incarcerated: bool = False
    lawfully_present: bool = True

    @property
    def has_medicare(self) -> bool:
        return self.medicare_part_a or self.medicare_part_b

    @property
    def medi_cal_this_month(self) -> MediCalScope:
        """Medi-Cal scope in effect: an unmet share of cost means no Medi-Cal this month."""
        if self.share_of_cost is ShareOfCost.UNMET:
            return MediCalScope.NONE
        return self.medi_cal

    def as_json(self) -> dict[str, str | bool]:
        """The facts as JSON-ready values (enumerations as their string values)."""
        return {
            "medicare_part_a": self.medicare_part_a,
            "medicare_part_b": self.medicare_part_b,
            "medi_cal": self.medi_cal.value,
            "share_of_cost": self.share_of_cost.value,
            "msp": self.msp.value,
            "incarcerated": self.incarcerated,
            "lawfully_present": self.lawfully_present,
        }

    def validate(self) -> None:
        """Raise ``InvalidFacts`` when the facts cannot all be true (domain.md section 2)."""
        if self.medi_cal is MediCalScope.FULL and self.msp in (MSPCategory.QI, MSPCategory.QDWI):
            raise InvalidFacts(
                f"{self.msp.value} cannot be combined with full-scope Medi-Cal: "
                "QI and QDWI are only for people without full Medi-Cal.",
                field="medicare_savings_program",
            )


@dataclass(frozen=True, slots=True)
class CoverageWindow:
    """Days on which one Medi-Medi Plan serves a county: ``start`` to ``end`` inclusive."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class CountyFacts:
    """A county's Medi-Medi availability date and its plans' service-area windows."""

    fips: str
    name: str
    available_from: date
    plan_windows: tuple[CoverageWindow, ...] = field(default_factory=tuple)
