"""An import killed halfway, then run again, ends with exactly the tables of a clean run.

A real ``manage.py import_eligibility`` process on PostgreSQL is killed (SIGKILL) while it
streams the file into the staging table; the same command is then run to the end. The tables are
compared with those of a clean run of the same file on an emptied database.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.interchange.test_import_csv import person, write
from tests.worker_support import ROOT, subprocess_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PEOPLE = 40_000


def _command(path: Path) -> list[str]:
    return [sys.executable, "manage.py", "import_eligibility", str(path), "--json"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env["DATABASE_URL"] = subprocess_database_url()
    return env


def _snapshot() -> dict[str, list[tuple[object, ...]]]:
    """The rows a run writes, without ids and timestamps that differ between runs."""
    queries = {
        "people": "SELECT cin, mbi, last_name, county_id, preferred_language, "
        "medicare_part_a_start FROM eligibility_beneficiary ORDER BY cin",
        "history": "SELECT cin, history_type FROM eligibility_historicalbeneficiary ORDER BY cin",
        "periods": "SELECT b.cin, p.start_date, p.end_date, p.scope, p.msp "
        "FROM eligibility_medicaleligibility p JOIN eligibility_beneficiary b "
        "ON b.id = p.beneficiary_id ORDER BY b.cin, p.start_date",
        "enrollments": "SELECT b.cin, e.kind, e.medi_cal_plan_id, e.start_date, e.end_date "
        "FROM enrollment_enrollment e JOIN eligibility_beneficiary b "
        "ON b.id = e.beneficiary_id ORDER BY b.cin, e.start_date",
        "imports": "SELECT file_sha256, status, records, valid, invalid, created "
        "FROM interchange_eligibilityimport",
        "errors": "SELECT line, field, code FROM interchange_eligibilityimporterror "
        "ORDER BY line, code",
    }
    with connection.cursor() as cursor:
        result = {}
        for name, sql in queries.items():
            cursor.execute(sql)
            result[name] = cursor.fetchall()
    return result


def _empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE interchange_eligibilityimport, interchange_eligibilityimporterror, "
            "interchange_eligibilityimportstatuschange, interchange_eligibilitychange, "
            "enrollment_enrollment, eligibility_medicaleligibility, "
            "eligibility_historicalbeneficiary, eligibility_beneficiary CASCADE"
        )


def test_an_import_killed_halfway_and_run_again_ends_as_a_clean_run(
    tmp_path: Path, reference_data: None
) -> None:
    rows = [person(n, mbi=f"1EG4TE5M{'K' if n % 2 else 'P'}{n % 100:02d}") for n in range(PEOPLE)]
    # Unique MBIs: vary the letters in positions 8 and 9 by the person's number.
    letters = "ACDEFGHJKMNPQRTUVWXY"
    for n, row in enumerate(rows):
        row["mbi"] = f"1EG4TE5{letters[n // 2000 % 20]}{letters[n // 100 % 20]}{n % 100:02d}"
    rows[123]["date_of_birth"] = "2026-02-30"
    path = write(tmp_path / "jan.csv", rows)

    victim = subprocess.Popen(
        _command(path), cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    # Kill it once it is streaming rows into the staging table.
    deadline = time.monotonic() + 60
    killed_while_running = False
    while time.monotonic() < deadline and victim.poll() is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY interchange_stage%%'"
                " AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                time.sleep(0.3)
                victim.send_signal(signal.SIGKILL)
                killed_while_running = True
                break
        time.sleep(0.05)
    victim.wait(timeout=30)
    assert killed_while_running, "the import finished before it could be killed"
    # PostgreSQL rolls back the dead session's transaction: nothing of it is visible.
    assert _snapshot()["people"] == []

    rerun = subprocess.run(_command(path), cwd=ROOT, env=_env(), capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()
    after_kill = _snapshot()

    _empty()
    clean = subprocess.run(_command(path), cwd=ROOT, env=_env(), capture_output=True, timeout=300)
    assert clean.returncode == 0, clean.stderr.decode()

    assert after_kill == _snapshot()
    assert len(after_kill["people"]) == PEOPLE - 1
    assert after_kill["errors"] == [(124 + 1, "date_of_birth", "DATE_DOES_NOT_EXIST")]


def test_two_runs_of_one_file_at_once_load_it_once_and_the_other_says_why(
    tmp_path: Path, reference_data: None
) -> None:
    letters = "ACDEFGHJKMNPQRTUVWXY"
    rows = [
        person(n, mbi=f"1EG4TE5{letters[n // 2000 % 20]}{letters[n // 100 % 20]}{n % 100:02d}")
        for n in range(5000)
    ]
    path = write(tmp_path / "jan.csv", rows)

    runs = [
        subprocess.Popen(
            _command(path), cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outcomes = sorted((run.wait(timeout=300), run.stderr.read().decode()) for run in runs)

    assert outcomes[0][0] == 0
    # The other run either finds the file being loaded and says so, or, when it comes while
    # the first is applying the changes, helps apply them (each once) and then reports the file
    # as already imported.
    refused = outcomes[1][0] != 0 and "being imported by another run" in outcomes[1][1]
    duplicate = (
        outcomes[1][0] == 0
        and [
            json.loads(run.stdout.read().decode().splitlines()[-1])["duplicate_file"]
            for run in runs
        ].count(True)
        == 1
    )
    assert refused or duplicate, outcomes
    assert len(_snapshot()["people"]) == 5000
    assert len(_snapshot()["imports"]) == 1
