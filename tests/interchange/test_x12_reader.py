"""The X12 834 reader (interchange/x12.py): envelope, leniencies, mapping, samples, generator.

No database: the reader and ``record_check`` are plain Python.
"""

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench import gen_eligibility, gen_x12
from eligibility.reference_data import MEDI_CAL_PLAN_CODES
from interchange.errors import UnreadableFile
from interchange.records import RawRecord, RecordError, record_check
from interchange.x12 import X12File, county_fips, read_x12

SAMPLES = Path(__file__).resolve().parent / "x12_samples"  # ../shared/x12-samples, with NOTICE
TODAY = date(2026, 12, 1)


def _codes(errors: list[RecordError]) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in errors}


def _read_all(data: bytes, **kwargs: Any) -> tuple[X12File, list[RawRecord]]:
    x12 = read_x12(io.BytesIO(data), **kwargs)
    return x12, list(x12.records())


def _check(
    x12: X12File, record: RawRecord, plan_codes: frozenset[str] = frozenset()
) -> tuple[tuple[object, ...] | None, list[RecordError]]:
    assert x12.file_month is not None
    return record_check(
        record,
        file_month=x12.file_month,
        today=TODAY,
        plan_codes=plan_codes,
    )


def _isa(control: str = "000000905") -> str:
    return (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{'CADHCS':15}*ZZ*{'MEDIMEDI':15}*261215*0100*^*00501*"
        f"{control}*0*P*:"
    )


CALIFORNIA_MEMBERS = [
    "INS*Y*18*030*XN*A***AC",
    "REF*0F*91234567A",
    "REF*F6*1EG4TE5MK73",
    "NM1*IL*1*GARCIA*JOSEFINA*MARIA",
    "PER*IP**TE*7145550101",
    "N3*12 ELM ST*APT 4",
    "N4*LOS ANGELES*CA*900120001**CY*19",
    "DMG*D8*19560314*F",
    "LUI*LE*SPA**5",
    "HD*030**HLT*10*IND",
    "DTP*348*D8*20190601",
    "LS*2700",
    "LX*1",
    "N1*75*MEDICARE PART A START",
    "DTP*007*D8*20210301",
    "LX*2",
    "N1*75*MEDICARE PART B START",
    "DTP*007*D8*20210301",
    "LX*3",
    "N1*75*MEDI-CAL SCOPE",
    "REF*ZZ*FULL",
    "LX*4",
    "N1*75*MSP",
    "REF*ZZ*QMB",
    "LX*5",
    "N1*75*MEDI-CAL PLAN CODE",
    "REF*ZZ*MC-LACARE",
    "LE*2700",
    "INS*Y*18*030*XN*A***AC",
    "REF*0F*91234568B",
    "REF*F6*1EG4TE5MK74",
    "NM1*IL*1*NGUYEN*MINH",
    "N3*7 MAIN ST",
    "N4*SANTA ANA*CA*92701**CY*06059",
    "DMG*D8*19500102*M",
    "LUI*LE*VIE**5",
    "LS*2700",
    "LX*1",
    "N1*75*MEDICARE PART A START",
    "DTP*007*D8*20150101",
    "LX*2",
    "N1*75*MEDI-CAL SCOPE",
    "REF*ZZ*NONE",
    "LX*3",
    "N1*75*MSP",
    "REF*ZZ*SLMB",
    "LE*2700",
]


def california_834(
    members: list[str] | None = None,
    *,
    terminator: str = "~\n",
    st01: str = "834",
    gs01: str = "BE",
    se_count: int | None = None,
    iea: bool = True,
    header_dtp: bool = True,
) -> bytes:
    members = CALIFORNIA_MEMBERS if members is None else members
    transaction = [
        f"ST*{st01}*0001*005010X220A1",
        "BGN*00*ELIG202701*20261215*0100****RX",
        *(["DTP*007*D8*20270101"] if header_dtp else []),
        "N1*P5*CALIFORNIA DHCS*FI*946000417",
        "N1*IN*MEDI-MEDI PORTAL*FI*000000000",
        *members,
    ]
    count = len(transaction) + 1 if se_count is None else se_count
    segments = [
        _isa(),
        f"GS*{gs01}*CADHCS*MEDIMEDI*20261215*0100*7*X*005010X220A1",
        *transaction,
        f"SE*{count}*0001",
        "GE*1*7",
        *(["IEA*1*000000905"] if iea else []),
    ]
    return (terminator.join(segments) + terminator).encode()


# A California file --------------------------------------------------------------------------


def test_well_formed_california_834_gives_records_the_check_accepts() -> None:
    x12, records = _read_all(california_834())

    assert x12.file_month == date(2027, 1, 1)
    assert x12.warnings == []
    assert [r.position for r in records] == [8, 36]
    first, second = records
    assert first.values["file_month"] == "2027-01"
    assert first.values["zip"] == "90012-0001"
    assert first.values["middle_initial"] == "M"
    assert first.values["phone"] == "714-555-0101"
    assert first.values["aid_code"] == "10"
    row, errors = _check(x12, first, frozenset({"MC-LACARE"}))
    assert errors == []
    assert row is not None
    assert row[1:3] == ("91234567A", "1EG4TE5MK73")
    assert row[6] == date(1956, 3, 14)
    assert row[13] == "06037"  # county code 19: Los Angeles
    assert row[16] == "es"
    assert row[21] == "full"
    assert row[23] == date(2019, 6, 1)
    assert row[26] == "QMB"
    assert row[27] == "MC-LACARE"
    row, errors = _check(x12, second)
    assert errors == []
    assert row is not None
    assert row[13] == "06059"
    assert row[16] == "vi"
    assert (row[21], row[26], row[23]) == ("none", "SLMB", None)


@pytest.mark.parametrize(
    "terminator", ["~\n", "~\r\n", "~", "~ \n"], ids=["newline", "crlf", "bare", "blank"]
)
def test_segment_terminator_with_or_without_line_breaks_reads_the_same(terminator: str) -> None:
    x12, records = _read_all(california_834(terminator=terminator))

    assert [r.position for r in records] == [8, 36]
    assert [_check(x12, r, frozenset({"MC-LACARE"}))[1] for r in records] == [[], []]


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 1000])
def test_chunk_boundaries_inside_segments_change_nothing(chunk_size: int) -> None:
    data = california_834(terminator="~\r\n")
    expected = [(r.position, r.values) for r in _read_all(data)[1]]

    x12, records = _read_all(data, chunk_size=chunk_size)

    assert [(r.position, r.values) for r in records] == expected
    assert x12.warnings == []


def test_unpadded_isa_is_read_with_a_warning() -> None:
    data = california_834().replace(_isa().encode(), _isa().replace(" ", "").encode())

    x12, records = _read_all(data)

    assert len(records) == 2
    assert any("not padded" in w for w in x12.warnings)


def test_month_falls_back_to_bgn_date_with_a_warning_and_a_given_month_wins() -> None:
    x12, _records = _read_all(california_834(header_dtp=False))
    assert x12.file_month == date(2026, 12, 1)
    assert any("BGN03" in w for w in x12.warnings)

    x12, records = _read_all(california_834(), file_month=date(2027, 2, 1))
    assert x12.file_month == date(2027, 2, 1)
    assert records[0].values["file_month"] == "2027-02"


def test_member_without_ref_0f_is_a_record_with_a_cin_error() -> None:
    members = [s for s in CALIFORNIA_MEMBERS if s != "REF*0F*91234567A"]
    x12, records = _read_all(california_834(members))

    row, errors = _check(x12, records[0], frozenset({"MC-LACARE"}))
    assert row is None
    assert _codes(errors) == {("cin", "REQUIRED")}
    assert _check(x12, records[1])[1] == []


def test_unknown_county_and_language_are_explained_per_member() -> None:
    members = [
        s.replace("CY*19", "CY*77").replace("LUI*LE*SPA", "LUI*LE*DEU") for s in CALIFORNIA_MEMBERS
    ]
    x12, records = _read_all(california_834(members))

    _row, errors = _check(x12, records[0], frozenset({"MC-LACARE"}))
    assert ("county_fips", "UNKNOWN_COUNTY") in _codes(errors)
    assert ("language", "UNKNOWN_LANGUAGE") in _codes(errors)
    assert "'77'" in errors[0].message


def test_termination_and_death_dates_are_mapped() -> None:
    members = [
        "INS*Y*18*024*XN*A***AC***D8*20270110",
        "REF*0F*91234567A",
        "DTP*356*D8*20200101",
        "DTP*357*D8*20270131",
        "NM1*IL*1*GARCIA*JOSEFINA",
        "HD*024**HLT*10*IND",
        "INS*Y*18*024*XN*A***AC",
        "REF*0F*91234568B",
        "NM1*IL*1*NGUYEN*MINH",
    ]
    _x12, records = _read_all(california_834(members))

    dead, ended_without_date = records
    assert dead.values["date_of_death"] == "2027-01-10"
    assert (dead.values["medi_cal_start"], dead.values["medi_cal_end"]) == (
        "2020-01-01",
        "2027-01-31",
    )
    assert ("medi_cal_end", "REQUIRED") in _codes(ended_without_date.problems)


def test_the_hd_covering_the_file_month_is_the_medi_cal_period() -> None:
    members = [
        "INS*Y*18*030*XN*A***AC",
        "REF*0F*91234567A",
        "NM1*IL*1*GARCIA*JOSEFINA",
        "HD*030**HLT*10*IND",
        "DTP*348*D8*20240101",
        "DTP*349*D8*20241231",
        "HD*030**HLT*14*IND",
        "DTP*348*D8*20260601",
        "HD*030**HLT*16*IND",
        "DTP*348*D8*20250101",
        "DTP*349*D8*20250131",
    ]
    _x12, records = _read_all(california_834(members))

    values = records[0].values
    assert (values["medi_cal_start"], values["medi_cal_end"], values["aid_code"]) == (
        "2026-06-01",
        "",
        "14",
    )


def test_county_codes_and_fips() -> None:
    assert county_fips("01") == "06001"
    assert county_fips("19") == "06037"
    assert county_fips("58") == "06115"
    assert county_fips("06059") == "06059"
    assert [county_fips(c) for c in ("00", "59", "033", "06002", "41033", "6")] == [None] * 6


# A broken envelope --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"file_month,cin\n2027-01,1\n", "does not start with an ISA"),
        (california_834(gs01="HC"), "GS01 is 'HC', not BE"),
        (california_834(st01="837"), "not an 834"),
        (california_834().replace(b"005010X220A1", b"004010X095A1"), "GS08"),
        (california_834(iea=False), "does not end with an IEA"),
    ],
    ids=["csv", "gs-not-be", "not-834", "not-5010", "no-iea"],
)
def test_broken_envelope_is_unreadable_before_any_record(data: bytes, words: str) -> None:
    with pytest.raises(UnreadableFile, match=words):
        read_x12(io.BytesIO(data))


class _Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (california_834(iea=False), "no IEA"),
        (california_834().replace(b"GE*1*7", b"GE*2*7"), "GE01 says 2"),
        (california_834().replace(b"IEA*1*000000905", b"IEA*1*000000906"), "IEA02"),
        (california_834().replace(b"SE*", b"XX*"), "has no SE"),
    ],
    ids=["no-iea", "ge-count", "iea-control", "no-se"],
)
def test_broken_trailer_raises_at_the_end_of_the_records(data: bytes, words: str) -> None:
    x12 = read_x12(io.BufferedReader(_Unseekable(data)))

    with pytest.raises(UnreadableFile, match=words):
        list(x12.records())


# The sample files (other states' 834s) ------------------------------------------------------


def _sample(name: str) -> tuple[X12File, list[RawRecord], UnreadableFile | None]:
    with (SAMPLES / name).open("rb") as stream:
        x12 = read_x12(stream)
        records: list[RawRecord] = []
        try:
            for record in x12.records():
                records.append(record)
        except UnreadableFile as error:
            return x12, records, error
    return x12, records, None


def test_every_sample_reads_without_a_crash() -> None:
    names = sorted(p.name for p in SAMPLES.glob("*.txt"))
    assert len(names) == 4
    for name in names:
        x12, records, _error = _sample(name)
        assert records
        for record in records:
            row, errors = _check(x12, record)
            assert row is None and errors


def test_family_sample_explains_each_member() -> None:
    x12, records, error = _sample("834_family_riverside.txt")

    assert error is None
    assert [r.position for r in records] == [7, 17, 22]
    for record in records:
        _row, errors = _check(x12, record)
        assert _codes(errors) == {
            ("cin", "FORMAT"),
            ("mbi", "REQUIRED"),
            ("county_fips", "REQUIRED"),
            ("medicare_part_a_start", "REQUIRED"),
            ("medi_cal_scope", "REQUIRED"),
        }
    # Dependents without N3/N4 live at the subscriber's address.
    assert records[1].values["city"] == "RIVERSIDE"
    assert records[0].values["medi_cal_start"] == "2026-04-01"


def test_new_enrollment_sample_names_the_other_state() -> None:
    x12, records, error = _sample("834_new_enrollment.txt")

    assert error is None
    assert [r.position for r in records] == [8]
    _row, errors = _check(x12, records[0])
    assert {("cin", "FORMAT"), ("mbi", "REQUIRED"), ("county_fips", "OUT_OF_STATE")} <= _codes(
        errors
    )
    assert "'IL'" in next(e.message for e in errors if e.code == "OUT_OF_STATE")


def test_terminations_sample_gives_the_ended_periods() -> None:
    x12, records, error = _sample("834_terminations.txt")

    assert error is None
    assert [r.position for r in records] == [7, 18]
    assert [(r.values["medi_cal_start"], r.values["medi_cal_end"]) for r in records] == [
        ("2021-01-01", "2026-03-31"),
        ("2021-06-01", "2026-03-31"),
    ]
    for record in records:
        assert ("county_fips", "OUT_OF_STATE") in _codes(_check(x12, record)[1])


def test_a_wrong_se_count_is_read_with_a_warning() -> None:
    x12 = read_x12(io.BytesIO(california_834(se_count=12)))

    assert len(list(x12.records())) == 2
    assert any("SE01 of transaction set 0001 says 12 segments" in w for w in x12.warnings)


def test_mmis_sample_unpadded_isa_is_accepted_and_its_wrong_se_count_reported() -> None:
    x12, records, error = _sample("834_medicaid_mmis_ls_le.txt")

    assert any("not padded" in w for w in x12.warnings)
    assert x12.file_month == date(2013, 3, 1)
    assert [r.position for r in records] == [8]
    member = records[0].values
    # The corrected name (NM1*74) and its own DMG, not the incorrect name's (NM1*70) nor the
    # mailing address (NM1*31).
    assert (member["last_name"], member["date_of_birth"], member["city"]) == (
        "SUBSCRIBER LAST 1",
        "1983-07-19",
        "GRANTS PASS",
    )
    assert (member["language"], member["phone"], member["zip"]) == (
        "en",
        "555-471-8931",
        "97526-0000",
    )
    assert (member["medi_cal_start"], member["medi_cal_end"]) == ("2012-09-01", "2013-03-31")
    _row, errors = _check(x12, records[0])
    assert {
        ("cin", "FORMAT"),
        ("mbi", "FORMAT"),
        ("county_fips", "UNKNOWN_COUNTY"),
        ("medicare_part_a_start", "REQUIRED"),
        ("medi_cal_scope", "REQUIRED"),
    } == _codes(errors)
    # Its SE01 says 73 segments where the transaction set has 74: read, with a warning.
    assert error is None
    assert any("says 73 segments; it has 74" in w for w in x12.warnings)


# The generator ------------------------------------------------------------------------------


def test_generated_834_has_the_csv_generators_people_and_half_a_percent_invalid(
    tmp_path: Path,
) -> None:
    path = tmp_path / "eligibility.834"
    gen_x12.main([str(path), "--members", "2000", "--month", "2027-01", "--seed", "3"])
    plan_codes = frozenset(MEDI_CAL_PLAN_CODES.values())
    month = 2027 * 12

    with path.open("rb") as stream:
        x12 = read_x12(stream, chunk_size=4096)
        pairs = zip(x12.records(), gen_eligibility.full_rows(2000, month, 3), strict=True)
        invalid = duplicates = 0
        for record, (values, kind) in pairs:
            row, _errors = _check(x12, record, plan_codes)
            expected, _ = record_check(
                RawRecord(0, values),
                file_month=date(2027, 1, 1),
                today=TODAY,
                plan_codes=plan_codes,
            )
            if kind == "duplicate_cin":
                duplicates += 1  # valid per record: the loader's file-level rule catches it
            if row is None:
                invalid += 1
                assert kind is not None and expected is None
            else:
                assert expected is not None and row[1:] == expected[1:]
    assert invalid + duplicates == 10
    assert x12.warnings == []
