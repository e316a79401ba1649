"""Calendar helpers for coverage dates (plain ``date`` values, never datetimes)."""

from datetime import date, timedelta


def first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def last_day_of_month(day: date) -> date:
    return first_of_next_month(day) - timedelta(days=1)
