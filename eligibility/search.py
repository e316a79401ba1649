"""Finding people by what staff type: an MBI, a CIN, or a name (one rule for pages, API and
admin). Every branch is an exact comparison on an index: the unique MBI and CIN, or the stored
search names (``Beneficiary.search_last_name``, ``search_first_name``: lower case, without
accents, ``eligibility.rules.names.name_key``), so a search costs the same among millions."""

from typing import Any

from django.db.models import ForeignKey, Lookup, Q

from eligibility.rules import InvalidIdentifier, normalize_cin, normalize_mbi
from eligibility.rules.names import name_key


def people_sought(text: str) -> Q:
    """A filter of ``Beneficiary`` for the people ``text`` names.

    An MBI or a CIN (any case, dashes or spaces) is that one person; anything else is a name,
    its case and accents ignored: a last name, or a first name and then a last name ("Maria de
    la Cruz": first "maria", last "de la cruz" or "cruz"). Blank text finds no one.
    """
    text = text.strip()
    try:
        return Q(mbi=normalize_mbi(text))
    except InvalidIdentifier:
        pass
    try:
        return Q(cin=normalize_cin(text))
    except InvalidIdentifier:
        pass
    key = name_key(text)
    if not key:
        return Q(pk__in=[])
    parts = key.split()
    whole = Q(search_last_name=key)
    if len(parts) >= 2:
        lasts = {" ".join(parts[1:]), parts[-1]}
        return whole | Q(search_first_name=parts[0], search_last_name__in=sorted(lasts))
    return whole


def last_name_sought(text: str) -> str | None:
    """The last-name search key when ``text`` is one word that is not an MBI or a CIN (a
    search the applications' own copy of the key answers), else None."""
    text = text.strip()
    for normalize in (normalize_mbi, normalize_cin):
        try:
            normalize(text)
        except InvalidIdentifier:
            continue
        return None
    key = name_key(text)
    return key if key and " " not in key else None


class _InArrayOf(Lookup):
    """``column = ANY(ARRAY(subquery))`` on PostgreSQL: the subquery runs first, once (the
    people sought, on their index), and the outer rows are read by the column's index for
    those ids, whatever else the table holds. Elsewhere a plain ``IN (subquery)``."""

    lookup_name = "in_array_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]


ForeignKey.register_lookup(_InArrayOf)
