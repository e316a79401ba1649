"""The Medi-Medi eligibility rules: pure Python, standard library only.

The caller passes every fact and the check date; nothing here reads a clock, a setting or a
database, so a determination can be replayed from its stored facts.
"""

from eligibility.rules.aid_codes import RESTRICTED_SCOPE_AID_CODES, is_restricted_scope_aid_code
from eligibility.rules.dates import (
    first_of_month_on_or_after,
    first_of_next_month,
    is_first_of_month,
    last_day_of_month,
)
from eligibility.rules.dual_status import DualStatus, derive_dual_status
from eligibility.rules.engine import POLICY_VERSION, Decision, earliest_plan_date, evaluate
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
    "RESTRICTED_SCOPE_AID_CODES",
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
    "earliest_plan_date",
    "evaluate",
    "first_of_month_on_or_after",
    "first_of_next_month",
    "is_first_of_month",
    "is_restricted_scope_aid_code",
    "last_day_of_month",
    "normalize_cin",
    "normalize_mbi",
]
