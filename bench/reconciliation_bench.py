"""What reconciliation adds to an eligibility import, on PostgreSQL (issue 9, "Reconciliation").

Run from the project folder (PostgreSQL on 127.0.0.1:5432, user postgres, trust auth)::

    .venv/bin/python bench/reconciliation_bench.py --people 200000
    .venv/bin/python bench/reconciliation_bench.py --people 5000     # a dry run

Steps:

1. the database (``--database-url``, default ``medimedi_reconciliation_bench``) is dropped,
   created and migrated; a full file of ``--people`` is generated with
   ``bench/gen_eligibility.py``, and copied as the files of the two months after it (only
   ``file_month`` differs: the state's view does not change);
2. ``jan``: ``import_eligibility`` of the first file, nobody a member yet (everyone in a plan
   gets the Medi-Cal plan enrollment of the merge);
3. ``--members`` share of the people with a Medi-Cal plan enrollment become members of a
   Medi-Medi Plan of that plan's organization (set-based SQL: a Medi-Medi enrollment from
   2025-02-01, the Medi-Cal enrollment aligned with it and starting the same day), and a
   ``--moved`` share of those members have their aligned Medi-Cal plan set to another
   organization's plan, so the next file disagrees about them;
4. ``feb``: the second file: every person unchanged, so the time is the merge's reads and the
   reconciliation (the moved members and the start dates found, review items opened);
5. ``mar``: the third file (the same discrepancies: the open items kept, none opened).

Each import runs as a child process with ``LOG_LEVEL=INFO``: the importer logs each step's
seconds (ids and timings only, ``interchange.loader``); this prints the ``reconciled`` step
against the whole import, and the report's ``reconciliation`` counts. Results go to
``bench/results/reconciliation_bench_<people>.json``. The database is dropped at the end unless
``--keep-database``. Never prints a person's data.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = str(PROJECT / ".venv" / "bin" / "python")
RESULTS = PROJECT / "bench" / "results"
STEP = re.compile(r"import \d+: (?P<step>.+) in (?P<seconds>[0-9.]+) s")


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0", "LOG_LEVEL": "INFO"}


def split_url(url: str) -> tuple[str, str]:
    server, _, name = url.rpartition("/")
    return server, name


def recreate(url: str) -> None:
    import psycopg

    server, name = split_url(url)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env=env(url),
        check=True,
    )


def drop(url: str) -> None:
    import psycopg

    server, name = split_url(url)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def month_after(month: str, n: int) -> str:
    year, mon = map(int, month.split("-"))
    index = year * 12 + mon - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def generate(path: Path, people: int, month: str, seed: int) -> None:
    subprocess.run(
        [
            *(PYTHON, "bench/gen_eligibility.py", str(path), "--people", str(people)),
            *("--month", month, "--seed", str(seed)),
        ],
        cwd=PROJECT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def same_people_next_month(source: Path, out: Path, month: str) -> None:
    """The same rows with another ``file_month``: the state's view unchanged, month to month."""
    with (
        source.open(newline="", encoding="utf-8") as inp,
        out.open("w", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.reader(inp)
        writer = csv.writer(dst)
        header = next(reader)
        at = header.index("file_month")
        writer.writerow(header)
        for row in reader:
            if len(row) > at:
                row[at] = month
            writer.writerow(row)


def import_file(url: str, path: Path) -> dict[str, Any]:
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "manage.py", "import_eligibility", str(path), "--format", "csv", "--json"],
        cwd=PROJECT,
        env=env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    steps = {m["step"]: float(m["seconds"]) for m in STEP.finditer(done.stderr)}
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "wall_seconds": round(wall, 2),
        "import_seconds": report["seconds"],
        "reconciled_seconds": steps.get("reconciled"),
        "reconciled_share": (
            round(steps["reconciled"] / report["seconds"], 4)
            if "reconciled" in steps and report["seconds"]
            else None
        ),
        "steps": steps,
        "records": report["records"],
        "created": report["created"],
        "updated": report["updated"],
        "events": report["events"],
        "reconciliation": report["reconciliation"],
    }


def make_members(url: str, share: float, moved: float) -> dict[str, int]:
    """Turn ``share`` of the people in a Medi-Cal plan into members of a Medi-Medi Plan."""
    import psycopg

    every = max(1, round(1 / share))
    move_every = max(1, round(1 / moved))
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO enrollment_enrollment (beneficiary_id, kind, medi_medi_plan_id, "
            "start_date, cancelled, end_reason, end_note, member_id, created_at, updated_at) "
            "SELECT e.beneficiary_id, 'medi_medi', mm.id, DATE '2025-02-01', false, '', '', '', "
            "now(), now() FROM enrollment_enrollment e "
            "JOIN eligibility_medicalplan p ON p.id = e.medi_cal_plan_id "
            "JOIN (SELECT organization_id, min(id) AS id FROM eligibility_medimediplan "
            "GROUP BY organization_id) mm ON mm.organization_id = p.organization_id "
            f"WHERE e.kind = 'medi_cal' AND e.end_date IS NULL AND e.beneficiary_id % {every} = 0"
        )
        conn.execute(
            "UPDATE enrollment_enrollment e SET aligned_with_id = m.id, "
            "start_date = DATE '2025-02-01' FROM enrollment_enrollment m "
            "WHERE m.beneficiary_id = e.beneficiary_id AND m.kind = 'medi_medi' "
            "AND e.kind = 'medi_cal' AND e.end_date IS NULL"
        )
        conn.execute(
            "UPDATE enrollment_enrollment e SET medi_cal_plan_id = (SELECT min(o.id) FROM "
            "eligibility_medicalplan o WHERE o.id <> e.medi_cal_plan_id) "
            f"WHERE e.aligned_with_id IS NOT NULL AND e.beneficiary_id % {every * move_every} = 0"
        )
        members = conn.execute(
            "SELECT count(*) FROM enrollment_enrollment WHERE kind = 'medi_medi'"
        ).fetchone()
        conn.execute("ANALYZE enrollment_enrollment")
    return {"members": int(members[0]) if members else 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/medimedi_reconciliation_bench"
    )
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--members", type=float, default=0.10, help="share who become members")
    parser.add_argument("--moved", type=float, default=0.01, help="share of members moved")
    parser.add_argument("--month", default="2027-01")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    results: dict[str, Any] = {
        "people": args.people,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, shared and noisy",
        "load_before": Path("/proc/loadavg").read_text().split()[:3],
    }
    with tempfile.TemporaryDirectory(prefix="recon-bench-") as tmp:
        files = {name: Path(tmp) / f"{name}.csv" for name in ("jan", "feb", "mar")}
        log(f"generating jan ({args.people} people)")
        generate(files["jan"], args.people, args.month, args.seed)
        for n, name in ((1, "feb"), (2, "mar")):
            same_people_next_month(files["jan"], files[name], month_after(args.month, n))
        log("database")
        recreate(args.database_url)
        try:
            log("importing jan")
            results["jan"] = import_file(args.database_url, files["jan"])
            log("members")
            results["members"] = make_members(args.database_url, args.members, args.moved)
            for name in ("feb", "mar"):
                log(f"importing {name}")
                results[name] = import_file(args.database_url, files[name])
        finally:
            if not args.keep_database:
                drop(args.database_url)
    results["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    out = args.json or RESULTS / f"reconciliation_bench_{args.people}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'import':<6} {'import s':>9} {'reconciled s':>13} {'share':>7}  reconciliation")
    for name in ("jan", "feb", "mar"):
        row = results[name]
        print(
            f"{name:<6} {row['import_seconds']:>9.2f} {row['reconciled_seconds'] or 0:>13.2f} "
            f"{(row['reconciled_share'] or 0):>7.1%}  {row['reconciliation']}"
        )
    print(f"members: {results['members']['members']}; results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
