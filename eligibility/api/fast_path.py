"""A fast path for the public check's request body, behind the DRF serializer.

The check is the portal's hottest endpoint, and building its DRF serializer (nine fields copied
per request) was a third of its cost. ``check_request_parse`` accepts only bodies that are
plainly valid (JSON booleans, exact choices, ``YYYY-MM-DD``) and answers None for anything else;
the view then runs ``EligibilityCheckRequestSerializer``, which stays the single source of the
field-keyed 400 errors and of the OpenAPI schema. A property test checks that whatever this
accepts the serializer accepts too, with the same values.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from accounts.fields import strict_date_parse
from eligibility.models import County
from eligibility.rules import InvalidFacts, MediCalScope, MSPCategory, PersonFacts, ShareOfCost
from eligibility.selectors import county_lookup

_MEDI_CAL = {scope.value: scope for scope in MediCalScope}
_SHARE_OF_COST = {soc.value: soc for soc in ShareOfCost}
_MSP = {msp.value: msp for msp in MSPCategory}


@dataclass(frozen=True, slots=True)
class CheckRequest:
    county: County
    as_of: date | None
    facts: PersonFacts


def _choice(data: dict[str, Any], key: str, choices: dict[str, Any], default: str | None) -> Any:
    value = data.get(key, default)
    return choices.get(value) if isinstance(value, str) else None


def _boolean(data: dict[str, Any], key: str, default: bool | None) -> bool | None:
    value = data.get(key, default)
    return value if isinstance(value, bool) else None


def check_request_parse(data: Any) -> CheckRequest | None:
    """The request when the body is plainly valid; None when the serializer must decide."""
    if not isinstance(data, dict):
        return None
    county_text = data.get("county")
    if not isinstance(county_text, str):
        return None
    as_of = None
    if "as_of" in data:
        # The serializer's own parser, so the two refuse the same dates (and the same years).
        as_of = strict_date_parse(data["as_of"])
        if as_of is None:
            return None
    part_a = _boolean(data, "medicare_part_a", None)
    part_b = _boolean(data, "medicare_part_b", None)
    incarcerated = _boolean(data, "incarcerated", False)
    lawfully_present = _boolean(data, "lawfully_present", True)
    medi_cal = _choice(data, "medi_cal", _MEDI_CAL, None)
    share_of_cost = _choice(data, "share_of_cost", _SHARE_OF_COST, ShareOfCost.NONE.value)
    msp = _choice(data, "medicare_savings_program", _MSP, MSPCategory.NONE.value)
    if (
        part_a is None
        or part_b is None
        or incarcerated is None
        or lawfully_present is None
        or medi_cal is None
        or share_of_cost is None
        or msp is None
    ):
        return None
    facts = PersonFacts(
        medicare_part_a=part_a,
        medicare_part_b=part_b,
        medi_cal=medi_cal,
        share_of_cost=share_of_cost,
        msp=msp,
        incarcerated=incarcerated,
        lawfully_present=lawfully_present,
    )
    try:
        facts.validate()
    except InvalidFacts:
        return None
    county = county_lookup(county_text)
    if county is None:
        return None
    return CheckRequest(county=county, as_of=as_of, facts=facts)
