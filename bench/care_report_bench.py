"""The monthly care report (``care.reports.monthly_report``) on a state-sized month.

Run from the project folder (PostgreSQL up on 127.0.0.1)::

    .venv/bin/python bench/care_report_bench.py                   # 200,000 members
    .venv/bin/python bench/care_report_bench.py --members 20000   # a quick trial
    .venv/bin/python bench/care_report_bench.py --drop            # drop the database after

Uses its own database ``medimedi_bench_care_report`` (created and migrated when missing; its
members, enrollments and care rows are deleted first). Writes ``--members`` synthetic members
spread over every plan's service areas, one Medi-Medi enrollment each (started over the last
three years, 2% ending in the month with a reason), a care case, an initial assessment and a
care plan work item each, and one continuity request and one grievance or appeal per ten
members (bulk inserts, not timed). Then times the November 2026 report for an administrator
(every plan) and for staff of one organization, three runs each, and counts the queries.
The result goes to ``bench/results/care_report.json``.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
DB = "medimedi_bench_care_report"
LA = ZoneInfo("America/Los_Angeles")
CHUNK = 10_000
MONTH = date(2026, 11, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--output", default=str(ROOT / "bench/results/care_report.json"))
    parser.add_argument("--drop", action="store_true", help="drop the database when done")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the rows of an earlier run: only time"
    )
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
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from care import reports
    from care.models import (
        AppealCase,
        Assessment,
        CareCase,
        CareTask,
        ContinuityRequest,
    )
    from eligibility.models import Beneficiary, Organization, ServiceArea, StaffMembership
    from enrollment.models import EndReason, Enrollment

    def load(members: int) -> None:
        with connection.cursor() as cursor:
            for model in (AppealCase, ContinuityRequest, CareTask, Assessment, CareCase):
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
            cursor.execute(f"DELETE FROM {Enrollment._meta.db_table}")
        Beneficiary.objects.filter(mbi__startswith="9B").delete()

        areas = list(ServiceArea.objects.select_related("plan").order_by("pk"))
        reasons = [r for r in EndReason.values if r not in ("superseded",)]
        for start in range(0, members, CHUNK):
            numbers = range(start, min(start + CHUNK, members))
            people = Beneficiary.objects.bulk_create(
                Beneficiary(
                    first_name="Bench",
                    last_name=f"Member{n}",
                    date_of_birth=date(1950, 1, 1),
                    mbi=f"9B{n:09d}",
                    cin=f"B{n:08d}",
                    address_line1="1 Bench Street",
                    city="Bench",
                    zip_code="90000",
                    county_id=areas[n % len(areas)].county_id,
                )
                for n in numbers
            )
            enrollments = Enrollment.objects.bulk_create(
                Enrollment(
                    beneficiary=person,
                    kind="medi_medi",
                    medi_medi_plan_id=areas[n % len(areas)].plan_id,
                    start_date=date(2024 + (n % 36) // 12, 1 + n % 12, 1),
                    end_date=date(2026, 11, 30) if n % 50 == 0 else None,
                    end_reason=reasons[n % len(reasons)] if n % 50 == 0 else "",
                )
                for n, person in zip(numbers, people, strict=True)
            )
            cases = CareCase.objects.bulk_create(
                CareCase(enrollment=e, organization_id=areas[n % len(areas)].plan.organization_id)
                for n, e in zip(numbers, enrollments, strict=True)
            )
            Assessment.objects.bulk_create(
                Assessment(
                    case=case,
                    kind="initial",
                    due_date=e.start_date + timedelta(days=90),
                    status=("completed", "refused", "due")[n % 3],
                    completed_on=e.start_date + timedelta(days=30 + n % 90) if n % 3 == 0 else None,
                )
                for n, case, e in zip(numbers, cases, enrollments, strict=True)
            )
            CareTask.objects.bulk_create(
                CareTask(
                    case=case,
                    kind="care_plan",
                    due_date=e.start_date + timedelta(days=120),
                    status=("done", "open", "closed")[n % 3],
                    finished_at=datetime.combine(
                        e.start_date + timedelta(days=100 + n % 40), datetime.min.time(), LA
                    )
                    if n % 3 != 1
                    else None,
                )
                for n, case, e in zip(numbers, cases, enrollments, strict=True)
            )
            ContinuityRequest.objects.bulk_create(
                ContinuityRequest(
                    enrollment=e,
                    organization_id=case.organization_id,
                    provider_name="Dr. Bench",
                    npi="1234567893",
                    specialty="Cardiology",
                    last_seen_on=e.start_date - timedelta(days=30),
                    received_on=MONTH + timedelta(days=n % 30),
                    decision_due=MONTH + timedelta(days=n % 30 + 15),
                    status=("approved", "denied", "pending")[n % 3],
                    decided_at=datetime.combine(
                        MONTH + timedelta(days=n % 30 + n % 20), datetime.min.time(), LA
                    )
                    if n % 3 != 2
                    else None,
                )
                for n, case, e in zip(numbers, cases, enrollments, strict=True)
                if n % 10 == 0
            )
            AppealCase.objects.bulk_create(
                AppealCase(
                    kind=("grievance", "appeal")[n % 2],
                    enrollment=e,
                    organization_id=case.organization_id,
                    channel="phone",
                    description="Bench.",
                    expedited=n % 7 == 0,
                    received_at=datetime.combine(MONTH, datetime.min.time(), LA)
                    + timedelta(hours=n % 700),
                    due_at=datetime.combine(MONTH, datetime.min.time(), LA)
                    + timedelta(hours=n % 700 + 720),
                    status="resolved" if n % 4 else "open",
                    resolved_at=datetime.combine(MONTH, datetime.min.time(), LA)
                    + timedelta(hours=n % 700 + n % 900)
                    if n % 4
                    else None,
                )
                for n, case, e in zip(numbers, cases, enrollments, strict=True)
                if n % 10 == 5
            )

    started = time.perf_counter()
    if not args.reuse:
        load(args.members)
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        for model in (Beneficiary, Enrollment, CareCase, Assessment, CareTask):
            cursor.execute(f"ANALYZE {model._meta.db_table}")  # as autovacuum would
        cursor.execute(f"ANALYZE {ContinuityRequest._meta.db_table}")
        cursor.execute(f"ANALYZE {AppealCase._meta.db_table}")

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN})
    staff, created = User.objects.get_or_create(
        username="bench-staff", defaults={"role": Role.STAFF}
    )
    if created:
        StaffMembership.objects.create(
            user=staff, organization=Organization.objects.get(code="molina")
        )

    def timed(actor: User) -> dict[str, object]:
        runs = []
        for _ in range(3):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                report = reports.monthly_report(actor, MONTH)
                runs.append(time.perf_counter() - began)
        return {
            "seconds_runs": [round(s, 3) for s in runs],
            "seconds_best": round(min(runs), 3),
            "queries": len(queries.captured_queries),
            "groups": len(report.groups),
            "enrollments_new": report.totals["enrollments_new"],
            "members_end_of_month": report.totals["members_end_of_month"],
            "hra_due": report.totals["hra_due"],
        }

    result = {
        "members": args.members,
        "load_seconds_untimed_setup": round(load_seconds, 1),
        "admin_every_plan": timed(admin),
        "staff_one_organization": timed(staff),
        "date": time.strftime("%Y-%m-%d"),
        "machine": "2 cores, shared and noisy (other sessions running)",
    }
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if args.drop:
        connection.close()
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=False)


if __name__ == "__main__":
    main()
