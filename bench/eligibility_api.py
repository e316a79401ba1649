"""Eligibility API vs a bare Django view, served by gunicorn on PostgreSQL, driven by wrk.

Run from /work/main (one command; needs PostgreSQL on 127.0.0.1:5432, user postgres, trust auth,
and Debian's ``wrk``: ``apt-get install -y wrk``):

    .venv/bin/python bench/eligibility_api.py

Options (defaults shown): ``--workers 3 --worker-class sync`` (or ``gthread`` with
``--worker-threads N``, which keeps connections alive), ``--connections 16 --threads 1`` (wrk),
``--duration 10 --warmup 5 --rounds 5``, ``--database medimedi_bench``, ``--json PATH`` (e.g.
bench/results/eligibility_api.json, where recorded runs are kept). The environment passes
through to gunicorn, e.g. ``REFERENCE_CACHE_SECONDS=0`` makes the check read the database on
every request.

What it does:

1. creates the database ``medimedi_bench`` if missing and migrates it (migrations load the
   reference data; the demo data is not needed);
2. starts gunicorn (sync workers, ``DJANGO_DEBUG=0``, settings ``bench.settings`` = the portal's
   settings plus ``/bench/constant``) on a free port of 127.0.0.1 and waits for ``/healthz``;
   gunicorn runs in /work/main, so it also reads the project's ``gunicorn.conf.py``, as deployed;
3. checks every request body once (200, the expected shape) on both targets;
4. warms both targets up, then alternates them (constant, eligibility, constant, ...) for
   ``--rounds`` rounds of ``--duration`` seconds each, so both see the same machine noise;
5. prints each run, the median per target, the ratio of requests/s and the goal (the eligibility
   API reaches at least half the bare view's requests/s, with p99 under 25 ms at 16 connections),
   plus the CPU time per request of the gunicorn workers and of PostgreSQL, read from /proc,
   which stays meaningful when other programs load the machine;
6. stops gunicorn (and anything else it started) on every exit path.

The load generator only ever targets 127.0.0.1. Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
BENCH = PROJECT / "bench"
VENV_BIN = PROJECT / ".venv" / "bin"
BODIES = BENCH / "eligibility_bodies.jsonl"
LUA = BENCH / "post_bodies.lua"
HOST = "127.0.0.1"
TARGETS = {
    "bare view (/bench/constant)": "/bench/constant",
    "eligibility API": "/api/v1/eligibility/check",
}
GOAL_RATIO = 0.5
GOAL_P99_MS = 25.0


@dataclass
class Run:
    target: str
    round: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    app_cpu_ms: float  # gunicorn workers' CPU time per request
    db_cpu_ms: float  # PostgreSQL backends' (of the bench database) CPU time per request
    other_cores: float  # CPU used meanwhile by everything else on the machine, in cores


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument(
        "--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn worker class"
    )
    parser.add_argument(
        "--worker-threads", type=int, default=1, help="threads per gthread worker (keep-alive)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per target")
    parser.add_argument("--rounds", type=int, default=5, help="measured runs per target")
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port")
    parser.add_argument("--database", default="medimedi_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def prepare_database(server_url: str, name: str) -> str:
    """Create the bench database if missing and migrate it; return its URL."""
    import psycopg

    try:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                print(f"creating database {name}")
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        sys.exit(
            f"PostgreSQL is not reachable at {server_url} ({exc}).\n"
            "Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    url = f"{server_url}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"}
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    return url


def http(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(OSError):
            status, _ = http("GET", f"{base}/healthz")
            if status == 200:
                return
        time.sleep(0.2)
    sys.exit(f"/healthz did not answer 200 within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def preflight(base: str, bodies: list[str]) -> None:
    """Every body must answer 200 with a real eligibility answer; the bare view must answer."""
    print("request bodies (each checked once):")
    for body in bodies:
        status, raw = http("POST", f"{base}{TARGETS['eligibility API']}", body.encode())
        if status != 200:
            sys.exit(f"eligibility API answered {status} to {body}: {raw[:500]!r}")
        answer = json.loads(raw)
        reasons = ",".join(r["code"] for r in answer["reasons"]) or "-"
        print(
            f"  {answer['county']['name']:<12} eligible={answer['eligible']!s:<5} "
            f"plans={len(answer['plans'])} reasons={reasons} ({len(raw)} bytes)"
        )
    status, raw = http("POST", f"{base}{TARGETS['bare view (/bench/constant)']}", b"{}")
    if status != 200:
        sys.exit(f"bare view answered {status}: {raw[:500]!r}")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float | None:
    """User + system CPU time of a process in ms, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


def worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
    return pids


class CpuMeter:
    """CPU time spent by the gunicorn workers and by PostgreSQL on the bench database.

    Unlike requests/s this barely moves when other programs compete for the CPU, so it shows
    the cost of a request even on a noisy machine. (A backend that exits during a run loses
    its last share; with persistent connections that is rare.)
    """

    def __init__(self, master: int, database_url: str) -> None:
        import psycopg

        self.master = master
        self.conn = psycopg.connect(database_url, autocommit=True)

    def backend_pids(self) -> list[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
        return [int(row[0]) for row in rows]

    def sample(self) -> dict[str, Any]:
        def times(pids: list[int]) -> dict[int, float]:
            return {pid: t for pid in pids if (t := cpu_ms(pid)) is not None}

        # Machine-wide busy time (user, nice, system, irq, softirq) from /proc/stat, and this
        # script's own CPU plus its reaped children's (wrk), to tell how busy others kept the CPU.
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "wall": time.monotonic(),
            "app": times(worker_pids(self.master)),
            "db": times(self.backend_pids()),
            "busy_ms": (sum(ticks[0:3]) + ticks[5] + ticks[6]) * 1000 / CLOCK_TICKS,
            "own_ms": (time.process_time() + children.ru_utime + children.ru_stime) * 1000,
        }

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(t - before.get(pid, 0.0) for pid, t in after.items())

    def measure(self, before: dict[str, Any], after: dict[str, Any]) -> tuple[float, float, float]:
        """CPU ms of the app and the database between two samples, and other programs' cores."""
        app_ms = self.spent(before["app"], after["app"])
        db_ms = self.spent(before["db"], after["db"])
        ours = app_ms + db_ms + after["own_ms"] - before["own_ms"]
        elapsed_ms = (after["wall"] - before["wall"]) * 1000
        other = max(after["busy_ms"] - before["busy_ms"] - ours, 0.0) / elapsed_ms
        return app_ms, db_ms, other

    def close(self) -> None:
        self.conn.close()


def run_wrk(args: argparse.Namespace, url: str, seconds: int) -> dict[str, float]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        url,
        "--",
        str(BODIES),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", line)}


def to_run(
    target: str, round_: int, raw: dict[str, float], app_ms: float, db_ms: float, other: float
) -> Run:
    seconds = raw["duration_us"] / 1e6
    errors = sum(
        int(raw[k])
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return Run(
        target=target,
        round=round_,
        requests=int(raw["requests"]),
        seconds=round(seconds, 2),
        rps=round(raw["requests"] / seconds, 1),
        p50_ms=round(raw["p50_us"] / 1000, 2),
        p90_ms=round(raw["p90_us"] / 1000, 2),
        p99_ms=round(raw["p99_us"] / 1000, 2),
        max_ms=round(raw["max_us"] / 1000, 2),
        errors=errors,
        app_cpu_ms=round(app_ms / max(raw["requests"], 1), 3),
        db_cpu_ms=round(db_ms / max(raw["requests"], 1), 3),
        other_cores=round(other, 2),
    )


def machine(args: argparse.Namespace, database_url: str, load_before: str) -> dict[str, Any]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-c",
            "import django, rest_framework, gunicorn, psycopg; "
            "print(django.__version__, rest_framework.__version__, gunicorn.__version__, "
            "psycopg.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        pg_version = row[0] if row else "?"
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    git = ["git", "-C", str(PROJECT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", ".", ":!bench", ":!docs/benchmarks.md"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    commit = head.stdout.strip() or "?"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" + uncommitted changes" if dirty else ""),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_gib, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": versions[0],
        "drf": versions[1],
        "gunicorn": versions[2],
        "psycopg": versions[3],
        "postgresql": pg_version,
        "wrk": wrk_version.split(" [")[0].strip(),
        "gunicorn_workers": f"{args.workers} {args.worker_class}"
        + (f" x {args.worker_threads} threads" if args.worker_class == "gthread" else ""),
        "reference_cache_seconds": os.environ.get("REFERENCE_CACHE_SECONDS", "default"),
        "loadavg_before": load_before,
        "loadavg_after": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "load": f"wrk -t{args.threads} -c{args.connections}, {args.duration} s x {args.rounds} "
        f"rounds per target (alternating), {args.warmup} s warm-up each",
    }


def report(runs: list[Run], info: dict[str, Any]) -> dict[str, Any]:
    print()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    print()
    header = (
        f"{'target':<28} {'round':>5} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6} {'app CPU ms/req':>14} {'db CPU ms/req':>13} "
        f"{'other load':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r.target:<28} {r.round:>5} {r.rps:>9.1f} {r.p50_ms:>8.2f} {r.p90_ms:>8.2f} "
            f"{r.p99_ms:>8.2f} {r.max_ms:>8.2f} {r.errors:>6} {r.app_cpu_ms:>14.3f} "
            f"{r.db_cpu_ms:>13.3f} {r.other_cores:>10.2f}"
        )
    summary: dict[str, dict[str, float]] = {}
    for target in TARGETS:
        mine = [r for r in runs if r.target == target]
        summary[target] = {
            "rps": round(statistics.median(r.rps for r in mine), 1),
            "p50_ms": round(statistics.median(r.p50_ms for r in mine), 2),
            "p99_ms": round(statistics.median(r.p99_ms for r in mine), 2),
            "worst_p99_ms": max(r.p99_ms for r in mine),
            "errors": sum(r.errors for r in mine),
            "app_cpu_ms": round(statistics.median(r.app_cpu_ms for r in mine), 3),
            "db_cpu_ms": round(statistics.median(r.db_cpu_ms for r in mine), 3),
            "other_cores": round(statistics.median(r.other_cores for r in mine), 2),
        }
    bare, api = (summary[t] for t in TARGETS)
    ratio_of_medians = api["rps"] / bare["rps"]
    paired = [
        a.rps / b.rps
        for b, a in zip(
            (r for r in runs if r.target == next(iter(TARGETS))),
            (r for r in runs if r.target == "eligibility API"),
            strict=True,
        )
    ]
    # Each eligibility run is compared with the bare run just before it (same machine noise).
    ratio = statistics.median(paired)
    print()
    print(
        f"{'median of rounds':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'worst p99':>9} "
        f"{'app CPU ms/req':>14} {'db CPU ms/req':>13}"
    )
    for target, s in summary.items():
        print(
            f"{target:<28} {s['rps']:>9.1f} {s['p50_ms']:>8.2f} {s['p99_ms']:>8.2f} "
            f"{s['worst_p99_ms']:>9.2f} {s['app_cpu_ms']:>14.3f} {s['db_cpu_ms']:>13.3f}"
        )
    cpu_ratio = (bare["app_cpu_ms"] + bare["db_cpu_ms"]) / (api["app_cpu_ms"] + api["db_cpu_ms"])
    ratio_ok = ratio >= GOAL_RATIO
    p99_ok = api["p99_ms"] < GOAL_P99_MS
    print()
    print(
        f"ratio eligibility/bare req/s: {ratio:.2f} (median of the rounds' ratios: "
        f"{', '.join(f'{p:.2f}' for p in paired)}; ratio of the medians {ratio_of_medians:.2f})"
    )
    print(
        f"server CPU per request, bare/eligibility: {cpu_ratio:.2f} "
        "(the requests/s ratio a CPU-bound server would reach without outside noise)"
    )
    print(
        f"goal: ratio >= {GOAL_RATIO}: {'MET' if ratio_ok else 'NOT MET'}; "
        f"eligibility p99 < {GOAL_P99_MS:.0f} ms: {'MET' if p99_ok else 'NOT MET'} "
        f"({api['p99_ms']:.2f} ms median, {api['worst_p99_ms']:.2f} ms worst round)"
    )
    if any(s["errors"] for s in summary.values()):
        print("WARNING: some requests failed (non-2xx, timeouts or socket errors); see 'errors'")
    return {
        "machine": info,
        "runs": [asdict(r) for r in runs],
        "summary": summary,
        "ratio": round(ratio, 3),
        "ratio_of_medians": round(ratio_of_medians, 3),
        "paired_ratios": [round(p, 3) for p in paired],
        "cpu_ratio": round(cpu_ratio, 3),
        "goal_met": {"ratio": ratio_ok, "p99": p99_ok},
    }


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn gracefully (SIGTERM to the master), then kill its process group."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
    # The master was started in its own session: its group holds only what it started.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    bodies = [line for line in BODIES.read_text().splitlines() if line.strip()]

    # SIGTERM / SIGHUP leave through the finally below, like Ctrl-C does.
    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGHUP, leave)

    database_url = prepare_database(args.pg, args.database)
    port = args.port or free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LOG_LEVEL": "WARNING",
    }
    log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    command = [
        str(VENV_BIN / "gunicorn"),
        "medimedi.wsgi:application",
        "--chdir",
        str(PROJECT),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.worker_threads),
        "--log-level",
        "warning",
    ]
    print(f"starting: {' '.join(command)}  (gunicorn log: {log})")
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
        preflight(base, bodies)
        load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        for target, path in TARGETS.items():
            print(f"warm-up {target}: {args.warmup} s")
            run_wrk(args, f"{base}{path}", args.warmup)
        runs: list[Run] = []
        meter = CpuMeter(server.pid, database_url)
        try:
            for round_ in range(1, args.rounds + 1):
                for target, path in TARGETS.items():
                    print(f"round {round_}/{args.rounds} {target}: {args.duration} s", flush=True)
                    before = meter.sample()
                    raw = run_wrk(args, f"{base}{path}", args.duration)
                    app_ms, db_ms, other = meter.measure(before, meter.sample())
                    runs.append(to_run(target, round_, raw, app_ms, db_ms, other))
        finally:
            meter.close()
        results = report(runs, machine(args, database_url, load_before))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2) + "\n")
            print(f"results written to {args.json}")
    finally:
        stop(server)
        log.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
