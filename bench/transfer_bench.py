"""The plan-wide transfer's figures (issue 9, "Measured"), on PostgreSQL.

Run from the project folder (PostgreSQL on 127.0.0.1:5432, user postgres, trust auth)::

    .venv/bin/python bench/transfer_bench.py --members 300000      # the issue's size
    .venv/bin/python bench/transfer_bench.py --members 5000        # a quick try

The database (``--database``, default ``medimedi_transfer_bench``) is dropped and made again,
migrated, and filled by ``COPY`` (not timed) with ``--members`` synthetic people enrolled in
Health Net's Medi-Medi Plan (Wellcare by Health Net) and its aligned Medi-Cal plan since
2023-01-01 in Riverside and San Bernardino, plus 1% as many in San Diego. Then, as in the Health
Net 2024 case, they are transferred to IEHP DualChoice from 2024-01-01, seen from 2023-10-01
(so each member gets the 60- and the 30-day letter, written by the daily job on their days):

a. ``dry run``: ``transfer_plan(dry_run=True)``;
b. ``apply``: ``transfer_plan(dry_run=False)``: the San Diego members cannot move (IEHP does not
   serve San Diego) and are listed; no letter is due yet, none is written;
c. ``rerun``: the same call again: must write nothing;
d. ``letters_60``: the daily letter job (``enrollment.tasks.plan_transfer_letters``) on
   2023-11-02: the 60-day letters;
e. ``letters_30``: the job on 2023-12-02: the 30-day letters;
f. ``letters_rerun``: the job on 2023-12-02 again: must write nothing.

Rows written are PostgreSQL's own counters (``pg_stat_user_tables``: inserted + updated +
deleted, flushed before each reading). The run is checked afterwards: every movable member
moved, no two overlapping enrollments of one kind, two letters each. Prints a table and writes
``bench/results/transfer_bench_<members>.json``. Recorded runs: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

RESULTS = PROJECT / "bench" / "results"
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def make_mbi(n: int) -> str:
    letters = [MBI_LETTERS[(n // 20**i) % 20] for i in range(5)]
    digits = f"{n % 10**6:06d}"
    return (
        f"{1 + n % 9}{letters[0]}{letters[1]}{digits[0]}{letters[2]}{letters[3]}{digits[1]}"
        f"{letters[4]}{letters[0]}{digits[2]}{digits[3]}"
    )


def make_cin(n: int) -> str:
    return f"{10000000 + n:08d}{'ABCDEFGHJKLMNPRSTVWXYZ'[n % 22]}"


def database_reset(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


def _columns(model: Any, given: dict[str, Any]) -> list[tuple[str, Any]]:
    """(column, value or default) for every column but the id."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname in given:
            out.append((f.column, given[f.attname]))
        else:
            out.append((f.column, f.get_default()))
    return out


def fill(members: int) -> dict[str, Any]:
    """People and their enrollment pairs, by COPY (ids assigned here)."""
    from django.db import connection
    from django.utils import timezone

    from eligibility.models import Beneficiary, County, ServiceArea
    from enrollment.models import Enrollment

    wellcare = ServiceArea.objects.filter(plan__name="Wellcare by Health Net").select_related(
        "county", "aligned_medi_cal_plan", "plan"
    )
    areas = {area.county.name: area for area in wellcare}
    counties = {c.name: c for c in County.objects.filter(name__in=areas)}
    placement = [("Riverside", members // 2), ("San Bernardino", members - members // 2)]
    placement.append(("San Diego", max(1, members // 100)))
    now = timezone.now()
    person_template = {
        "first_name": "Bench",
        "last_name": "Person",
        "date_of_birth": date(1950, 1, 1),
        "address_line1": "1 Bench Street",
        "city": "Riverside",
        "zip_code": "92501",
        "preferred_language": "en",
        "preferred_format": "standard",
        "medicare_part_a_start": date(2015, 1, 1),
        "medicare_part_b_start": date(2015, 1, 1),
        "created_at": now,
        "updated_at": now,
        "search_first_name": "bench",
        "search_last_name": "person",
    }
    people_cols = ["id", *(c for c, _ in _columns(Beneficiary, person_template))]
    enrollment_cols = ["id", *(c for c, _ in _columns(Enrollment, {"created_at": now}))]
    n = 0
    enrollment_id = 0
    with connection.cursor() as cursor, transaction_atomic():
        with cursor.cursor.copy(
            f"COPY eligibility_beneficiary ({', '.join(people_cols)}) FROM STDIN"
        ) as copy:
            for county_name, count in placement:
                for _ in range(count):
                    n += 1
                    values = dict(person_template)
                    values.update(
                        mbi=make_mbi(n),
                        cin=make_cin(n),
                        county_id=counties[county_name].pk,
                        email=f"bench{n}@example.test",
                    )
                    copy.write_row([n, *(v for _, v in _columns(Beneficiary, values))])
        with cursor.cursor.copy(
            f"COPY enrollment_enrollment ({', '.join(enrollment_cols)}) FROM STDIN"
        ) as copy:
            person = 0
            for county_name, count in placement:
                area = areas[county_name]
                for _ in range(count):
                    person += 1
                    mm_id = enrollment_id + 1
                    enrollment_id += 2
                    base = {
                        "beneficiary_id": person,
                        "start_date": date(2023, 1, 1),
                        "created_at": now,
                        "updated_at": now,
                        "cancelled": False,
                        "end_reason": "",
                        "end_note": "",
                        "member_id": "",
                    }
                    mm = {**base, "kind": "medi_medi", "medi_medi_plan_id": area.plan_id,
                          "member_id": f"HN{person:09d}"}  # fmt: skip
                    mc = {**base, "kind": "medi_cal",
                          "medi_cal_plan_id": area.aligned_medi_cal_plan_id,
                          "aligned_with_id": mm_id}  # fmt: skip
                    copy.write_row([mm_id, *(v for _, v in _columns(Enrollment, mm))])
                    copy.write_row([mm_id + 1, *(v for _, v in _columns(Enrollment, mc))])
        for table in ("eligibility_beneficiary", "enrollment_enrollment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"people": n, "enrollments": enrollment_id, "placement": placement}


def transaction_atomic() -> Any:
    from django.db import transaction

    return transaction.atomic()


def rows_written() -> int:
    """Rows inserted, updated and deleted in every table so far (flushed first)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(1.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # a transaction end: this backend's counters are flushed
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"
        )
        return int(cursor.fetchone()[0])


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from eligibility.models import County, MediMediPlan
    from enrollment.models import Enrollment, PlanTransferMember
    from enrollment.tasks import plan_transfer_letters
    from enrollment.transfers import transfer_plan
    from notices.models import Notice

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    made = fill(args.members)
    setup_seconds = time.monotonic() - started

    def call(dry_run: bool) -> Any:
        return transfer_plan(
            actor=None,
            from_plan=MediMediPlan.objects.get(name="Wellcare by Health Net"),
            to_plan=MediMediPlan.objects.get(name="IEHP DualChoice"),
            counties=list(
                County.objects.filter(name__in=["Riverside", "San Bernardino", "San Diego"])
            ),
            effective=date(2024, 1, 1),
            dry_run=dry_run,
            today=date(2023, 10, 1),
            reason="bench",
            batch_size=args.batch_size,
            workers=args.workers,
        )

    results: dict[str, Any] = {"setup_seconds": round(setup_seconds, 1), **made}
    for step, dry in (("dry_run", True), ("apply", False), ("rerun", False)):
        before = rows_written()
        cpu = time.process_time()
        t0 = time.monotonic()
        report = call(dry)
        seconds = time.monotonic() - t0
        results[step] = {
            "seconds": round(seconds, 2),
            "process_cpu_seconds": round(time.process_time() - cpu, 2),
            "rows_written": rows_written() - before,
            "members": report.members,
            "moves": report.moves,
            "cannot": report.cannot,
            "moved_now": report.moved_now,
            "letters_queued": report.letters_queued,
            "already_done": report.already_done,
            "steps_seconds": report.seconds,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        print(f"{step}: {results[step]}", flush=True)
    for step, day in (
        ("letters_60", "2023-11-02"),
        ("letters_30", "2023-12-02"),
        ("letters_rerun", "2023-12-02"),
    ):
        before = rows_written()
        cpu = time.process_time()
        t0 = time.monotonic()
        written = plan_transfer_letters(day)
        results[step] = {
            "day": day,
            "seconds": round(time.monotonic() - t0, 2),
            "process_cpu_seconds": round(time.process_time() - cpu, 2),
            "rows_written": rows_written() - before,
            "letters_written": written,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        print(f"{step}: {results[step]}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM enrollment_enrollment a JOIN enrollment_enrollment b
              ON a.beneficiary_id = b.beneficiary_id AND a.kind = b.kind AND a.id < b.id
             AND NOT a.cancelled AND NOT b.cancelled
             AND daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')
            """
        )
        overlaps = cursor.fetchone()[0]
    results["check"] = {
        "moved": PlanTransferMember.objects.filter(outcome="moved").count(),
        "listed": PlanTransferMember.objects.filter(outcome="cannot").count(),
        "new_enrollments": Enrollment.objects.filter(start_date=date(2024, 1, 1)).count(),
        "notices": Notice.objects.count(),
        "overlapping_pairs": overlaps,
    }
    results["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300_000)
    parser.add_argument("--database", default="medimedi_transfer_bench")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument(
        "--workers", type=int, default=None, help="Batches side by side (default: the service's)"
    )
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    database_reset(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medimedi.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    try:
        results = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_database:
            import psycopg

            with psycopg.connect(
                "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    results.update(
        members_arg=args.members,
        batch_size=args.batch_size,
        workers=args.workers,
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, shared and noisy",
        load_average=os.getloadavg(),
    )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"transfer_bench_{args.members}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
