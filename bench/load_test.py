"""A production-like load test: Locust against gunicorn on PostgreSQL, on 127.0.0.1 only.

Run from /work/main, on a database that already holds the state's people and applications
(``bench/staff_queue_bench.py --keep`` leaves one with 1.5 million beneficiaries and 500,000
applications; any migrated database works, only smaller):

    .venv/bin/pip install -e ".[bench]"            # Locust
    .venv/bin/python bench/load_test.py --database medimedi_h5_bench --users 60 --duration 120

What it does:

1. prepares the load accounts in that database (idempotent): ``--members`` member accounts
   linked to people nobody has linked (password ``LOAD_PASSWORD``), and one staff account of
   the organization with the most submitted applications, with an API token (staff pages need a
   second factor; the API token stands for a signed-in staff member);
2. starts gunicorn (``--workers`` sync workers, ``DJANGO_DEBUG=0``, the portal's own settings,
   the public check's per-address limit lifted because every virtual user comes from 127.0.0.1)
   on a free port of 127.0.0.1 and waits for ``/healthz``;
3. runs Locust headless (``bench/locustfile.py``: people checking eligibility, members reading
   their pages, staff working the queue and deciding) for ``--duration`` seconds with
   ``--users`` users, spawned at ``--spawn-rate`` a second;
4. prints, per kind of request, the count, failures, median, p95, p99 and requests a second,
   and writes them with the machine and the database's size to ``--json``;
5. revokes the token it made and stops gunicorn on every exit path.

Locust runs on the same 2 cores as gunicorn and PostgreSQL: the numbers are a floor, not a
capacity. Results are kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.eligibility_api import (  # noqa: E402 - the project root must be importable first
    BODIES,
    HOST,
    VENV_BIN,
    free_port,
    prepare_database,
    stop,
    wait_healthy,
)

LOAD_PASSWORD = "load-test-password-1"  # synthetic accounts in a bench database only
MEMBER_PREFIX = "load-member-"
STAFF_USERNAME = "load-staff"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="medimedi_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--users", type=int, default=60, help="concurrent virtual users")
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--members", type=int, default=200, help="member accounts to use")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    return parser.parse_args()


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medimedi.settings")
    os.environ.pop("CELERY_BROKER_URL", None)  # letters, if any, are written in process
    import django

    django.setup()


def accounts_prepare(members: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Member and staff accounts for the run, and what the database holds; idempotent."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count
    from knox.models import AuthToken

    from accounts.models import Role, User
    from eligibility.models import Beneficiary, Organization, ServiceArea, StaffMembership
    from enrollment.models import Application

    with transaction.atomic():
        existing = list(
            User.objects.filter(username__startswith=MEMBER_PREFIX).values_list(
                "username", flat=True
            )
        )
        missing = members - len(existing)
        if missing > 0:
            password = make_password(LOAD_PASSWORD)
            free = list(
                Beneficiary.objects.filter(user__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:missing]
            )
            start = len(existing)
            for offset, person_id in enumerate(free):
                username = f"{MEMBER_PREFIX}{start + offset}@load.test"
                user = User.objects.create(
                    username=username, email=username, role=Role.MEMBER, password=password
                )
                Beneficiary.objects.filter(pk=person_id).update(user=user)
                existing.append(username)

        busiest = (
            Application.objects.filter(status="submitted")
            .values("plan__organization")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        organization = (
            Organization.objects.get(pk=busiest["plan__organization"])
            if busiest
            else Organization.objects.order_by("code").first()
        )
        assert organization is not None, "the database holds no organization: migrate it first"
        staff, _ = User.objects.get_or_create(
            username=STAFF_USERNAME, defaults={"role": Role.STAFF, "email": "staff@load.test"}
        )
        StaffMembership.objects.update_or_create(
            user=staff, defaults={"organization": organization}
        )
        _, token = AuthToken.objects.create(staff)
        counties = sorted(
            set(
                ServiceArea.objects.filter(plan__organization=organization).values_list(
                    "county__name", flat=True
                )
            )
        )
        names = list(
            Application.objects.filter(plan__organization=organization)
            .values_list("beneficiary__last_name", flat=True)
            .distinct()[:20]
        )
    accounts = {
        "members": [{"username": u, "password": LOAD_PASSWORD} for u in existing[:members]],
        "staff": [{"token": token, "counties": counties or ["Los Angeles"], "names": names}],
        "bodies": [json.loads(line) for line in BODIES.read_text().splitlines() if line.strip()],
    }
    data = {
        "beneficiaries": Beneficiary.objects.count(),
        "applications": Application.objects.count(),
        "staff_organization": organization.code,
        "member_accounts": len(accounts["members"]),
    }
    return accounts, data


def tokens_revoke() -> None:
    from knox.models import AuthToken

    AuthToken.objects.filter(user__username=STAFF_USERNAME).delete()


def stats_read(prefix: Path) -> list[dict[str, Any]]:
    rows = []
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": row["Name"] if row["Type"] else "All",
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "median_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                    "rps": round(float(row["Requests/s"] or 0), 1),
                }
            )
    return rows


def failures_read(prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }


def main() -> None:
    args = parse_args()
    locust = VENV_BIN / "locust"
    if not locust.exists():
        sys.exit('Locust is not installed: .venv/bin/pip install -e ".[bench]"')

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGHUP, leave)

    database_url = prepare_database(args.pg, args.database)
    django_setup(database_url)
    accounts, data = accounts_prepare(args.members)
    print(f"database {args.database}: {data}")
    workdir = Path(tempfile.mkdtemp(prefix="load-test-"))
    accounts_file = workdir / "accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "medimedi.settings",
        "LOG_LEVEL": "WARNING",
        "ELIGIBILITY_CHECK_RATE_PER_MINUTE": "1000000",
    }
    log = workdir / "gunicorn.log"
    command = [
        str(VENV_BIN / "gunicorn"),
        "medimedi.wsgi:application",
        "--chdir",
        str(PROJECT),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(base, server, log, timeout=60)
        prefix = workdir / "load"
        print(f"locust: {args.users} users for {args.duration} s against {base}", flush=True)
        subprocess.run(
            [
                str(locust),
                "-f",
                str(PROJECT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.duration}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=PROJECT,
            env={**os.environ, "LOAD_ACCOUNTS": str(accounts_file)},
            check=False,
        )
        rows = stats_read(prefix)
        failures = failures_read(prefix)
    finally:
        stop(server)
        tokens_revoke()
    print(f"\n{'request':<36} {'n':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'rps':>6}")
    for row in rows:
        print(
            f"{row['name'][:36]:<36} {row['requests']:>7} {row['failures']:>5} "
            f"{row['median_ms']:>6.0f} {row['p95_ms']:>6.0f} {row['p99_ms']:>6.0f} {row['rps']:>6}"
        )
    for failure in failures[:10]:
        print(f"failure: {failure}")
    results = {
        "command": " ".join(sys.argv),
        "users": args.users,
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
        "database": data,
        "machine": machine(),
        "requests": rows,
        "failures": failures[:50],
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
