"""The Medi-Medi eligibility rules: pure Python, standard library only.

The caller passes every fact and the check date; nothing here reads a clock, a setting or a
database, so a determination can be replayed from its stored facts.
"""

from eligibility.rules.dates import first_of_next_month, last_day_of_month
from eligibility.rules.dual_status import DualStatus, derive_dual_status
from eligibility.rules.engine import POLICY_VERSION, Decision, evaluate
from eligibility.rules.facts import (
    CountyFacts,
    CoverageWindow,
    InvalidFacts,
    MediCalScope,
    MSPCategory,
    PersonFacts,
    ShareOfCost,
)
from eligibility.rules.identifiers import InvalidIdentifier, normalize_cin, normalize_mbi
from eligibility.rules.reasons import Reason, ReasonCode

__all__ = [
    "POLICY_VERSION",
    "CountyFacts",
    "CoverageWindow",
    "Decision",
    "DualStatus",
    "InvalidFacts",
    "InvalidIdentifier",
    "MSPCategory",
    "MediCalScope",
    "PersonFacts",
    "Reason",
    "ReasonCode",
    "ShareOfCost",
    "derive_dual_status",
    "evaluate",
    "first_of_next_month",
    "last_day_of_month",
    "normalize_cin",
    "normalize_mbi",
]
