"""Staff search, filters, keyset pages and the admin at the state's size (issue 12), on PostgreSQL.

Run from the project folder (PostgreSQL on 127.0.0.1:5432, user postgres, trust auth)::

    .venv/bin/python bench/staff_queue_bench.py                       # 1.5M people, 500k applications
    .venv/bin/python bench/staff_queue_bench.py --people 30000 --applications 10000 --runs 5  # dry run
    .venv/bin/python bench/staff_queue_bench.py --keep            # reuse the loaded database

1. Creates (or with ``--keep`` reuses) the database ``--database`` (``medimedi_h5_bench``),
   migrates it and fills it set-based, one ``INSERT ... SELECT generate_series`` each: people
   (names drawn with a skew: one in a hundred is a Garcia, some written "García"; counties
   weighted, Los Angeles a quarter), applications (5% drafts, the rest submitted over three
   years in every status, with their first status change), a Medi-Medi enrollment for each
   person with an approved application; then ``ANALYZE``. Not timed.
2. Times, ``--runs`` times each (p50, p95, max, and the queries each made), as one staff member
   of the organization with the most applications: the work queue page
   (``/staff/queue/``) and ``GET /api/v1/applications`` through the Django test client, for
   no filter and each single filter or search, on the first page and on page 1,000 (a cursor
   made for the 25,000th row, as following 999 "next" links would reach); the beneficiaries
   API; and as an admin every big admin list (first page, page 1,000, and searches).

Prints a table and writes ``bench/results/staff_queue_bench.json``. Never prints a person's
data (a search's MBI or CIN is shown masked). Recorded runs: ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))
RESULTS = PROJECT / "bench" / "results"

LAST_NAMES = [
    # (name as written, share in 10,000): the common ones first.
    ("Garcia", 70),
    ("García", 30),
    ("Hernandez", 60),
    ("Lopez", 55),
    ("Martinez", 50),
    ("Nguyen", 45),
    ("Smith", 40),
    ("Kim", 30),
    ("Müller", 5),
    ("O'Brien", 10),
]
FIRST_NAMES = ["Maria", "José", "John", "Linh", "Mary", "Robert", "Ana", "Wei", "Fatima", "Luis"]
LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # the MBI's letters (no S, L, O, I, B, Z)


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _database_prepare(name: str, keep: bool) -> None:
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists and not keep:
        _run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", name])
        exists = ""
    if not exists:
        _run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name])


def _django(name: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medimedi.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------
# 1. Data, set-based


def _mbi_sql(n: str) -> str:
    """An MBI of the right shape, unique for each number ``n`` (mixed radix over its places)."""
    letters = f"'{LETTERS}'"
    alnum = f"'{LETTERS}0123456789'"

    def letter(expr: str) -> str:
        return f"substr({letters}, (({expr}) % 20)::int + 1, 1)"

    def alnum_at(expr: str) -> str:
        return f"substr({alnum}, (({expr}) % 30)::int + 1, 1)"

    def digit(expr: str) -> str:
        return f"(({expr}) % 10)::text"

    return (
        f"(1 + ({n} % 9))::text || {letter(f'{n} / 9')} || {alnum_at(f'{n} / 180')} || "
        f"{digit(f'{n} / 5400')} || {letter(f'{n} / 54000')} || {alnum_at(f'{n} / 1080000')} || "
        f"{digit(f'{n} / 32400000')} || 'AA' || {digit(f'{n} / 324000000')} || '0'"
    )


def data_load(people: int, applications: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from eligibility.models import Beneficiary, County, MediMediPlan
    from eligibility.rules.names import name_key

    call_command("migrate", verbosity=0)
    if Beneficiary.objects.exists():
        return {"loaded": "kept"}
    started = time.monotonic()
    lasts: list[str] = []
    for name, share in LAST_NAMES:
        lasts += [name] * share
    counties = list(County.objects.order_by("id").values_list("id", "name"))
    la = next(pk for pk, county in counties if county == "Los Angeles")
    county_ids = [pk for pk, _ in counties]
    plans = list(MediMediPlan.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("CREATE TEMP TABLE bench_last (n int PRIMARY KEY, name text, search text)")
        cursor.executemany(
            "INSERT INTO bench_last VALUES (%s, %s, %s)",
            [(i, name, name_key(name)) for i, name in enumerate(lasts)],
        )
        cursor.execute("CREATE TEMP TABLE bench_first (n int PRIMARY KEY, name text, search text)")
        cursor.executemany(
            "INSERT INTO bench_first VALUES (%s, %s, %s)",
            [(i, name, name_key(name)) for i, name in enumerate(FIRST_NAMES)],
        )
        # People: a common last name for len(lasts) in 10,000, else a made-up unique-ish one.
        cursor.execute(
            f"""
            INSERT INTO eligibility_beneficiary (
                first_name, middle_initial, last_name, date_of_birth, sex, mbi, cin,
                address_line1, address_line2, city, zip_code, county_id, email, phone,
                preferred_language, preferred_format, medicare_part_a_start, medicare_part_b_start,
                incarcerated, lawfully_present, updated_at, search_first_name, search_last_name)
            SELECT f.name, '', COALESCE(l.name, 'Name' || (i % 50000)),
                   date '1930-01-01' + (i * 7919 % 20000)::int, 'F', {_mbi_sql("i")},
                   lpad(i::text, 8, '0') || 'A', 'Street ' || i, '', 'City', '90001',
                   CASE WHEN i * 7 % 100 < 25 THEN {la}
                        ELSE (ARRAY{county_ids})[1 + (i * 31 % {len(county_ids)})] END,
                   '', '', 'en', 'standard', date '2015-01-01', date '2015-01-01',
                   false, true, now(), f.search,
                   COALESCE(l.search, 'name' || (i % 50000))
            FROM generate_series(1::bigint, {int(people)}) AS i
            JOIN bench_first f ON f.n = i % {len(FIRST_NAMES)}
            LEFT JOIN bench_last l ON l.n = (i * 104729) % 10000 AND l.n < {len(lasts)}
            """
        )
        # Full-scope Medi-Cal for everyone (full duals), so a staff approval can go through.
        cursor.execute(
            """
            INSERT INTO eligibility_medicaleligibility (
                beneficiary_id, start_date, end_date, aid_code, scope, share_of_cost, msp)
            SELECT id, date '2015-01-01', NULL, '10', 'full', 'none', 'QMB'
            FROM eligibility_beneficiary
            """
        )
        # Applications: 5% drafts, the rest submitted over three years, statuses mixed.
        cursor.execute(
            f"""
            INSERT INTO enrollment_application (
                beneficiary_id, plan_id, county_id, status, contact_email, contact_phone,
                language, notice_format, submitted_at, channel, signed_by, election_period,
                effective_date_note, denial_reasons, decision_note, created_at, updated_at,
                effective_date, search_last_name)
            SELECT b.id, (ARRAY{plans})[1 + (i * 13 % {len(plans)})], b.county_id,
                   CASE WHEN i % 20 = 0 THEN 'draft'
                        ELSE (ARRAY['submitted','in_review','info_requested','approved',
                                    'approved','denied','withdrawn'])[1 + i % 7] END,
                   '', '', 'en', 'standard',
                   CASE WHEN i % 20 = 0 THEN NULL
                        ELSE timestamptz '2024-01-01' + (i * 104729 % 94608000) * interval '1 s'
                   END,
                   'online', '', '', '', '[]', '',
                   timestamptz '2024-01-01', timestamptz '2024-01-01',
                   -- Submission fixes the effective date: the first of the next month.
                   CASE WHEN i % 20 = 0 THEN NULL
                        ELSE (date_trunc('month', timestamptz '2024-01-01'
                              + (i * 104729 % 94608000) * interval '1 s') + interval '1 month')::date
                   END,
                   b.search_last_name
            FROM generate_series(1::bigint, {int(applications)}) AS i
            JOIN eligibility_beneficiary b
              ON b.id = (SELECT min(id) FROM eligibility_beneficiary) + (i * 2654435761 % {int(people)})
            """
        )
        cursor.execute(
            """
            INSERT INTO enrollment_applicationstatuschange (
                application_id, from_status, to_status, at, note, reason_codes)
            SELECT id, '', status, submitted_at, '', '[]' FROM enrollment_application
            WHERE submitted_at IS NOT NULL
            """
        )
        cursor.execute(
            """
            INSERT INTO enrollment_enrollment (
                beneficiary_id, kind, medi_medi_plan_id, start_date, cancelled, member_id,
                end_reason, end_note, application_id, created_at, updated_at)
            SELECT DISTINCT ON (a.beneficiary_id) a.beneficiary_id, 'medi_medi', a.plan_id,
                   date '2025-01-01', false, 'B' || a.id, '', '', a.id, now(), now()
            FROM enrollment_application a WHERE a.status = 'approved'
            ORDER BY a.beneficiary_id, a.id
            """
        )
    for table in (
        "eligibility_beneficiary",
        "enrollment_application",
        "enrollment_enrollment",
        "enrollment_applicationstatuschange",
        "enrollment_organizationperson",  # written by the triggers with the rows above
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"loaded": "new", "seconds": round(time.monotonic() - started, 1)}


# ---------------------------------------------------------------------------------------------
# 2. Timings


def _users() -> tuple[Any, Any, int]:
    from django.db.models import Count

    from accounts.models import Role, User
    from eligibility.models import MediMediPlan, Organization, StaffMembership

    busiest = (
        MediMediPlan.objects.values("organization_id")
        .annotate(n=Count("applications"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    org = Organization.objects.get(pk=busiest["organization_id"])
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"role": Role.STAFF})
    StaffMembership.objects.get_or_create(user=staff, defaults={"organization": org})
    admin, _ = User.objects.get_or_create(
        username="bench-admin",
        defaults={"role": Role.ADMIN, "is_staff": True, "is_superuser": True},
    )
    return staff, admin, busiest["n"]


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.otp import totp_device_ensure

    client = Client()
    client.force_login(user)
    device = totp_device_ensure(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _time(call: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm: caches, the plan, the session
    times, sql, queries, status = [], [], 0, None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(times[-1], 1),
        "sql_p50_ms": round(statistics.median(sql), 1),
        "queries": queries,
        "status": status,
    }


def _deep_cursor(actor: Any, filters: dict[str, Any], position: int) -> str | None:
    """The cursor that following ``position // 25`` "next" links would reach (made once, with
    OFFSET: not timed)."""
    from enrollment import selectors
    from enrollment.keyset import _encode

    queryset = selectors.application_queue(actor=actor, **filters).order_by(
        *(key.order_by() for key in selectors.QUEUE_ORDER)
    )
    row = queryset.values("submitted_at", "id")[position - 1 : position].first()
    if row is None:
        return None
    return _encode([row["submitted_at"], row["id"]], backwards=False)


def _deep_beneficiary_cursor(actor: Any, filters: dict[str, Any], position: int) -> str | None:
    from enrollment import beneficiaries
    from enrollment.keyset import _encode

    row = (
        beneficiaries.beneficiary_list(actor=actor, **filters)
        .order_by("id")
        .values("id")[position - 1 : position]
        .first()
    )
    return _encode([row["id"]], backwards=False) if row else None


def _get_ok(client: Any, url: str) -> int:
    response = client.get(url)
    # 302: an admin page past the last (a small dry run has fewer than 1,000 pages).
    assert response.status_code in (200, 302), (url, response.status_code)
    return int(response.status_code)


def timings(runs: int) -> dict[str, Any]:
    from urllib.parse import urlencode

    from eligibility.models import Beneficiary, MediMediPlan

    staff, admin, org_applications = _users()
    staff_client, admin_client = _client(staff), _client(admin)
    person = (
        Beneficiary.objects.filter(applications__plan__organization__staff_memberships__user=staff)
        .order_by("id")
        .first()
    )
    assert person is not None
    plan = (
        MediMediPlan.objects.filter(organization__staff_memberships__user=staff)
        .order_by("id")
        .first()
    )
    assert plan is not None
    queue_filters: dict[str, dict[str, Any]] = {
        "none": {},
        "status=in_review": {"status": "in_review"},
        "new": {"new": True},
        "plan": {"plan": plan.pk},
        "county=06037 (Los Angeles)": {"county": "06037"},
        "county=06003 (Alpine)": {"county": "06003"},
        "submitted in March 2025": {
            "submitted_from": "2025-03-01",
            "submitted_to": "2025-03-31",
        },
        "q=Garcia": {"search": "Garcia"},
        "q=garcía (accents)": {"search": "garcía"},
        "q=Maria Garcia": {"search": "Maria Garcia"},
        "q=Name123 (rare name)": {"search": "Name123"},
        "q=MBI": {"search": person.mbi},
        "q=CIN": {"search": person.cin},
    }
    rows: list[dict[str, Any]] = []

    def record(area: str, what: str, page: str, result: dict[str, Any]) -> None:
        rows.append({"area": area, "what": what, "page": page, **result})
        print(
            f"{area:<14} {what:<26} {page:<10} p50 {result['p50_ms']:>7.1f}  "
            f"p95 {result['p95_ms']:>7.1f}  max {result['max_ms']:>7.1f} ms  "
            f"sql p50 {result['sql_p50_ms']:>6.1f}  {result['queries']:>2} queries  "
            f"{result['status']}  load {os.getloadavg()[0]:.1f}",
            flush=True,
        )

    for what, filters in queue_filters.items():
        api_params = {
            ("q" if k == "search" else k): ("true" if v is True else v) for k, v in filters.items()
        }
        page_params = {
            ("q" if k == "search" else k): ("on" if v is True else v) for k, v in filters.items()
        }
        selector_filters = dict(filters)
        for date_field in ("submitted_from", "submitted_to"):
            if date_field in selector_filters:
                from datetime import date

                selector_filters[date_field] = date.fromisoformat(selector_filters[date_field])
        deep = _deep_cursor(staff, selector_filters, 25_000)
        pages = [("first", None)] + ([("page 1000", deep)] if deep else [])
        for label, cursor in pages:
            extra = {"cursor": cursor} if cursor else {}

            page_url = "/staff/queue/?" + urlencode({**page_params, **extra})
            api_url = "/api/v1/applications?" + urlencode({**api_params, **extra})
            shown = what.replace(person.mbi, "MBI").replace(person.cin, "CIN")
            record(
                "queue page", shown, label, _time(partial(_get_ok, staff_client, page_url), runs)
            )
            record("queue API", shown, label, _time(partial(_get_ok, staff_client, api_url), runs))

    beneficiary_filters: dict[str, dict[str, Any]] = {
        "none": {},
        "county=06037": {"county": "06037"},
        "enrolled=true": {"enrolled": True},
        "mbi": {"mbi": person.mbi},
    }
    for actor_name, actor, client in (
        ("staff", staff, staff_client),
        ("admin", admin, admin_client),
    ):
        for what, filters in beneficiary_filters.items():
            deep = _deep_beneficiary_cursor(actor, filters, 25_000)
            for label, cursor in [("first", None)] + ([("page 1000", deep)] if deep else []):
                params = {k: ("true" if v is True else v) for k, v in filters.items()}
                if cursor:
                    params["cursor"] = cursor
                url = "/api/v1/beneficiaries?" + urlencode(params)
                record(
                    f"people API/{actor_name}",
                    what.replace(person.mbi, "MBI"),
                    label,
                    _time(partial(_get_ok, client, url), runs),
                )

    admin_lists = {
        "beneficiary": "/admin/eligibility/beneficiary/",
        "application": "/admin/enrollment/application/",
        "enrollment": "/admin/enrollment/enrollment/",
        "determination": "/admin/eligibility/eligibilitydetermination/",
        "notice": "/admin/notices/notice/",
        "audit log": "/admin/accounts/auditevent/",
    }
    searches = {
        "MBI": person.mbi,
        "CIN": person.cin,
        "name Garcia": "Garcia",
        "name Maria García": "Maria García",
    }
    for what, url in admin_lists.items():
        cases = [("first", url), ("page 1000", url + "?p=1000")]
        if what in ("beneficiary", "application", "enrollment"):
            cases += [
                (f"q={name}", url + "?" + urlencode({"q": value}))
                for name, value in searches.items()
            ]
        if what == "application":
            cases += [("status filter", url + "?status__exact=submitted")]
        for label, target in cases:
            record("admin", what, label, _time(partial(_get_ok, admin_client, target), runs))
    return {"rows": rows, "organization_applications": org_applications}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="medimedi_h5_bench")
    parser.add_argument("--people", type=int, default=1_500_000)
    parser.add_argument("--applications", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    parser.add_argument("--load-only", action="store_true", help="fill the database, time nothing")
    parser.add_argument(
        "--out", default="staff_queue_bench.json", help="results file in bench/results/"
    )
    args = parser.parse_args(argv)
    _database_prepare(args.database, args.keep)
    _django(args.database)
    load = data_load(args.people, args.applications)
    print(f"data: {load}", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in ("eligibility_beneficiary", "enrollment_application", "enrollment_enrollment"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    print(f"rows: {counts}", flush=True)
    if args.load_only:
        return
    load_before = os.getloadavg()
    result = timings(args.runs)
    report = {
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared and noisy",
        "runs": args.runs,
        "load": load,
        "table_rows": counts,
        **result,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
