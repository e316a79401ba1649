"""Template filters for letters: dates written the way the letter's language writes them."""

import datetime

from django import template
from django.utils import translation

from notices.languages import date_long

register = template.Library()


def _as_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value[:10])
    return None


@register.filter
def longdate(value: object) -> str:
    """Write an ISO date (or a date) in full in the active letter language."""
    day = _as_date(value)
    if day is None:
        return ""
    language = "es" if (translation.get_language() or "en").startswith("es") else "en"
    return date_long(day, language)


@register.filter
def dayafter(value: object) -> datetime.date | None:
    """Return the day after a date: when coverage that ends on ``value`` is replaced."""
    day = _as_date(value)
    return day + datetime.timedelta(days=1) if day else None


@register.filter
def daybefore(value: object) -> datetime.date | None:
    """Return the day before a date: when coverage that stops at ``value`` last covers."""
    day = _as_date(value)
    return day - datetime.timedelta(days=1) if day else None


@register.filter
def applyfrom(value: object) -> datetime.date | None:
    """Return the first day a person may apply for coverage starting no earlier than ``value``.

    Coverage starts the first of the month after the application (domain.md section 6), so an
    application is early enough from the first day of the month that holds the day before.
    """
    day = _as_date(value)
    if day is None:
        return None
    return (day - datetime.timedelta(days=1)).replace(day=1)
