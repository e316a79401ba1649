"""One eligibility record: the layout's columns, and the check of one record against them.

Both readers (CSV and X12 834) turn what they read into a ``RawRecord``: the layout's column
names (``../shared/files/eligibility-csv.md``) mapped to text, and where it came from (a CSV
line or an X12 segment number). ``record_check`` is the one place the per-record rules live;
rules that need other records (a CIN twice in the file, a CIN and an MBI of two different people
on record) are set-based, in the loader's SQL.

The check is written for speed (about 1.5 million records a month): precompiled patterns, no
per-field objects, and the normalized record is a plain tuple in ``STAGING_COLUMNS`` order.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from eligibility.rules.identifiers import BIC_PATTERN, CIN_PATTERN, MBI_PATTERN

# Every column of the layout, in the layout's order.
COLUMNS: Final = (
    "file_month",
    "cin",
    "mbi",
    "last_name",
    "first_name",
    "middle_initial",
    "date_of_birth",
    "sex",
    "date_of_death",
    "address_line1",
    "address_line2",
    "city",
    "zip",
    "county_fips",
    "phone",
    "email",
    "language",
    "medicare_part_a_start",
    "medicare_part_a_end",
    "medicare_part_b_start",
    "medicare_part_b_end",
    "medi_cal_scope",
    "aid_code",
    "medi_cal_start",
    "medi_cal_end",
    "share_of_cost",
    "msp",
    "medi_cal_plan_code",
    "incarcerated",
    "lawfully_present",
)
# A file without one of these columns cannot be read at all.
REQUIRED_COLUMNS: Final = frozenset(
    {
        "file_month",
        "cin",
        "mbi",
        "last_name",
        "first_name",
        "date_of_birth",
        "address_line1",
        "city",
        "zip",
        "county_fips",
        "medicare_part_a_start",
        "medi_cal_scope",
    }
)
# The normalized record the loader stages, in this order (dates as ``date`` or None).
STAGING_COLUMNS: Final = (
    "position",
    "cin",
    "mbi",
    "last_name",
    "first_name",
    "middle_initial",
    "date_of_birth",
    "sex",
    "date_of_death",
    "address_line1",
    "address_line2",
    "city",
    "zip_code",
    "county_fips",
    "phone",
    "email",
    "language",
    "medicare_part_a_start",
    "medicare_part_a_end",
    "medicare_part_b_start",
    "medicare_part_b_end",
    "scope",
    "aid_code",
    "medi_cal_start",
    "medi_cal_end",
    "share_of_cost",
    "msp",
    "medi_cal_plan_code",
    "incarcerated",
    "lawfully_present",
)

# Threshold languages as the file writes them -> the portal's language codes.
LANGUAGES: Final = {
    "en": "en",
    "es": "es",
    "zh": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-hant": "zh-Hant",
    "vi": "vi",
    "ko": "ko",
    "tl": "tl",
    "hy": "hy",
    "ru": "ru",
    "fa": "fa",
    "ar": "ar",
    "km": "km",
    "hmn": "hmn",
}
SCOPES: Final = frozenset({"full", "restricted", "none"})
SHARE_OF_COST: Final = frozenset({"none", "met", "unmet"})
MSP: Final = {"none": "none", "qmb": "QMB", "slmb": "SLMB", "qi": "QI", "qdwi": "QDWI"}
SEXES: Final = frozenset({"F", "M", "U"})
YES_NO: Final = {"Y": True, "N": False}

_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
_FIPS = re.compile(r"^06[0-9]{3}$")
_AID = re.compile(r"^[0-9A-Z]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_STRIP_ID = re.compile(r"[\s-]")
EARLIEST = date(1900, 1, 1)
MAX_TEXT = 64
MAX_ADDRESS = 128


@dataclass(frozen=True, slots=True)
class RecordError:
    field: str
    code: str
    message: str


@dataclass(slots=True)
class RawRecord:
    """What a reader read for one person: column name -> text, and where it was.

    ``position`` is the CSV line (1 is the header) or the X12 segment number of the member's
    INS; ``problems`` are what the reader itself could not map (an X12 county code outside
    California, say), reported with the record's own errors.
    """

    position: int
    values: dict[str, str]
    problems: list[RecordError] = field(default_factory=list)


def parse_month(text: str) -> date | None:
    """``YYYY-MM`` -> the first day of that month, or None."""
    match = _MONTH.match(text)
    return date(int(match.group(1)), int(match.group(2)), 1) if match else None


def _date(text: str) -> date | str | None:
    """A ``YYYY-MM-DD`` date; '' -> None; a malformed or nonexistent date -> an error code."""
    if not text:
        return None
    match = _DATE.match(text)
    if match is None:
        return "FORMAT"
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return "DATE_DOES_NOT_EXIST"


_DATE_MESSAGES = {
    "FORMAT": "is not a date written YYYY-MM-DD",
    "DATE_DOES_NOT_EXIST": "is not a day of the calendar",
}
_DATE_FIELDS = (
    ("date_of_birth", True),
    ("date_of_death", False),
    ("medicare_part_a_start", True),
    ("medicare_part_a_end", False),
    ("medicare_part_b_start", False),
    ("medicare_part_b_end", False),
    ("medi_cal_start", False),
    ("medi_cal_end", False),
)
_RANGES = (
    ("medicare_part_a_start", "medicare_part_a_end"),
    ("medicare_part_b_start", "medicare_part_b_end"),
    ("medi_cal_start", "medi_cal_end"),
    ("date_of_birth", "date_of_death"),
)


def record_check(
    raw: RawRecord, *, file_month: date, today: date, plan_codes: frozenset[str]
) -> tuple[tuple[object, ...] | None, list[RecordError]]:
    """Check one record; return its normalized staging tuple, or None and every error found.

    ``file_month`` is the file's month (every record must carry it), ``today`` bounds birth
    dates, ``plan_codes`` are the Medi-Cal plan codes on record.
    """
    v = raw.values
    errors: list[RecordError] = list(raw.problems)
    add = errors.append

    def text(name: str, required: bool, limit: int = MAX_TEXT) -> str:
        value = v.get(name, "").strip()
        if not value:
            if required:
                add(RecordError(name, "REQUIRED", f"{name} is required"))
        elif len(value) > limit:
            add(RecordError(name, "TOO_LONG", f"{name} has more than {limit} characters"))
        return value

    month_text = v.get("file_month", "").strip()
    if not month_text:
        add(RecordError("file_month", "REQUIRED", "file_month is required"))
    elif parse_month(month_text) != file_month:
        add(
            RecordError(
                "file_month",
                "FILE_MONTH_MISMATCH",
                f"file_month differs from the file's month {file_month:%Y-%m}",
            )
        )

    cin = _STRIP_ID.sub("", v.get("cin", "")).upper()
    if not cin:
        add(RecordError("cin", "REQUIRED", "cin is required"))
    elif not CIN_PATTERN.match(cin):
        card = BIC_PATTERN.match(cin)
        if card:
            cin = card.group(1)
        else:
            add(RecordError("cin", "FORMAT", "cin is not 8 digits and a letter"))
    mbi = _STRIP_ID.sub("", v.get("mbi", "")).upper()
    if not mbi:
        add(RecordError("mbi", "REQUIRED", "mbi is required"))
    elif not MBI_PATTERN.match(mbi):
        add(RecordError("mbi", "FORMAT", "mbi is not a Medicare Beneficiary Identifier"))

    last_name = text("last_name", True)
    first_name = text("first_name", True)
    middle = v.get("middle_initial", "").strip().upper()
    if middle and not (len(middle) == 1 and middle.isalpha()):
        add(RecordError("middle_initial", "FORMAT", "middle_initial is not one letter"))
    sex = v.get("sex", "").strip().upper()
    if sex and sex not in SEXES:
        add(RecordError("sex", "FORMAT", "sex is not F, M or U"))
    line1 = text("address_line1", True, MAX_ADDRESS)
    line2 = text("address_line2", False, MAX_ADDRESS)
    city = text("city", True)
    zip_code = v.get("zip", "").strip()
    if not zip_code:
        add(RecordError("zip", "REQUIRED", "zip is required"))
    elif not _ZIP.match(zip_code):
        add(RecordError("zip", "FORMAT", "zip is not NNNNN or NNNNN-NNNN"))
    fips = v.get("county_fips", "").strip()
    if not fips:
        add(RecordError("county_fips", "REQUIRED", "county_fips is required"))
    elif not _FIPS.match(fips) or not (1 <= int(fips[2:]) <= 115 and int(fips[2:]) % 2 == 1):
        add(RecordError("county_fips", "UNKNOWN_COUNTY", "county_fips is not a California county"))
    phone = text("phone", False, 32)
    email = v.get("email", "").strip()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        add(RecordError("email", "FORMAT", "email is not an email address"))
    language_text = v.get("language", "").strip()
    language = LANGUAGES.get(language_text.lower(), "") if language_text else ""
    if language_text and not language:
        add(RecordError("language", "FORMAT", "language is not a Medi-Cal threshold language"))

    dates: dict[str, date | None] = {}
    for name, required in _DATE_FIELDS:
        parsed = _date(v.get(name, "").strip())
        if isinstance(parsed, str):
            add(RecordError(name, parsed, f"{name} {_DATE_MESSAGES[parsed]}"))
            parsed = None
        elif parsed is None and required:
            add(RecordError(name, "REQUIRED", f"{name} is required"))
        dates[name] = parsed
    born = dates["date_of_birth"]
    if born is not None and not (EARLIEST <= born <= today):
        add(
            RecordError(
                "date_of_birth", "OUT_OF_RANGE", "date_of_birth is in the future or before 1900"
            )
        )
    for start, end in _RANGES:
        if dates[start] and dates[end] and dates[end] < dates[start]:  # type: ignore[operator]
            add(RecordError(end, "END_BEFORE_START", f"{end} is before {start}"))

    scope = v.get("medi_cal_scope", "").strip().lower()
    if not scope:
        add(RecordError("medi_cal_scope", "REQUIRED", "medi_cal_scope is required"))
    elif scope not in SCOPES:
        add(
            RecordError(
                "medi_cal_scope", "FORMAT", "medi_cal_scope is not full, restricted or none"
            )
        )
    if (
        scope in ("full", "restricted")
        and dates["medi_cal_start"] is None
        and not any(e.field == "medi_cal_start" for e in errors)
    ):
        add(RecordError("medi_cal_start", "REQUIRED", "medi_cal_start is required with Medi-Cal"))
    aid_code = v.get("aid_code", "").strip().upper()
    if aid_code and not _AID.match(aid_code):
        add(RecordError("aid_code", "FORMAT", "aid_code is not 2 characters"))
    soc = v.get("share_of_cost", "").strip().lower() or "none"
    if soc not in SHARE_OF_COST:
        add(RecordError("share_of_cost", "FORMAT", "share_of_cost is not none, met or unmet"))
    msp = MSP.get(v.get("msp", "").strip().lower() or "none")
    if msp is None:
        add(RecordError("msp", "FORMAT", "msp is not none, QMB, SLMB, QI or QDWI"))
    elif msp in ("QI", "QDWI") and scope == "full":
        add(RecordError("msp", "QI_QDWI_WITH_FULL", f"{msp} cannot come with full Medi-Cal"))
    if scope == "none" and soc != "none" and soc in SHARE_OF_COST:
        add(RecordError("share_of_cost", "SOC_WITHOUT_MEDI_CAL", "a share of cost needs Medi-Cal"))
    plan_code = v.get("medi_cal_plan_code", "").strip()
    if plan_code and plan_code not in plan_codes:
        add(
            RecordError(
                "medi_cal_plan_code",
                "UNKNOWN_PLAN",
                "medi_cal_plan_code is not a Medi-Cal plan on record",
            )
        )
    incarcerated = YES_NO.get(v.get("incarcerated", "").strip().upper() or "N")
    if incarcerated is None:
        add(RecordError("incarcerated", "FORMAT", "incarcerated is not Y or N"))
    lawful = YES_NO.get(v.get("lawfully_present", "").strip().upper() or "Y")
    if lawful is None:
        add(RecordError("lawfully_present", "FORMAT", "lawfully_present is not Y or N"))

    if errors:
        if raw.problems:
            # The reader's own explanation of a field (an X12 county outside California, say)
            # replaces the generic one for the same field.
            explained = {p.field for p in raw.problems}
            errors = list(raw.problems) + [
                e for e in errors[len(raw.problems) :] if e.field not in explained
            ]
        return None, errors
    return (
        raw.position,
        cin,
        mbi,
        last_name,
        first_name,
        middle,
        born,
        sex,
        dates["date_of_death"],
        line1,
        line2,
        city,
        zip_code,
        fips,
        phone,
        email,
        language,
        dates["medicare_part_a_start"],
        dates["medicare_part_a_end"],
        dates["medicare_part_b_start"],
        dates["medicare_part_b_end"],
        scope,
        aid_code,
        dates["medi_cal_start"],
        dates["medi_cal_end"],
        soc,
        msp,
        plan_code,
        incarcerated,
        lawful,
    ), errors
