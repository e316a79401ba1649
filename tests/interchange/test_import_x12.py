"""Importing X12 834 files: the samples written outside this project, and a California 834."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from eligibility.models import Beneficiary, MediCalEligibility
from enrollment.models import Enrollment
from tests.worker_support import ROOT

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent / "x12_samples"  # ../shared/x12-samples, with NOTICE


def run(path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("import_eligibility", str(path), "--json", *args, stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue().strip().splitlines()[-1])
    return report


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("834_family_riverside.txt", 3),
        ("834_medicaid_mmis_ls_le.txt", 1),
        ("834_new_enrollment.txt", 1),
        ("834_terminations.txt", 2),
    ],
)
def test_each_sample_is_read_and_every_member_explained(name: str, members: int) -> None:
    report = run(SAMPLES / name)

    assert report["format"] == "x12"
    assert (report["records"], report["valid"], report["invalid"]) == (members, 0, members)
    explained = {e["segment"] for e in report["errors"]}
    assert len(explained) == members
    # Each member's reasons name the field and why: none of these files is a Medi-Cal file.
    assert all(e["field"] and e["code"] and e["message"] for e in report["errors"])
    assert {"cin", "medi_cal_scope"} <= {e["field"] for e in report["errors"]}
    assert not Beneficiary.objects.exists()


def test_the_mmis_samples_unpadded_isa_and_miscounted_se_are_warnings() -> None:
    report = run(SAMPLES / "834_medicaid_mmis_ls_le.txt")

    assert any("not padded" in w for w in report["warnings"])
    assert any("SE01" in w for w in report["warnings"])


def test_a_generated_834_loads_the_same_people_as_the_csv_of_the_same_seed(
    tmp_path: Path,
) -> None:
    for script, out, size in (
        ("bench/gen_eligibility.py", tmp_path / "jan.csv", "--people"),
        ("bench/gen_x12.py", tmp_path / "jan.834", "--members"),
    ):
        subprocess.run(
            [sys.executable, script, str(out), size, "400", "--month", "2027-01", "--seed", "7"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    x12 = run(tmp_path / "jan.834")
    people = sorted(Beneficiary.objects.values_list("cin", "mbi", "county__fips", "date_of_birth"))
    periods = MediCalEligibility.objects.count()
    plans = Enrollment.objects.count()
    Enrollment.objects.all().delete()
    MediCalEligibility.objects.all().delete()
    Beneficiary.history.all().delete()
    Beneficiary.objects.all().delete()
    csv = run(tmp_path / "jan.csv")

    assert x12["format"] == "x12" and csv["format"] == "csv"
    assert x12["valid"] == csv["valid"] > 380
    assert x12["invalid"] == csv["invalid"] > 0
    assert people == sorted(
        Beneficiary.objects.values_list("cin", "mbi", "county__fips", "date_of_birth")
    )
    assert (periods, plans) == (MediCalEligibility.objects.count(), Enrollment.objects.count())
