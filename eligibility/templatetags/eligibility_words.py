"""Template tags for the rules' words in the reader's language (``eligibility.words``)."""

from typing import Any

from django import template

from eligibility import words

register = template.Library()


@register.simple_tag
def reason_text(reason: Any, decision: Any = None, county_name: str = "") -> str:
    """``{% reason_text reason decision county_name %}``: see ``eligibility.words.reason_text``."""
    return words.reason_text(reason, decision, county_name)


@register.filter
def dual_status_text(dual_status: Any) -> str:
    """``{{ d.dual_status|dual_status_text }}``: the description in the page's language."""
    return words.dual_status_text(dual_status)
