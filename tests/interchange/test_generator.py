"""The benchmark's eligibility file generator (bench/gen_eligibility.py) writes what it promises.

The importer's own per-record check (``interchange.records.record_check``) is the judge: the
generator's invalid records must fail it (or repeat a CIN, the file-level rule), the rest pass.
"""

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from bench import gen_eligibility
from eligibility.reference_data import MEDI_CAL_PLAN_CODES
from interchange.records import COLUMNS, RawRecord, parse_month, record_check

PEOPLE = 2000
PLAN_CODES = frozenset(MEDI_CAL_PLAN_CODES.values())
LOS_ANGELES = "06037"


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def check(rows: list[dict[str, str]], month: str) -> list[tuple[object, list]]:
    file_month = parse_month(month)
    assert file_month is not None
    return [
        record_check(
            RawRecord(line, row),
            file_month=file_month,
            today=dt.date.today(),
            plan_codes=PLAN_CODES,
        )
        for line, row in enumerate(rows, start=2)
    ]


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "full.csv"
    gen_eligibility.main([str(path), "--people", str(PEOPLE), "--month", "2027-01", "--seed", "1"])
    return path


def test_full_file_has_every_person_and_every_column_in_a_shuffled_order(full: Path) -> None:
    header, rows = read(full)
    assert len(rows) == PEOPLE
    assert sorted(header) == sorted(COLUMNS)
    assert header != list(COLUMNS)
    assert {row["file_month"] for row in rows} == {"2027-01"}


def test_plain_order_keeps_the_layouts_column_order(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    gen_eligibility.main([str(path), "--people", "10", "--plain-order"])
    header, rows = read(path)
    assert header == list(COLUMNS)
    assert len(rows) == 10


def test_half_a_percent_is_invalid_and_the_rest_passes_the_importers_check(full: Path) -> None:
    _, rows = read(full)
    results = check(rows, "2027-01")
    failed = [errors for record, errors in results if record is None]
    passed = [row for row, (record, _) in zip(rows, results, strict=True) if record is not None]
    seen: set[str] = set()
    duplicates = 0
    for row in passed:
        duplicates += row["cin"] in seen
        seen.add(row["cin"])
    # Exactly one invalid record per 200 rows: record_check failures plus repeated CINs.
    assert len(failed) + duplicates == PEOPLE // 200
    assert duplicates < PEOPLE // 200 and len(failed) > 0
    codes = Counter(error.code for errors in failed for error in errors)
    # Varied kinds: several different reasons.
    assert len(codes) >= 4


def test_every_kind_of_invalid_record_fails_the_check_it_was_made_for(tmp_path: Path) -> None:
    maker = gen_eligibility.People(7, 2027 * 12)
    file_month = dt.date(2027, 1, 1)
    expected = {
        "bad_mbi": {"FORMAT"},
        "nonexistent_date": {"DATE_DOES_NOT_EXIST"},
        "end_before_start": {"END_BEFORE_START"},
        "unknown_county": {"UNKNOWN_COUNTY"},
        "qi_with_full_scope": {"QI_QDWI_WITH_FULL"},
        "blank_required": {"REQUIRED"},
        "bad_zip": {"FORMAT"},
    }
    for kind, codes in expected.items():
        for number in range(20):
            values = maker.person(number)
            record, errors = record_check(
                RawRecord(2, dict(values)),
                file_month=file_month,
                today=dt.date.today(),
                plan_codes=PLAN_CODES,
            )
            assert record is not None, errors
            maker.spoil(values, kind, previous_cin="")
            record, errors = record_check(
                RawRecord(2, values),
                file_month=file_month,
                today=dt.date.today(),
                plan_codes=PLAN_CODES,
            )
            assert record is None, kind
            assert {e.code for e in errors} & codes, (kind, errors)


def test_identifiers_are_unique_among_valid_rows(full: Path) -> None:
    _, rows = read(full)
    passed = [row for row, (record, _) in zip(rows, check(rows, "2027-01"), strict=True) if record]
    mbis = [row["mbi"] for row in passed]
    assert len(set(mbis)) == len(mbis)
    spoiled = gen_eligibility.invalid_positions(1, PEOPLE)
    duplicated = {p for p, kind in spoiled.items() if kind == "duplicate_cin"}
    cins = [row["cin"] for n, row in enumerate(rows) if n not in duplicated and n not in spoiled]
    assert len(set(cins)) == len(cins)


def test_identifier_bijections_do_not_collide() -> None:
    mbis = {gen_eligibility.mbi_for(n, 12345) for n in range(50_000)}
    cins = {gen_eligibility.cin_for(n, 12345) for n in range(50_000)}
    assert len(mbis) == len(cins) == 50_000


def test_counties_spread_like_the_population(full: Path) -> None:
    _, rows = read(full)
    counties = Counter(row["county_fips"] for row in rows)
    assert 0.20 <= counties[LOS_ANGELES] / PEOPLE <= 0.30
    assert len(counties) >= 40


def test_the_mix_is_mostly_full_duals_with_some_partial_and_some_under_65(full: Path) -> None:
    _, rows = read(full)
    partial = sum(
        row["medi_cal_scope"] != "full" or row["share_of_cost"] == "unmet" for row in rows
    )
    assert 0.07 <= partial / PEOPLE <= 0.13
    under_65 = sum(row["date_of_birth"] > "1962-01-31" for row in rows)
    assert 0.10 <= under_65 / PEOPLE <= 0.30
    languages = Counter(row["language"] for row in rows)
    assert languages["en"] + languages["es"] > 0.8 * PEOPLE
    assert len(languages) >= 8
    full_duals = [
        r for r in rows if r["medi_cal_scope"] == "full" and r["share_of_cost"] != "unmet"
    ]
    with_plan = sum(bool(r["medi_cal_plan_code"]) for r in full_duals)
    assert 0.75 <= with_plan / len(full_duals) <= 0.95


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(
    full: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.csv"
    other = tmp_path / "other.csv"
    gen_eligibility.main([str(again), "--people", str(PEOPLE), "--seed", "1"])
    gen_eligibility.main([str(other), "--people", str(PEOPLE), "--seed", "2"])
    assert again.read_bytes() == full.read_bytes()
    assert other.read_bytes() != full.read_bytes()


def test_a_change_file_changes_people_of_the_full_file_for_the_next_month(
    full: Path, tmp_path: Path
) -> None:
    path = tmp_path / "changes.csv"
    gen_eligibility.main(
        [str(path), "--changes-from", str(full), "--changes", "300", "--seed", "1"]
    )
    header, changes = read(path)
    assert sorted(header) == sorted(COLUMNS)
    assert len(changes) == 300
    assert {row["file_month"] for row in changes} == {"2027-02"}
    results = check(changes, "2027-02")
    assert all(record is not None for record, _ in results), [e for r, e in results if r is None]
    _, rows = read(full)
    by_cin = {row["cin"]: row for row in rows}
    for row in changes:
        before = by_cin[row["cin"]]
        assert before["mbi"] == row["mbi"]
        differs = {c for c in COLUMNS if c != "file_month" and before[c] != row[c]}
        assert differs
    assert len({row["cin"] for row in changes}) == 300
    kinds: Counter[str] = Counter()
    for row in changes:
        before = by_cin[row["cin"]]
        if row["medi_cal_scope"] == "none" and before["medi_cal_scope"] != "none":
            kinds["lost"] += 1
        if row["county_fips"] != before["county_fips"]:
            kinds["moved"] += 1
        if row["date_of_death"]:
            kinds["died"] += 1
        if row["medicare_part_b_end"]:
            kinds["part_b"] += 1
        if row["language"] != before["language"]:
            kinds["language"] += 1
    assert all(kinds[k] > 0 for k in ("lost", "moved", "died", "part_b", "language")), kinds
