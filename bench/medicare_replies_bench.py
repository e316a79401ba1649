"""Loading a Medicare reply file (docs/medicare.md), on PostgreSQL.

Run from the project folder (PostgreSQL on 127.0.0.1:5432, user postgres, trust auth)::

    .venv/bin/python bench/medicare_replies_bench.py --rows 5000

The database (``--database``, default ``medimedi_bench_h2``) is dropped and made again,
migrated, and filled (not timed) with ``--rows`` synthetic members of CareAdvantage (San Mateo)
and its aligned Medi-Cal plan from 2027-01-01, each with a pending enrollment submission. A
reply file answers every one: accepted (TRC 011), every ``--reject-every``th (default 10th)
rejected (TRC 106: the pair is cancelled, a letter queued, a review item opened). Timed:

a. ``load``: ``reply_file_load`` of the file (a system job);
b. ``reload``: the same bytes again (must write nothing: ``duplicate_file``);
c. ``same rows``: the same rows in other bytes (every row ``unchanged``).

Peak RSS of the process is printed. Results go to ``bench/results/medicare_replies_<rows>.json``
and ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

RESULTS = PROJECT / "bench" / "results"


def fill(rows: int) -> None:
    from django.db import transaction

    from bench.transfer_bench import make_cin, make_mbi
    from eligibility.models import Beneficiary, County, MediCalPlan, MediMediPlan
    from enrollment.models import Enrollment, MedicareSubmission

    county = County.objects.get(name="San Mateo")
    plan = MediMediPlan.objects.get(name="CareAdvantage")
    medi_cal_plan = MediCalPlan.objects.get(name="Health Plan of San Mateo")
    extra = {
        name: value
        for name, value in (("search_first_name", "bench"), ("search_last_name", "person"))
        if name in {f.name for f in Beneficiary._meta.get_fields()}
    }
    start = date(2027, 1, 1)
    with transaction.atomic():
        for first in range(0, rows, 2000):
            people = Beneficiary.objects.bulk_create(
                Beneficiary(
                    first_name="Bench",
                    last_name="Person",
                    date_of_birth=date(1950, 1, 1),
                    mbi=make_mbi(n),
                    cin=make_cin(n),
                    address_line1="1 Bench Street",
                    city="San Mateo",
                    zip_code="94401",
                    county=county,
                    medicare_part_a_start=date(2015, 1, 1),
                    medicare_part_b_start=date(2015, 1, 1),
                    **extra,
                )
                for n in range(first, min(rows, first + 2000))
            )
            medi_medi = Enrollment.objects.bulk_create(
                Enrollment(
                    beneficiary=person, kind="medi_medi", medi_medi_plan=plan, start_date=start
                )
                for person in people
            )
            Enrollment.objects.bulk_create(
                Enrollment(
                    beneficiary=row.beneficiary,
                    kind="medi_cal",
                    medi_cal_plan=medi_cal_plan,
                    start_date=start,
                    aligned_with=row,
                )
                for row in medi_medi
            )
            MedicareSubmission.objects.bulk_create(
                MedicareSubmission(
                    enrollment=row,
                    beneficiary=row.beneficiary,
                    kind="enrollment",
                    transaction_type="61",
                    election_period="icsep",
                    effective_date=start,
                    submitted_on=date(2026, 12, 1),
                )
                for row in medi_medi
            )


def reply_csv(rows: int, reject_every: int, trailer: str = "") -> bytes:
    from bench.transfer_bench import make_mbi

    lines = ["mbi,contract,pbp,transaction,effective_date,reply_code,result"]
    for n in range(rows):
        rejected = reject_every > 0 and n % reject_every == reject_every - 1
        lines.append(
            f"{make_mbi(n)},H0001,001,61,2027-01-01,{'106' if rejected else '011'},"
            f"{'rejected' if rejected else 'accepted'}"
        )
    return ("\n".join(lines) + "\n" + trailer).encode()


def timed(data: bytes) -> tuple[float, dict[str, Any]]:
    from enrollment.medicare import reply_file_load

    began = time.perf_counter()
    report = reply_file_load(actor=None, file=io.BytesIO(data), file_name="bench.csv").as_dict()
    return time.perf_counter() - began, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database", default="medimedi_bench_h2")
    parser.add_argument(
        "--reject-every", type=int, default=10, help="Every Nth row is a rejection (0: none)."
    )
    parser.add_argument(
        "--broker",
        default="",
        help="A Redis URL whose database this run may fill and leave (e.g. "
        "redis://127.0.0.1:6379/2): letters are queued there, not rendered in process.",
    )
    args = parser.parse_args()

    from bench.transfer_bench import database_reset

    database_reset(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.pop("REDIS_URL", None)
    if args.broker:  # letters are published for a worker, not rendered in this process
        os.environ["CELERY_BROKER_URL"] = args.broker
    else:  # letters are rendered here, after each commit, and counted in the time
        os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medimedi.settings")
    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)
    fill(args.rows)

    from enrollment.models import Enrollment, ReviewItem
    from notices.models import Notice

    data = reply_csv(args.rows, args.reject_every)
    load_s, first = timed(data)
    reload_s, second = timed(data)
    same_s, third = timed(reply_csv(args.rows, args.reject_every, trailer="\n"))
    result = {
        "rows": args.rows,
        "rejections": args.rows // args.reject_every if args.reject_every else 0,
        "file_bytes": len(data),
        "load_seconds": round(load_s, 2),
        "rows_per_second": round(args.rows / load_s, 1),
        "applied": first["applied"],
        "errors": first["errors"],
        "reload_seconds": round(reload_s, 3),
        "reload_duplicate_file": second["duplicate_file"],
        "same_rows_seconds": round(same_s, 2),
        "same_rows_unchanged": third["unchanged"],
        "cancelled_enrollments": Enrollment.objects.filter(cancelled=True).count(),
        "letters": Notice.objects.filter(kind="medicare_rejection").count(),
        "review_items": ReviewItem.objects.filter(kind="medicare_rejected").count(),
        "letters_rendered_in_process": not args.broker,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": f"{os.cpu_count()} cores, shared and noisy ({platform.machine()})",
        "date": time.strftime("%Y-%m-%d"),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"medicare_replies_{args.rows}.json").write_text(json.dumps(result, indent=2))
    for key, value in result.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
