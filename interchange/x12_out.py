"""An X12 834 (005010X220A1) written as a stream: the envelope, the header, then one member
loop (2000 ``INS`` ... 2300 ``HD``) per ``Member``, in batches of joined strings.

``Writer834`` is the whole file: ``open()`` writes ISA, GS, ST and the 834 header,
``members()`` writes the member loops from any iterable (a database cursor read in chunks), and
``close()`` writes SE (the segments counted while writing), GE and IEA with the control numbers
of the ISA and GS. Memory stays flat: nothing but one batch of members is held at a time.

The segment conventions are those the reader (``interchange/x12.py``) takes: ``REF*0F`` the CIN,
``REF*F6`` the MBI, ``NM1*IL`` the name, ``N3``/``N4`` the residence with the state's county
code 01-58 in ``N406`` after ``N405`` ``CY``, ``DMG`` the birth date and sex, ``LUI`` the
language (ISO 639-2), and per coverage ``HD`` with ``DTP*348``/``DTP*349``. What each element
means is in ``docs/enrollment-files-out.md``. Values are cleaned of the delimiters and of
characters outside ASCII (accents are dropped: ``Peña`` is written ``Pena``), and cut to the
implementation guide's maximum lengths; trailing empty elements are never written.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, NamedTuple, TextIO

VERSION: Final = "005010X220A1"
ELEMENT: Final = "*"
SUBELEMENT: Final = ":"
REPETITION: Final = "^"
# The segment terminator, then a line break so a person can read the file (the reader and
# pyx12 both take it).
TERMINATOR: Final = "~\n"
BATCH: Final = 2000

# The layout's language code -> LUI02 (ISO 639-2) and LUI03 (a name, where the code alone
# does not tell Chinese scripts apart). The reader maps them back (``x12.LANGUAGES``).
LUI_CODES: Final = {
    "en": ("ENG", ""),
    "es": ("SPA", ""),
    "ar": ("ARA", ""),
    "hy": ("ARM", ""),
    "zh": ("CHI", ""),
    "zh-Hans": ("CHI", "CHINESE SIMPLIFIED"),
    "zh-Hant": ("CHI", "CHINESE TRADITIONAL"),
    "fa": ("PER", ""),
    "km": ("KHM", ""),
    "ko": ("KOR", ""),
    "ru": ("RUS", ""),
    "tl": ("TGL", ""),
    "vi": ("VIE", ""),
    "hmn": ("HMN", ""),
}

# Delimiters (and line breaks) inside a value become blanks.
_DELIMITERS: Final = str.maketrans(
    {ELEMENT: " ", SUBELEMENT: " ", REPETITION: " ", "~": " ", "\r": " ", "\n": " "}
)


def text(value: str | None, limit: int) -> str:
    """A value fit for an element: ASCII, no delimiter, no outer blanks, at most ``limit``."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return value.translate(_DELIMITERS).strip()[:limit]


def d8(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def county_code(fips: str) -> str:
    """A California FIPS code (06xxx) -> the state's county code 01-58 (``N406``)."""
    return _COUNTY_CODES.get(fips, "")


# FIPS 06001 (Alameda) ... 06115 (Yuba): 06 and 2n-1 for the state's code n (domain.md 9).
_COUNTY_CODES: Final = {f"06{2 * n - 1:03d}": f"{n:02d}" for n in range(1, 59)}


class Coverage(NamedTuple):
    """One 2300 loop: ``HD01`` maintenance, ``HD04`` plan description (written as given: clean
    it once per file with ``text``), the benefit dates and an optional ``REF*ZZ`` (the Medi-Medi
    Plan's contract-PBP for an aligned enrollment). Dates are D8 (``CCYYMMDD``), ``""`` none."""

    maintenance: str
    plan: str
    start: str
    end: str = ""
    reference: str = ""


class Member(NamedTuple):
    """One member loop (2000). Dates are D8 text (``CCYYMMDD``, see ``d8``); an empty string is
    an element not sent. Names and address lines are cleaned here (``member_segments``)."""

    maintenance: str  # INS03: 001, 021, 024, 025, 030
    reason: str  # INS04
    medicare: str  # INS06-1: A, B, C (both), E (none)
    cin: str
    mbi: str
    last_name: str
    first_name: str
    middle_initial: str
    address_line1: str
    address_line2: str
    city: str
    zip_code: str
    county_fips: str
    birth: str
    sex: str
    language: str
    death: str
    eligibility_start: str  # DTP*356
    eligibility_end: str  # DTP*357
    changed_on: str  # DTP*303, the maintenance effective date of a change
    reason_code: str  # REF*ZZ in the 2000 loop: the portal's own end reason, for a 024
    coverages: tuple[Coverage, ...]


# Joins a member's text values so they are cleaned in one pass (not a delimiter, and ASCII).
_UNIT = "\x1f"


def member_segments(m: Member) -> list[str]:
    """One member's loop as segments without terminators."""
    joined = _UNIT.join(
        (m.cin, m.mbi, m.last_name, m.first_name, m.middle_initial, m.address_line1,
         m.address_line2, m.city)
    )  # fmt: skip
    if not joined.isascii():
        joined = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore").decode("ascii")
    if (
        "*" in joined
        or ":" in joined
        or "^" in joined
        or "~" in joined
        or "\n" in joined
        or "\r" in joined
    ):
        joined = joined.translate(_DELIMITERS)
    cin, mbi, last, first, middle, line1, line2, city = joined.split(_UNIT)
    ins = f"INS*Y*18*{m.maintenance}*{m.reason}*A*{m.medicare}"
    if m.death:
        ins += f"*****D8*{m.death}"
    out = [ins, f"REF*0F*{cin.strip()}"]
    mbi = mbi.strip()
    if mbi:
        out.append(f"REF*F6*{mbi}")
    if m.reason_code:
        out.append(f"REF*ZZ*{m.reason_code}")
    if m.eligibility_start:
        out.append(f"DTP*356*D8*{m.eligibility_start}")
    if m.eligibility_end:
        out.append(f"DTP*357*D8*{m.eligibility_end}")
    if m.changed_on:
        out.append(f"DTP*303*D8*{m.changed_on}")
    name = f"NM1*IL*1*{last.strip()[:60]}"
    first = first.strip()[:35]
    middle = middle.strip()[:25]
    if first or middle:
        name += f"*{first}"
        if middle:
            name += f"*{middle}"
    out.append(name)
    line1 = line1.strip()[:55]
    if line1:
        line2 = line2.strip()[:55]
        out.append(f"N3*{line1}*{line2}" if line2 else f"N3*{line1}")
    city = city.strip()[:30]
    if city:
        county = county_code(m.county_fips)
        n4 = f"N4*{city}*CA*{m.zip_code.replace('-', '')[:15]}"
        out.append(f"{n4}**CY*{county}" if county else n4)
    out.append(f"DMG*D8*{m.birth}*{m.sex or 'U'}")
    lui = LUI_CODES.get(m.language)
    if lui is not None:
        code, description = lui
        out.append(f"LUI*LE*{code}*{description}*5" if description else f"LUI*LE*{code}**5")
    for c in m.coverages:
        out.append(f"HD*{c.maintenance}**HLT*{c.plan}*IND")
        out.append(f"DTP*348*D8*{c.start}")
        if c.end:
            out.append(f"DTP*349*D8*{c.end}")
        if c.reference:
            out.append(f"REF*ZZ*{c.reference}")
    return out


@dataclass(frozen=True)
class Envelope:
    """Who sends to whom, and the interchange's control number (ISA13, also GS06)."""

    sender: str  # ISA06 / GS02
    receiver: str  # ISA08 / GS03
    control: int
    created: datetime
    usage: str = "P"  # ISA15: P production, T test


@dataclass(frozen=True)
class Header:
    """The 834 header: BGN, the file's effective date, the sponsor (``N1*P5``) and the payer
    (``N1*IN``), and the number of member loops (``QTY*TO``)."""

    reference: str  # BGN02
    action: str  # BGN08: 2 change (update), 4 verify (a full audit file)
    effective: date  # DTP*007
    sponsor_name: str
    sponsor_id: str
    payer_name: str
    payer_id: str
    members: int
    policy: str = ""  # REF*38, the plan's code at the state, when known
    transaction_control: str = "0001"


class Writer834:
    """One interchange with one group and one 834 transaction set, written as it goes."""

    def __init__(self, handle: TextIO, envelope: Envelope, header: Header) -> None:
        self.handle = handle
        self.envelope = envelope
        self.header = header
        self.segments = 0  # ST to SE, SE included once closed
        self.members_written = 0
        self._opened = False

    def open(self) -> None:
        e, h = self.envelope, self.header
        created = e.created
        isa = (
            f"ISA*00*{'':10}*00*{'':10}*ZZ*{text(e.sender, 15):<15}*ZZ*"
            f"{text(e.receiver, 15):<15}*{created:%y%m%d}*{created:%H%M}*{REPETITION}*00501*"
            f"{e.control:09d}*0*{e.usage}*{SUBELEMENT}"
        )
        gs = (
            f"GS*BE*{text(e.sender, 15)}*{text(e.receiver, 15)}*{created:%Y%m%d}*"
            f"{created:%H%M}*{e.control}*X*{VERSION}"
        )
        head = [
            f"ST*834*{h.transaction_control}*{VERSION}",
            f"BGN*00*{text(h.reference, 50)}*{created:%Y%m%d}*{created:%H%M}****{h.action}",
        ]
        if h.policy:
            head.append(f"REF*38*{text(h.policy, 50)}")
        head.append(f"DTP*007*D8*{d8(h.effective)}")
        head.append(f"QTY*TO*{h.members}")
        head.append(f"N1*P5*{text(h.sponsor_name, 60)}*94*{text(h.sponsor_id, 80)}")
        head.append(f"N1*IN*{text(h.payer_name, 60)}*94*{text(h.payer_id, 80)}")
        self.handle.write(isa + TERMINATOR + gs + TERMINATOR + TERMINATOR.join(head) + TERMINATOR)
        self.segments = len(head)
        self._opened = True

    def members(self, members: Iterable[Member]) -> None:
        """Write member loops, joined a batch at a time."""
        assert self._opened, "open() first"
        batch: list[str] = []
        count = 0
        segments = 0
        write = self.handle.write
        for member in members:
            loop = member_segments(member)
            segments += len(loop)
            batch.append(TERMINATOR.join(loop))
            count += 1
            if len(batch) >= BATCH:
                write(TERMINATOR.join(batch) + TERMINATOR)
                batch.clear()
        if batch:
            write(TERMINATOR.join(batch) + TERMINATOR)
        self.segments += segments
        self.members_written += count

    def close(self) -> int:
        """Write the trailers; return SE01 (the segments from ST to SE)."""
        e, h = self.envelope, self.header
        self.segments += 1  # SE
        self.handle.write(
            f"SE*{self.segments}*{h.transaction_control}{TERMINATOR}"
            f"GE*1*{e.control}{TERMINATOR}IEA*1*{e.control:09d}{TERMINATOR}"
        )
        return self.segments
