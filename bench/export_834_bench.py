"""834 out at state size: one Medi-Cal plan's file for 300,000 members, on PostgreSQL.

Run from the project folder (PostgreSQL on 127.0.0.1)::

    .venv/bin/python bench/export_834_bench.py --members 300000

Steps (the database is dropped and created again at the start, and dropped at the end unless
``--keep-database``):

a. ``data``: ``bench/gen_eligibility.py`` writes a full eligibility CSV of ``--members`` people
   for this month and ``manage.py import_eligibility`` loads it (people, their history rows,
   the state's Medi-Cal plan enrollments); then, in bulk SQL, every person gets a Medi-Medi
   enrollment (CareAdvantage) from the first of this month, and their Medi-Cal plan enrollment
   becomes its aligned enrollment in Health Plan of San Mateo (``MC-HPSM``), as an approval that
   keeps the member's Medi-Cal plan does;
b. ``baseline``: ``manage.py export_834`` for a plan with nothing to send (the process's own
   size: Django, the models, no file);
c. ``first``: the plan's first export of this month: an addition (021) per member;
d. ``mixed``: after 1% of members die (their enrollment ends this month), 2% move to a new
   address and 1% choose another language (each a person's row and a history row, as the
   importer writes them) and 1% more members join, the same period again: 024, 001 and 021;
e. ``full``: the full audit file (030) of the period, every member again;
f. ``again``: the same period once more: nothing to send, no file;
g. ``pyx12``: pyx12's ``x12n_document`` (what ``x12valid`` runs) over the first (whole) file
   and the mixed one (``--skip-pyx12`` leaves it out); and the portal's reader over the first.

Each export runs as a child process: its wall time, peak RSS (``wait4``) and the counts the
export recorded. Goals: the first export under 30 s, its peak RSS within 64 MiB of the baseline
(memory flat), pyx12 finds no error. Prints a table; ``--json`` writes
``bench/results/export_834_<members>.json``. Never prints a person's data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench.import_bench import (  # noqa: E402
    PYTHON,
    RESULTS,
    child_env,
    log,
    machine,
    recreate_database,
    split_url,
    timed_child,
)

GOALS = {"first_seconds": 30.0, "rss_over_baseline_mib": 64.0}
PLAN = "MC-HPSM"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/medimedi_export_bench"
    )
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--skip-pyx12", action="store_true")
    parser.add_argument("--json", action="store_true", help="write bench/results/...json")
    parser.add_argument(
        "--pyx12-file",
        type=Path,
        help="only run pyx12's validator over this file and print the result as JSON (for a "
        "file a run with --workdir kept; e.g. under nice on a shared machine)",
    )
    return parser.parse_args(argv)


def this_month() -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def django_setup(url: str) -> None:
    os.environ.update({k: v for k, v in child_env(url).items() if k != "PATH"})
    import django

    django.setup()


def enroll(cursor: Any, first: dt.date, where: str) -> int:
    """Give the people ``where`` names a CareAdvantage enrollment from ``first`` and make their
    Medi-Cal plan enrollment its aligned one in the plan (as an approval that keeps it does);
    return the aligned enrollments made."""
    from eligibility.models import MediCalPlan, MediMediPlan

    mc = MediCalPlan.objects.get(state_code=PLAN).pk
    mm = MediMediPlan.objects.get(name="CareAdvantage").pk
    now = dt.datetime.now(dt.UTC)
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_new ON COMMIT DROP AS SELECT b.id AS bid "
        f"FROM eligibility_beneficiary b WHERE {where} AND NOT EXISTS (SELECT 1 FROM "
        "enrollment_enrollment m WHERE m.beneficiary_id = b.id AND m.kind = 'medi_medi')"
    )
    cursor.execute(
        "INSERT INTO enrollment_enrollment (beneficiary_id, kind, medi_medi_plan_id, "
        "start_date, cancelled, member_id, end_reason, end_note, created_at, updated_at) "
        "SELECT n.bid, 'medi_medi', %s, %s, false, '', '', '', %s, %s FROM bench_new n "
        "ORDER BY n.bid",
        [mm, first, now, now],
    )
    cursor.execute(
        "UPDATE enrollment_enrollment e SET medi_cal_plan_id = %s, aligned_with_id = m.id, "
        "start_date = %s, updated_at = %s FROM enrollment_enrollment m, bench_new n "
        "WHERE n.bid = e.beneficiary_id AND m.beneficiary_id = e.beneficiary_id "
        "AND m.kind = 'medi_medi' AND e.kind = 'medi_cal' AND NOT e.cancelled "
        "AND e.end_date IS NULL",
        [mc, first, now],
    )
    updated = cursor.rowcount
    cursor.execute(
        "INSERT INTO enrollment_enrollment (beneficiary_id, kind, medi_cal_plan_id, "
        "start_date, cancelled, member_id, end_reason, end_note, created_at, updated_at, "
        "aligned_with_id) SELECT m.beneficiary_id, 'medi_cal', %s, %s, false, '', '', '', "
        "%s, %s, m.id FROM enrollment_enrollment m JOIN bench_new n ON n.bid = m.beneficiary_id "
        "WHERE m.kind = 'medi_medi' AND NOT EXISTS "
        "(SELECT 1 FROM enrollment_enrollment e WHERE e.aligned_with_id = m.id) "
        "ORDER BY m.beneficiary_id",
        [mc, first, now, now],
    )
    inserted = cursor.rowcount
    cursor.execute("DROP TABLE bench_new")
    return updated + inserted


def load_data(args: argparse.Namespace, url: str, workdir: Path, first: dt.date) -> dict:
    csv_path = workdir / f"eligibility-{args.members}.csv"
    log(f"data: generating {args.members} people")
    subprocess.run(
        [
            *(PYTHON, "bench/gen_eligibility.py", str(csv_path), "--people", str(args.members)),
            *("--month", f"{first:%Y-%m}", "--seed", str(args.seed)),
        ],
        cwd=PROJECT,
        check=True,
    )
    log("data: importing")
    imported = timed_child(
        [PYTHON, "manage.py", "import_eligibility", str(csv_path), "--json"],
        child_env(url),
        workdir,
    )
    if imported["exit_code"] != 0:
        raise SystemExit(f"import failed: {imported['stderr_tail']}")
    csv_path.unlink()
    log(f"data: imported in {imported['wall_seconds']} s; making the enrollments")
    django_setup(url)
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # 1% join later (``make_changes``).
        aligned = enroll(cursor, first, "b.id % 100 <> 41")
    cursor = connection.cursor()
    cursor.execute("ANALYZE")
    log(f"data: {aligned} aligned Medi-Cal enrollments in {PLAN}")
    return {
        "import_seconds": imported["wall_seconds"],
        "aligned_enrollments": aligned,
        "enrollments_seconds": round(time.perf_counter() - started, 2),
    }


def make_changes(url: str, members: int, first: dt.date, last: dt.date) -> dict[str, int]:
    """Deaths (1%), new addresses (2%), new languages (1%), new members (1%), in bulk SQL; each
    person changed gets a history row as the importer writes them."""
    from django.db import connection, transaction

    from eligibility.models import Beneficiary

    history = Beneficiary.history.model._meta.db_table
    columns = [f.column for f in Beneficiary._meta.concrete_fields]
    now = dt.datetime.now(dt.UTC)
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE enrollment_enrollment SET end_date = %s, end_reason = 'died', updated_at = %s "
            "WHERE kind = 'medi_cal' AND aligned_with_id IS NOT NULL AND beneficiary_id %% 100 = 7",
            [last, now],
        )
        counts["ended"] = cursor.rowcount
        cursor.execute(
            "UPDATE eligibility_beneficiary SET date_of_death = %s, updated_at = %s "
            "WHERE id %% 100 = 7",
            [first, now],
        )
        cursor.execute(
            "UPDATE eligibility_beneficiary SET address_line1 = '1 Changed Road ' || id, "
            "updated_at = %s WHERE id %% 50 = 11",
            [now],
        )
        counts["moved"] = cursor.rowcount
        cursor.execute(
            "UPDATE eligibility_beneficiary SET preferred_language = CASE WHEN "
            "preferred_language = 'es' THEN 'vi' ELSE 'es' END, updated_at = %s "
            "WHERE id %% 100 = 23",
            [now],
        )
        counts["language"] = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {history} ({', '.join(columns)}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {', '.join(f'b.{c}' for c in columns)}, %s, "
            "'bench change', '~', NULL FROM eligibility_beneficiary b WHERE b.updated_at = %s "
            "ORDER BY b.id",
            [now, now],
        )
        # New members: the 1% left out at the start join now.
        counts["joined"] = enroll(cursor, first, "b.id % 100 = 41")
        cursor.execute("ANALYZE")
    return counts


def export(url: str, workdir: Path, label: str, first: dt.date, last: dt.date, *extra: str) -> dict:
    command = [PYTHON, "manage.py", "export_834", "--plan", PLAN]
    command += ["--from", first.isoformat(), "--to", last.isoformat(), *extra]
    log(f"{label}: export_834 {' '.join(command[4:])}")
    result = timed_child(command, child_env(url), workdir)
    if result["exit_code"] != 0:
        raise SystemExit(f"{label}: export failed: {result['stderr_tail']}")
    result.pop("stderr_tail")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT id, members, additions, terminations, reinstatements, changes, audits, "
            "segments, size_bytes, seconds, stored_path, interchange_control "
            "FROM interchange_enrollmentfileexport ORDER BY id DESC LIMIT 1"
        ).fetchone()
    keys = [
        *("id", "members", "additions", "terminations", "reinstatements", "changes"),
        *("audits", "segments", "size_bytes", "service_seconds", "stored_path"),
        "interchange_control",
    ]
    recorded = dict(zip(keys, row, strict=True)) if row else {}
    result["export"] = recorded
    log(
        f"{label}: {result['wall_seconds']} s wall, peak RSS {result['peak_rss_mib']} MiB; "
        f"{result['last_line'][:160]}"
    )
    return result


def pyx12_check(path: Path) -> dict[str, Any]:
    import pyx12.params
    import pyx12.x12n_document

    started = time.perf_counter()
    report = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), str(path), None, None, fd_json=report
    )
    seconds = time.perf_counter() - started
    text = report.getvalue()
    errors = text.count('"err_cde"')
    return {"valid": bool(valid), "errors": errors, "seconds": round(seconds, 1)}


def reader_check(path: Path) -> dict[str, Any]:
    from interchange.x12 import read_x12

    started = time.perf_counter()
    with path.open("rb") as handle:
        x12 = read_x12(handle)
        count = sum(1 for _ in x12.records())
    return {"records": count, "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.pyx12_file:
        print(json.dumps({"file": args.pyx12_file.name, **pyx12_check(args.pyx12_file)}))
        return
    url = args.database_url
    first, last = this_month()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="export834-"))
    workdir.mkdir(parents=True, exist_ok=True)
    exports_dir = workdir / "exports"
    os.environ["INTERCHANGE_EXPORT_DIR"] = str(exports_dir)
    results: dict[str, Any] = {"machine": machine(), "members": args.members}
    results["period"] = [first.isoformat(), last.isoformat()]
    recreate_database(url)
    try:
        results["data"] = load_data(args, url, workdir, first)
        # b. baseline: a plan nobody is in.
        command = [PYTHON, "manage.py", "export_834", "--plan", "MC-PARTNERSHIP"]
        command += ["--from", first.isoformat(), "--to", last.isoformat()]
        base = timed_child(command, child_env(url), workdir)
        results["baseline"] = {k: base[k] for k in ("wall_seconds", "peak_rss_mib", "last_line")}
        log(f"baseline: {base['wall_seconds']} s, peak RSS {base['peak_rss_mib']} MiB")
        results["first"] = export(url, workdir, "first", first, last)
        results["changes"] = make_changes(url, args.members, first, last)
        log(f"changes: {results['changes']}")
        results["mixed"] = export(url, workdir, "mixed", first, last)
        results["full"] = export(url, workdir, "full", first, last, "--full")
        results["again"] = export(url, workdir, "again", first, last)
        if results["again"]["export"].get("id") == results["full"]["export"].get("id"):
            results["again"]["export"] = {}  # no export recorded: nothing was sent
        first_file = Path(results["first"]["export"]["stored_path"])
        results["reader"] = reader_check(first_file)
        log(f"reader: {results['reader']}")
        if not args.skip_pyx12:
            for step in ("mixed", "first"):
                path = Path(results[step]["export"]["stored_path"])
                log(f"pyx12: validating the {step} file ({path.stat().st_size >> 20} MiB)")
                results[f"pyx12_{step}"] = check = pyx12_check(path)
                log(f"pyx12 {step}: {check}")
    finally:
        if not args.keep_database:
            import psycopg

            if "DJANGO_SETTINGS_MODULE" in os.environ:
                from django.db import connections

                connections.close_all()
            server, name = split_url(url)
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    rss_over = results["first"]["peak_rss_mib"] - results["baseline"]["peak_rss_mib"]
    results["goals"] = {
        "first export under 30 s": results["first"]["wall_seconds"] < GOALS["first_seconds"],
        "peak RSS within 64 MiB of the baseline": rss_over <= GOALS["rss_over_baseline_mib"],
        "pyx12: no error in the first and mixed files": None
        if args.skip_pyx12
        else all(results[f"pyx12_{s}"]["errors"] == 0 for s in ("first", "mixed")),
    }
    print()
    print(
        f"{'step':8} {'wall s':>7} {'svc s':>6} {'RSS MiB':>8} {'members':>8} {'021':>7} "
        f"{'024':>6} {'001':>6} {'030':>7} {'MiB':>6}"
    )
    for step in ("first", "mixed", "full", "again"):
        r = results[step]
        e = r["export"] if step != "again" else {}
        print(
            f"{step:8} {r['wall_seconds']:>7} {e.get('service_seconds', '-')!s:>6} "
            f"{r['peak_rss_mib']:>8} {e.get('members', 0):>8} {e.get('additions', 0):>7} "
            f"{e.get('terminations', 0):>6} {e.get('changes', 0):>6} {e.get('audits', 0):>7} "
            f"{(e.get('size_bytes') or 0) / 2**20:>6.1f}"
        )
    print(f"baseline peak RSS {results['baseline']['peak_rss_mib']} MiB (over it: {rss_over:.1f})")
    for goal, met in results["goals"].items():
        print(f"  {goal}: {'met' if met else 'not met' if met is False else 'not measured'}")
    if args.json:
        RESULTS.mkdir(exist_ok=True)
        for step in ("first", "mixed", "full", "again"):
            results[step].get("export", {}).pop("stored_path", None)
        out = RESULTS / f"export_834_{args.members}.json"
        out.write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
