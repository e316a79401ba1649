"""Notices: one real Celery worker's throughput and memory, rendering and delivering a backlog.

Run from the project folder (PostgreSQL and Redis up on 127.0.0.1)::

    .venv/bin/python bench/notices_throughput.py                  # 10,000 notices, ~12 minutes
    .venv/bin/python bench/notices_throughput.py --count 200 --profile 50   # a quick trial

What it does:

1. Uses its own PostgreSQL database ``medimedi_bench_notices`` (127.0.0.1:5432, user
   ``postgres``; created and migrated when missing; every notice in it is deleted first) and its
   own Redis database, ``redis://127.0.0.1:6379/12`` (flushed before and after the run: nothing
   else may use db 12), and a Celery queue of its own (``NOTICES_CELERY_QUEUE``).
2. With no worker running, queues ``--count`` notices for synthetic people through
   ``notices.services.notice_queue``, ``--batch`` per transaction, so their delivery tasks pile
   up in the queue. The mix (exact counts, shuffled with a fixed seed) is in ``KIND_MIX``,
   ``LANGUAGE_MIX`` and ``FORMAT_MIX``: mostly enrollment confirmations with the ID card.
3. Starts ONE worker (``celery -A medimedi worker --pool=solo --concurrency=1``) with the
   file-based email backend (``--email-backend locmem`` keeps every message in the worker's
   memory instead), letters stored under a temporary ``MEDIA_ROOT``, DEBUG off and logging at
   WARNING; polls the database every second until every notice is sent or failed, and samples
   the worker's RSS (``/proc/<pid>/status``) every second.
4. Reports notices/s (from the worker's start and from the first to the last ``sent_at``), ms
   per notice (overall, and per kind from the gaps between consecutive ``sent_at``), RSS at
   start, peak and end, PDF bytes, counts per kind, language, format and channel, and failures.
5. ``--profile K`` (default 200, 0 skips it): with the worker stopped, delivers K more notices
   in this process with timers around each phase and K more under cProfile; the profile goes to
   ``bench/results/notices_profile.txt``.

The result is written to ``bench/results/notices_throughput.json`` (``--output``) and printed
as a table. The worker is stopped (terminate, then kill) and the temporary folder removed in
every case. Results and their reading: ``docs/benchmarks.md``, section "Notices: one worker's
throughput" (or ``bench/results/notices_throughput.md``).
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import itertools
import json
import os
import platform
import pstats
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_NAME = "medimedi_bench_notices"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/12"

# The mix of notices (shares of --count; exact counts, largest remainder, then shuffled).
KIND_MIX: list[tuple[str, float]] = [
    ("enrollment_confirmation", 0.60),  # with the member ID card PDF
    ("application_received", 0.20),
    ("denial", 0.10),
    ("info_requested", 0.05),
    ("disenrollment_confirmation", 0.05),
]
LANGUAGE_MIX: list[tuple[str, float]] = [("en", 0.88), ("es", 0.10), ("vi", 0.01), ("zh-TW", 0.01)]
# (format, has an email address): large print and no email go to print, the rest by email.
FORMAT_MIX: list[tuple[tuple[str, bool], float]] = [
    (("standard", True), 0.90),
    (("standard", False), 0.04),
    (("large_print", True), 0.04),
    (("accessible_electronic", True), 0.02),
]
SEED = 20261201

FIRST_NAMES = [
    "Rosa", "Jose", "Maria", "Luis", "Ana", "Minh", "Linh", "Wei", "Mei", "Grace", "Samuel",
    "Dolores", "Arturo", "Esperanza", "Harold", "Evelyn", "Tomas", "Lupe", "Kim", "Ramon",
]  # fmt: skip
LAST_NAMES = [
    "Example", "Sample", "Testcase", "Placeholder", "Fixture", "Mockford", "Demo", "Specimen",
    "Synthetic", "Benchley", "Trial", "Proof", "Draft", "Pilot", "Model",
]  # fmt: skip
STREETS = ["Test Street", "Sample Avenue", "Example Road", "Fixture Lane", "Demo Boulevard"]
CITIES = {
    "Los Angeles": ("Los Angeles", "90012"),
    "Riverside": ("Riverside", "92501"),
    "San Bernardino": ("San Bernardino", "92401"),
    "Orange": ("Santa Ana", "92701"),
    "San Diego": ("San Diego", "92101"),
    "San Mateo": ("San Mateo", "94401"),
    "Santa Clara": ("San Jose", "95113"),
    "Fresno": ("Fresno", "93721"),
    "Kings": ("Hanford", "93230"),
    "Madera": ("Madera", "93637"),
}
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # no S, L, O, I, B, Z
DENIAL_REASONS = [
    ("NO_MEDICARE_PART_A", "Not enrolled in Medicare Part A."),
    ("NO_MEDI_CAL", "No full-scope Medi-Cal."),
    ("UNMET_SHARE_OF_COST", "Medi-Cal share of cost not met."),
    ("IDENTITY_NOT_VERIFIED", "Identity could not be verified."),
    ("INFORMATION_NOT_RECEIVED", "Requested information was not received."),
]
STAFF_NOTES = [
    "Please send a copy of your most recent Medi-Cal notice of action.",
    "Please confirm your home address; the letter we sent was returned.",
    "Please send a copy of your Medicare card showing Part A and Part B.",
]


# --- Small helpers -----------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def exact_counts(mix: list[tuple[Any, float]], total: int) -> list[Any]:
    """Return a list of ``total`` values in the mix's exact proportions (largest remainder)."""
    raw = [(value, share * total) for value, share in mix]
    counts = [int(amount) for _, amount in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i][1] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    values: list[Any] = []
    for (value, _), count in zip(raw, counts, strict=True):
        values += [value] * count
    return values


def synthetic_mbi(rng: random.Random) -> str:
    """A synthetic identifier shaped like an MBI (C A AN N A AN N A A N N)."""
    alnum = MBI_LETTERS + "0123456789"
    pattern = ["1-9", "A", "AN", "N", "A", "AN", "N", "A", "A", "N", "N"]
    pools = {"1-9": "123456789", "A": MBI_LETTERS, "AN": alnum, "N": "0123456789"}
    return "".join(rng.choice(pools[kind]) for kind in pattern)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (kB) of a process from /proc (psutil is not installed)."""
    values: dict[str, int] = {}
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                values[key] = int(rest.split()[0])
    return values


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def gap_stats(values_ms: list[float]) -> dict[str, float | int]:
    return {
        "count": len(values_ms),
        "mean_ms": round(statistics.fmean(values_ms), 2) if values_ms else float("nan"),
        "p50_ms": round(percentile(values_ms, 0.50), 2),
        "p95_ms": round(percentile(values_ms, 0.95), 2),
        "max_ms": round(max(values_ms), 2) if values_ms else float("nan"),
    }


# --- Database, Redis, Django -------------------------------------------------------------------


def database_ensure() -> bool:
    """Create the bench database when missing; return True if it was created."""
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        return True


def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(REDIS_URL)


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def versions() -> dict[str, str]:
    from importlib.metadata import version

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    info = {
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": str(redis_client().info("server").get("redis_version")),
    }
    for package in ("Django", "celery", "kombu", "reportlab", "psycopg", "redis"):
        info[package.lower() if package != "redis" else "redis-py"] = version(package)
    return info


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
    }


def git_state() -> dict[str, str]:
    def run(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": run("rev-parse", "--short", "HEAD"),
        "notices_dirty": "yes" if run("status", "--porcelain", "--", "notices") else "no",
    }


# --- The notices -------------------------------------------------------------------------------


def plan_choices() -> list[dict[str, str]]:
    """Plans with a county and aligned Medi-Cal plan, from the migrated reference data."""
    from eligibility.models import ServiceArea

    choices = []
    for area in ServiceArea.objects.select_related("plan", "county", "aligned_medi_cal_plan"):
        choices.append(
            {
                "plan_name": area.plan.name,
                "plan_phone": area.plan.member_phone or "",
                "contract_id": area.plan.contract_id or "",
                "medi_cal_plan_name": area.aligned_medi_cal_plan.name,
                "county": area.county.name,
            }
        )
    if not choices:
        raise SystemExit("no service areas in the bench database: did the migrations run?")
    return sorted(choices, key=lambda c: (c["plan_name"], c["county"]))


def notice_specs(count: int, offset: int, run_id: str) -> Iterator[dict[str, Any]]:
    """Yield ``count`` notice_queue() keyword sets for synthetic people, in the stated mix."""
    rng = random.Random(SEED + offset)
    kinds = exact_counts(KIND_MIX, count)
    languages = exact_counts(LANGUAGE_MIX, count)
    formats = exact_counts(FORMAT_MIX, count)
    for values in (kinds, languages, formats):
        rng.shuffle(values)
    plans = plan_choices()
    today = datetime.date(2026, 11, 20)
    for i in range(count):
        n = offset + i
        plan = plans[rng.randrange(len(plans))]
        city, zip_code = CITIES.get(plan["county"], (plan["county"], "95814"))
        letter_format, has_email = formats[i]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        recipient = {
            "name": f"{first} {last}",
            "email": f"member{n}@bench.medimedi.example" if has_email else "",
            "address": [f"{100 + n % 9000} {rng.choice(STREETS)}", f"{city}, CA {zip_code}"],
            "language": languages[i],
            "format": letter_format,
        }
        if rng.random() < 0.15:
            recipient["address"].insert(1, f"Apt {1 + rng.randrange(300)}")
        kind = kinds[i]
        reference = str(500000 + n)
        effective = datetime.date(2026, 12, 1) if rng.random() < 0.7 else datetime.date(2027, 1, 1)
        common = {"plan_phone": plan["plan_phone"], "application_reference": reference}
        if kind == "enrollment_confirmation":
            context = {
                **common,
                "plan_name": plan["plan_name"],
                "medi_cal_plan_name": plan["medi_cal_plan_name"],
                "effective_date": effective,
                "mbi": synthetic_mbi(rng),
                "contract_id": plan["contract_id"],
            }
        elif kind == "application_received":
            context = {
                **common,
                "plan_name": plan["plan_name"],
                "received_date": today,
                "expected_effective_date": effective,
            }
        elif kind == "denial":
            reasons = rng.sample(DENIAL_REASONS, 1 + (rng.random() < 0.3))
            context = {
                **common,
                "plan_name": plan["plan_name"],
                "reasons": [{"code": code, "message": message} for code, message in reasons],
                "decision_date": today,
            }
        elif kind == "info_requested":
            context = {
                **common,
                "plan_name": plan["plan_name"],
                "staff_note": rng.choice(STAFF_NOTES),
                "respond_by": today + datetime.timedelta(days=30),
            }
        else:  # disenrollment_confirmation
            context = {
                **common,
                "plan_name": plan["plan_name"],
                "medi_cal_plan_name": plan["medi_cal_plan_name"],
                "end_date": datetime.date(2026, 11, 30),
            }
        yield {
            "kind": kind,
            "idempotency_key": f"bench:{run_id}:{n}",
            "recipient_key": f"bench-person:{n}",
            "recipient": recipient,
            "context": context,
        }


def notices_queue(count: int, offset: int, run_id: str, batch: int) -> list[int]:
    """Queue ``count`` notices, ``batch`` per transaction; return their ids."""
    from django.db import transaction

    from notices.services import notice_queue

    ids: list[int] = []
    specs = notice_specs(count, offset, run_id)
    started = time.monotonic()
    while len(ids) < count:
        with transaction.atomic():
            for spec in specs:
                ids.append(notice_queue(**spec).pk)
                if len(ids) % batch == 0:
                    break
        if len(ids) % (batch * 4) == 0 or len(ids) == count:
            log(f"  queued {len(ids)}/{count} ({time.monotonic() - started:.1f} s)")
    return ids


def queue_length(client: Any, queue: str) -> int:
    # kombu's Redis transport keeps a list per queue (and one per priority step, if used)
    return sum(int(client.llen(key)) for key in client.scan_iter(match=f"{queue}*"))


# --- The worker --------------------------------------------------------------------------------


def worker_start(env: dict[str, str], queue: str, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "medimedi",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so nothing it starts outlives us
        )


def worker_stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    from notices.models import Notice

    rows = Notice.objects.values_list("status").annotate(n=Count("id"))
    return {status: n for status, n in rows}


def measure(
    process: subprocess.Popen[bytes],
    count: int,
    timeout: float,
    log_path: Path,
) -> dict[str, Any]:
    """Poll the database and the worker's memory every second until every notice is done."""
    started = time.monotonic()
    samples: list[dict[str, Any]] = []
    loads: list[float] = []
    rss_after_first: int | None = None
    peak_rss = 0
    last_line = 0.0
    tty = sys.stderr.isatty()
    next_tick = started + 1
    ticks = machine_cpu_ticks()
    while True:
        time.sleep(max(0.0, next_tick - time.monotonic()))
        next_tick += 1
        elapsed = time.monotonic() - started
        memory = proc_status(process.pid)
        rss = memory.get("VmRSS", 0)
        counts = status_counts()
        sent, failed = counts.get("sent", 0), counts.get("failed", 0)
        peak_rss = max(peak_rss, rss)
        if sent and rss_after_first is None:
            rss_after_first = rss
        loads.append(loadavg())
        now_ticks = machine_cpu_ticks()
        busy = (now_ticks[0] - ticks[0]) / max(now_ticks[1] - ticks[1], 1)
        ticks = now_ticks
        samples.append(
            {
                "t": round(elapsed, 1),
                "sent": sent,
                "failed": failed,
                "rss_kb": rss,
                "machine_busy": round(busy, 2),
            }
        )
        done = sent + failed >= count
        if tty or elapsed - last_line >= 10 or done:
            recent = samples[-11:]
            rate = (recent[-1]["sent"] - recent[0]["sent"]) / max(
                recent[-1]["t"] - recent[0]["t"], 1e-9
            )
            line = (
                f"  [{elapsed:7.1f} s] sent {sent}/{count}, failed {failed}, "
                f"{rate:5.1f}/s over the last 10 s, worker RSS {rss / 1024:6.1f} MiB"
            )
            print(("\r" + line) if tty else line, end="" if tty else "\n", file=sys.stderr)
            last_line = elapsed
        if done:
            if tty:
                print(file=sys.stderr)
            break
        if process.poll() is not None:
            raise RuntimeError(
                f"the worker exited ({process.returncode}):\n{log_path.read_text()[-4000:]}"
            )
        if elapsed > timeout:
            log(f"  timeout after {timeout:.0f} s: stopping with {sent}/{count} sent")
            break
    end_memory = proc_status(process.pid)
    return {
        "samples": samples,
        "rss_after_first_notice_kb": rss_after_first,
        "rss_peak_sampled_kb": peak_rss,
        "rss_end_kb": end_memory.get("VmRSS"),
        "rss_hwm_kb": end_memory.get("VmHWM"),
        "worker_cpu_seconds": proc_cpu_seconds(process.pid),
        "loadavg_1min_max": max(loads) if loads else None,
        "polled_seconds": round(time.monotonic() - started, 1),
    }


def gaps_by(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, dict[str, float | int]]]:
    """ms between consecutive ``sent_at`` (one worker: each notice's time), grouped."""
    groups: dict[str, dict[str, list[float]]] = {
        "kind": defaultdict(list),
        "language": defaultdict(list),
        "format": defaultdict(list),
        "channel": defaultdict(list),
        "all": defaultdict(list),
    }
    for previous, row in itertools.pairwise(rows):
        kind, language, letter_format, channel, sent_at = row
        gap = (sent_at - previous[4]).total_seconds() * 1000
        groups["kind"][kind].append(gap)
        groups["language"][language].append(gap)
        groups["format"][letter_format].append(gap)
        groups["channel"][channel].append(gap)
        groups["all"]["all"].append(gap)
    return {
        name: {key: gap_stats(values) for key, values in sorted(group.items())}
        for name, group in groups.items()
    }


def files_summary(media: Path, mail: Path) -> dict[str, Any]:
    letters = cards = letter_bytes = card_bytes = 0
    for path in (media / "notices").rglob("*.pdf") if (media / "notices").exists() else []:
        size = path.stat().st_size
        if path.name.endswith("-id-card.pdf"):
            cards, card_bytes = cards + 1, card_bytes + size
        else:
            letters, letter_bytes = letters + 1, letter_bytes + size
    mails = mail_bytes = with_header = 0
    for path in mail.iterdir() if mail.exists() else []:
        mails += 1
        mail_bytes += path.stat().st_size
        with path.open("rb") as messages:  # a file may hold more than one message
            with_header += messages.read().count(b"\nX-Notice-Id: ")
    return {
        "letter_pdfs": letters,
        "letter_pdf_bytes": letter_bytes,
        "id_card_pdfs": cards,
        "id_card_pdf_bytes": card_bytes,
        "pdf_bytes_total": letter_bytes + card_bytes,
        "mean_letter_pdf_bytes": round(letter_bytes / letters) if letters else None,
        "mean_id_card_pdf_bytes": round(card_bytes / cards) if cards else None,
        "email_files": mails,
        "email_messages": with_header,
        "email_bytes": mail_bytes,
    }


# --- In-process breakdown and profile -----------------------------------------------------------


class PhaseTimer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1

        return timed


PHASES = [
    # (label, module, attribute): each wraps the name where the caller looks it up
    ("claim: UPDATE ... status=sending", "notices.services", "_claim"),
    ("render: everything below", "notices.services", "notice_render"),
    ("  templates (3 render_to_string)", "notices.rendering", "render_to_string"),
    ("  body parse (HTMLParser)", "notices.rendering", "body_blocks"),
    ("  letter PDF (ReportLab platypus)", "notices.rendering", "letter_pdf"),
    ("  ID card PDF (ReportLab canvas)", "notices.rendering", "id_card_pdf"),
    ("store: 1-2 PDF files + UPDATE", "notices.services", "_store"),
    ("deliver: email MIME + file / print check", "notices.services", "channel_deliver"),
    ("finish: UPDATE ... status=sent", "notices.services", "_finish"),
]


def in_process_breakdown(ids: list[int]) -> dict[str, Any]:
    """Deliver notices in this process with a timer around each phase and every SQL query."""
    import importlib

    from django.db import connection

    from notices.services import notice_deliver_attempt

    timer = PhaseTimer()
    sql = {"queries": 0, "seconds": 0.0}

    def sql_timer(execute: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(*args)
        finally:
            sql["queries"] += 1
            sql["seconds"] += time.perf_counter() - started

    outcomes: Counter[str] = Counter()
    with contextlib.ExitStack() as stack:
        for label, module, name in PHASES:
            target = importlib.import_module(module)
            stack.enter_context(
                mock.patch.object(target, name, timer.wrap(label, getattr(target, name)))
            )
        stack.enter_context(connection.execute_wrapper(sql_timer))
        started, cpu_started = time.perf_counter(), time.process_time()
        for notice_id in ids:
            outcomes[notice_deliver_attempt(notice_id=notice_id).result] += 1
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    n = len(ids)
    phases = {
        label: {
            "ms_per_notice": round(timer.seconds[label] * 1000 / n, 2),
            "share": round(timer.seconds[label] / total, 3),
            "calls": timer.calls[label],
        }
        for label, _, _ in PHASES
    }
    return {
        "notices": n,
        "outcomes": dict(outcomes),
        "ms_per_notice": round(total * 1000 / n, 2),
        "cpu_ms_per_notice": round(cpu * 1000 / n, 2),
        "notices_per_second": round(n / total, 1),
        "phases": phases,
        "sql": {
            "queries_per_notice": round(sql["queries"] / n, 2),
            "ms_per_notice": round(sql["seconds"] * 1000 / n, 2),
            "share": round(sql["seconds"] / total, 3),
        },
    }


def library_of(filename: str) -> str:
    """Name the library a profiled function belongs to, by its file."""
    for marker, label in (
        ("/reportlab/", "ReportLab (PDF layout and writing)"),
        ("/django/template/", "Django templates"),
        ("/django/db/", "database: Django ORM"),
        ("/psycopg/", "database: psycopg (incl. waiting for PostgreSQL)"),
        ("/notices/fonts.py", "notices.fonts (Arabic/Farsi shaping, bidi)"),
        ("/email/", "stdlib email (MIME, base64)"),
        ("/base64.py", "stdlib email (MIME, base64)"),
        ("/html/parser.py", "stdlib HTMLParser"),
        ("/django/core/mail/", "Django mail"),
        ("/django/core/files/", "Django file storage"),
        ("/notices/", "notices (project code)"),
        ("/django/", "Django (other)"),
    ):
        if marker in filename:
            return label
    return "other Python"


def profile(ids: list[int], path: Path) -> dict[str, Any]:
    """Deliver notices under cProfile; write the top functions to ``path``."""
    from notices.services import notice_deliver_attempt

    profiler = cProfile.Profile()
    profiler.enable()
    for notice_id in ids:
        notice_deliver_attempt(notice_id=notice_id)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(entry[2] for entry in stats.stats.values())
    by_library: Counter[str] = Counter()
    for (filename, _line, name), entry in stats.stats.items():
        if filename != "~":
            by_library[library_of(filename)] += entry[2]
        elif "zlib" in name:
            by_library["zlib (PDF stream compression)"] += entry[2]
        else:  # a built-in: its self time goes to the library of whoever called it
            for (caller_file, _l, _n), caller_entry in entry[4].items():
                by_library[library_of(caller_file) if caller_file != "~" else "other"] += (
                    caller_entry[2]
                )
    text = io.StringIO()
    text.write(
        f"cProfile of {len(ids)} in-process deliveries (notice_deliver_attempt), "
        f"{total:.2f} s of profiled time\n\nSelf time by library:\n"
    )
    for label, seconds in by_library.most_common():
        text.write(
            f"  {seconds / total:6.1%}  {seconds * 1000 / len(ids):7.2f} ms/notice  {label}\n"
        )
    for key in ("tottime", "cumulative"):
        text.write(f"\n=== top 40 by {key} ===\n")
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(key).print_stats(40)
    path.write_text(text.getvalue().replace(str(ROOT) + "/", ""))
    top = pstats.Stats(profiler).sort_stats("tottime")
    rows = []
    for func in top.fcn_list[:15]:
        _cc, calls, tottime, cumtime, _callers = top.stats[func]
        rows.append(
            {
                "function": f"{Path(func[0]).name}:{func[1]}({func[2]})",
                "calls_per_notice": round(calls / len(ids), 1),
                "self_ms_per_notice": round(tottime * 1000 / len(ids), 3),
                "cum_ms_per_notice": round(cumtime * 1000 / len(ids), 3),
            }
        )
    return {
        "notices": len(ids),
        "profiled_ms_per_notice": round(total * 1000 / len(ids), 2),
        "self_time_by_library": {
            label: round(seconds / total, 3) for label, seconds in by_library.most_common()
        },
        "top_self_time": rows,
        "file": str(path.relative_to(ROOT)),
    }


# --- Main --------------------------------------------------------------------------------------


def table(result: dict[str, Any]) -> str:
    run, files, memory = result["run"], result["files"], result["memory"]
    mib = 1024

    def fmt_kb(value: int | None) -> str:
        return f"{value / mib:.1f} MiB" if value else "?"

    rows = [
        ("notices queued", f"{result['count']:,}"),
        ("sent / failed / other", f"{run['sent']:,} / {run['failed']:,} / {run['other']:,}"),
        (
            "by email / to print",
            f"{result['per_channel'].get('email', 0):,} / {result['per_channel'].get('print', 0):,}",
        ),
        ("wall time, worker start to last sent", f"{run['elapsed_from_worker_start_s']:.1f} s"),
        ("notices/s (N / that)", f"{run['notices_per_second_from_start']:.1f}"),
        ("worker start to first sent", f"{run['startup_s']:.1f} s"),
        ("first to last sent_at", f"{run['first_to_last_s']:.1f} s"),
        ("notices/s (first to last sent_at)", f"{run['notices_per_second_steady']:.1f}"),
        ("mean ms per notice (steady)", f"{run['mean_ms_per_notice']:.1f}"),
        (
            "ms per notice p50 / p95 / max",
            "{p50_ms:.1f} / {p95_ms:.1f} / {max_ms:.1f}".format(**result["gaps"]["all"]["all"]),
        ),
        ("worker CPU / wall", f"{run['worker_cpu_share']:.0%}"),
        ("worker CPU ms per notice (incl. startup)", f"{run['worker_cpu_ms_per_notice']:.1f}"),
        ("worker RSS after the first notice", fmt_kb(memory["rss_after_first_notice_kb"])),
        ("worker RSS peak (sampled / VmHWM)", f"{fmt_kb(memory['rss_peak_sampled_kb'])} / {fmt_kb(memory['rss_hwm_kb'])}"),
        ("worker RSS at the end", fmt_kb(memory["rss_end_kb"])),
        ("PDF bytes written (letters + cards)", f"{files['pdf_bytes_total'] / 1e6:.1f} MB"),
        ("  letters / ID cards", f"{files['letter_pdfs']:,} / {files['id_card_pdfs']:,}"),
        ("  mean letter / card PDF", f"{files['mean_letter_pdf_bytes']} / {files['mean_id_card_pdf_bytes']} bytes"),
        ("emails written (messages / bytes)", f"{files['email_messages']:,} / {files['email_bytes'] / 1e6:.1f} MB"),
        ("machine CPU busy during the run", f"{run['machine_cpu_busy']:.0%} of {result['machine']['nproc']} cores"),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    lines = ["| measure | value |", "|---|---|"]
    lines += [f"| {label.ljust(width)} | {value} |" for label, value in rows]
    lines += ["", "| kind | count | mean ms | p50 ms | p95 ms |", "|---|---|---|---|---|"]
    for kind, stats in result["gaps"]["kind"].items():
        lines.append(
            f"| {kind} | {result['per_kind'].get(kind, 0):,} | {stats['mean_ms']} "
            f"| {stats['p50_ms']} | {stats['p95_ms']} |"
        )
    breakdown = result.get("in_process")
    if breakdown:
        lines += [
            "",
            f"In process, {breakdown['notices']} deliveries: {breakdown['ms_per_notice']} ms "
            f"per notice ({breakdown['cpu_ms_per_notice']} ms CPU), "
            f"{breakdown['sql']['queries_per_notice']} SQL queries per notice.",
            "",
            "| phase | ms/notice | share |",
            "|---|---|---|",
        ]
        for label, phase in breakdown["phases"].items():
            lines.append(f"| {label} | {phase['ms_per_notice']} | {phase['share']:.0%} |")
        lines.append(
            f"| (all SQL, across phases) | {breakdown['sql']['ms_per_notice']} "
            f"| {breakdown['sql']['share']:.0%} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="notices to queue (10000)")
    parser.add_argument("--batch", type=int, default=500, help="notices per transaction (500)")
    parser.add_argument(
        "--profile", type=int, default=200, help="in-process deliveries to time and profile (200)"
    )
    parser.add_argument(
        "--email-backend", choices=["file", "locmem"], default="file", help="in the worker"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait (3600)")
    parser.add_argument("--output", type=Path, help="JSON result (bench/results/...)")
    parser.add_argument("--keep-temp", action="store_true", help="keep the letters and mails")
    args = parser.parse_args()
    if args.count < 2:
        parser.error("--count must be at least 2")
    output = args.output or RESULTS / (
        "notices_throughput.json"
        if args.email_backend == "file"
        else "notices_throughput_locmem.json"
    )

    def on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_sigterm)

    run_id = uuid.uuid4().hex[:10]
    queue = f"notices-bench-{run_id}"
    temp = Path(tempfile.mkdtemp(prefix="notices-bench-"))
    media, mail = temp / "media", temp / "mail"
    media.mkdir()
    mail.mkdir()
    backend = {
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }[args.email_backend]
    env = {
        "DJANGO_SETTINGS_MODULE": "medimedi.settings",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "NOTICES_CELERY_QUEUE": queue,
        "EMAIL_BACKEND": backend,
        "EMAIL_FILE_PATH": str(mail),
        "MEDIA_ROOT": str(media),
        "DJANGO_DEBUG": "0",  # as in production: no query log kept in memory
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    process: subprocess.Popen[bytes] | None = None
    client = None
    try:
        created = database_ensure()
        log(f"database {DB_NAME}: {'created' if created else 'exists'}; migrating")
        django_setup(env)
        # the parent's in-process deliveries (--profile) use the same email backend as the
        # worker, except that locmem there would only fill this process's memory
        from django.core.management import call_command
        from django.db import connection

        from notices.models import Notice, PrintBatch

        call_command("migrate", verbosity=0)
        client = redis_client()
        client.flushdb()
        Notice.objects.all().delete()
        PrintBatch.objects.all().delete()

        log(f"queueing {args.count} notices on queue {queue} (no worker yet)")
        queue_started = time.monotonic()
        ids = notices_queue(args.count, 0, run_id, args.batch)
        queue_seconds = time.monotonic() - queue_started
        in_redis = queue_length(client, queue)
        if in_redis != args.count:
            raise RuntimeError(f"{in_redis} tasks in Redis for {args.count} notices queued")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE notices_notice")
        log(f"  {args.count} rows and {in_redis} tasks in {queue_seconds:.1f} s")

        machine_info, version_info = machine(), versions()
        log_path = temp / "worker.log"
        cpu_before = machine_cpu_ticks()
        load_before = loadavg()
        from django.utils import timezone

        log("starting one worker (--pool=solo)")
        worker_started_at = timezone.now()
        worker_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
        process = worker_start(worker_env, queue, log_path)
        watched = measure(process, args.count, args.timeout, log_path)
        cpu_after = machine_cpu_ticks()
        worker_stop(process)
        worker_log = log_path.read_text(errors="replace")

        rows = list(
            Notice.objects.filter(pk__in=ids, sent_at__isnull=False)
            .order_by("sent_at")
            .values_list("kind", "language", "format", "channel", "sent_at")
        )
        statuses = Counter(Notice.objects.filter(pk__in=ids).values_list("status", flat=True))
        sent, failed = statuses.get("sent", 0), statuses.get("failed", 0)
        first, last = rows[0][4], rows[-1][4]
        span = (last - first).total_seconds()
        from_start = (last - worker_started_at).total_seconds()
        errors = Counter(
            (error or "").split(":", 1)[0]
            for error in Notice.objects.filter(pk__in=ids)
            .exclude(status="sent")
            .values_list("last_error", flat=True)
        )
        cpu_busy = (cpu_after[0] - cpu_before[0]) / max(cpu_after[1] - cpu_before[1], 1)
        result: dict[str, Any] = {
            "benchmark": "notices_throughput",
            "command": "python bench/notices_throughput.py " + " ".join(sys.argv[1:]),
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": machine_info,
            "versions": version_info,
            "git": git_state(),
            "count": args.count,
            "email_backend": backend,
            "mix": {
                "kind": dict(KIND_MIX),
                "language": dict(LANGUAGE_MIX),
                "format": {
                    f"{fmt}{'' if email else ' (no email)'}": s for (fmt, email), s in FORMAT_MIX
                },
            },
            "queueing": {
                "seconds": round(queue_seconds, 1),
                "notices_per_second": round(args.count / queue_seconds, 1),
                "batch": args.batch,
            },
            "run": {
                "sent": sent,
                "failed": failed,
                "other": args.count - sent - failed,
                "statuses": dict(statuses),
                "errors_of_unsent": dict(errors),
                "elapsed_from_worker_start_s": round(from_start, 2),
                "notices_per_second_from_start": round(sent / from_start, 2),
                "startup_s": round((first - worker_started_at).total_seconds(), 2),
                "first_to_last_s": round(span, 2),
                "notices_per_second_steady": round((len(rows) - 1) / span, 2),
                "mean_ms_per_notice": round(span * 1000 / (len(rows) - 1), 2),
                "worker_cpu_seconds": watched["worker_cpu_seconds"],
                "worker_cpu_share": round((watched["worker_cpu_seconds"] or 0) / from_start, 3),
                # CPU time (with its startup) per notice: less sensitive to other load than wall
                "worker_cpu_ms_per_notice": round(
                    (watched["worker_cpu_seconds"] or 0) * 1000 / max(sent, 1), 2
                ),
                "machine_cpu_busy": round(cpu_busy, 3),
                "loadavg_1min_before": load_before,
                "loadavg_1min_max": watched["loadavg_1min_max"],
                "worker_log_tail": worker_log[-2000:] if worker_log.strip() else "",
            },
            "memory": {
                key: watched[key]
                for key in (
                    "rss_after_first_notice_kb",
                    "rss_peak_sampled_kb",
                    "rss_hwm_kb",
                    "rss_end_kb",
                )
            }
            | {"rss_first_sample_kb": watched["samples"][0]["rss_kb"]},
            "per_kind": dict(Counter(row[0] for row in rows)),
            "per_language": dict(Counter(row[1] for row in rows)),
            "per_format": dict(Counter(row[2] for row in rows)),
            "per_channel": dict(Counter(row[3] for row in rows)),
            "enrollment_confirmations_with_id_card": Notice.objects.filter(
                pk__in=ids, kind="enrollment_confirmation"
            )
            .exclude(id_card_pdf="")
            .count(),
            "gaps": gaps_by(rows),
            "files": files_summary(media, mail),
            "samples": watched["samples"],
        }

        if args.profile > 0:
            log(f"in process: timing {args.profile} deliveries, then profiling {args.profile}")
            extra = notices_queue(2 * args.profile, args.count, run_id, args.batch)
            result["in_process"] = in_process_breakdown(extra[: args.profile])
            result["profile"] = profile(extra[args.profile :], RESULTS / "notices_profile.txt")

        RESULTS.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(table(result))
        log(f"\nwrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
        return 0 if sent == args.count else 1
    finally:
        if process is not None:
            worker_stop(process)
        if client is not None:
            with contextlib.suppress(Exception):
                client.flushdb()
        if args.keep_temp:
            log(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
