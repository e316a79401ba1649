"""The search form of a person's name: one function, used wherever a name is stored or sought.

Staff search by name whatever the case or accents ("GARCÍA", "garcia", "García" are one name),
so the portal stores each name's key beside it (``Beneficiary.search_first_name`` and
``search_last_name``, indexed) and searches the key with an exact, index-backed comparison. The
key is written by ``Beneficiary.save`` and by the eligibility-file loader's set-based merge,
both through ``name_key``, so the two never disagree.
"""

import re
import unicodedata

_NOT_NAME = re.compile(r"[^\w\s-]")  # apostrophes, periods, commas: "O'Brien" is "obrien"
_SPACES = re.compile(r"\s+")


def name_key(name: str) -> str:
    """Lower case, without accents or punctuation, single-spaced: ``"  García-O'Neil "`` is
    ``"garcia-oneil"``."""
    if not name:
        return ""
    if name.isascii():  # most names in the state's file: no accents to take off
        text = name.lower()
        if text.isalpha():
            return text
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _SPACES.sub(" ", _NOT_NAME.sub("", text)).strip()
