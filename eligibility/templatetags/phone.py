"""Phone numbers, printed in one place: a ``tel:`` link that never breaks mid-number.

``{% load phone %}{{ plan.member_phone|phone }}`` gives ``<a href="tel:1-800-452-4413"
class="phone">1-800-452-4413</a>``; ``static/css/site.css`` keeps every ``tel:`` link and
``.phone`` on one line (``white-space: nowrap``), so a 320 px screen wraps before the number,
never inside it ("1-" / "800-452-4413"). Python code that builds a label with a number in it
(the plan choices) calls ``phone_span`` directly.
"""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def phone_link(number: str | None) -> SafeString | str:
    """The number as a ``tel:`` link kept on one line; an empty number prints nothing."""
    if not number:
        return ""
    dialable = re.sub(r"[^0-9+,;*#-]", "", str(number)) or str(number)
    return format_html('<a href="tel:{}" class="phone">{}</a>', dialable, number)


def phone_span(number: str | None) -> SafeString | str:
    """The number kept on one line, not a link: for a form label (a link inside a radio button's
    label would dial instead of choosing)."""
    if not number:
        return ""
    return format_html('<span class="phone">{}</span>', number)


@register.filter(name="phone")
def phone_filter(number: str | None) -> SafeString | str:
    return phone_link(number)
