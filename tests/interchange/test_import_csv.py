"""Importing the state's eligibility CSV: what is loaded, refused, reported, and never written twice.

These run on SQLite and, in CI, on PostgreSQL (COPY and the same merge SQL).
"""

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from eligibility.models import Beneficiary, County, MediCalEligibility, MediCalPlan
from enrollment.models import Enrollment, ReviewItem
from interchange.models import (
    EligibilityChange,
    EligibilityImport,
    EligibilityImportError,
    ImportStatus,
)
from interchange.records import COLUMNS
from tests.enrollment.conftest import enrolled_member
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


def person(n: int, **overrides: str) -> dict[str, str]:
    """One valid row of the layout: a full-benefit dual in Orange County."""
    row = {
        "file_month": "2027-01",
        "cin": f"{91000000 + n:08d}A",
        "mbi": f"1EG4TE5MK{n % 100:02d}",
        "last_name": f"Testperson{n}",
        "first_name": "Josefina",
        "middle_initial": "M",
        "date_of_birth": "1956-03-14",
        "sex": "F",
        "date_of_death": "",
        "address_line1": f"{n} Elm St",
        "address_line2": "",
        "city": "Santa Ana",
        "zip": "92701",
        "county_fips": "06059",
        "phone": "714-555-0101",
        "email": "",
        "language": "es",
        "medicare_part_a_start": "2021-03-01",
        "medicare_part_a_end": "",
        "medicare_part_b_start": "2021-03-01",
        "medicare_part_b_end": "",
        "medi_cal_scope": "full",
        "aid_code": "10",
        "medi_cal_start": "2019-06-01",
        "medi_cal_end": "",
        "share_of_cost": "none",
        "msp": "QMB",
        "medi_cal_plan_code": "MC-CALOPTIMA",
        "incarcerated": "N",
        "lawfully_present": "Y",
    }
    row.update(overrides)
    return row


def write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("import_eligibility", str(path), "--json", *args, stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])
    return report


def table_counts() -> dict[str, int]:
    return {
        "people": Beneficiary.objects.count(),
        "history": Beneficiary.history.count(),
        "periods": MediCalEligibility.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "imports": EligibilityImport.objects.count(),
        "errors": EligibilityImportError.objects.count(),
        "changes": EligibilityChange.objects.count(),
    }


def test_a_clean_file_creates_each_person_with_periods_and_medi_cal_plan(tmp_path: Path) -> None:
    report = run(write(tmp_path / "jan.csv", [person(1), person(2, msp="none")]))

    assert report["records"] == report["valid"] == report["created"] == 2
    assert (report["invalid"], report["updated"], report["unchanged"]) == (0, 0, 0)
    assert report["format"] == "csv" and report["kind"] == "full"
    assert report["file_month"] == "2027-01" and report["duplicate_file"] is False
    assert len(report["file_sha256"]) == 64
    josefina = Beneficiary.objects.get(cin="91000001A")
    assert josefina.county.fips == "06059"
    assert (josefina.preferred_language, josefina.sex, josefina.middle_initial) == ("es", "F", "M")
    assert josefina.medicare_part_b_start == date(2021, 3, 1)
    period = josefina.medi_cal_periods.get()
    assert (period.start_date, period.scope, period.msp, period.aid_code) == (
        date(2019, 6, 1),
        "full",
        "QMB",
        "10",
    )
    plan = Enrollment.objects.get(beneficiary=josefina)
    assert plan.kind == "medi_cal" and plan.start_date == date(2027, 1, 1)
    assert plan.medi_cal_plan == MediCalPlan.objects.get(state_code="MC-CALOPTIMA")
    assert josefina.history.get().history_type == "+"


def test_the_same_file_again_is_a_duplicate_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "jan.csv", [person(1), person(2)])
    run(path)
    before = table_counts()

    again = run(path)

    assert again["duplicate_file"] is True
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 0)
    assert again["id"] == EligibilityImport.objects.get().pk
    assert table_counts() == before


def test_unchanged_people_cost_no_write_and_a_change_writes_one_history_row(
    tmp_path: Path,
) -> None:
    run(write(tmp_path / "jan.csv", [person(1), person(2)]))
    stamps = dict(Beneficiary.objects.values_list("cin", "updated_at"))

    report = run(write(tmp_path / "jan2.csv", [person(1), person(2, city="Anaheim")]))

    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 1)
    assert Beneficiary.objects.get(cin="91000001A").updated_at == stamps["91000001A"]
    moved = Beneficiary.objects.get(cin="91000002A")
    assert moved.city == "Anaheim"
    assert [h.history_type for h in moved.history.order_by("history_id")] == ["+", "~"]


def test_invalid_records_are_reported_and_skipped_while_valid_ones_load(tmp_path: Path) -> None:
    rows = [
        person(1),
        person(2, mbi="1EG4TE5MKS3"),  # S is not an MBI letter
        person(3, date_of_birth="2026-02-30"),
        person(4, county_fips="06999"),
        person(5, medi_cal_end="2018-01-01"),
        person(6, msp="QI"),
        person(7, medi_cal_scope="none", share_of_cost="unmet", medi_cal_start=""),
        person(8, file_month="2027-02"),
        person(9, last_name=""),
    ]
    report = run(write(tmp_path / "jan.csv", rows))

    assert (report["records"], report["valid"], report["invalid"]) == (9, 1, 8)
    found = {(e["line"], e["field"], e["code"]) for e in report["errors"]}
    assert found == {
        (3, "mbi", "FORMAT"),
        (4, "date_of_birth", "DATE_DOES_NOT_EXIST"),
        (5, "county_fips", "UNKNOWN_COUNTY"),
        (6, "medi_cal_end", "END_BEFORE_START"),
        (7, "msp", "QI_QDWI_WITH_FULL"),
        (8, "share_of_cost", "SOC_WITHOUT_MEDI_CAL"),
        (9, "file_month", "FILE_MONTH_MISMATCH"),
        (10, "last_name", "REQUIRED"),
    }
    assert all(e["message"] for e in report["errors"])
    assert list(Beneficiary.objects.values_list("cin", flat=True)) == ["91000001A"]


def test_a_cin_twice_in_the_file_refuses_both_records(tmp_path: Path) -> None:
    rows = [person(1), person(2, cin="91000001A"), person(3)]
    report = run(write(tmp_path / "jan.csv", rows))

    assert (report["valid"], report["invalid"]) == (1, 2)
    assert {(e["line"], e["code"]) for e in report["errors"]} == {
        (2, "DUPLICATE_CIN"),
        (3, "DUPLICATE_CIN"),
    }
    assert list(Beneficiary.objects.values_list("cin", flat=True)) == ["91000003A"]


def test_an_mbi_of_another_person_on_record_is_refused(tmp_path: Path) -> None:
    someone = BeneficiaryFactory(mbi="1EG4TE5MK01", cin="92000000B")

    report = run(write(tmp_path / "jan.csv", [person(1), person(2)]))

    assert report["invalid"] == 1
    assert [(e["line"], e["field"], e["code"]) for e in report["errors"]] == [
        (2, "mbi", "IDENTITY_CONFLICT")
    ]
    someone.refresh_from_db()
    assert someone.cin == "92000000B"
    assert not Beneficiary.objects.filter(cin="91000001A").exists()


def test_a_blank_language_keeps_the_one_on_record(tmp_path: Path) -> None:
    run(write(tmp_path / "jan.csv", [person(1, language="vi")]))
    run(write(tmp_path / "jan2.csv", [person(1, language="", city="Irvine")]))

    assert Beneficiary.objects.get(cin="91000001A").preferred_language == "vi"


def test_columns_in_any_order_with_an_unknown_one_are_read_with_a_warning(
    tmp_path: Path,
) -> None:
    columns = ("favourite_colour", *reversed(COLUMNS))
    rows = [{**person(1), "favourite_colour": "blue"}]
    report = run(write(tmp_path / "jan.csv", rows, columns))

    assert report["valid"] == 1
    assert report["warnings"] == ["Unknown column(s) ignored: favourite_colour"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"file_month,cin\n2027-01,91000001A\n", r"Required column\(s\) missing"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not UTF-8"),
        (b"name,age\nAna,70\n", "neither an eligibility CSV"),
        (b"", "empty"),
    ],
    ids=["missing-columns", "binary", "other-csv", "empty"],
)
def test_a_file_that_cannot_be_read_fails_clearly_and_writes_nothing(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = table_counts()

    with pytest.raises(CommandError, match=message):
        call_command("import_eligibility", str(path), "--json", stdout=io.StringIO())

    assert table_counts() == before


def test_a_broken_utf8_byte_mid_file_fails_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "jan.csv", [person(n) for n in range(1, 40)])
    path.write_bytes(path.read_bytes() + b"2027-01,9100\xff0040A\n")
    before = table_counts()

    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_eligibility", str(path), stdout=io.StringIO())

    assert table_counts() == before


def test_a_person_missing_from_a_full_file_becomes_a_review_item_and_is_not_changed(
    tmp_path: Path,
) -> None:
    run(write(tmp_path / "jan.csv", [person(1), person(2)]))
    absent = Beneficiary.objects.get(cin="91000002A")
    stamp = absent.updated_at

    report = run(write(tmp_path / "feb.csv", [person(1, file_month="2027-02")]))

    assert report["events"] == {"not_in_file": 1}
    item = ReviewItem.objects.get(beneficiary=absent)
    assert item.kind == "not_in_file" and item.status == "open"
    absent.refresh_from_db()
    assert absent.updated_at == stamp


def test_a_change_file_touches_only_its_people(tmp_path: Path) -> None:
    run(write(tmp_path / "jan.csv", [person(1), person(2)]))

    report = run(
        write(tmp_path / "feb.csv", [person(2, file_month="2027-02", zip="92702")]),
        "--kind",
        "changes",
    )

    assert report["kind"] == "changes" and report["events"] == {}
    assert (report["updated"], report["unchanged"]) == (1, 0)
    assert not ReviewItem.objects.exists()


def test_a_move_to_another_plan_code_moves_the_medi_cal_plan_enrollment(tmp_path: Path) -> None:
    run(write(tmp_path / "jan.csv", [person(1)]))

    run(
        write(
            tmp_path / "mar.csv",
            [person(1, file_month="2027-03", county_fips="06037", medi_cal_plan_code="MC-LACARE")],
        )
    )

    old, new = Enrollment.objects.order_by("start_date")
    assert (old.medi_cal_plan.state_code, old.end_date) == ("MC-CALOPTIMA", date(2027, 2, 28))
    assert (new.medi_cal_plan.state_code, new.start_date, new.end_date) == (
        "MC-LACARE",
        date(2027, 3, 1),
        None,
    )
    assert Beneficiary.objects.get().county == County.objects.get(fips="06037")


def test_losing_medi_cal_ends_the_period_on_record(tmp_path: Path) -> None:
    run(write(tmp_path / "jan.csv", [person(1, msp="none")]))

    report = run(
        write(
            tmp_path / "feb.csv",
            [
                person(
                    1,
                    file_month="2027-02",
                    medi_cal_scope="none",
                    medi_cal_start="",
                    aid_code="",
                    msp="none",
                    medi_cal_plan_code="",
                )
            ],
        )
    )

    assert report["events"] == {"medi_cal_lost": 1}
    period = MediCalEligibility.objects.get()
    assert period.end_date == date(2027, 1, 31)
    plan = Enrollment.objects.get()
    assert plan.end_date == date(2027, 1, 31)


def test_an_import_left_applying_resumes_with_the_changes_not_yet_applied(
    tmp_path: Path,
) -> None:
    run(write(tmp_path / "jan.csv", [person(1), person(2)]))
    path = write(tmp_path / "feb.csv", [person(1, file_month="2027-02")])
    run(path)
    imp = EligibilityImport.objects.get(file_month=date(2027, 2, 1))
    # As a worker lost after the merge committed and before the changes were applied.
    EligibilityImport.objects.filter(pk=imp.pk).update(status=ImportStatus.APPLYING)
    EligibilityChange.objects.filter(eligibility_import=imp).update(applied_at=None)
    ReviewItem.objects.all().delete()
    people = Beneficiary.objects.count()

    report = run(path)

    assert report["duplicate_file"] is False and report["status"] == "done"
    assert Beneficiary.objects.count() == people
    assert ReviewItem.objects.get().kind == "not_in_file"
    assert not EligibilityChange.objects.filter(applied_at__isnull=True).exists()


def test_a_death_ends_the_medi_cal_plan_enrollment_on_the_last_day_of_that_month(
    tmp_path: Path,
) -> None:
    run(write(tmp_path / "jan.csv", [person(1), person(2)]))

    report = run(
        write(
            tmp_path / "feb.csv",
            [person(1, file_month="2027-02", date_of_death="2027-01-17")],
        ),
        "--kind",
        "changes",
    )

    assert report["events"] == {"died": 1}
    ended = Enrollment.objects.get(beneficiary__cin="91000001A")
    assert (ended.end_date, ended.end_reason, ended.cancelled) == (date(2027, 1, 31), "died", False)
    assert Enrollment.objects.get(beneficiary__cin="91000002A").end_date is None
    assert Beneficiary.objects.get(cin="91000001A").date_of_death == date(2027, 1, 17)
    # In no Medi-Medi Plan: nothing for staff to decide.
    assert not ReviewItem.objects.exists()


def test_an_older_month_after_a_newer_one_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    run(write(tmp_path / "feb.csv", [person(1, file_month="2027-02", city="Irvine")]))
    before = table_counts()
    out = io.StringIO()

    with pytest.raises(CommandError, match="2027-02 was imported already"):
        call_command(
            "import_eligibility",
            str(write(tmp_path / "jan.csv", [person(1)])),
            "--json",
            stdout=out,
        )

    assert table_counts() == before
    assert Beneficiary.objects.get().city == "Irvine"
    refusal = json.loads(out.getvalue().strip().splitlines()[-1])
    assert "older facts back" in refusal["error"]


def test_errors_are_reported_in_line_order(tmp_path: Path) -> None:
    rows = [person(1), person(2, cin="91000001A"), person(3, zip="9")]
    report = run(write(tmp_path / "jan.csv", rows))

    assert [e["line"] for e in report["errors"]] == [2, 3, 4]


def test_a_change_that_cannot_be_applied_keeps_the_import_applying_until_a_rerun_succeeds(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    member = enrolled_member(django_capture_on_commit_callbacks).beneficiary
    path = write(tmp_path / "jan.csv", [person(1)])
    run(path)
    imp = EligibilityImport.objects.get()
    # A change enrollment cannot act on (its detail lacks the date of death), left pending.
    EligibilityImport.objects.filter(pk=imp.pk).update(status=ImportStatus.APPLYING)
    broken = EligibilityChange.objects.create(
        eligibility_import=imp, beneficiary=member, kind="died", detail={}
    )

    report = run(path)

    assert report["status"] == "applying" and report["duplicate_file"] is False
    imp.refresh_from_db()
    assert f"first ids: {broken.pk}" in imp.failure
    assert EligibilityChange.objects.get(pk=broken.pk).applied_at is None

    EligibilityChange.objects.filter(pk=broken.pk).update(detail={"date_of_death": "2027-01-09"})
    again = run(path)

    assert again["status"] == "done"
    imp.refresh_from_db()
    assert imp.failure == ""
    assert Enrollment.objects.filter(beneficiary=member, end_reason="died").exists()
