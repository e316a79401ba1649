"""Medi-Cal aid codes whose benefits are restricted scope (not full Medi-Cal).

Source: DHCS, Medi-Cal Aid Codes Master Chart (Medi-Cal provider manual, "aid codes" section),
the rows whose Benefits column reads "Restricted to pregnancy-related, postpartum and emergency
services": aid codes C1 to C9 and D1 to D9, the Omnibus Budget Reconciliation Act (OBRA) aliens
and unverified citizens, each the restricted counterpart of a full-scope program. The chart has
other restricted codes; this table holds only the ones read there, so a code missing from it
proves nothing. A period recorded ``full`` under one of these codes contradicts itself.
"""

from typing import Final

RESTRICTED_SCOPE_AID_CODES: Final[frozenset[str]] = frozenset(
    {f"C{n}" for n in range(1, 10)} | {f"D{n}" for n in range(1, 10)}
)


def is_restricted_scope_aid_code(aid_code: str) -> bool:
    return (aid_code or "").strip().upper() in RESTRICTED_SCOPE_AID_CODES
