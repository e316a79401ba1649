"""Keyset (cursor) pages for lists of millions of rows: no OFFSET, no exact COUNT(*).

A page is the rows after (or, for "previous", before) a position in a fixed total order, read
with a ``WHERE`` that an index on the order's columns answers directly, so page 1,000 costs what
page 1 costs. The position travels as an opaque cursor (base64 JSON of the last row's keys);
a cursor names only where a page starts, never what the reader may see: the selector's scope
and filters still apply, so a forged cursor shows nothing more. Instead of an exact count, a
page counts at most ``COUNT_CAP`` + 1 matching rows ("more than 1,000").

The order is a list of ``Key``: columns, each ascending or descending, the last one unique
(the id). A key that may be null sorts its nulls first (PostgreSQL's default for descending
order, so a plain index read backwards serves it; SQLite is told ``NULLS FIRST``).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.db.models import F, Model, OrderBy, Q, QuerySet

from accounts.errors import DomainError

T = TypeVar("T")
M = TypeVar("M", bound=Model)

COUNT_CAP = 1000


class InvalidCursor(DomainError):
    """A cursor that no page of this list made (answered 400, keyed ``cursor``)."""

    def __init__(self) -> None:
        super().__init__(
            "This cursor is not valid: start again from the first page.", field="cursor"
        )


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    nullable: bool = False

    def order_by(self, *, reverse: bool = False) -> OrderBy:
        descending = self.descending != reverse
        # Nulls first in the forward order, so last when reading backwards.
        nulls = {"nulls_first": True} if not reverse else {"nulls_last": True}
        if not self.nullable:
            nulls = {}
        return F(self.field).desc(**nulls) if descending else F(self.field).asc(**nulls)


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page: its rows, the cursors of the next and previous pages (None at either end),
    and the number of matching rows counted up to ``COUNT_CAP`` (``count_capped``: more)."""

    object_list: list[T]
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_capped: bool

    @property
    def count_text(self) -> str:
        """The count with thousands separated (\"1,000\"); with ``count_capped``, "more than"."""
        return f"{self.count:,}"

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def _encode(values: list[Any], *, backwards: bool) -> str:
    raw = json.dumps({"k": [_jsonable(v) for v in values], "b": backwards}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(cursor: str, keys: list[Key], model: type[Model]) -> tuple[list[Any], bool]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        values, backwards = data["k"], data["b"]
        if (
            not isinstance(values, list)
            or len(values) != len(keys)
            or not isinstance(backwards, bool)
        ):
            raise InvalidCursor()
        parsed = [_parse(model, key, value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        raise InvalidCursor() from None
    return parsed, backwards


def _parse(model: type[Model], key: Key, value: Any) -> Any:
    if value is None:
        if not key.nullable:
            raise InvalidCursor()
        return None
    field = model._meta.get_field(key.field)
    internal = field.get_internal_type()  # type: ignore[union-attr]
    if internal == "DateTimeField":
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise InvalidCursor()
        return parsed
    if internal == "DateField":
        return date.fromisoformat(str(value))
    if internal in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
            raise InvalidCursor()
        return value
    if not isinstance(value, str):
        raise InvalidCursor()
    return value


def _beyond(keys: list[Key], values: list[Any], *, backwards: bool) -> Q:
    """The rows strictly after the position in the order (before it, ``backwards``)."""
    key, value, rest_keys, rest_values = keys[0], values[0], keys[1:], values[1:]
    rest = _beyond(rest_keys, rest_values, backwards=backwards) if rest_keys else None
    name = key.field
    if value is None:  # nulls come first
        same = Q(**{f"{name}__isnull": True})
        if backwards:
            return same & rest if rest is not None else Q(pk__in=[])
        later = Q(**{f"{name}__isnull": False})
        return (same & rest) | later if rest is not None else later
    smaller = key.descending != backwards  # walking towards smaller values
    strict, loose = ("lt", "lte") if smaller else ("gt", "gte")
    if rest is None:
        condition = Q(**{f"{name}__{strict}": value})
    else:
        # "a <= v AND (a < v OR rest)": the first part is an index range the planner uses.
        condition = Q(**{f"{name}__{loose}": value}) & (Q(**{f"{name}__{strict}": value}) | rest)
    if backwards and key.nullable:
        condition |= Q(**{f"{name}__isnull": True})
    return condition


def keyset_page(
    queryset: QuerySet[M],
    *,
    keys: list[Key],
    cursor: str | None,
    page_size: int,
    count_cap: int | None = None,
    rows: QuerySet[M] | None = None,
) -> KeysetPage[M]:
    """The page of ``queryset`` (in the order of ``keys``) that ``cursor`` points at; the first
    page without one. Raises ``InvalidCursor`` for a cursor no page made.

    The page's ids are read first, a narrow query the indexes answer; the matching rows are
    counted up to the cap; then the page's rows in full from ``rows`` (default: the
    queryset), which carries the joins and prefetches: a "deferred join", so the wide query
    plans and reads only the page's rows. ``rows`` may leave out the scope and the filters:
    it is only ever asked for ids the queryset gave.
    """
    model = queryset.model
    cap = COUNT_CAP if count_cap is None else count_cap
    backwards = False
    narrow = queryset
    if cursor:
        values, backwards = _decode(cursor, keys, model)
        narrow = queryset.filter(_beyond(keys, values, backwards=backwards))
    ordering = [key.order_by(reverse=backwards) for key in keys]
    ids = list(narrow.order_by(*ordering).values_list("pk", flat=True)[: page_size + 1])
    # In no order: the planner may read any index that has the rows, and stops at the cap.
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    more = len(ids) > page_size
    ids = ids[:page_size]
    if backwards:
        ids.reverse()
    source = queryset if rows is None else rows
    by_id = {row.pk: row for row in source.filter(pk__in=ids)} if ids else {}
    found = [by_id[pk] for pk in ids if pk in by_id]
    has_next, has_previous = (True, more) if backwards else (more, bool(cursor))
    if not found:
        has_next = has_previous = False

    def position(row: M) -> list[Any]:
        return [getattr(row, key.field) for key in keys]

    return KeysetPage(
        object_list=found,
        next_cursor=_encode(position(found[-1]), backwards=False) if has_next else None,
        previous_cursor=_encode(position(found[0]), backwards=True) if has_previous else None,
        count=min(counted, cap),
        count_capped=counted > cap,
    )
