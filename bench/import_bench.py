"""The eligibility imports' figures (issue 8, "Measured"), in one run on PostgreSQL.

Run from the project folder (PostgreSQL on 127.0.0.1:5432, user postgres, trust auth; ``wrk``
for step g: ``apt-get install -y wrk``)::

    .venv/bin/python bench/import_bench.py --people 1500000          # the issue's size
    .venv/bin/python bench/import_bench.py --people 20000 --api-rounds 1   # a dry run

Steps, each skipped with its flag (``--skip-copy``, ``--skip-import``, ...):

a. generate the CSV (``bench/gen_eligibility.py``, seeded) and a change file of ``--changes``
   people drawn from it (not timed);
b. ``copy``: a bare ``COPY ... FROM STDIN (FORMAT csv)`` of the same file through psycopg into an
   unlogged table of text columns (best of ``--copy-repeats``): the rows/s ceiling;
c. ``import``: ``manage.py import_eligibility FILE --format csv --kind full --json`` as a child
   process: wall time, peak RSS of that child (``os.wait4``), its CPU time, its JSON report, and
   the rows PostgreSQL wrote meanwhile (``pg_stat_user_tables``: inserted + updated + deleted);
d. ``reimport``: the same command again (must say ``duplicate_file``, write 0 rows);
e. ``changes``: the change file with ``--kind changes``;
f. ``x12``: ``bench/gen_x12.py OUT --members N --month M --seed S`` (not timed), then
   ``import_eligibility OUT --format x12 --kind full --json`` into a fresh database
   (``<name>_x12``), and pyx12 reading a ``--pyx12-members`` slice of the same file (the
   envelope kept, SE/GE/IEA counts fixed): ``X12Reader`` iterating the segments (its fastest
   path, tokens only) and ``x12n_document`` (parsed by the 834 map and validated, what
   ``x12valid`` does; ``--skip-pyx12-validate`` leaves it out);
g. ``api``: the eligibility API's requests/s (``bench/eligibility_api.py``'s gunicorn, wrk and
   request bodies) on an empty database (``<name>_empty``, migrated only) and on the loaded one,
   alternating rounds so both see the same machine noise.

The databases are dropped and created again at the start (``--keep-database`` keeps the main
one: then the first import may find its people unchanged). It prints a table with each goal and
writes the results to ``bench/results/import_bench_<people>.json`` (``--json``). Never prints a
person's data: the importer's JSON report is kept without its ``errors`` list (only counts by
code). Recorded runs: ``docs/benchmarks.md``, section "Eligibility imports".
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench import eligibility_api as api_bench  # noqa: E402

PYTHON = str(PROJECT / ".venv" / "bin" / "python")
GEN_CSV = PROJECT / "bench" / "gen_eligibility.py"
GEN_X12 = PROJECT / "bench" / "gen_x12.py"
IMPORTER = PROJECT / "interchange" / "management" / "commands" / "import_eligibility.py"
RESULTS = PROJECT / "bench" / "results"

GOALS = {
    "csv_seconds": 60.0,
    "csv_vs_copy": 0.15,
    "x12_seconds": 90.0,
    "x12_vs_pyx12": 10.0,
    "reimport_fraction": 1 / 3,
    "changes_seconds": 30.0,
    "rss_mib": 512.0,
    "api_loaded_vs_empty": 0.90,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/medimedi_bench",
        help="the main bench database (dropped and created again); <name>_x12 and "
        "<name>_empty sit next to it",
    )
    parser.add_argument("--people", type=int, default=1_500_000)
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--x12-members", type=int, help="default: --people")
    parser.add_argument("--pyx12-members", type=int, default=10_000)
    parser.add_argument(
        "--skip-pyx12-validate", action="store_true", help="time X12Reader only, not x12n_document"
    )
    parser.add_argument("--month", default="2027-01")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copy-repeats", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="where the files go (default: a temp dir)")
    parser.add_argument("--keep-files", action="store_true")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--json", type=Path, help="default bench/results/import_bench_<people>.json"
    )
    for step in ("copy", "import", "reimport", "changes", "x12", "pyx12", "api"):
        parser.add_argument(f"--skip-{step}", action="store_true")
    # Step g (the eligibility API), as in bench/eligibility_api.py.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--worker-threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--api-duration", type=int, default=10)
    parser.add_argument("--api-warmup", type=int, default=5)
    parser.add_argument("--api-rounds", type=int, default=4)
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- databases -------------------------------------------------------------------------------


def split_url(url: str) -> tuple[str, str]:
    server, _, name = url.rpartition("/")
    return server, name


def recreate_database(url: str, *, keep: bool = False) -> None:
    """Drop (unless ``keep``) and create the database, then migrate it with manage.py."""
    import psycopg

    server, name = split_url(url)
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    log(f"migrating {name}")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env=child_env(url),
        check=True,
    )


def child_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": "WARNING",
    }


def rows_written(url: str) -> dict[str, int]:
    """Rows inserted + updated + deleted so far, per table (PostgreSQL's statistics)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        rows = conn.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables"
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


def written_between(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        table: count - before.get(table, 0)
        for table, count in sorted(after.items())
        if count != before.get(table, 0)
    }


def people_on_record(url: str) -> int | None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        try:
            row = conn.execute("SELECT count(*) FROM eligibility_beneficiary").fetchone()
        except psycopg.Error:
            return None
    return int(row[0]) if row else None


# --- steps -----------------------------------------------------------------------------------


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (user, nice, system, irq, softirq)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[0:3]) + ticks[5] + ticks[6]) / api_bench.CLOCK_TICKS


def postgres_times() -> dict[int, float]:
    """CPU seconds of each PostgreSQL process now (the server serves other work too)."""
    times = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = stat.read_text()
            if "(postgres)" in text:
                fields = text.rsplit(")", 1)[1].split()
                times[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / (
                    api_bench.CLOCK_TICKS
                )
    return times


class PostgresMeter(threading.Thread):
    """PostgreSQL's CPU seconds while a child runs, backends that end meanwhile included.

    Samples every process every half second and keeps each one's last reading, so a backend
    that exits loses at most its last half second.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.first = postgres_times()
        self.last = dict(self.first)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.last.update(postgres_times())

    def stop(self) -> float:
        self.done.set()
        self.join()
        self.last.update(postgres_times())
        return sum(t - self.first.get(pid, 0.0) for pid, t in self.last.items())


def timed_child(command: list[str], env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Run a child to its end; its wall time, peak RSS, CPU time, exit code, last stdout line.

    Also how busy the machine was meanwhile, in cores (``machine_busy_cores``), and how many of
    those cores were neither the child nor PostgreSQL (``other_cores``: other people's work on
    the shared machine; all of PostgreSQL is counted as ours, whoever it served).
    """
    out = workdir / "child.stdout"
    err = workdir / "child.stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        meter = PostgresMeter()
        meter.start()
        busy = busy_seconds()
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        busy, pg = busy_seconds() - busy, meter.stop()
    child.returncode = os.waitstatus_to_exitcode(status)
    lines = out.read_text(errors="replace").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "exit_code": child.returncode,
        "wall_seconds": round(seconds, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(cpu, 2),
        "postgres_cpu_seconds": round(pg, 2),
        "machine_busy_cores": round(busy / seconds, 2),
        "other_cores": round(max(busy - cpu - pg, 0.0) / seconds, 2),
        "last_line": lines[-1] if lines else "",
        "stderr_tail": err.read_text(errors="replace")[-2000:],
    }


def generate_csv(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    full = workdir / f"eligibility-{args.people}.csv"
    changes = workdir / f"changes-{args.changes}.csv"
    started = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            str(GEN_CSV),
            str(full),
            "--people",
            str(args.people),
            "--month",
            args.month,
            "--seed",
            str(args.seed),
        ],
        check=True,
    )
    generated = time.perf_counter() - started
    result: dict[str, Any] = {
        "file": str(full),
        "bytes": full.stat().st_size,
        "rows": args.people,
        "generate_seconds": round(generated, 1),
    }
    if not args.skip_changes:
        started = time.perf_counter()
        subprocess.run(
            [
                PYTHON,
                str(GEN_CSV),
                str(changes),
                "--changes-from",
                str(full),
                "--changes",
                str(args.changes),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
        result["changes_file"] = str(changes)
        result["changes_generate_seconds"] = round(time.perf_counter() - started, 1)
    return result


def bare_copy(url: str, path: Path, rows: int, repeats: int) -> dict[str, Any]:
    """COPY the file as it is into an unlogged table of text columns; rows/s of the best run."""
    import psycopg

    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline().strip().split(",")
    columns = ", ".join(f'"{name}" text' for name in header)
    runs = []
    with psycopg.connect(url) as conn:
        for _ in range(repeats):
            conn.execute("DROP TABLE IF EXISTS bench_bare_copy")
            conn.execute(f"CREATE UNLOGGED TABLE bench_bare_copy ({columns})")
            conn.commit()
            started = time.perf_counter()
            with (
                conn.cursor() as cursor,
                cursor.copy("COPY bench_bare_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
            seconds = time.perf_counter() - started
            row = conn.execute("SELECT count(*) FROM bench_bare_copy").fetchone()
            if not row or row[0] != rows:
                raise SystemExit(f"bare COPY loaded {row} rows, expected {rows}")
            runs.append(seconds)
        conn.execute("DROP TABLE bench_bare_copy")
        conn.commit()
    best = min(runs)
    return {
        "seconds": [round(s, 2) for s in runs],
        "best_seconds": round(best, 2),
        "rows_per_second": round(rows / best),
    }


def import_file(
    url: str, path: Path, fmt: str, kind: str, workdir: Path, label: str
) -> dict[str, Any]:
    """``manage.py import_eligibility`` as a child: its figures and its JSON report."""
    command = [PYTHON, "manage.py", "import_eligibility", str(path)]
    command += ["--format", fmt, "--kind", kind, "--json"]
    log(f"{label}: {' '.join(command[1:3])} {path.name} --format {fmt} --kind {kind} --json")
    before = rows_written(url)
    load_before = loadavg()
    result = timed_child(command, child_env(url), workdir)
    time.sleep(1.0)  # PostgreSQL flushes a backend's statistics when it ends
    written = written_between(before, rows_written(url))
    result["loadavg_before"] = load_before
    result["loadavg_after"] = loadavg()
    result["rows_written"] = sum(written.values())
    result["rows_written_by_table"] = written
    try:
        report = json.loads(result.pop("last_line"))
    except json.JSONDecodeError:
        report = None
    if result["exit_code"] != 0 or not isinstance(report, dict):
        print(result["stderr_tail"], file=sys.stderr)
        raise SystemExit(f"{label}: the importer failed (exit {result['exit_code']})")
    errors = report.pop("errors", None) or []
    report["error_codes"] = dict(
        Counter(f"{e.get('field', '?')}:{e.get('code', '?')}" for e in errors)
    )
    result["report"] = report
    records = report.get("records") or 0
    result["records_per_second"] = round(records / result["wall_seconds"]) if records else None
    result.pop("stderr_tail")
    log(
        f"{label}: {result['wall_seconds']} s, peak RSS {result['peak_rss_mib']} MiB, "
        f"records {records}, valid {report.get('valid')}, invalid {report.get('invalid')}, "
        f"created {report.get('created')}, updated {report.get('updated')}, "
        f"unchanged {report.get('unchanged')}, duplicate_file {report.get('duplicate_file')}, "
        f"rows written {result['rows_written']}"
    )
    return result


def slice_x12(source: Path, target: Path, members: int) -> int:
    """The envelope and the first ``members`` INS loops of an 834, counts fixed; members kept."""
    with source.open("rb") as handle:
        head = handle.read(106)
        if not head.startswith(b"ISA"):
            raise SystemExit(f"{source} does not start with ISA")
        element = head[3:4]
        terminator = head[105:106]
        handle.seek(0)
        segments: list[bytes] = []
        kept = 0
        buffer = b""
        done = False
        while not done and (chunk := handle.read(1 << 20)):
            buffer += chunk
            *complete, buffer = buffer.split(terminator)
            for raw in complete:
                segment = raw.strip(b"\r\n")
                tag = segment.split(element, 1)[0]
                if tag == b"INS":
                    if kept == members:
                        done = True
                        break
                    kept += 1
                if tag in (b"SE", b"GE", b"IEA"):
                    done = True
                    break
                segments.append(segment)
    isa = next(s for s in segments if s.startswith(b"ISA"))
    gs = next(s for s in segments if s.startswith(b"GS"))
    st_at = next(i for i, s in enumerate(segments) if s.startswith(b"ST"))
    st_control = segments[st_at].split(element)[2]
    gs_control = gs.split(element)[6]
    isa_control = isa.split(element)[13]
    e = element.decode()
    trailer = [
        f"SE{e}{len(segments) - st_at + 1}{e}{st_control.decode()}".encode(),
        f"GE{e}1{e}{gs_control.decode()}".encode(),
        f"IEA{e}1{e}{isa_control.decode()}".encode(),
    ]
    target.write_bytes(b"".join(s + terminator + b"\n" for s in segments + trailer))
    return kept


def pyx12_read(path: Path, members: int, validate: bool) -> dict[str, Any]:
    import io

    import pyx12.params
    import pyx12.x12file
    import pyx12.x12n_document

    started = time.perf_counter()
    count = 0
    for _segment in pyx12.x12file.X12Reader(str(path)):
        count += 1
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "members": members,
        "segments": count,
        "reader_seconds": round(seconds, 2),
        "reader_members_per_second": round(members / seconds),
    }
    if validate:
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            valid = pyx12.x12n_document.x12n_document(
                pyx12.params.params(), str(path), io.StringIO(), None
            )
        seconds = time.perf_counter() - started
        result["validate_seconds"] = round(seconds, 2)
        result["validate_members_per_second"] = round(members / seconds)
        result["validate_ok"] = bool(valid)
    return result


def api_empty_vs_loaded(args: argparse.Namespace, empty_url: str, loaded_url: str) -> dict:
    """Two gunicorns (empty and loaded database), wrk alternating between them."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (or --skip-api)")
    bodies = [line for line in api_bench.BODIES.read_text().splitlines() if line.strip()]
    path = api_bench.TARGETS["eligibility API"]
    servers: dict[str, tuple[subprocess.Popen[bytes], str, Path]] = {}
    try:
        for label, url in (("empty", empty_url), ("loaded", loaded_url)):
            port = api_bench.free_port()
            base = f"http://{api_bench.HOST}:{port}"
            gunicorn_log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
            command = [str(api_bench.VENV_BIN / "gunicorn"), "medimedi.wsgi:application"]
            command += ["--chdir", str(PROJECT), "--bind", f"{api_bench.HOST}:{port}"]
            command += ["--workers", str(args.workers), "--worker-class", args.worker_class]
            command += ["--threads", str(args.worker_threads), "--log-level", "warning"]
            with gunicorn_log.open("wb") as log_file:
                server = subprocess.Popen(
                    command,
                    cwd=PROJECT,
                    env=child_env(url),
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            servers[label] = (server, base, gunicorn_log)
            api_bench.wait_healthy(base, server, gunicorn_log, timeout=60)
            for body in bodies:
                status, raw = api_bench.http("POST", f"{base}{path}", body.encode())
                if status != 200:
                    raise SystemExit(f"{label}: the API answered {status}: {raw[:300]!r}")
        for label, (_, base, _) in servers.items():
            log(f"api warm-up {label}: {args.api_warmup} s")
            api_bench.run_wrk(args, f"{base}{path}", args.api_warmup)
        runs: dict[str, list[float]] = {"empty": [], "loaded": []}
        p99: dict[str, list[float]] = {"empty": [], "loaded": []}
        cpu_ms: dict[str, list[float]] = {"empty": [], "loaded": []}
        other: dict[str, list[float]] = {"empty": [], "loaded": []}
        meters = {
            label: api_bench.CpuMeter(server.pid, url)
            for (label, (server, _, _)), url in zip(
                servers.items(), (empty_url, loaded_url), strict=True
            )
        }
        try:
            for round_ in range(1, args.api_rounds + 1):
                # ABBA: the database measured first alternates, so a trend favours neither.
                order = list(servers.items())
                if round_ % 2 == 0:
                    order.reverse()
                for label, (_, base, _) in order:
                    before = meters[label].sample()
                    stats = api_bench.run_wrk(args, f"{base}{path}", args.api_duration)
                    app, db, others = meters[label].measure(before, meters[label].sample())
                    rps = stats["requests"] / (stats["duration_us"] / 1e6)
                    runs[label].append(round(rps, 1))
                    p99[label].append(round(stats["p99_us"] / 1000, 2))
                    cpu_ms[label].append(round((app + db) / max(stats["requests"], 1), 3))
                    other[label].append(round(others, 2))
                    log(
                        f"api round {round_} {label}: {rps:.0f} requests/s, "
                        f"{cpu_ms[label][-1]} CPU ms/request, other load {others:.2f} cores"
                    )
        finally:
            for meter in meters.values():
                meter.close()
    finally:
        for server, _, gunicorn_log in servers.values():
            api_bench.stop(server)
            gunicorn_log.unlink(missing_ok=True)
    ratios = [loaded / empty for empty, loaded in zip(runs["empty"], runs["loaded"], strict=True)]
    return {
        "requests_per_second": runs,
        "p99_ms": p99,
        "median_rps": {k: round(statistics.median(v), 1) for k, v in runs.items()},
        "loaded_vs_empty": round(statistics.median(ratios), 3),
        "cpu_ms_per_request": cpu_ms,
        "median_cpu_ms_per_request": {k: round(statistics.median(v), 3) for k, v in cpu_ms.items()},
        "cpu_empty_vs_loaded": round(
            statistics.median(cpu_ms["empty"]) / statistics.median(cpu_ms["loaded"]), 3
        ),
        "other_cores": other,
        "paired_ratios": [round(r, 3) for r in ratios],
        "people_loaded": people_on_record(loaded_url),
        "people_empty": people_on_record(empty_url),
        "load": f"wrk -t{args.threads} -c{args.connections}, {args.api_duration} s x "
        f"{args.api_rounds} rounds per database (alternating), {args.workers} "
        f"{args.worker_class} workers per gunicorn",
    }


# --- report ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    git = ["git", "-C", str(PROJECT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench", ":!docs"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": (head.stdout.strip() or "?") + (" + uncommitted changes" if dirty else ""),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_gib, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_start": loadavg(),
    }


def goals(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(goal, measured, met) for each goal the run has the figures for."""
    out: list[tuple[str, str, bool | None]] = []
    steps = results["steps"]
    copy, first = steps.get("copy"), steps.get("import")
    if first:
        out.append(
            (
                f"CSV import < {GOALS['csv_seconds']:.0f} s",
                f"{first['wall_seconds']} s",
                first["wall_seconds"] < GOALS["csv_seconds"],
            )
        )
        if copy and first["records_per_second"]:
            ratio = first["records_per_second"] / copy["rows_per_second"]
            out.append(
                (
                    f"CSV rows/s >= {GOALS['csv_vs_copy']:.0%} of bare COPY",
                    f"{first['records_per_second']} / {copy['rows_per_second']} = {ratio:.1%}",
                    ratio >= GOALS["csv_vs_copy"],
                )
            )
    again = steps.get("reimport")
    if again and first:
        fraction = again["wall_seconds"] / first["wall_seconds"]
        ok = (
            fraction < GOALS["reimport_fraction"]
            and bool(again["report"].get("duplicate_file"))
            and not again["report"].get("created")
            and not again["report"].get("updated")
        )
        out.append(
            (
                "re-import < 1/3 of the first, duplicate, 0 rows written",
                f"{again['wall_seconds']} s ({fraction:.1%}), duplicate_file="
                f"{again['report'].get('duplicate_file')}, rows written (all tables) "
                f"{again['rows_written']}",
                ok,
            )
        )
    changes = steps.get("changes")
    if changes:
        out.append(
            (
                f"change file < {GOALS['changes_seconds']:.0f} s",
                f"{changes['wall_seconds']} s",
                changes["wall_seconds"] < GOALS["changes_seconds"],
            )
        )
    x12, pyx = steps.get("x12"), steps.get("pyx12")
    if x12:
        out.append(
            (
                f"834 import < {GOALS['x12_seconds']:.0f} s",
                f"{x12['wall_seconds']} s",
                x12["wall_seconds"] < GOALS["x12_seconds"],
            )
        )
        for key, what in (
            ("validate_members_per_second", "x12n_document, the 834 map"),
            ("reader_members_per_second", "X12Reader, tokens only"),
        ):
            if pyx and key in pyx and x12["records_per_second"]:
                times = x12["records_per_second"] / pyx[key]
                out.append(
                    (
                        f"834 members/s >= {GOALS['x12_vs_pyx12']:.0f}x pyx12 ({what})",
                        f"{x12['records_per_second']} / {pyx[key]} = {times:.1f}x",
                        times >= GOALS["x12_vs_pyx12"],
                    )
                )
    for name in ("import", "reimport", "changes", "x12"):
        if steps.get(name):
            rss = steps[name]["peak_rss_mib"]
            out.append(
                (
                    f"{name}: peak RSS < {GOALS['rss_mib']:.0f} MiB",
                    f"{rss} MiB",
                    rss < GOALS["rss_mib"],
                )
            )
    api = steps.get("api")
    if api:
        loaded = api["people_loaded"] or 0
        out.append(
            (
                "API req/s loaded within 10% of empty",
                f"{api['median_rps']['loaded']} / {api['median_rps']['empty']} = "
                f"{api['loaded_vs_empty']:.2f} ({loaded} people loaded)",
                api["loaded_vs_empty"] >= GOALS["api_loaded_vs_empty"] if loaded else None,
            )
        )
        out.append(
            (
                "(same, by server CPU per request: empty / loaded)",
                f"{api['median_cpu_ms_per_request']['empty']} / "
                f"{api['median_cpu_ms_per_request']['loaded']} ms = {api['cpu_empty_vs_loaded']:.2f}",
                api["cpu_empty_vs_loaded"] >= GOALS["api_loaded_vs_empty"] if loaded else None,
            )
        )
    return out


def print_report(results: dict[str, Any]) -> None:
    print()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in results["machine"].items()))
    print()
    header = f"{'step':<10} {'wall s':>8} {'rows/s':>10} {'peak RSS MiB':>13} {'CPU s':>7}  notes"
    print(header)
    print("-" * len(header))
    steps = results["steps"]
    if "generate" in steps:
        g = steps["generate"]
        print(
            f"{'generate':<10} {g['generate_seconds']:>8} {round(g['rows'] / g['generate_seconds']):>10}"
            f" {'':>13} {'':>7}  {g['bytes'] / 2**20:.0f} MiB (not part of any goal)"
        )
    if "copy" in steps:
        c = steps["copy"]
        print(
            f"{'copy':<10} {c['best_seconds']:>8} {c['rows_per_second']:>10} {'':>13} {'':>7}  "
            f"bare COPY, runs {c['seconds']}"
        )
    for name in ("import", "reimport", "changes", "x12"):
        if name in steps:
            s = steps[name]
            r = s["report"]
            print(
                f"{name:<10} {s['wall_seconds']:>8} {s['records_per_second'] or '-':>10} "
                f"{s['peak_rss_mib']:>13} {s['cpu_seconds']:>7}  records {r.get('records')} "
                f"valid {r.get('valid')} invalid {r.get('invalid')} created {r.get('created')} "
                f"updated {r.get('updated')} unchanged {r.get('unchanged')} "
                f"duplicate {r.get('duplicate_file')} rows written {s['rows_written']}; "
                f"PostgreSQL CPU {s['postgres_cpu_seconds']} s, others {s['other_cores']} cores"
            )
    if "pyx12" in steps:
        p = steps["pyx12"]
        extra = (
            f", x12n_document {p['validate_seconds']} s = {p['validate_members_per_second']}/s"
            if "validate_seconds" in p
            else ""
        )
        print(
            f"{'pyx12':<10} {p['reader_seconds']:>8} {p['reader_members_per_second']:>10} "
            f"{'':>13} {'':>7}  X12Reader over {p['members']} members{extra}"
        )
    if "api" in steps:
        a = steps["api"]
        print(
            f"{'api':<10} {'':>8} {'':>10} {'':>13} {'':>7}  requests/s empty "
            f"{a['requests_per_second']['empty']} loaded {a['requests_per_second']['loaded']}; "
            f"CPU ms/request empty {a['cpu_ms_per_request']['empty']} loaded "
            f"{a['cpu_ms_per_request']['loaded']}"
        )
    for name, reason in results["skipped"].items():
        print(f"{name:<10} skipped: {reason}")
    print()
    for goal, measured, met in results["goals"]:
        verdict = "n/a" if met is None else ("MET" if met else "NOT MET")
        print(f"  {verdict:<8} {goal}: {measured}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGHUP, leave)

    server, name = split_url(args.database_url)
    x12_url, empty_url = f"{server}/{name}_x12", f"{server}/{name}_empty"
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="import-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "command": " ".join([".venv/bin/python", "bench/import_bench.py", *(argv or sys.argv[1:])]),
        "machine": machine(),
        "people": args.people,
        "steps": {},
        "skipped": {},
    }
    steps, skipped = results["steps"], results["skipped"]
    importer_ready = IMPORTER.exists()
    try:
        recreate_database(args.database_url, keep=args.keep_database)
        log(f"a. generating {args.people} people in {workdir}")
        steps["generate"] = generate_csv(args, workdir)
        full = Path(steps["generate"]["file"])
        if args.skip_copy:
            skipped["copy"] = "--skip-copy"
        else:
            log("b. bare COPY")
            steps["copy"] = bare_copy(args.database_url, full, args.people, args.copy_repeats)
            log(f"b. bare COPY: {steps['copy']}")
        for step, flag in (("import", args.skip_import), ("reimport", args.skip_reimport)):
            if flag:
                skipped[step] = f"--skip-{step}"
            elif not importer_ready:
                skipped[step] = f"{IMPORTER.relative_to(PROJECT)} does not exist yet"
            else:
                steps[step] = import_file(args.database_url, full, "csv", "full", workdir, step)
        if args.skip_changes:
            skipped["changes"] = "--skip-changes"
        elif not importer_ready:
            skipped["changes"] = "the importer does not exist yet"
        else:
            changes = Path(steps["generate"]["changes_file"])
            steps["changes"] = import_file(
                args.database_url, changes, "csv", "changes", workdir, "changes"
            )
        if not (args.skip_x12 and args.skip_pyx12):
            run_x12(args, x12_url, workdir, importer_ready, steps, skipped)
        else:
            skipped["x12"] = skipped["pyx12"] = "--skip-x12 --skip-pyx12"
        if args.skip_api:
            skipped["api"] = "--skip-api"
        else:
            recreate_database(empty_url)
            log("g. eligibility API, empty vs loaded database")
            steps["api"] = api_empty_vs_loaded(args, empty_url, args.database_url)
    finally:
        if not args.keep_files and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    results["machine"]["loadavg_end"] = loadavg()
    results["goals"] = goals(results)
    print_report(results)
    target = args.json or RESULTS / f"import_bench_{args.people}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {target}")


def run_x12(
    args: argparse.Namespace,
    x12_url: str,
    workdir: Path,
    importer_ready: bool,
    steps: dict[str, Any],
    skipped: dict[str, str],
) -> None:
    if not GEN_X12.exists():
        skipped["x12"] = skipped["pyx12"] = f"{GEN_X12.relative_to(PROJECT)} does not exist yet"
        return
    members = args.x12_members or args.people
    x12 = workdir / f"eligibility-{members}.x12"
    log(f"f. generating an 834 of {members} members")
    started = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            str(GEN_X12),
            str(x12),
            "--members",
            str(members),
            "--month",
            args.month,
            "--seed",
            str(args.seed),
        ],
        check=True,
    )
    steps["generate"]["x12_bytes"] = x12.stat().st_size
    steps["generate"]["x12_generate_seconds"] = round(time.perf_counter() - started, 1)
    if args.skip_x12:
        skipped["x12"] = "--skip-x12"
    elif not importer_ready:
        skipped["x12"] = "the importer does not exist yet"
    else:
        recreate_database(x12_url)
        steps["x12"] = import_file(x12_url, x12, "x12", "full", workdir, "x12")
    if args.skip_pyx12:
        skipped["pyx12"] = "--skip-pyx12"
        return
    sliced = workdir / f"slice-{args.pyx12_members}.x12"
    kept = slice_x12(x12, sliced, args.pyx12_members)
    log(f"f. pyx12 reading a slice of {kept} members")
    steps["pyx12"] = pyx12_read(sliced, kept, not args.skip_pyx12_validate)
    log(f"f. pyx12: {steps['pyx12']}")


if __name__ == "__main__":
    main()
