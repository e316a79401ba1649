"""The rules' words in the reader's language (docs/i18n.md).

The rules engine (``eligibility.rules``) is pure Python and speaks English: its reasons carry a
stable ``code`` and an English ``message``. Pages show them through these tags, which keep the
English message as the rules wrote it and, in another language, say the same by code from this
module's catalog entries, with the dates formatted for the language.
"""

from datetime import date
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eligibility.rules.reasons import ReasonCode

REASON_MESSAGES = {
    ReasonCode.NO_MEDICARE_PART_A: gettext_lazy("You need Medicare Part A (hospital insurance)."),
    ReasonCode.NO_MEDICARE_PART_B: gettext_lazy("You need Medicare Part B (medical insurance)."),
    ReasonCode.NO_MEDI_CAL: gettext_lazy("You need Medi-Cal as well as Medicare."),
    ReasonCode.RESTRICTED_MEDI_CAL: gettext_lazy(
        "Your Medi-Cal is restricted (for example emergency or pregnancy services only). "
        "A Medi-Medi Plan needs full-scope Medi-Cal."
    ),
    ReasonCode.UNMET_SHARE_OF_COST: gettext_lazy(
        "You have a Medi-Cal share of cost that is not met for the month, so you have no "
        "Medi-Cal that month."
    ),
    ReasonCode.INCARCERATED: gettext_lazy(
        "People who are incarcerated cannot join a Medicare health plan."
    ),
    ReasonCode.NOT_LAWFULLY_PRESENT: gettext_lazy(
        "You must be lawfully present in the United States to join a Medicare health plan."
    ),
    ReasonCode.COUNTY_NOT_YET_AVAILABLE: gettext_lazy(
        "Medi-Medi Plans are not offered in your county yet."
    ),
    ReasonCode.NO_PLAN_IN_COUNTY: gettext_lazy(
        "No Medi-Medi Plan serves your county on that date."
    ),
}

# Reasons the enrollment services add to the rules' own (``enrollment.services``).
OTHER_REASON_MESSAGES = {
    "PLAN_NOT_IN_COUNTY": gettext_lazy(
        "The plan you chose does not serve your county on the date coverage would start."
    ),
}

DUAL_STATUS_DESCRIPTIONS = {
    "NOT_MEDICARE": gettext_lazy("Not enrolled in Medicare"),
    "QMB_PLUS": gettext_lazy("Full-benefit dual eligible: full Medi-Cal and QMB (QMB Plus)"),
    "SLMB_PLUS": gettext_lazy("Full-benefit dual eligible: full Medi-Cal and SLMB (SLMB Plus)"),
    "FBDE": gettext_lazy("Full-benefit dual eligible: Medicare and full Medi-Cal"),
    "QMB_ONLY": gettext_lazy("Partial dual eligible: QMB only, no full Medi-Cal"),
    "SLMB_ONLY": gettext_lazy("Partial dual eligible: SLMB only, no full Medi-Cal"),
    "QDWI": gettext_lazy("Partial dual eligible: QDWI, no full Medi-Cal"),
    "QI": gettext_lazy("Partial dual eligible: QI, no full Medi-Cal"),
    "OTHER_DUAL": gettext_lazy("Medicare and restricted-scope Medi-Cal (not full benefit)"),
    "NON_DUAL": gettext_lazy("Medicare only, without Medi-Cal or a Medicare Savings Program"),
}


def _english() -> bool:
    return (translation.get_language() or "en").split("-")[0] == "en"


def _long(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def reason_text(reason: Any, decision: Any = None, county_name: str = "") -> str:
    """A reason (a rules ``Reason`` or a stored ``{code, message}``) in the page's language.

    With the ``decision`` and the county's name, the place-level reasons say what is true and
    what comes next, as the rules' English does; without them (a stored determination), the
    reason's general words.
    """
    message = str(_field(reason, "message") or "")
    if _english():
        return message
    raw_code = str(_field(reason, "code"))
    if raw_code in OTHER_REASON_MESSAGES:
        return str(OTHER_REASON_MESSAGES[raw_code])
    try:
        code = ReasonCode(raw_code)
    except ValueError:
        return message
    base = str(REASON_MESSAGES[code])
    if decision is None or not county_name:
        return base
    place = _("%(county)s County") % {"county": county_name}
    available = decision.county_available_from
    first_plan = decision.first_plan_date
    if code is ReasonCode.COUNTY_NOT_YET_AVAILABLE:
        if first_plan is None:
            more = _(
                "The program opens %(place)s to Medi-Medi Plans on %(date)s, but no plan has "
                "said it will serve %(place)s yet."
            ) % {"place": place, "date": _long(available)}
        elif first_plan == available:
            more = _("Medi-Medi Plans start in %(place)s on %(date)s.") % {
                "place": place,
                "date": _long(available),
            }
        else:
            more = _(
                "The program opens %(place)s to Medi-Medi Plans on %(date)s; the first plan "
                "starts there on %(first)s."
            ) % {"place": place, "date": _long(available), "first": _long(first_plan)}
        return f"{base} {more}"
    if code is ReasonCode.NO_PLAN_IN_COUNTY:
        county_date = max(decision.start, available)
        if first_plan is None:
            return _(
                "No Medi-Medi Plan serves %(place)s on %(date)s, and no plan has said it will "
                "serve it later."
            ) % {"place": place, "date": _long(county_date)}
        return _(
            "No Medi-Medi Plan serves %(place)s on %(date)s; the first one starts there on "
            "%(first)s."
        ) % {"place": place, "date": _long(county_date), "first": _long(first_plan)}
    return base


def dual_status_text(dual_status: Any) -> str:
    """The dual status's description in the page's language."""
    category = str(_field(dual_status, "category") or "")
    description = DUAL_STATUS_DESCRIPTIONS.get(category)
    return str(description) if description is not None else str(dual_status.description)
