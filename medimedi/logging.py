"""A log filter that masks Medicare and Medi-Cal identifiers before a record is written."""

import logging
import re

# MBI (domain.md section 8), with or without the card's dashes; CIN (8 digits and a letter,
# optionally followed by the benefits card's check digit and issue date).
_MBI = re.compile(
    r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9]-?"
    r"[AC-HJKMNP-RT-Y]{2}[0-9]{2}\b",
    re.IGNORECASE,
)
_CIN = re.compile(r"\b[0-9]{8}[A-Z](?:[0-9]{5})?\b", re.IGNORECASE)


def redact(text: str) -> str:
    """Return ``text`` with anything shaped like an MBI or CIN replaced by a mask."""
    return _CIN.sub("[CIN]", _MBI.sub("[MBI]", text))


class RedactPHIFilter(logging.Filter):
    """Rewrite each record's message so no MBI or CIN reaches a log handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not drop the record
            message = str(record.msg)
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
