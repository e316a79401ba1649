"""The admin's search for lists about people: exact, on indexes, whatever the table's size.

Django's own search (``search_fields``) compares ``UPPER(column)`` or ``LIKE '%term%'``, which
no index answers: on millions of rows each search reads the table. Admin classes that list
people or rows about a person mix in ``PersonSearchAdmin``: a number is the row's id; anything
else is ``eligibility.search.people_sought`` (an MBI or a CIN on their unique indexes, or a
name on the indexed search names), and the rows are those of the people found.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from eligibility.models import Beneficiary
from eligibility.search import last_name_sought, people_sought

MAX_ID = 2**63 - 1


class PersonSearchAdmin(admin.ModelAdmin):
    # The foreign key to the person on this model; None when the model is ``Beneficiary``.
    person_field: str | None = "beneficiary"
    # A column of this model holding the person's last-name search key, when it keeps a copy
    # (``Application.search_last_name``): one last name is then read on that column's index.
    last_name_field: str | None = None
    search_help_text = (
        "An exact Medicare number (MBI), Medi-Cal CIN, name (last, or first and last; case and "
        "accents do not matter) or record id."
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            number = int(term)
            return (queryset.filter(pk=number) if number <= MAX_ID else queryset.none()), False
        key_field = self.last_name_field
        last_name = last_name_sought(term) if key_field else None
        if key_field and last_name is not None:
            return queryset.filter(**{key_field: last_name}), False
        people = people_sought(term)
        if self.person_field is None:
            return queryset.filter(people), False
        found = Beneficiary.objects.filter(people).order_by().values("pk")
        # The people first, then their rows by the foreign key's index (``in_array_of``).
        return queryset.filter(**{f"{self.person_field}__in_array_of": found}), False
