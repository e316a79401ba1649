"""A state-sized monthly eligibility file (CSV layout), synthetic and deterministic by seed.

Run from the project folder::

    .venv/bin/python bench/gen_eligibility.py OUT.csv --people 1500000 --month 2027-01 --seed 1
    .venv/bin/python bench/gen_eligibility.py CHANGES.csv --changes-from OUT.csv \
        --changes 100000 --seed 1

The layout is ``../shared/files/eligibility-csv.md`` (the columns of ``interchange.records``).
The file is written row by row (memory stays flat whatever ``--people``) and depends only on the
arguments: the same seed gives the same bytes. The header's column order is shuffled with the
seed (the layout allows any order); ``--plain-order`` keeps the layout's order.

**Full file** (``--people N``), the mix (rough, on purpose):

- Counties: the 58 weighted by population (``COUNTY_WEIGHTS``: 2020 census, thousands, rounded;
  Los Angeles about 25%). City is the county seat; ZIP is any California-looking ZIP.
- Age: 82% are 65 or older (born 1927-1962), 18% under 65 (Medicare by disability, born
  1963-2004). Part A starts the month of the 65th birthday, or some years back for the under 65s;
  Part B the same month for 95% (blank for the rest).
- Duals: about 90% full (scope ``full``, share of cost ``none`` or ``met``, MSP mostly QMB), about
  10% partial: scope ``none`` with QMB, SLMB, QI or QDWI (5%), scope ``restricted`` (2.5%), or
  full scope with share of cost ``unmet`` (2.5%).
- Medi-Cal plan: 85% of full duals carry the code (``MEDI_CAL_PLAN_CODES``) of a Medi-Cal plan
  that operates in their county (the aligned plans of ``eligibility.reference_data.PLANS``'
  service areas; Partnership HealthPlan in the northern counties it serves; elsewhere any code),
  15% are blank (fee-for-service). Partial duals have no plan.
- Language: about 62% English, 27% Spanish, the other threshold languages at 0.1-3% each, 1%
  blank.
- Identifiers: MBI and CIN are unique by construction (the person's number through a bijection
  of the identifier space, offset by the seed), valid per domain.md section 8.
- Names from short lists; addresses are made up. No real person is in the file.
- Invalid records: exactly one in each block of 200 rows (0.5%), at a seeded position, of one of
  the kinds in ``INVALID_KINDS``: a malformed MBI, a nonexistent date (``2026-02-30``), an end
  before its start, the unknown county ``06999``, QI with full Medi-Cal, a blank required column,
  a malformed ZIP, or the CIN of the row before it (a duplicate CIN: that row passes the
  per-record check and is caught by the file-level rule; the importer may reject both rows).

**Change file** (``--changes-from FULL --changes M``): M people picked (seeded) among the valid
rows of FULL (which must have been written with the same ``--seed``: the invalid rows' positions
are recomputed from it, and each picked row is checked again), each with one change, and
``file_month`` the month after FULL's: Medi-Cal lost (scope ``none``, the period ends with FULL's
month), moved to another county (new address; the plan follows the county), died (a date in
FULL's month), Medicare Part B ended (last day of FULL's month), a new address in the same
county, or a new language. The rows are written in FULL's order; it reads FULL twice, streaming.

Prints one summary line (rows, invalid by kind, seconds), never a person's data.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from eligibility.reference_data import (  # noqa: E402
    COUNTY_NAMES,
    MEDI_CAL_PLAN_CODES,
    PLANS,
    county_rows,
)
from interchange.records import COLUMNS, RawRecord, parse_month, record_check  # noqa: E402

# 2020 census population of each county, in thousands (rounded): the weight of the county.
COUNTY_WEIGHTS: dict[str, float] = {
    "Alameda": 1682, "Alpine": 1.2, "Amador": 41, "Butte": 212, "Calaveras": 46, "Colusa": 22,
    "Contra Costa": 1166, "Del Norte": 28, "El Dorado": 193, "Fresno": 1008, "Glenn": 29,
    "Humboldt": 136, "Imperial": 180, "Inyo": 19, "Kern": 909, "Kings": 153, "Lake": 68,
    "Lassen": 33, "Los Angeles": 10014, "Madera": 157, "Marin": 262, "Mariposa": 17,
    "Mendocino": 91, "Merced": 281, "Modoc": 8.7, "Mono": 13, "Monterey": 439, "Napa": 138,
    "Nevada": 103, "Orange": 3186, "Placer": 405, "Plumas": 20, "Riverside": 2418,
    "Sacramento": 1585, "San Benito": 64, "San Bernardino": 2181, "San Diego": 3298,
    "San Francisco": 874, "San Joaquin": 779, "San Luis Obispo": 283, "San Mateo": 764,
    "Santa Barbara": 449, "Santa Clara": 1936, "Santa Cruz": 271, "Shasta": 182, "Sierra": 3.2,
    "Siskiyou": 44, "Solano": 453, "Sonoma": 489, "Stanislaus": 552, "Sutter": 99, "Tehama": 65,
    "Trinity": 16, "Tulare": 473, "Tuolumne": 55, "Ventura": 843, "Yolo": 217, "Yuba": 81,
}  # fmt: skip
COUNTY_SEATS: dict[str, str] = {
    "Alameda": "Oakland", "Alpine": "Markleeville", "Amador": "Jackson", "Butte": "Oroville",
    "Calaveras": "San Andreas", "Colusa": "Colusa", "Contra Costa": "Martinez",
    "Del Norte": "Crescent City", "El Dorado": "Placerville", "Fresno": "Fresno",
    "Glenn": "Willows", "Humboldt": "Eureka", "Imperial": "El Centro", "Inyo": "Independence",
    "Kern": "Bakersfield", "Kings": "Hanford", "Lake": "Lakeport", "Lassen": "Susanville",
    "Los Angeles": "Los Angeles", "Madera": "Madera", "Marin": "San Rafael",
    "Mariposa": "Mariposa", "Mendocino": "Ukiah", "Merced": "Merced", "Modoc": "Alturas",
    "Mono": "Bridgeport", "Monterey": "Salinas", "Napa": "Napa", "Nevada": "Nevada City",
    "Orange": "Santa Ana", "Placer": "Auburn", "Plumas": "Quincy", "Riverside": "Riverside",
    "Sacramento": "Sacramento", "San Benito": "Hollister", "San Bernardino": "San Bernardino",
    "San Diego": "San Diego", "San Francisco": "San Francisco", "San Joaquin": "Stockton",
    "San Luis Obispo": "San Luis Obispo", "San Mateo": "Redwood City",
    "Santa Barbara": "Santa Barbara", "Santa Clara": "San Jose", "Santa Cruz": "Santa Cruz",
    "Shasta": "Redding", "Sierra": "Downieville", "Siskiyou": "Yreka", "Solano": "Fairfield",
    "Sonoma": "Santa Rosa", "Stanislaus": "Modesto", "Sutter": "Yuba City",
    "Tehama": "Red Bluff", "Trinity": "Weaverville", "Tulare": "Visalia", "Tuolumne": "Sonora",
    "Ventura": "Ventura", "Yolo": "Woodland", "Yuba": "Marysville",
}  # fmt: skip
# Partnership HealthPlan's northern counties (its D-SNP has no confirmed service area yet).
PARTNERSHIP_COUNTIES = frozenset(
    {
        "Butte", "Colusa", "Del Norte", "Glenn", "Humboldt", "Lake", "Lassen", "Marin",
        "Mendocino", "Modoc", "Napa", "Nevada", "Placer", "Plumas", "Shasta", "Sierra",
        "Siskiyou", "Solano", "Sonoma", "Sutter", "Tehama", "Trinity", "Yolo", "Yuba",
    }
)  # fmt: skip
LANGUAGE_WEIGHTS: dict[str, float] = {
    "en": 62, "es": 27, "zh": 2.5, "vi": 2.5, "ko": 1.2, "tl": 1.2, "hy": 0.8, "ru": 0.5,
    "fa": 0.4, "ar": 0.3, "km": 0.2, "hmn": 0.1, "zh-Hant": 0.3, "": 1.0,
}  # fmt: skip
LAST_NAMES = (
    "Garcia", "Hernandez", "Lopez", "Martinez", "Gonzalez", "Rodriguez", "Perez", "Sanchez",
    "Ramirez", "Torres", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis",
    "Wilson", "Anderson", "Taylor", "Nguyen", "Tran", "Le", "Pham", "Kim", "Lee", "Park", "Chen",
    "Wang", "Li", "Santos", "Reyes", "Cruz", "Petrosyan", "Sargsyan", "Ivanov", "Hosseini",
    "Haddad", "Sok", "Vang", "O'Brien", "Jackson",
)  # fmt: skip
FIRST_NAMES_F = (
    "Maria", "Josefina", "Rosa", "Guadalupe", "Carmen", "Mary", "Patricia", "Linda", "Barbara",
    "Dorothy", "Helen", "Mai", "Lan", "Soo-jin", "Mei", "Ana", "Lucia", "Anahit", "Olga",
    "Maryam", "Layla", "Sophea", "Yer", "Ruth", "Gloria", "Teresa",
)  # fmt: skip
FIRST_NAMES_M = (
    "Jose", "Juan", "Manuel", "Francisco", "Jesus", "James", "Robert", "John", "Michael",
    "William", "Richard", "Minh", "Duc", "Min-ho", "Wei", "Carlos", "Luis", "Aram", "Sergei",
    "Reza", "Omar", "Dara", "Tou", "George", "Frank", "Antonio",
)  # fmt: skip
STREETS = (
    "Elm", "Oak", "Main", "Pine", "Maple", "Cedar", "Mission", "Lincoln", "Washington", "Park",
    "Vista", "Sunset", "Olive", "Walnut", "Sierra", "Valley", "Lake", "Hill", "Grand", "Central",
)  # fmt: skip
STREET_KINDS = ("St", "Ave", "Blvd", "Dr", "Way", "Rd", "Ln", "Ct")
AID_CODES_FULL = ("10", "14", "16", "1H", "20", "24", "26", "36", "60", "64", "66", "6H", "6V")
AID_CODES_PARTIAL = ("8U", "8V", "8W", "8Y", "80", "C1", "F1")
INVALID_KINDS = (
    "bad_mbi",
    "nonexistent_date",
    "end_before_start",
    "unknown_county",
    "qi_with_full_scope",
    "blank_required",
    "bad_zip",
    "duplicate_cin",
)
INVALID_EVERY = 200  # one invalid record per block of this many rows: 0.5%
CHANGE_KINDS: dict[str, float] = {
    "lost_medi_cal": 20,
    "moved_county": 15,
    "died": 10,
    "part_b_ended": 10,
    "new_address": 30,
    "new_language": 15,
}

# The MBI's alphabets by position (domain.md section 8): letters exclude S, L, O, I, B, Z.
_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_DIGITS = "0123456789"
_MBI_POSITIONS = (
    "123456789",
    _LETTERS,
    _LETTERS + _DIGITS,
    _DIGITS,
    _LETTERS,
    _LETTERS + _DIGITS,
    _DIGITS,
    _LETTERS,
    _LETTERS,
    _DIGITS,
    _DIGITS,
)
_MBI_SPACE = 1
for _alphabet in _MBI_POSITIONS:
    _MBI_SPACE *= len(_alphabet)
_CIN_SPACE = 10**8 * 26
# Multipliers coprime with the spaces (whose only prime factors are 2, 3, 5 and 13): i -> i * A + B
# mod the space is a bijection, so distinct people get distinct identifiers.
_MBI_MULTIPLIER = 1_000_000_007
_CIN_MULTIPLIER = 998_244_353


def mbi_for(number: int, offset: int) -> str:
    value = (number * _MBI_MULTIPLIER + offset) % _MBI_SPACE
    chars = []
    for alphabet in reversed(_MBI_POSITIONS):
        value, index = divmod(value, len(alphabet))
        chars.append(alphabet[index])
    return "".join(reversed(chars))


def cin_for(number: int, offset: int) -> str:
    value = (number * _CIN_MULTIPLIER + offset) % _CIN_SPACE
    digits, letter = divmod(value, 26)
    return f"{digits:08d}{chr(65 + letter)}"


def _month_index(text: str) -> int:
    first = parse_month(text)
    if first is None:
        raise SystemExit(f"--month {text!r} is not YYYY-MM")
    return first.year * 12 + first.month - 1


def _first(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}-01"


def _last(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}-{calendar.monthrange(year, month + 1)[1]:02d}"


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def invalid_positions(seed: int, rows: int) -> dict[int, str]:
    """Row number (0-based, data rows) -> the kind of invalid record written there."""
    rng = random.Random(f"invalid-{seed}")
    positions = {}
    for block in range(rows // INVALID_EVERY):
        position = block * INVALID_EVERY + rng.randrange(INVALID_EVERY)
        kind = rng.choice(INVALID_KINDS)
        if kind == "duplicate_cin" and position == 0:
            kind = "bad_mbi"
        positions[position] = kind
    return positions


def _county_plans() -> dict[str, list[str]]:
    """County name -> the Medi-Cal plan codes that operate there."""
    plans: dict[str, list[str]] = {name: [] for name in COUNTY_NAMES}
    for spec in PLANS:
        for county, medi_cal_plan, _start, _source, *_end in spec["areas"]:
            code = MEDI_CAL_PLAN_CODES[medi_cal_plan]
            if code not in plans[county]:
                plans[county].append(code)
    every = sorted(set(MEDI_CAL_PLAN_CODES.values()))
    for county, codes in plans.items():
        if not codes:
            if county in PARTNERSHIP_COUNTIES:
                codes.append(MEDI_CAL_PLAN_CODES["Partnership HealthPlan of California"])
            else:
                codes.extend(every)
    return plans


class People:
    """Makes the people of one seed: the full file's rows as dicts of the layout's columns."""

    def __init__(self, seed: int, month: int) -> None:
        self.rng = random.Random(seed)
        self.month = month
        self.month_text = _month_text(month)
        offsets = random.Random(f"ids-{seed}")
        self.mbi_offset = offsets.randrange(_MBI_SPACE)
        self.cin_offset = offsets.randrange(_CIN_SPACE)
        rows = county_rows()
        self.fips = {row["name"]: row["fips"] for row in rows}
        self.county_names = [row["name"] for row in rows]
        self.county_cum = _cumulative([COUNTY_WEIGHTS[name] for name in self.county_names])
        self.languages = list(LANGUAGE_WEIGHTS)
        self.language_cum = _cumulative(list(LANGUAGE_WEIGHTS.values()))
        self.plans = _county_plans()
        self.fips_to_name = {fips: name for name, fips in self.fips.items()}

    def county(self) -> str:
        return self.rng.choices(self.county_names, cum_weights=self.county_cum)[0]

    def address(self, county: str) -> dict[str, str]:
        r = self.rng
        line2 = f"Apt {r.randrange(1, 300)}" if r.random() < 0.3 else ""
        return {
            "address_line1": f"{r.randrange(1, 20000)} {r.choice(STREETS)} "
            f"{r.choice(STREET_KINDS)}",
            "address_line2": line2,
            "city": COUNTY_SEATS[county],
            "zip": f"9{r.randrange(0, 6162):04d}",
            "county_fips": self.fips[county],
        }

    def person(self, number: int) -> dict[str, str]:
        r = self.rng
        month = self.month
        county = self.county()
        female = r.random() < 0.56
        if r.random() < 0.82:  # 65 or older
            born_year = 2027 - 65 - min(int(r.expovariate(1 / 9.0)), 35)
        else:  # Medicare by disability
            born_year = r.randrange(1963, 2005)
        born_month = r.randrange(1, 13)
        born_day = r.randrange(1, 29)
        born_index = born_year * 12 + born_month - 1
        sixty_five = born_index + 65 * 12
        if sixty_five <= month:
            part_a = sixty_five
        else:
            part_a = month - r.randrange(1, 12 * 12)
            part_a = max(part_a, born_index + 18 * 12)
        part_b = part_a if r.random() < 0.95 else None
        medi_cal_start = month - r.randrange(0, 15 * 12)
        medi_cal_start = max(medi_cal_start, born_index + 12)
        roll = r.random()
        plan = ""
        if roll < 0.05:  # partial: Medicare Savings Program only
            scope, soc = "none", "none"
            msp = r.choice(("QMB", "QMB", "SLMB", "SLMB", "QI", "QDWI"))
            aid = r.choice(AID_CODES_PARTIAL)
        elif roll < 0.075:  # partial: restricted scope
            scope, soc = "restricted", "none"
            msp = r.choice(("none", "QMB", "SLMB", "QI"))
            aid = r.choice(AID_CODES_PARTIAL)
        elif roll < 0.10:  # partial: share of cost not met this month
            scope, soc, msp = "full", "unmet", r.choice(("none", "SLMB"))
            aid = r.choice(AID_CODES_FULL)
        else:  # full dual
            scope = "full"
            soc = "met" if r.random() < 0.03 else "none"
            msp = r.choices(("QMB", "none", "SLMB"), weights=(80, 15, 5))[0]
            aid = r.choice(AID_CODES_FULL)
            if r.random() < 0.85:
                plan = r.choice(self.plans[county])
        with_start = scope != "none" or r.random() < 0.5
        medi_cal_end = _last(month + r.randrange(0, 12)) if with_start and r.random() < 0.2 else ""
        language = self.languages[_bisect(self.language_cum, r.random() * self.language_cum[-1])]
        values = {
            "file_month": self.month_text,
            "cin": cin_for(number, self.cin_offset),
            "mbi": mbi_for(number, self.mbi_offset),
            "last_name": r.choice(LAST_NAMES),
            "first_name": r.choice(FIRST_NAMES_F if female else FIRST_NAMES_M),
            "middle_initial": chr(65 + r.randrange(26)) if r.random() < 0.6 else "",
            "date_of_birth": f"{born_year:04d}-{born_month:02d}-{born_day:02d}",
            "sex": "F" if female else "M",
            "date_of_death": "",
            "phone": f"{r.randrange(200, 1000)}-555-{r.randrange(10000):04d}"
            if r.random() < 0.7
            else "",
            "email": f"person{number}@example.org" if r.random() < 0.15 else "",
            "language": language,
            "medicare_part_a_start": _first(part_a),
            "medicare_part_a_end": "",
            "medicare_part_b_start": _first(part_b) if part_b is not None else "",
            "medicare_part_b_end": "",
            "medi_cal_scope": scope,
            "aid_code": aid,
            "medi_cal_start": _first(medi_cal_start) if with_start else "",
            "medi_cal_end": medi_cal_end,
            "share_of_cost": soc,
            "msp": msp,
            "medi_cal_plan_code": plan,
            "incarcerated": "Y" if r.random() < 0.001 else "N",
            "lawfully_present": "Y",
        }
        values.update(self.address(county))
        return values

    def spoil(self, values: dict[str, str], kind: str, previous_cin: str) -> None:
        """Make one record invalid in the way ``kind`` names."""
        r = self.rng
        if kind == "bad_mbi":
            mbi = values["mbi"]
            values["mbi"] = r.choice(("0" + mbi[1:], mbi[:1] + "S" + mbi[2:], mbi[:10]))
        elif kind == "nonexistent_date":
            field = r.choice(("date_of_birth", "medicare_part_a_start", "medi_cal_start"))
            values[field] = "2026-02-30"
            if field == "medi_cal_start":
                values["medi_cal_end"] = ""
        elif kind == "end_before_start":
            values["medi_cal_scope"] = "full"
            values["msp"] = "QMB"
            values["medi_cal_start"] = _first(self.month - 6)
            values["medi_cal_end"] = _last(self.month - 9)
        elif kind == "unknown_county":
            values["county_fips"] = "06999"
        elif kind == "qi_with_full_scope":
            values["medi_cal_scope"] = "full"
            values["msp"] = "QI"
            values["medi_cal_start"] = values["medi_cal_start"] or _first(self.month - 12)
        elif kind == "blank_required":
            values[r.choice(("last_name", "date_of_birth", "address_line1", "city"))] = ""
        elif kind == "bad_zip":
            values["zip"] = r.choice(("9410", "CA 94103", "94103-12"))
        elif kind == "duplicate_cin":
            values["cin"] = previous_cin
        else:
            raise ValueError(kind)


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _bisect(cumulative: list[float], value: float) -> int:
    lo, hi = 0, len(cumulative) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cumulative[mid] <= value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def header_order(seed: int, plain: bool) -> list[str]:
    columns = list(COLUMNS)
    if not plain:
        random.Random(f"header-{seed}").shuffle(columns)
    return columns


def full_rows(people: int, month: int, seed: int) -> Iterator[tuple[dict[str, str], str | None]]:
    """Each row of the full file, with the invalid kind it was given (or None)."""
    maker = People(seed, month)
    spoiled = invalid_positions(seed, people)
    previous_cin = ""
    for number in range(people):
        values = maker.person(number)
        kind = spoiled.get(number)
        cin = values["cin"]
        if kind is not None:
            maker.spoil(values, kind, previous_cin)
        previous_cin = cin
        yield values, kind


def write_full(out: Path, people: int, month: int, seed: int, plain: bool) -> Counter[str]:
    columns = header_order(seed, plain)
    kinds: Counter[str] = Counter()
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        batch: list[list[str]] = []
        for values, kind in full_rows(people, month, seed):
            if kind:
                kinds[kind] += 1
            batch.append([values[c] for c in columns])
            if len(batch) >= 5000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
    return kinds


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def _count_rows(path: Path) -> int:
    """Data rows of a file this generator wrote (no field of it spans lines)."""
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1


def write_changes(
    out: Path, source: Path, changes: int, seed: int, plain: bool
) -> tuple[Counter[str], int]:
    rows = _count_rows(source)
    spoiled = invalid_positions(seed, rows)
    excluded = set(spoiled) | {p - 1 for p, kind in spoiled.items() if kind == "duplicate_cin"}
    rng = random.Random(f"changes-{seed}")
    candidates = sorted(rng.sample(range(rows), min(rows, changes + len(excluded) + 100)))
    first = next(_read(source), None)
    if first is None:
        raise SystemExit(f"{source} has no rows")
    month = _month_index(first["file_month"])
    file_month = parse_month(first["file_month"])
    assert file_month is not None
    maker = People(seed, month + 1)
    maker.rng = random.Random(f"change-values-{seed}")
    plan_codes = frozenset(MEDI_CAL_PLAN_CODES.values())
    today = dt.date.today()
    kinds_list = list(CHANGE_KINDS)
    kinds_cum = _cumulative(list(CHANGE_KINDS.values()))
    columns = header_order(seed + 1, plain)
    wanted = iter(candidates)
    next_wanted = next(wanted, None)
    kinds: Counter[str] = Counter()
    written = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for number, values in enumerate(_read(source)):
            if written >= changes or next_wanted is None:
                break
            if number != next_wanted:
                continue
            next_wanted = next(wanted, None)
            if number in excluded:
                continue
            record, _errors = record_check(
                RawRecord(number + 2, dict(values)),
                file_month=file_month,
                today=today,
                plan_codes=plan_codes,
            )
            if record is None:
                continue
            kind = kinds_list[_bisect(kinds_cum, rng.random() * kinds_cum[-1])]
            if kind == "lost_medi_cal" and values["medi_cal_scope"] == "none":
                kind = "new_address"  # nothing to lose
            change(maker, values, kind, month)
            kinds[kind] += 1
            writer.writerow([values.get(c, "") for c in columns])
            written += 1
    return kinds, written


def change(maker: People, values: dict[str, str], kind: str, month: int) -> None:
    """Apply one change to a person's row of FULL (whose month is ``month``)."""
    r = maker.rng
    values["file_month"] = _month_text(month + 1)
    if kind == "lost_medi_cal":
        values["medi_cal_scope"] = "none"
        values["share_of_cost"] = "none"
        values["medi_cal_plan_code"] = ""
        if values["msp"] in ("", "none"):
            values["msp"] = r.choice(("none", "QMB", "SLMB"))
        if values["medi_cal_start"]:
            values["medi_cal_end"] = _last(month)
    elif kind == "moved_county":
        old = maker.fips_to_name.get(values["county_fips"], "")
        county = maker.county()
        while county == old:
            county = maker.county()
        values.update(maker.address(county))
        if values["medi_cal_plan_code"] and values["medi_cal_plan_code"] not in maker.plans[county]:
            values["medi_cal_plan_code"] = r.choice(maker.plans[county]) if r.random() < 0.7 else ""
    elif kind == "died":
        values["date_of_death"] = f"{_month_text(month)}-{r.randrange(1, 29):02d}"
    elif kind == "part_b_ended":
        if not values["medicare_part_b_start"]:
            values["medicare_part_b_start"] = values["medicare_part_a_start"]
        values["medicare_part_b_end"] = _last(month)
    elif kind == "new_address":
        county = maker.fips_to_name[values["county_fips"]]
        values.update(maker.address(county))
    elif kind == "new_language":
        old = values["language"] or "en"  # blank is English (or what is on record)
        while values["language"] in (old, ""):
            values["language"] = maker.languages[
                _bisect(maker.language_cum, r.random() * maker.language_cum[-1])
            ]
    else:
        raise ValueError(kind)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the CSV file to write")
    parser.add_argument("--people", type=int, default=1000, help="rows of a full file")
    parser.add_argument("--month", default="2027-01", help="file_month of a full file (YYYY-MM)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plain-order", action="store_true", help="the layout's column order")
    parser.add_argument("--changes-from", type=Path, help="write a change file from this FULL")
    parser.add_argument("--changes", type=int, default=100_000, help="people in the change file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    if args.changes_from:
        kinds, written = write_changes(
            args.out, args.changes_from, args.changes, args.seed, args.plain_order
        )
        print(
            f"wrote {args.out}: {written} changes "
            f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        return
    kinds = write_full(args.out, args.people, _month_index(args.month), args.seed, args.plain_order)
    print(
        f"wrote {args.out}: {args.people} rows, {sum(kinds.values())} invalid "
        f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
