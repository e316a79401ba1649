"""Medicare Beneficiary Identifier and Medi-Cal CIN parsing (domain.md section 8)."""

import re

_MBI_LETTER = "AC-HJKMNP-RT-Y"
MBI_PATTERN = re.compile(
    rf"^[1-9][{_MBI_LETTER}][{_MBI_LETTER}0-9][0-9][{_MBI_LETTER}][{_MBI_LETTER}0-9][0-9]"
    rf"[{_MBI_LETTER}]{{2}}[0-9]{{2}}$"
)
CIN_PATTERN = re.compile(r"^[0-9]{8}[A-Z]$")
# Benefits Identification Card id: the CIN, a check digit and a 4-digit issue date.
BIC_PATTERN = re.compile(r"^([0-9]{8}[A-Z])[0-9]{5}$")


class InvalidIdentifier(ValueError):
    """The text is not a well-formed identifier. The message never repeats the value."""


def normalize_mbi(value: str) -> str:
    """Return the MBI in upper case without dashes or spaces, or raise ``InvalidIdentifier``."""
    cleaned = re.sub(r"[\s-]", "", value or "").upper()
    if len(cleaned) != 11:
        raise InvalidIdentifier("A Medicare number (MBI) has 11 letters and digits.")
    if not MBI_PATTERN.match(cleaned):
        raise InvalidIdentifier(
            "That is not a valid Medicare number (MBI). Check it against your red, white and "
            "blue Medicare card."
        )
    return cleaned


def normalize_cin(value: str) -> str:
    """Return the 9-character CIN, accepting a 14-character benefits card id as well."""
    cleaned = re.sub(r"[\s-]", "", value or "").upper()
    if CIN_PATTERN.match(cleaned):
        return cleaned
    card = BIC_PATTERN.match(cleaned)
    if card:
        return card.group(1)
    raise InvalidIdentifier(
        "A Medi-Cal CIN is 8 digits and a letter (like 90000000A), or the 14-character id on "
        "your Benefits Identification Card."
    )


def is_valid_mbi(value: str) -> bool:
    try:
        normalize_mbi(value)
    except InvalidIdentifier:
        return False
    return True
