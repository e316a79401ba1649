"""Calendar helpers for coverage dates (plain ``date`` values, never datetimes).

Medicare Advantage coverage, a D-SNP's included, always begins on the first day of a month
(42 CFR 422.68): every start the rules compute goes through ``first_of_month_on_or_after``.
"""

from datetime import date, timedelta


def first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def first_of_month_on_or_after(day: date) -> date:
    """``day`` itself when it is a first of a month, else the first of the next month."""
    return day if day.day == 1 else first_of_next_month(day)


def is_first_of_month(day: date) -> bool:
    return day.day == 1


def last_day_of_month(day: date) -> date:
    return first_of_next_month(day) - timedelta(days=1)
