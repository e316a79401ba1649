"""A state-sized monthly eligibility file as an X12 834 (005010X220A1), synthetic and seeded.

Run from the project folder::

    .venv/bin/python bench/gen_x12.py OUT.834 --members 1500000 --month 2027-01 --seed 1

The people are those of ``bench/gen_eligibility.py`` with the same ``--seed`` and ``--month``
(its ``full_rows``: the same CINs, MBIs, counties, coverage and the same 0.5% invalid records,
one per block of 200), written with the 834 mapping of ``interchange/x12.py``
(``docs/eligibility-files.md``, "X12 834 (005010X220A1)"): ``REF*0F`` CIN, ``REF*F6`` MBI,
``NM1*IL``, ``PER``, ``N3``/``N4`` (the county as the state's code 01-58 for 80% of members,
as a FIPS code for the rest), ``DMG``, ``LUI``, one ``HD`` (aid code in HD04) with
``DTP*348/349`` when the person has a Medi-Cal period, and the 2700 reporting categories
(Medicare Part A/B dates, Medi-Cal scope, share of cost, MSP, Medi-Cal plan code, incarcerated,
lawfully present, aid code when there is no HD) for what the 834 does not carry. The header's
``DTP*007`` gives the file's month. An invalid county is written as the code ``77`` or the FIPS
``06999``; the other invalid kinds keep the CSV generator's values (a malformed MBI, a date that
does not exist, an end before its start, ...), which the reader passes on for the record check.

Written member by member (memory stays flat whatever ``--members``); the same arguments give
the same bytes. Prints one summary line (members, invalid, segments, seconds), never a person's
data.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench.gen_eligibility import _month_index, full_rows  # noqa: E402

TERMINATORS = {"newline": "~\n", "crlf": "~\r\n", "bare": "~"}
# The layout's language -> LUI02 (ISO 639-2) and LUI03.
LUI_CODES = {
    "en": ("ENG", ""),
    "es": ("SPA", ""),
    "zh": ("CHI", ""),
    "zh-Hant": ("CHI", "CHINESE TRADITIONAL"),
    "vi": ("VIE", ""),
    "ko": ("KOR", ""),
    "tl": ("TGL", ""),
    "hy": ("ARM", ""),
    "ru": ("RUS", ""),
    "fa": ("PER", ""),
    "ar": ("ARA", ""),
    "km": ("KHM", ""),
    "hmn": ("HMN", ""),
}
# 2700 reporting categories written with a REF (text) or a DTP*007 (a date).
REF_CATEGORIES = (
    ("medi_cal_scope", "MEDI-CAL SCOPE", ""),
    ("share_of_cost", "SHARE OF COST", "none"),
    ("msp", "MSP", "none"),
    ("medi_cal_plan_code", "MEDI-CAL PLAN CODE", ""),
    ("incarcerated", "INCARCERATED", "N"),
    ("lawfully_present", "LAWFULLY PRESENT", "Y"),
)
DATE_CATEGORIES = (
    ("medicare_part_a_start", "MEDICARE PART A START"),
    ("medicare_part_a_end", "MEDICARE PART A END"),
    ("medicare_part_b_start", "MEDICARE PART B START"),
    ("medicare_part_b_end", "MEDICARE PART B END"),
)


def _d8(text: str) -> str:
    return text.replace("-", "")


def county_code(fips: str, number: int) -> str:
    """N406 for a county: the state's code 01-58 for 4 members in 5, else the FIPS code."""
    county = int(fips[2:]) if fips[2:].isdigit() else 0
    if number % 5 == 4:
        return fips
    if county % 2 == 1 and 1 <= county <= 115:
        return f"{(county + 1) // 2:02d}"
    return "77"  # no county has this code


def member_segments(values: dict[str, str], number: int) -> list[str]:
    """One member's loop (INS to LE) as segments without terminators."""
    v = values
    out = [
        "INS*Y*18*030*XN*A***AC"
        + (f"***D8*{_d8(v['date_of_death'])}" if v["date_of_death"] else ""),
        f"REF*0F*{v['cin']}",
        f"REF*F6*{v['mbi']}",
        f"NM1*IL*1*{v['last_name']}*{v['first_name']}"
        + (f"*{v['middle_initial']}" if v["middle_initial"] else ""),
    ]
    if v["phone"] or v["email"]:
        per = "PER*IP*"
        if v["phone"]:
            per += f"*TE*{v['phone'].replace('-', '')}"
        if v["email"]:
            per += f"*EM*{v['email']}"
        out.append(per)
    out.append(
        f"N3*{v['address_line1']}*{v['address_line2']}"
        if v["address_line2"]
        else f"N3*{v['address_line1']}"
    )
    out.append(
        f"N4*{v['city']}*CA*{v['zip'].replace('-', '')}**CY*{county_code(v['county_fips'], number)}"
    )
    out.append(f"DMG*D8*{_d8(v['date_of_birth'])}*{v['sex']}")
    if v["language"]:
        code, name = LUI_CODES[v["language"]]
        out.append(f"LUI*LE*{code}*{name}*5" if name else f"LUI*LE*{code}**5")
    categories: list[tuple[str, str]] = []
    if v["medi_cal_start"] or v["medi_cal_end"]:
        out.append(f"HD*030**HLT*{v['aid_code']}*IND")
        if v["medi_cal_start"]:
            out.append(f"DTP*348*D8*{_d8(v['medi_cal_start'])}")
        if v["medi_cal_end"]:
            out.append(f"DTP*349*D8*{_d8(v['medi_cal_end'])}")
    elif v["aid_code"]:
        categories.append(("AID CODE", f"REF*ZZ*{v['aid_code']}"))
    for column, name in DATE_CATEGORIES:
        if v[column]:
            categories.append((name, f"DTP*007*D8*{_d8(v[column])}"))
    for column, name, default in REF_CATEGORIES:
        if v[column] and v[column] != default:
            categories.append((name, f"REF*ZZ*{v[column]}"))
    if categories:
        out.append("LS*2700")
        for index, (name, segment) in enumerate(categories, 1):
            out.append(f"LX*{index}")
            out.append(f"N1*75*{name}")
            out.append(segment)
        out.append("LE*2700")
    return out


def write_file(
    out: Path, members: int, month: int, seed: int, terminator: str = "~\n"
) -> tuple[Counter[str], int]:
    """Write the 834; return the invalid kinds written and the number of segments."""
    year, month0 = divmod(month, 12)
    first = f"{year:04d}{month0 + 1:02d}01"
    control = f"{seed % 1_000_000_000:09d}"
    term = terminator
    kinds: Counter[str] = Counter()
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            f"ISA*00*{'':10}*00*{'':10}*ZZ*{'CADHCS':15}*ZZ*{'MEDIMEDI':15}*{first[2:]}*0100*^*"
            f"00501*{control}*0*P*:{term}"
        )
        handle.write(f"GS*BE*CADHCS*MEDIMEDI*{first}*0100*{seed}*X*005010X220A1{term}")
        header = [
            "ST*834*0001*005010X220A1",
            f"BGN*00*ELIG{first[:6]}*{first}*0100****RX",
            f"DTP*007*D8*{first}",
            "N1*P5*CALIFORNIA DHCS*FI*946000417",
            "N1*IN*MEDI-MEDI PORTAL*FI*000000000",
        ]
        handle.write(term.join(header) + term)
        segments = len(header)
        batch: list[str] = []
        for number, (values, kind) in enumerate(full_rows(members, month, seed)):
            if kind:
                kinds[kind] += 1
            member = member_segments(values, number)
            segments += len(member)
            batch.append(term.join(member))
            if len(batch) >= 5000:
                handle.write(term.join(batch) + term)
                batch.clear()
        if batch:
            handle.write(term.join(batch) + term)
        segments += 1
        handle.write(f"SE*{segments}*0001{term}GE*1*{seed}{term}IEA*1*{control}{term}")
    return kinds, segments + 4


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the 834 file to write")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--month", default="2027-01", help="the file's month (YYYY-MM)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--terminator",
        choices=sorted(TERMINATORS),
        default="newline",
        help="~ followed by a line break (default), by CR LF, or alone",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    kinds, segments = write_file(
        args.out, args.members, _month_index(args.month), args.seed, TERMINATORS[args.terminator]
    )
    print(
        f"wrote {args.out}: {args.members} members, {sum(kinds.values())} invalid "
        f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), {segments} segments "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
