"""Care coordination: the daily job marking passed deadlines overdue, at state scale.

Run from the project folder (PostgreSQL up on 127.0.0.1)::

    .venv/bin/python bench/care_overdue.py                 # 300,000 open items
    .venv/bin/python bench/care_overdue.py --tasks 20000   # a quick trial

Uses its own database ``medimedi_bench_care`` (created and migrated when missing; its care
rows are deleted first). Writes one synthetic member, enrollment and case, then ``--tasks``
open work items due yesterday (bulk inserts, not timed), and times
``care.services.care_tasks_mark_overdue`` (batches of 1,000, each its own transaction) and a
second, idempotent run that marks nothing; reports seconds, items per second and the process's
peak RSS. The result goes to ``bench/results/care_overdue.json``.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "medimedi_bench_care"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300_000)
    parser.add_argument("--output", default=str(ROOT / "bench/results/care_overdue.json"))
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], capture_output=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, check=True
    )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medimedi.settings")
    import django

    django.setup()
    from django.db import connection

    from care.models import CareCase, CareTask, CareTaskChange
    from care.services import care_tasks_mark_overdue
    from eligibility.models import Beneficiary, County, MediMediPlan
    from enrollment.models import Enrollment

    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {CareTaskChange._meta.db_table}, {CareTask._meta.db_table} RESTART IDENTITY"
        )
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    person, _ = Beneficiary.objects.get_or_create(
        mbi="1EG4TE5MK73",
        defaults={
            "cin": "90000000A",
            "first_name": "Bench",
            "last_name": "Person",
            "date_of_birth": date(1950, 1, 1),
            "address_line1": "1 Bench Street",
            "city": "San Mateo",
            "zip_code": "94401",
            "county": County.objects.get(name="San Mateo"),
        },
    )
    enrollment, _ = Enrollment.objects.get_or_create(
        beneficiary=person,
        kind="medi_medi",
        defaults={"medi_medi_plan": plan, "start_date": date(2025, 1, 1)},
    )
    case, _ = CareCase.objects.get_or_create(
        enrollment=enrollment, defaults={"organization_id": plan.organization_id}
    )
    today = date(2026, 12, 1)
    for start in range(0, args.tasks, 10_000):
        CareTask.objects.bulk_create(
            CareTask(case=case, kind="hra", due_date=today - timedelta(days=1 + n % 300))
            for n in range(start, min(start + 10_000, args.tasks))
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {CareTask._meta.db_table}")  # as autovacuum would
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    marked = care_tasks_mark_overdue(today=today)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = care_tasks_mark_overdue(today=today)
    rerun = time.perf_counter() - started
    result = {
        "tasks": args.tasks,
        "marked": marked,
        "seconds": round(seconds, 2),
        "per_second": round(marked / seconds),
        "rerun_marked": again,
        "rerun_seconds": round(rerun, 3),
        "peak_rss_mib_before": round(rss_before / 1024),
        "peak_rss_mib_after": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "date": time.strftime("%Y-%m-%d"),
        "machine": "2 cores, shared and noisy",
    }
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
