"""The staff people list (``GET /api/v1/beneficiaries``) before and after the organization's
people were kept as rows (issue 12; ``enrollment.people_links``), in one run on one database.

Run from the project folder, on a database filled by ``bench/staff_queue_bench.py``::

    .venv/bin/python bench/staff_queue_bench.py --load-only --database medimedi_r7_bench
    .venv/bin/python bench/people_list_bench.py --database medimedi_r7_bench --runs 20

For each case (no filter, a county, Medi-Medi enrolled, an MBI; first page and page 1,000), as
staff of the organization with the most applications, through the Django test client (the
whole request: session, second factor, serializer, the audit row), interleaved per case:

- **after**: the portal as it is (``access.beneficiary_scope`` reads ``OrganizationPerson``);
- **before**: the same request with ``access.beneficiary_scope`` swapped for
  ``access.beneficiary_scope_by_records``, the rule asked of applications and enrollments with
  two ``EXISTS`` per person (the code measured at 358-852 ms p95).

Both must list the same people (checked: the ids of the first page and the capped count).
Prints p50/p95/max and SQL time, then ``EXPLAIN (ANALYZE, BUFFERS)`` of each case's two big
statements (the page's ids and the capped count) for both; writes
``bench/results/people_list_bench.json``. Never prints a person's data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench.staff_queue_bench import (  # noqa: E402
    RESULTS,
    _client,
    _deep_beneficiary_cursor,
    _django,
    _get_ok,
    _time,
    _users,
)


def _explain(queryset: Any, hide: str) -> dict[str, Any]:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [row[0].replace(hide, "<MBI>") for row in cursor.fetchall()]
    execution = next((line for line in lines if line.startswith("Execution Time")), "")
    return {"execution": execution, "plan": lines}


def run(runs: int, explain: bool) -> dict[str, Any]:
    from urllib.parse import urlencode

    from eligibility.models import Beneficiary
    from enrollment import access, beneficiaries

    staff, _, org_applications = _users()
    client = _client(staff)
    rows_scope = access.beneficiary_scope
    records_scope = access.beneficiary_scope_by_records
    person = (
        Beneficiary.objects.filter(applications__plan__organization__staff_memberships__user=staff)
        .order_by("id")
        .first()
    )
    assert person is not None
    cases: dict[str, dict[str, Any]] = {
        "none": {},
        "county=06037 (Los Angeles)": {"county": "06037"},
        "county=06003 (Alpine)": {"county": "06003"},
        "enrolled=true": {"enrolled": True},
        "mbi": {"mbi": person.mbi},
    }
    hide = person.mbi  # never written out, even in a plan
    results: list[dict[str, Any]] = []
    for what, filters in cases.items():
        deep = _deep_beneficiary_cursor(staff, filters, 25_000)
        for label, cursor in [("first", None)] + ([("page 1000", deep)] if deep else []):
            params = {k: ("true" if v is True else v) for k, v in filters.items()}
            if cursor:
                params["cursor"] = cursor
            url = "/api/v1/beneficiaries?" + urlencode(params)
            row: dict[str, Any] = {"what": what, "page": label}
            answers = {}
            for version, scope in (("before", records_scope), ("after", rows_scope)):
                access.beneficiary_scope = scope
                try:
                    body = client.get(url).json()
                    answers[version] = ([r["id"] for r in body["results"]], body["count"])
                    row[version] = _time(partial(_get_ok, client, url), runs)
                    if explain:
                        queryset = beneficiaries.beneficiary_list(actor=staff, **filters)
                        row[f"{version}_explain"] = {
                            "ids": _explain(queryset.order_by("id").values("pk")[:26], hide),
                            "count": _explain(queryset.order_by().values("pk")[:1001], hide),
                        }
                finally:
                    access.beneficiary_scope = rows_scope
            row["same_answer"] = answers["before"] == answers["after"]
            row["count"] = answers["after"][1]
            results.append(row)
            shown = "MBI" if what == "mbi" else what
            b, a = row["before"], row["after"]
            print(
                f"{shown:<28} {label:<10} before p50 {b['p50_ms']:>6.1f} p95 {b['p95_ms']:>6.1f}"
                f" sql {b['sql_p50_ms']:>6.1f} | after p50 {a['p50_ms']:>6.1f}"
                f" p95 {a['p95_ms']:>6.1f} max {a['max_ms']:>6.1f} sql {a['sql_p50_ms']:>5.1f}"
                f" {a['queries']:>2} q  same={row['same_answer']}  "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if explain:
                for version in ("before", "after"):
                    plans = row[f"{version}_explain"]
                    print(
                        f"    {version:<6} ids {plans['ids']['execution']:<28} "
                        f"count {plans['count']['execution']}",
                        flush=True,
                    )
    return {"rows": results, "organization_applications": org_applications}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="medimedi_h5_bench")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args(argv)
    _django(args.database)
    load_before = os.getloadavg()
    result = run(args.runs, explain=not args.no_explain)
    report = {
        "command": " ".join(["bench/people_list_bench.py", *(argv or sys.argv[1:])]),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared and noisy",
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "runs": args.runs,
        **result,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "people_list_bench.json").write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
