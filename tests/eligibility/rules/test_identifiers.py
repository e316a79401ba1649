"""MBI and CIN parsing (domain.md section 8). No database."""

import pytest

from eligibility.rules import InvalidIdentifier, normalize_cin, normalize_mbi


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("1EG4TE5MK73", "1EG4TE5MK73", id="cms-example-plain"),
        pytest.param("1EG4-TE5-MK73", "1EG4TE5MK73", id="dashes-from-the-card-are-dropped"),
        pytest.param("1eg4-te5-mk73", "1EG4TE5MK73", id="lower-case-is-upper-cased"),
        pytest.param(" 1EG4 TE5 MK73 ", "1EG4TE5MK73", id="spaces-are-dropped"),
        pytest.param("9AA0AA0AA00", "9AA0AA0AA00", id="letters-in-positions-3-and-6"),
        pytest.param("1A00A00AA00", "1A00A00AA00", id="digits-in-positions-3-and-6"),
    ],
)
def test_valid_mbi_is_normalized(raw: str, expected: str) -> None:
    assert normalize_mbi(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("0EG4TE5MK73", id="position-1-cannot-be-zero"),
        pytest.param("1SG4TE5MK73", id="letter-S-is-excluded"),
        pytest.param("1EL4TE5MK73", id="letter-L-is-excluded"),
        pytest.param("1EG4OE5MK73", id="letter-O-is-excluded"),
        pytest.param("1EG4TE5IK73", id="letter-I-is-excluded"),
        pytest.param("1EG4TE5BK73", id="letter-B-is-excluded"),
        pytest.param("1EG4TE5MZ73", id="letter-Z-is-excluded"),
        pytest.param("11G4TE5MK73", id="position-2-must-be-a-letter"),
        pytest.param("1EGATE5MK73", id="position-4-must-be-a-digit"),
        pytest.param("1EG4TE5MK7", id="too-short"),
        pytest.param("1EG4TE5MK733", id="too-long"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_mbi_is_refused_without_echoing_it(raw: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_mbi(raw)
    assert raw.strip() == "" or raw not in str(excinfo.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("90000000A", "90000000A", id="cin"),
        pytest.param("90000000a", "90000000A", id="lower-case-letter"),
        pytest.param("90000000A51234", "90000000A", id="benefits-card-id-keeps-first-9"),
    ],
)
def test_valid_cin_is_normalized(raw: str, expected: str) -> None:
    assert normalize_cin(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("9000000A", id="seven-digits"),
        pytest.param("900000001", id="no-letter"),
        pytest.param("A90000000", id="letter-first"),
        pytest.param("90000000A5123", id="benefits-card-id-too-short"),
        pytest.param("123-45-6789", id="a-social-security-number-is-not-a-cin"),
    ],
)
def test_invalid_cin_is_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalize_cin(raw)
