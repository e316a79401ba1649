"""CMS monthly dual status code, derived as in domain.md section 2 (ResDAC)."""

from dataclasses import dataclass

from eligibility.rules.facts import MediCalScope, MSPCategory, PersonFacts


@dataclass(frozen=True, slots=True)
class DualStatus:
    code: str
    category: str
    full_benefit: bool

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.category]


DESCRIPTIONS: dict[str, str] = {
    "NOT_MEDICARE": "Not enrolled in Medicare",
    "QMB_PLUS": "Full-benefit dual eligible: full Medi-Cal and QMB (QMB Plus)",
    "SLMB_PLUS": "Full-benefit dual eligible: full Medi-Cal and SLMB (SLMB Plus)",
    "FBDE": "Full-benefit dual eligible: Medicare and full Medi-Cal",
    "QMB_ONLY": "Partial dual eligible: QMB only, no full Medi-Cal",
    "SLMB_ONLY": "Partial dual eligible: SLMB only, no full Medi-Cal",
    "QDWI": "Partial dual eligible: QDWI, no full Medi-Cal",
    "QI": "Partial dual eligible: QI, no full Medi-Cal",
    "OTHER_DUAL": "Medicare and restricted-scope Medi-Cal (not full benefit)",
    "NON_DUAL": "Medicare only, without Medi-Cal or a Medicare Savings Program",
}

_FULL: dict[MSPCategory, DualStatus] = {
    MSPCategory.QMB: DualStatus("02", "QMB_PLUS", True),
    MSPCategory.SLMB: DualStatus("04", "SLMB_PLUS", True),
    MSPCategory.NONE: DualStatus("08", "FBDE", True),
}
_PARTIAL: dict[MSPCategory, DualStatus] = {
    MSPCategory.QMB: DualStatus("01", "QMB_ONLY", False),
    MSPCategory.SLMB: DualStatus("03", "SLMB_ONLY", False),
    MSPCategory.QDWI: DualStatus("05", "QDWI", False),
    MSPCategory.QI: DualStatus("06", "QI", False),
}
NOT_MEDICARE = DualStatus("00", "NOT_MEDICARE", False)
OTHER_DUAL = DualStatus("09", "OTHER_DUAL", False)
NON_DUAL = DualStatus("NA", "NON_DUAL", False)


def derive_dual_status(facts: PersonFacts) -> DualStatus:
    """Return the dual status code for the month; raise ``InvalidFacts`` on QI/QDWI + full."""
    facts.validate()
    if not facts.has_medicare:
        return NOT_MEDICARE
    scope = facts.medi_cal_this_month
    if scope is MediCalScope.FULL:
        return _FULL[facts.msp]
    if facts.msp is not MSPCategory.NONE:
        return _PARTIAL[facts.msp]
    if scope is MediCalScope.RESTRICTED:
        return OTHER_DUAL
    return NON_DUAL
