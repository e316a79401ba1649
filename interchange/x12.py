"""The state's eligibility file as an X12 834 (005010X220A1), read as a stream.

``read_x12(stream)`` reads the interchange header (ISA, GS, ST, BGN and the 834 header up to the
first member) at once, so a file that is not a 005010X220A1 834 is refused before any record;
``X12File.records()`` then yields one ``RawRecord`` per member (``INS`` loop), with the layout's
column names (``../shared/files/eligibility-csv.md``) as a CSV row would carry them, so the one
``record_check`` validates both formats. The mapping, the envelope rules and the leniencies are
in ``docs/eligibility-files.md`` ("X12 834 (005010X220A1)").

Trailers (SE, GE, IEA counts and control numbers) can only be checked as they are read: a
mismatch raises ``UnreadableFile`` from ``records()`` after records were yielded, and the caller
must then write nothing. A truncated file (no IEA at its end) is caught before the first record
when the stream can seek.

Speed: the file is read in chunks (1 MiB by default) and decoded incrementally; each chunk is
split on the segment terminator, each segment on the element separator, and segments are
dispatched by an if-chain on the segment id. No regular expression runs per segment. Messages
never carry a person's data (codes of counties, states and languages only).
"""

import codecs
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO, Final

from interchange.errors import UnreadableFile
from interchange.records import COLUMNS, RawRecord, RecordError

VERSION: Final = "005010X220A1"
CHUNK_SIZE: Final = 1 << 20
# ISA01..ISA16 widths: a conforming ISA is 106 characters with its terminator.
_ISA_WIDTHS: Final = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)

# 2700 loop reporting categories (N1*75 name, upper case, single spaces) -> the layout's column.
CATEGORIES: Final = {
    "MEDICARE PART A START": "medicare_part_a_start",
    "MEDICARE PART A END": "medicare_part_a_end",
    "MEDICARE PART B START": "medicare_part_b_start",
    "MEDICARE PART B END": "medicare_part_b_end",
    "MEDI-CAL SCOPE": "medi_cal_scope",
    "AID CODE": "aid_code",
    "SHARE OF COST": "share_of_cost",
    "MSP": "msp",
    "MEDI-CAL PLAN CODE": "medi_cal_plan_code",
    "INCARCERATED": "incarcerated",
    "LAWFULLY PRESENT": "lawfully_present",
    "DATE OF DEATH": "date_of_death",
}
# Categories whose DTP*007 may be a range (RD8 start-end): the name -> (start column, end column).
RANGE_CATEGORIES: Final = {
    "MEDICARE PART A": ("medicare_part_a_start", "medicare_part_a_end"),
    "MEDICARE PART B": ("medicare_part_b_start", "medicare_part_b_end"),
}
# LUI02 (ISO 639-2 / NISO Z39.53 codes, ISO 639-1 codes) or LUI03 (a language's name) -> the
# layout's language code (a Medi-Cal threshold language).
LANGUAGES: Final = {
    "ENG": "en", "EN": "en", "ENGLISH": "en",
    "SPA": "es", "ES": "es", "SPANISH": "es",
    "CHI": "zh", "ZHO": "zh", "ZH": "zh", "CMN": "zh", "CHINESE": "zh", "MANDARIN": "zh",
    "ZH-HANS": "zh", "YUE": "zh-Hant", "ZH-HANT": "zh-Hant", "CANTONESE": "zh-Hant",
    "CHINESE TRADITIONAL": "zh-Hant", "TRADITIONAL CHINESE": "zh-Hant",
    "VIE": "vi", "VI": "vi", "VIETNAMESE": "vi",
    "KOR": "ko", "KO": "ko", "KOREAN": "ko",
    "TGL": "tl", "FIL": "tl", "TL": "tl", "TAGALOG": "tl", "FILIPINO": "tl",
    "ARM": "hy", "HYE": "hy", "HY": "hy", "ARMENIAN": "hy",
    "RUS": "ru", "RU": "ru", "RUSSIAN": "ru",
    "PER": "fa", "FAS": "fa", "FA": "fa", "FARSI": "fa", "PERSIAN": "fa",
    "ARA": "ar", "AR": "ar", "ARABIC": "ar",
    "KHM": "km", "KM": "km", "KHMER": "km", "CAMBODIAN": "km",
    "HMN": "hmn", "HMONG": "hmn",
}  # fmt: skip
# LUI04 language use: reading (5) first, for letters; then writing, native, speaking, unstated.
_LANGUAGE_USE_RANK: Final = {"5": 0, "6": 1, "8": 2, "7": 3}
_PHONE_QUALIFIERS: Final = frozenset({"TE", "HP", "CP", "WP", "AP"})
_BLANK: Final = dict.fromkeys(COLUMNS, "")
_UNKNOWN_CATEGORY_LIMIT = 50
_PAD: Final = [""] * 17
# Segment ids of the envelope: one of them inside a member means the transaction was not closed.
_ENVELOPE: Final = frozenset({"ISA", "IEA", "GS", "GE", "ST"})

# Envelope states.
_IN_INTERCHANGE = 0  # after ISA or GE: GS or IEA next
_IN_GROUP = 1  # after GS or SE: ST or GE next
_IN_TRANSACTION = 2  # after ST: header, members, SE
_DONE = 3  # after IEA: nothing, or another ISA

# Loop context inside a member.
_HEADER = -1  # not in a member (transaction header)
_MEMBER = 0  # 2000: INS, REF, DTP
_NAME = 1  # 2100A: NM1*IL / NM1*74 and its N3, N4, DMG, PER, LUI
_OTHER = 2  # another 2100 loop (incorrect name, mailing address, responsible person ...)
_COVERAGE = 3  # 2300: HD and what follows
_REPORTING = 4  # 2700/2750: LS ... LE


def county_fips(code: str) -> str | None:
    """N406 -> a California FIPS code: the state's county code 01-58 or a 5-digit FIPS code."""
    if len(code) == 2 and code.isdigit() and 1 <= int(code) <= 58:
        return f"06{2 * int(code) - 1:03d}"
    if len(code) == 5 and code.isdigit() and code.startswith("06"):
        number = int(code[2:])
        if 1 <= number <= 115 and number % 2 == 1:
            return code
    return None


_COUNTIES: Final = {
    code: fips
    for n in range(1, 59)
    for code, fips in (
        (f"{n:02d}", f"06{2 * n - 1:03d}"),
        (f"06{2 * n - 1:03d}", f"06{2 * n - 1:03d}"),
    )
}


def _d8(text: str) -> str:
    """CCYYMMDD -> YYYY-MM-DD; anything else is kept as sent, for the check to report."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _month_of(text: str) -> date | None:
    text = text.strip()[:8]
    if len(text) == 8 and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), 1)
        except ValueError:
            return None
    return None


def _same(a: str, b: str) -> bool:
    """Control numbers and counts agree (leading zeros and blanks do not matter)."""
    a, b = a.strip(), b.strip()
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def _phone(text: str) -> str:
    text = text.strip()
    return f"{text[:3]}-{text[3:6]}-{text[6:]}" if len(text) == 10 and text.isdigit() else text


class X12File:
    """An 834 whose header was read: its month, its warnings, and its members, streamed.

    ``warnings`` grows while ``records()`` is read (line breaks, unused 2700 categories, a last
    segment without terminator): it is complete once ``records()`` is exhausted.
    """

    def __init__(
        self, stream: BinaryIO, *, file_month: date | None, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self.file_month: date | None = file_month
        self.warnings: list[str] = []
        self._given_month = file_month
        self._stream = stream
        self._chunk_size = max(1, chunk_size)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._replaced = False
        self._sep = "*"
        self._sub = ":"
        self._term = "~"
        self._isa13 = ""
        self._rest = ""
        self._terms_newline = 0
        self._terms_space = 0
        self._after_term = False
        self._unknown_categories: set[str] = set()
        self._month_text = ""
        self._month_d8 = ("", "")
        self._records: Iterator[RawRecord | None] | None = None
        self._consumed = False

    # Reading the stream ---------------------------------------------------------------------

    def _read_text(self) -> str | None:
        """The next chunk of text, or None at the end of the stream."""
        while True:
            data = self._stream.read(self._chunk_size)
            if not data:
                tail = self._decoder.decode(b"", final=True)
                return tail or None
            text = self._decoder.decode(data)
            if text:
                if not self._replaced and "\ufffd" in text:
                    self._replaced = True
                    self.warnings.append(
                        "bytes that are not UTF-8 were replaced by U+FFFD (the file is not UTF-8)"
                    )
                return text

    def _open(self) -> None:
        """Read the ISA: the delimiters, and whether it keeps its fixed widths."""
        head = ""
        while True:
            text = self._read_text()
            if text is None:
                break
            head += text
            stripped = head.lstrip("\ufeff \t\r\n")
            if len(stripped) >= 3 and not stripped.startswith("ISA"):
                break
            if len(stripped) > 4 and stripped.count(stripped[3], 0, 400) >= 16:
                # ISA16 and the segment terminator after the 16th separator must have arrived.
                sixteenth = _nth(stripped, stripped[3], 16)
                if len(stripped) >= sixteenth + 3:
                    break
            if len(head) > 4096:
                break
        head = head.lstrip("\ufeff \t\r\n")
        if not head:
            raise UnreadableFile("The file is empty: not an X12 834.")
        if not head.startswith("ISA") or len(head) < 4:
            raise UnreadableFile("Not an X12 file: it does not start with an ISA segment.")
        sep = head[3]
        if sep.isalnum() or sep.isspace():
            raise UnreadableFile("The ISA segment has no element separator after 'ISA'.")
        sixteenth = _nth(head, sep, 16)
        if sixteenth < 0 or len(head) < sixteenth + 3:
            raise UnreadableFile("The ISA segment is incomplete: it does not have 16 elements.")
        sub, term = head[sixteenth + 1], head[sixteenth + 2]
        if term.isalnum() or term in (sep, sub) or term == " ":
            raise UnreadableFile(
                "The ISA segment does not end after ISA16: its segment terminator cannot be found."
            )
        elements = [*head[:sixteenth].split(sep)[1:], sub]
        if sixteenth != 103 or tuple(len(e) for e in elements) != _ISA_WIDTHS:
            self.warnings.append(
                "the ISA segment is not padded to its fixed widths; its delimiters were taken "
                "from ISA16 and the character after it"
            )
        if elements[11].strip() != "00501":
            self.warnings.append(
                f"ISA12 is {elements[11].strip()!r}, not 00501 (read as 005010 anyway)"
            )
        self._sep, self._sub, self._term = sep, sub, term
        self._isa13 = elements[12]
        self._rest = head[sixteenth + 3 :]
        self._after_term = True
        if self._stream.seekable():
            self._check_tail()

    def _check_tail(self) -> None:
        """A seekable file must end with an IEA segment, or it was cut short."""
        stream = self._stream
        try:
            start = stream.tell()
            end = stream.seek(0, 2)
            stream.seek(max(0, end - 1024))
            tail = stream.read().decode("latin-1")
            stream.seek(start)
        except (OSError, ValueError):
            return
        term, sep = self._term, self._sep
        if term not in "\r\n":
            tail = tail.replace("\r", "").replace("\n", "")
        tail = tail.rstrip(" \t\r\n\x00\x1a")
        if tail.endswith(term):
            tail = tail[:-1]
        if not tail.rsplit(term, 1)[-1].strip().startswith("IEA" + sep):
            raise UnreadableFile(
                "The file does not end with an IEA segment: the interchange is cut short or its "
                "trailer is missing."
            )

    def _clean(self, text: str) -> str:
        """Drop line breaks and blanks after terminators; count them for the warnings."""
        term = self._term
        if self._after_term and text[:1] in ("\r", "\n", " "):
            self._terms_newline += 1  # the terminator ended the chunk before
        self._after_term = text.endswith(term)
        if term not in "\r\n":
            if "\n" in text or "\r" in text:
                self._terms_newline += text.count(term + "\n")
                if "\r" in text:
                    self._terms_newline += text.count(term + "\r")
                if term + " \n" in text or term + " \r" in text:
                    self._terms_newline += text.count(term + " \n") + text.count(term + " \r")
                text = text.replace("\r", "").replace("\n", "")
        elif term == "\n":
            text = text.replace("\r", "")
        else:
            text = text.replace("\n", "")
        spaced = term + " "
        if spaced in text:
            self._terms_space += text.count(spaced)
            while spaced in text:
                text = text.replace(spaced, term)
        return text

    def _segment_lists(self) -> Iterator[list[str]]:
        """Lists of segments (without terminators), chunk after chunk; the last one unended."""
        term = self._term
        carry = ""
        text: str | None = self._rest
        while text is not None:
            buf = carry + self._clean(text)
            if buf[:1] == " ":
                buf = buf.lstrip(" ")
            parts = buf.split(term)
            carry = parts.pop()
            yield parts
            text = self._read_text()
        carry = carry.strip()
        if carry:
            self.warnings.append("the last segment has no segment terminator")
            yield [carry]

    # The segments ----------------------------------------------------------------------------

    def _decide_month(self, header_dates: dict[str, str], bgn_date: str) -> None:
        declared = None
        source = ""
        for qualifier in ("007", "303", "090", "382"):
            if qualifier in header_dates:
                declared = _month_of(header_dates[qualifier])
                source = f"DTP*{qualifier}"
                if declared is not None:
                    break
        if self._given_month is not None:
            if declared is not None and declared != self._given_month:
                self.warnings.append(
                    f"the file's header ({source}) names {declared:%Y-%m}; the month given, "
                    f"{self._given_month:%Y-%m}, was used"
                )
            self.file_month = self._given_month
        elif declared is not None:
            self.file_month = declared
        else:
            self.file_month = _month_of(bgn_date)
            if self.file_month is None:
                raise UnreadableFile(
                    "The file's eligibility month cannot be determined: no DTP*007, DTP*303 or "
                    "DTP*090 in the 834 header and no BGN03 date. Give the month explicitly."
                )
            self.warnings.append(
                "no DTP*007 in the 834 header: the file's month is the month of BGN03 "
                "(the date the file was created)"
            )
        self._month_text = f"{self.file_month:%Y-%m}"
        self._month_d8 = (f"{self.file_month:%Y%m}01", f"{self.file_month:%Y%m}31")

    def _parse(self) -> Iterator[RawRecord | None]:
        """Every member; None once, when the header is read and the first member begins."""
        sep = self._sep
        categories = CATEGORIES
        n = 1  # the ISA
        state = _IN_INTERCHANGE
        ctx = _HEADER
        started = False
        gs_ctl = st_ctl = ""
        gs_count = st_count = 0
        st_at = 0
        transactions = 0
        header_dates: dict[str, str] = {}
        bgn_date = ""
        bgn_seen = False
        # The member being read.
        position = 0
        v: dict[str, str] = {}
        probs: list[RecordError] = []
        hds: list[list[str]] = []
        cur: list[str] | None = None
        e356 = e357 = ins01 = ins03 = death = ""
        n3: tuple[str, str] | None = None
        n4: list[str] | None = None
        lui: tuple[int, str, str] | None = None
        category: str | None = None
        ranged: tuple[str, str] | None = None
        subscriber: tuple[tuple[str, str] | None, list[str] | None] = (None, None)
        finish = self._finish

        for parts in self._segment_lists():
            for seg in parts:
                n += 1
                el = seg.split(sep)
                sid = el[0]
                try:
                    if sid == "REF":
                        if ctx == _REPORTING:
                            if category is not None:
                                v[category] = el[2].strip()
                        elif ctx == _MEMBER:
                            q = el[1]
                            if q == "0F":
                                v["cin"] = el[2].strip()
                            elif q == "F6":
                                v["mbi"] = el[2].strip()
                    elif sid == "DTP":
                        q = el[1]
                        if ctx == _REPORTING:
                            if q == "007":
                                if category is not None:
                                    d = el[3]
                                    v[category] = (
                                        f"{d[:4]}-{d[4:6]}-{d[6:]}"
                                        if len(d) == 8 and d.isdigit()
                                        else _d8(d.split("-")[0])
                                    )
                                elif ranged is not None:
                                    dates = el[3].split("-")
                                    v[ranged[0]] = _d8(dates[0])
                                    if len(dates) > 1:
                                        v[ranged[1]] = _d8(dates[1])
                        elif ctx == _HEADER:
                            header_dates.setdefault(q, el[3])
                        elif q == "348":
                            if cur is not None:
                                cur[0] = el[3].strip()
                        elif q == "349":
                            if cur is not None:
                                cur[1] = el[3].strip()
                        elif q == "356":
                            e356 = el[3].strip()
                        elif q == "357":
                            e357 = el[3].strip()
                    elif sid == "LX":
                        category = ranged = None
                    elif sid == "N1":
                        if ctx == _REPORTING:
                            category = categories.get(el[2])
                            ranged = None
                            if category is None:
                                name = " ".join(el[2].upper().split())
                                category = categories.get(name)
                                ranged = RANGE_CATEGORIES.get(name) if category is None else None
                            if category is None and ranged is None:
                                unknown = self._unknown_categories
                                if len(unknown) < _UNKNOWN_CATEGORY_LIMIT:
                                    unknown.add(name)
                    elif sid == "NM1":
                        q = el[1]
                        if q in ("IL", "74"):
                            if ctx == _MEMBER:
                                ctx = _NAME
                                v["last_name"] = el[3].strip()
                                if len(el) > 4:
                                    v["first_name"] = el[4].strip()
                                    if len(el) > 5:
                                        middle = el[5].strip()
                                        v["middle_initial"] = (
                                            middle[0] if middle[:1].isalpha() else middle
                                        )
                        elif ctx in (_MEMBER, _NAME):
                            ctx = _OTHER
                    elif sid == "N3":
                        if ctx == _NAME:
                            n3 = (el[1].strip(), el[2].strip() if len(el) > 2 else "")
                    elif sid == "N4":
                        if ctx == _NAME:
                            n4 = el[1:7]
                    elif sid == "DMG":
                        if ctx == _NAME:
                            d = el[2]
                            v["date_of_birth"] = (
                                f"{d[:4]}-{d[4:6]}-{d[6:]}"
                                if len(d) == 8 and d.isdigit() and el[1] == "D8"
                                else _d8(d)
                                if el[1] == "D8"
                                else d.strip()
                            )
                            if len(el) > 3:
                                v["sex"] = el[3].strip()
                    elif sid == "PER":
                        if ctx == _NAME:
                            for i in range(3, min(len(el), 9), 2):
                                q = el[i]
                                if q in _PHONE_QUALIFIERS and not v["phone"]:
                                    v["phone"] = _phone(el[i + 1])
                                elif q == "EM" and not v["email"]:
                                    v["email"] = el[i + 1].strip()
                    elif sid == "LUI":
                        if ctx == _NAME:
                            use = el[4].strip() if len(el) > 4 else ""
                            rank = _LANGUAGE_USE_RANK.get(use, 4)
                            if lui is None or rank < lui[0]:
                                lui = (
                                    rank,
                                    el[2].strip() if len(el) > 2 else "",
                                    el[3].strip() if len(el) > 3 else "",
                                )
                    elif sid == "HD":
                        if ctx >= _MEMBER:
                            ctx = _COVERAGE
                            cur = ["", "", el[4].strip() if len(el) > 4 else ""]
                            hds.append(cur)
                    elif sid == "LS":
                        if ctx >= _MEMBER:
                            ctx = _REPORTING
                            category = ranged = None
                    elif sid == "LE":
                        if ctx == _REPORTING:
                            ctx = _COVERAGE
                            category = ranged = None
                    elif sid == "INS":
                        if ctx >= _MEMBER:
                            yield finish(
                                position, v, probs, hds, e356, e357, ins01, ins03, death, n3, n4,
                                lui, subscriber,
                            )  # fmt: skip
                            if ins01 == "Y":
                                subscriber = (n3, n4)
                        elif state != _IN_TRANSACTION:
                            raise UnreadableFile(
                                f"Segment {n} (INS) is outside a transaction set (ST/SE)."
                            )
                        elif not bgn_seen:
                            raise UnreadableFile(
                                f"Transaction set {st_ctl} has no BGN after its ST."
                            )
                        elif not started:
                            started = True
                            self._decide_month(header_dates, bgn_date)
                            yield None
                        position = n
                        ctx = _MEMBER
                        v = _BLANK.copy()
                        v["file_month"] = self._month_text
                        probs = []
                        hds = []
                        cur = None
                        e356 = e357 = death = ""
                        n3 = n4 = lui = None
                        category = ranged = None
                        ins01 = el[1].strip() if len(el) > 1 else ""
                        ins03 = el[3].strip() if len(el) > 3 else ""
                        if len(el) > 12 and el[11].strip() == "D8":
                            death = el[12].strip()
                    elif sid == "SE":
                        el += _PAD
                        if state != _IN_TRANSACTION:
                            raise UnreadableFile(f"Segment {n} (SE) has no ST before it.")
                        if ctx >= _MEMBER:
                            yield finish(
                                position, v, probs, hds, e356, e357, ins01, ins03, death, n3, n4,
                                lui, subscriber,
                            )  # fmt: skip
                        ctx = _HEADER
                        subscriber = (None, None)
                        count = el[1]
                        if not _same(count, str(n - st_at + 1)):
                            # Real senders miscount (the MMIS sample says 73 of its 74); the
                            # control numbers still close the set, so read it and say so.
                            self.warnings.append(
                                f"SE01 of transaction set {st_ctl} says {count.strip() or 'nothing'}"
                                f" segments; it has {n - st_at + 1} (ST to SE)."
                            )
                        if not bgn_seen:
                            raise UnreadableFile(
                                f"Transaction set {st_ctl} has no BGN after its ST."
                            )
                        if not _same(el[2], st_ctl):
                            raise UnreadableFile(
                                f"SE02 does not repeat the control number {st_ctl} of its ST."
                            )
                        state = _IN_GROUP
                    elif not sid:
                        n -= 1  # an empty segment (two terminators in a row) is none
                    elif sid in _ENVELOPE:
                        el += _PAD
                        if ctx >= _MEMBER or state == _IN_TRANSACTION:
                            raise UnreadableFile(
                                f"Transaction set {st_ctl} has no SE: {sid} at segment {n} "
                                "comes before it."
                            )
                        if sid == "GS":
                            if state != _IN_INTERCHANGE:
                                raise UnreadableFile(
                                    f"GS at segment {n}: the functional group before it has no GE."
                                    if state == _IN_GROUP
                                    else f"GS at segment {n} is outside an interchange (ISA)."
                                )
                            if el[1].strip() != "BE":
                                raise UnreadableFile(
                                    f"GS01 is {el[1].strip()!r}, not BE: the functional group "
                                    "is not a benefit enrollment (834)."
                                )
                            version = el[8].strip() if len(el) > 8 else ""
                            if version != VERSION:
                                raise UnreadableFile(
                                    f"GS08 is {version!r}, not {VERSION}: only the 834 "
                                    f"implementation guide {VERSION} is read."
                                )
                            gs_ctl = el[6].strip()
                            st_count = 0
                            state = _IN_GROUP
                        elif sid == "ST":
                            if state != _IN_GROUP:
                                raise UnreadableFile(
                                    f"ST at segment {n} is outside a functional group (GS/GE)."
                                )
                            if el[1].strip() != "834":
                                raise UnreadableFile(
                                    f"ST01 is {el[1].strip()!r}: the transaction set is not an "
                                    "834 (benefit enrollment)."
                                )
                            version = el[3].strip() if len(el) > 3 else ""
                            if version and version != VERSION:
                                raise UnreadableFile(
                                    f"ST03 is {version!r}, not {VERSION}: only the 834 "
                                    f"implementation guide {VERSION} is read."
                                )
                            st_ctl = el[2].strip()
                            st_at = n
                            st_count += 1
                            transactions += 1
                            bgn_seen = False
                            state = _IN_TRANSACTION
                        elif sid == "GE":
                            if state != _IN_GROUP:
                                raise UnreadableFile(f"GE at segment {n} has no GS before it.")
                            if not _same(el[1], str(st_count)):
                                raise UnreadableFile(
                                    f"GE01 says {el[1].strip()} transaction sets; functional "
                                    f"group {gs_ctl} has {st_count}."
                                )
                            if not _same(el[2], gs_ctl):
                                raise UnreadableFile(
                                    f"GE02 does not repeat the control number {gs_ctl} of its GS."
                                )
                            gs_count += 1
                            state = _IN_INTERCHANGE
                        elif sid == "IEA":
                            if state != _IN_INTERCHANGE:
                                raise UnreadableFile(
                                    f"IEA at segment {n} is outside an interchange or its "
                                    "functional group has no GE."
                                )
                            if not _same(el[1], str(gs_count)):
                                raise UnreadableFile(
                                    f"IEA01 says {el[1].strip()} functional groups; the "
                                    f"interchange has {gs_count}."
                                )
                            if not _same(el[2], self._isa13):
                                raise UnreadableFile(
                                    "IEA02 does not repeat the interchange control number "
                                    f"{self._isa13.strip()} of its ISA."
                                )
                            state = _DONE
                        else:  # ISA: another interchange in the same file
                            if state != _DONE:
                                raise UnreadableFile(
                                    f"ISA at segment {n}: the interchange before it has no IEA."
                                )
                            if len(el) < 17 or el[16][:1] != self._sub:
                                raise UnreadableFile(
                                    f"The ISA at segment {n} changes the delimiters; only one "
                                    "set of delimiters per file is read."
                                )
                            self._isa13 = el[13]
                            gs_count = 0
                            state = _IN_INTERCHANGE
                    elif ctx == _HEADER:
                        if state != _IN_TRANSACTION:
                            raise UnreadableFile(
                                f"Segment {n} ({sid[:3]}) is outside a transaction set (ST/SE)."
                            )
                        if sid == "BGN":
                            bgn_seen = True
                            if not bgn_date:
                                bgn_date = el[3] if len(el) > 3 else ""
                    # Any other segment (AMT, COB, EC, ...) carries nothing of the layout.
                except IndexError:
                    pass  # a short segment: what it carries was taken, up to what it lacks

        if state != _DONE:
            if state == _IN_TRANSACTION:
                problem = f"transaction set {st_ctl} has no SE"
            elif state == _IN_GROUP:
                problem = f"functional group {gs_ctl} has no GE"
            else:
                problem = "the interchange has no IEA"
            raise UnreadableFile(f"The file ends too early: {problem}.")
        if transactions == 0:
            raise UnreadableFile("The interchange holds no 834 transaction set (ST*834).")
        if not started:
            self._decide_month(header_dates, bgn_date)
            yield None
        self._closing_warnings(n)

    def _closing_warnings(self, segments: int) -> None:
        breaks, terms = self._terms_newline, segments
        if 0 < breaks < terms - 1:
            self.warnings.append(
                f"a line break follows {breaks} of {terms} segment terminators (read either way)"
            )
        if self._terms_space:
            self.warnings.append(
                f"blanks after {self._terms_space} segment terminators were ignored"
            )
        if self._unknown_categories:
            self.warnings.append(
                "2700 reporting categories not used: " + ", ".join(sorted(self._unknown_categories))
            )

    def _finish(
        self,
        position: int,
        v: dict[str, str],
        probs: list[RecordError],
        hds: list[list[str]],
        e356: str,
        e357: str,
        ins01: str,
        ins03: str,
        death: str,
        n3: tuple[str, str] | None,
        n4: list[str] | None,
        lui: tuple[int, str, str] | None,
        subscriber: tuple[tuple[str, str] | None, list[str] | None],
    ) -> RawRecord:
        """The member's record: address, county, coverage, language and death put in place."""
        if ins01 != "Y" and n3 is None and n4 is None:
            n3, n4 = subscriber  # a dependent's residence is sent only when it differs
        if n3 is not None:
            v["address_line1"], v["address_line2"] = n3
        if n4 is not None:
            n4 += [""] * (6 - len(n4))
            v["city"] = n4[0].strip()
            state = n4[1].strip().upper()
            zip_code = n4[2].strip()
            v["zip"] = (
                f"{zip_code[:5]}-{zip_code[5:]}"
                if len(zip_code) == 9 and zip_code.isdigit()
                else zip_code
            )
            code = n4[5].strip() if n4[4].strip() == "CY" else ""
            if code:
                fips = _COUNTIES.get(code)
                if fips is None:
                    v["county_fips"] = code
                    where = f" (N402 state {state})" if state and state != "CA" else ""
                    probs.append(
                        RecordError(
                            "county_fips",
                            "UNKNOWN_COUNTY",
                            f"N406 county code {code!r}{where} is neither a California county "
                            "code 01-58 nor a California FIPS code 06xxx",
                        )
                    )
                else:
                    v["county_fips"] = fips
            elif state and state != "CA":
                probs.append(
                    RecordError(
                        "county_fips",
                        "OUT_OF_STATE",
                        f"N402 state is {state!r} and N4 names no county: the residence is "
                        "outside California",
                    )
                )

        if hds:
            first, last = self._month_d8
            chosen = None
            for hd in hds:
                if hd[0] and hd[0] <= last and (not hd[1] or hd[1] >= first):
                    chosen = hd
            if chosen is None:
                chosen = max(hds, key=lambda hd: hd[0])
            start, end, plan = chosen
            if not v["aid_code"] and len(plan) == 2:
                v["aid_code"] = plan
            # An HD without DTP*348/349 takes the member's eligibility dates (DTP*356/357).
            start, end = start or e356, end or e357
        else:
            start, end = e356, e357
        if ins03 == "024" and not end:
            end = e357
            if not end:
                probs.append(
                    RecordError(
                        "medi_cal_end",
                        "REQUIRED",
                        "INS03 024 ends the coverage but no DTP*349 or DTP*357 gives its end",
                    )
                )
        if start:
            v["medi_cal_start"] = _d8(start)
        if end:
            v["medi_cal_end"] = _d8(end)
        if death:
            v["date_of_death"] = _d8(death)

        if lui is not None:
            _rank, code, name = lui
            language = LANGUAGES.get(code.upper()) or LANGUAGES.get(" ".join(name.upper().split()))
            if language is None:
                if code.upper() in ("CHI", "ZHO") and "TRADITIONAL" in name.upper():
                    language = "zh-Hant"
                else:
                    probs.append(
                        RecordError(
                            "language",
                            "UNKNOWN_LANGUAGE",
                            f"LUI language {(code or name)[:20]!r} is not a Medi-Cal threshold "
                            "language",
                        )
                    )
                    language = ""
            elif language == "zh" and "TRADITIONAL" in name.upper():
                language = "zh-Hant"
            v["language"] = language
        return RawRecord(position, v, probs)

    def records(self) -> Iterator[RawRecord]:
        """Each member, in file order. Raises ``UnreadableFile`` for a broken trailer."""
        if self._consumed:
            raise RuntimeError("An X12 file's records can be read once.")
        self._consumed = True
        assert self._records is not None
        for record in self._records:
            if record is not None:
                yield record


def _nth(text: str, char: str, count: int) -> int:
    """The index of the ``count``-th ``char`` in ``text``, or -1."""
    index = -1
    for _ in range(count):
        index = text.find(char, index + 1)
        if index < 0:
            return -1
    return index


def read_x12(
    stream: BinaryIO, *, file_month: date | None = None, chunk_size: int = CHUNK_SIZE
) -> X12File:
    """Open an 834: its envelope and header are checked now, its members read by ``records()``.

    ``file_month``, when given, is the file's month (else the header's DTP*007, DTP*303,
    DTP*090 or DTP*382, else BGN03's month, with a warning). Raises ``UnreadableFile`` when
    the file is not a 005010X220A1 834 or its envelope is broken.
    """
    x12 = X12File(stream, file_month=file_month, chunk_size=chunk_size)
    x12._open()
    parse = x12._parse()
    x12._records = parse
    for first in parse:
        if first is None:
            break
    return x12
