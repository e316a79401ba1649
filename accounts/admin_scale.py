"""Admin lists fit for tables of millions of rows.

A plain changelist counts every row twice a page (the filtered count and the full count) and
walks pages with OFFSET over whatever order the model declares. For the portal's big tables
(people, applications, enrollments, determinations, letters) the admin classes mix in
``LargeTableAdmin``: no full count (``show_full_result_count = False``), an estimated count
from PostgreSQL's statistics when the list is not filtered (``EstimatedCountPaginator``), an
order by the primary key (an index), and ``list_select_related`` set by each class so a page is
a fixed handful of queries. A deep page reads its ids alone before its rows
(``EstimatedCountPaginator.page``). Searches are exact on indexed columns (each class's
``get_search_results``), never ``icontains`` over the table.
"""

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this many rows (by the statistics) an exact count is cheap: count them.
ESTIMATE_ABOVE = 50_000


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered PostgreSQL table from ``pg_class.reltuples`` (what ANALYZE and
    autovacuum keep), not ``COUNT(*)``; a filtered list, SQLite or a small table count exactly.
    The last pages of an estimate may be short or empty: the admin says so as "about"."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.where:
            connection = connections[rows.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [rows.model._meta.db_table],
                    )
                    found = cursor.fetchone()
                if found and found[0] >= ESTIMATE_ABOVE:
                    return int(found[0])
        return int(super().count)

    def page(self, number: Any) -> Any:
        """The page's ids first (the ordering's index alone, however deep), then its rows with
        their joins: OFFSET never walks the joined rows it skips."""
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        by_id = {row.pk: row for row in rows.filter(pk__in=ids)} if ids else {}
        page_rows = [by_id[pk] for pk in ids if pk in by_id]
        return self._get_page(page_rows, number, self)  # type: ignore[attr-defined]


class LargeTableAdmin(admin.ModelAdmin):
    """Mix in first, before the other admin bases (see the module's docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering: Any = ("-pk",)  # type: ignore[misc]
    list_per_page = 50
