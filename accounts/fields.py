"""Strict date input for every API serializer and page form.

A date comes in as ``YYYY-MM-DD`` only (``strptime`` alone would take ``2026-1-1``), and its year
lies between 1900 and 2199, so no coverage arithmetic downstream (the first of the next month,
the end of a deeming period) can run past ``date.max`` and fail as a server error.
"""

import re
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from rest_framework import serializers

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

INVALID_MESSAGE = "Enter a date as YYYY-MM-DD."
RANGE_MESSAGE = "Enter a date between 1900-01-01 and 2199-12-31."


def strict_date_parse(value: object) -> date | None:
    """The date a ``YYYY-MM-DD`` string names within the accepted years; None for anything else."""
    return _date_value(value)[0] if isinstance(value, str) else None


def _date_value(value: object) -> tuple[date | None, str | None]:
    """The date and, when refused, the error code (``invalid`` or ``out_of_range``)."""
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            return None, "invalid"
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return None, "invalid"
    if not isinstance(value, date) or isinstance(value, datetime):
        return None, "invalid"
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        return None, "out_of_range"
    return value, None


class StrictDateField(serializers.DateField):
    """A DRF date field that takes ``YYYY-MM-DD`` between 1900 and 2199, nothing else."""

    default_error_messages = {
        "invalid": INVALID_MESSAGE,
        "out_of_range": RANGE_MESSAGE,
        "datetime": INVALID_MESSAGE,
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        parsed, error = _date_value(value)
        if error is not None:
            self.fail(error)
        assert parsed is not None
        return parsed


class StrictDateFormField(forms.DateField):
    """A Django form date field that takes ``YYYY-MM-DD`` between 1900 and 2199, nothing else."""

    # Pages speak the reader's language (the API keeps the English constants above).
    default_error_messages = {
        "invalid": gettext_lazy("Enter a date as year-month-day, for example 1950-03-14."),
        "out_of_range": gettext_lazy("Enter a date between 1900-01-01 and 2199-12-31."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)
        # Shown back as it is read: ``YYYY-MM-DD`` in every language. A date picker
        # (``<input type=date>``) shows nothing else, and a Spanish ``01/12/2026`` would be refused.
        if isinstance(self.widget, forms.DateInput):
            self.widget.format = "%Y-%m-%d"

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            value = value.date()
        elif isinstance(value, str):
            value = value.strip()
        parsed, error = _date_value(value)
        if error is not None:
            raise ValidationError(self.error_messages[error], code=error)
        return parsed
