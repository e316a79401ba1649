"""County transition letters at the state's scale: queueing, priority and delivery (issue 12).

Run from the project folder (PostgreSQL and Redis up on 127.0.0.1)::

    .venv/bin/python bench/transition_letters_bench.py --people 500000      # ~10 minutes
    .venv/bin/python bench/transition_letters_bench.py --people 5000 --deliver-seconds 30

What it does, in one run:

1. **Data.** Its own PostgreSQL database (``--database``, default ``medimedi_h6_bench``; created
   and migrated when missing) gets ``--people`` synthetic beneficiaries in Los Angeles (one
   ``INSERT ... SELECT generate_series``; kept between runs when the count matches): Medicare A
   and B, and full-scope Medi-Cal for 9 in 10 (the tenth has none, so is not eligible); half have
   an email address (email), half not (print). Every notice is deleted first. Los Angeles's
   availability date is set to the first first-of-a-month 31 to 60 days ahead, so the 60-day
   notice is due today.
2. **Workers.** ``--workers`` Celery workers exactly as documented (``celery -A medimedi worker
   -Q notices,celery,notices_bulk --prefetch-multiplier=1``; ``--pool prefork --concurrency N``
   by default, or N ``--pool=solo`` processes) on its own Redis database (``--redis``, default
   db 7, flushed before and after), a temporary ``MEDIA_ROOT`` and an email backend that builds
   every message (MIME, base64 attachments) and throws it away (``bench.null_email``).
3. **Queueing.** The bench process plans the county's chunks and publishes them
   (``eligibility.notifications.county_transition_chunks_publish``, what a moved date or the
   daily job does); the workers run them. Measured: planning, publish, time until the last
   letter row exists, letters per second, the workers' RSS every second (flat memory), the
   batch messages waiting in Redis.
4. **Priority and delivery.** The same workers go on delivering the bulk backlog. After
   ``--confirmation-after`` seconds (100,000+ bulk letters still waiting) the bench queues an
   enrollment confirmation with ``notice_queue`` and measures how long until it is ``sent``.
   Delivery is measured over ``--deliver-seconds`` (letters sent per second, from ``sent_at``).
5. ``--profile K`` (default 300): with the workers stopped, delivers K more bulk letters in this
   process under cProfile; the profile goes to ``bench/results/transition_letters_profile.txt``.

Writes ``bench/results/transition_letters.json`` and prints a table (``docs/benchmarks.md``,
section "County transition letters"). The workers are stopped and the temporary folder removed
in every case; ``--drop`` drops the database at the end.
"""

import argparse
import contextlib
import cProfile
import datetime
import io
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def tree_pids(pid: int) -> list[int]:
    """The process and its children (prefork pool processes)."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids += tree_pids(int(child))
    return pids


def workers_rss_kb(processes: list[subprocess.Popen[bytes]]) -> list[int]:
    return [rss_kb(pid) for process in processes for pid in tree_pids(process.pid)]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used (from /proc)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def postgres_backends(database: str) -> list[int]:
    """The server processes of the workers' connections to the bench database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU used by the workers (with their pool processes) and their PostgreSQL backends."""

    def __init__(self, processes: list[subprocess.Popen[bytes]], database: str) -> None:
        self.processes, self.database = processes, database
        self.start = self.read()
        self.machine = machine_ticks()

    def read(self) -> dict[int, float]:
        pids = [pid for p in self.processes for pid in tree_pids(p.pid)]
        pids += postgres_backends(self.database)
        return {pid: cpu_seconds([pid]) for pid in pids}

    def used(self) -> dict[str, float]:
        now = self.read()
        worker_pids = {pid for p in self.processes for pid in tree_pids(p.pid)}
        workers = sum(v - self.start.get(pid, 0.0) for pid, v in now.items() if pid in worker_pids)
        postgres = sum(
            v - self.start.get(pid, 0.0) for pid, v in now.items() if pid not in worker_pids
        )
        busy, total = machine_ticks()
        share = (busy - self.machine[0]) / max(total - self.machine[1], 1)
        return {
            "workers_cpu_s": round(workers, 1),
            "postgres_cpu_s": round(postgres, 1),
            "machine_busy_share": round(share, 2),
            "loadavg": float(Path("/proc/loadavg").read_text().split()[0]),
        }


def machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def database_ensure(name: str) -> None:
    import psycopg

    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def people_make(count: int) -> dict[str, Any]:
    """Make ``count`` synthetic beneficiaries in Los Angeles, set-based; return what was made."""
    from django.db import connection, transaction

    from eligibility.models import Beneficiary, County

    county = County.objects.get(name="Los Angeles")
    existing = Beneficiary.objects.filter(county=county).count()
    if existing == count:
        return {"people": count, "made": False}
    started = time.monotonic()
    fields = {f.column for f in Beneficiary._meta.concrete_fields}
    extra_cols = [c for c in ("search_first_name", "search_last_name") if c in fields]
    extra_vals = {
        "search_first_name": "lower('Ana' || g)",
        "search_last_name": "lower('Benchperson' || g)",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM eligibility_medicaleligibility")
        cursor.execute("DELETE FROM eligibility_beneficiary")
        columns = (
            "first_name, middle_initial, last_name, sex, date_of_birth, mbi, cin, address_line1,"
            " address_line2, city, zip_code, email, phone, preferred_language, preferred_format,"
            " medicare_part_a_start, medicare_part_b_start, incarcerated, lawfully_present,"
            " updated_at, county_id"
        )
        values = (
            "'Ana' || g, '', 'Benchperson' || g, '', date '1950-05-17',"
            " 'B' || lpad(g::text, 10, '0'), lpad(g::text, 8, '0') || 'B',"
            " g || ' Test Street', '', 'Los Angeles', '90012',"
            " CASE WHEN g %% 2 = 0 THEN 'person' || g || '@bench.medimedi.example' ELSE '' END,"
            " '', CASE WHEN g %% 10 = 3 THEN 'es' ELSE 'en' END, 'standard',"
            " date '2020-01-01', date '2020-01-01', false, true, now(), %s"
        )
        if extra_cols:
            columns += ", " + ", ".join(extra_cols)
            values += ", " + ", ".join(extra_vals[c] for c in extra_cols)
        cursor.execute(
            f"INSERT INTO eligibility_beneficiary ({columns}) "
            f"SELECT {values} FROM generate_series(1, %s) AS g",
            [county.pk, count],
        )
        # Full-scope Medi-Cal for 9 in 10; the others have none (not eligible).
        cursor.execute(
            "INSERT INTO eligibility_medicaleligibility"
            " (beneficiary_id, start_date, aid_code, scope, share_of_cost, msp)"
            " SELECT id, date '2020-01-01', '10', 'full', 'none', 'QMB'"
            " FROM eligibility_beneficiary WHERE county_id = %s AND id %% 10 <> 0",
            [county.pk],
        )
        cursor.execute("ANALYZE eligibility_beneficiary")
        cursor.execute("ANALYZE eligibility_medicaleligibility")
    return {"people": count, "made": True, "seconds": round(time.monotonic() - started, 1)}


def availability_for(today: datetime.date) -> datetime.date:
    day = today + datetime.timedelta(days=31)
    while day.day != 1:
        day += datetime.timedelta(days=1)
    return day


def workers_start(
    env: dict[str, str], count: int, pool: str, temp: Path
) -> list[subprocess.Popen[bytes]]:
    base = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "medimedi",
        "worker",
        "-Q",
        "notices,celery,notices_bulk",
        "--prefetch-multiplier=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    commands = (
        [[*base, "--pool=prefork", f"--concurrency={count}", "-n", "bench-prefork@%h"]]
        if pool == "prefork"
        else [[*base, "--pool=solo", "-n", f"bench-solo{i}@%h"] for i in range(count)]
    )
    processes = []
    for i, command in enumerate(commands):
        with (temp / f"worker{i}.log").open("wb") as out:
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    return processes


def workers_stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def redis_waiting(client: Any, queue: str) -> int:
    return sum(int(client.llen(key)) for key in client.scan_iter(match=f"{queue}*"))


def profile_deliveries(ids: list[int], path: Path) -> dict[str, Any]:
    from notices.services import notices_deliver_batch

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for start in range(0, len(ids), 50):
        notices_deliver_batch(notice_ids=ids[start : start + 50])
    profiler.disable()
    seconds = time.perf_counter() - started
    text = io.StringIO()
    text.write(f"cProfile of {len(ids)} bulk deliveries in process, {seconds:.2f} s\n")
    for key in ("tottime", "cumulative"):
        text.write(f"\n=== top 40 by {key} ===\n")
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(key).print_stats(40)
    path.write_text(text.getvalue().replace(str(ROOT) + "/", ""))
    return {
        "letters": len(ids),
        "ms_per_letter_profiled": round(seconds * 1000 / len(ids), 2),
        "file": str(path.relative_to(ROOT)),
    }


def backend_cpu_seconds() -> float:
    """CPU seconds this process's own PostgreSQL backend has used (same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cpu_seconds([cursor.fetchone()[0]])


def isolated_costs(county: Any, chunks: int, letters: int) -> dict[str, Any]:
    """CPU per letter, in this process and its PostgreSQL backend, with nothing else of ours
    running: ``chunks`` chunk runs (the 30-day kind, so none of them is already on record) and
    ``letters`` bulk deliveries. Load from others slows the wall clock, not the CPU count."""
    from eligibility.notifications import (
        TransitionChunk,
        county_transition_chunk_queue,
        county_transition_chunks,
    )
    from eligibility.selectors import california_today
    from notices.models import Notice
    from notices.services import notices_deliver_batch

    _kind, planned = county_transition_chunks(county=county, today=california_today())
    written = 0
    own, backend, wall = time.process_time(), backend_cpu_seconds(), time.monotonic()
    for chunk in planned[:chunks]:
        run = county_transition_chunk_queue(
            chunk=TransitionChunk(
                chunk.county_id,
                "county_transition_30",
                chunk.available,
                chunk.first_id,
                chunk.last_id,
            )
        )
        written += run.queued
    chunk_cpu = (time.process_time() - own) + (backend_cpu_seconds() - backend)
    chunk_wall = time.monotonic() - wall
    ids = list(
        Notice.objects.filter(status="queued", bulk=True, kind="county_transition_60")
        .order_by("pk")
        .values_list("pk", flat=True)[:letters]
    )
    own, backend, wall = time.process_time(), backend_cpu_seconds(), time.monotonic()
    for start in range(0, len(ids), 50):
        notices_deliver_batch(notice_ids=ids[start : start + 50])
    deliver_cpu = (time.process_time() - own) + (backend_cpu_seconds() - backend)
    deliver_wall = time.monotonic() - wall
    per_letter_queue = chunk_cpu / max(written, 1)
    per_letter_deliver = deliver_cpu / max(len(ids), 1)
    return {
        "queueing": {
            "letters": written,
            "cpu_s": round(chunk_cpu, 2),
            "wall_s": round(chunk_wall, 2),
            "cpu_ms_per_letter": round(per_letter_queue * 1000, 3),
            "projected_s_for_450000_on_2_idle_cores": round(450_000 * per_letter_queue / 2, 1),
        },
        "delivery": {
            "letters": len(ids),
            "cpu_s": round(deliver_cpu, 2),
            "wall_s": round(deliver_wall, 2),
            "cpu_ms_per_letter": round(per_letter_deliver * 1000, 2),
            "projected_letters_per_second_on_2_idle_cores": round(2 / per_letter_deliver, 1),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--database", default="medimedi_h6_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", choices=["prefork", "solo"], default="prefork")
    parser.add_argument("--confirmation-after", type=float, default=20)
    parser.add_argument("--deliver-seconds", type=float, default=120)
    parser.add_argument("--profile", type=int, default=300)
    parser.add_argument("--output", type=Path, default=RESULTS / "transition_letters.json")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument(
        "--isolated-only",
        action="store_true",
        help="only the in-process CPU measurement, on the letters a previous run left queued",
    )
    parser.add_argument("--isolated-chunks", type=int, default=10)
    parser.add_argument("--isolated-letters", type=int, default=400)
    args = parser.parse_args()

    def on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_sigterm)
    temp = Path(tempfile.mkdtemp(prefix="transition-bench-"))
    (temp / "media").mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "medimedi.settings",
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{args.database}",
        "CELERY_BROKER_URL": args.redis,
        "EMAIL_BACKEND": "bench.null_email.EmailBackend",
        "MEDIA_ROOT": str(temp / "media"),
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    processes: list[subprocess.Popen[bytes]] = []
    client = None
    try:
        database_ensure(args.database)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        import redis
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Max, Min
        from django.utils import timezone

        from eligibility.models import BeneficiaryLetter, County
        from eligibility.notifications import county_transition_chunks_publish
        from eligibility.selectors import california_today
        from notices.models import Notice
        from notices.services import notice_queue
        from tests.notices.conftest import RECIPIENT, context_for

        client = redis.Redis.from_url(args.redis)  # flushed at the end in every case
        if args.isolated_only:
            county = County.objects.get(name="Los Angeles")
            costs = isolated_costs(county, args.isolated_chunks, args.isolated_letters)
            RESULTS.mkdir(parents=True, exist_ok=True)
            path = RESULTS / "transition_letters_isolated.json"
            costs["date"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            costs["loadavg"] = Path("/proc/loadavg").read_text().strip()
            path.write_text(json.dumps(costs, indent=2) + "\n")
            print(json.dumps(costs, indent=2))
            return 0
        log(f"database {args.database}: migrating")
        call_command("migrate", verbosity=0)
        client = redis.Redis.from_url(args.redis)
        client.flushdb()
        BeneficiaryLetter.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM notices_notice")
        log(f"people: {args.people} in Los Angeles")
        made = people_make(args.people)
        log(f"  {made}")
        today = california_today()
        available = availability_for(today)
        County.objects.filter(name="Los Angeles").update(medi_medi_available_from=available)
        county = County.objects.get(name="Los Angeles")
        from eligibility.models import MediCalEligibility

        expected = MediCalEligibility.objects.filter(beneficiary__county=county).count()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notices_notice")

        worker_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
        processes = workers_start(worker_env, args.workers, args.pool, temp)
        time.sleep(4)  # boot
        log(f"queueing: {expected} letters expected, {args.workers} workers ({args.pool})")
        meter = CpuMeter(processes, args.database)
        started = time.monotonic()
        chunks = county_transition_chunks_publish(county=county, today=today)
        planned = time.monotonic() - started
        log(f"  {chunks} chunks planned and published in {planned:.1f} s")
        samples: list[dict[str, Any]] = []
        while True:
            time.sleep(1)
            count = Notice.objects.count()
            rss = workers_rss_kb(processes)
            samples.append(
                {"t": round(time.monotonic() - started, 1), "letters": count, "rss_kb": rss}
            )
            if len(samples) % 10 == 0:
                log(f"  [{samples[-1]['t']:6.1f} s] {count} letters, RSS {rss} kB")
            if count >= expected:
                break
            if time.monotonic() - started > 1800:
                raise RuntimeError("queueing did not finish in 30 minutes")
        span = Notice.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        queue_seconds = samples[-1]["t"]
        created_span = (span["last"] - span["first"]).total_seconds()
        waiting = redis_waiting(client, "notices_bulk")
        queue_cpu = meter.used()
        queue_cpu_total = queue_cpu["workers_cpu_s"] + queue_cpu["postgres_cpu_s"]
        log(f"  queued {expected} in {queue_seconds:.1f} s; {waiting} batch messages waiting")
        log(f"  CPU: {queue_cpu}")

        # Priority: a confirmation queued behind the bulk backlog, on the same workers.
        time.sleep(args.confirmation_after)
        bulk_waiting = Notice.objects.filter(status="queued", bulk=True).count()
        confirmation = notice_queue(
            kind="enrollment_confirmation",
            idempotency_key=f"bench-confirmation:{time.time_ns()}",
            recipient_key="bench-person:1",
            recipient=dict(RECIPIENT),
            context=context_for("enrollment_confirmation"),
        )
        queued_at = time.monotonic()
        latency = None
        while time.monotonic() - queued_at < 300:
            if Notice.objects.filter(pk=confirmation.pk, status="sent").exists():
                latency = time.monotonic() - queued_at
                break
            time.sleep(0.1)
        log(f"  confirmation with {bulk_waiting} bulk letters waiting: sent after {latency} s")

        # Delivery rate over a window.
        window_start = timezone.now()
        meter = CpuMeter(processes, args.database)
        deliver_samples = []
        deliver_started = time.monotonic()
        while time.monotonic() - deliver_started < args.deliver_seconds:
            time.sleep(5)
            sent = Notice.objects.filter(sent_at__gte=window_start).count()
            deliver_samples.append(
                {
                    "t": round(time.monotonic() - deliver_started, 1),
                    "sent": sent,
                    "rss_kb": workers_rss_kb(processes),
                }
            )
            log(f"  [{deliver_samples[-1]['t']:6.1f} s] {sent} sent since the window opened")
        window = Notice.objects.filter(sent_at__gte=window_start)
        sent_span = window.aggregate(first=Min("sent_at"), last=Max("sent_at"))
        sent_count = window.count()
        rate = (
            (sent_count - 1) / (sent_span["last"] - sent_span["first"]).total_seconds()
            if sent_count > 1
            else 0.0
        )
        by_channel = {
            channel: window.filter(channel=channel).count() for channel in ("email", "print")
        }
        deliver_cpu = meter.used()
        deliver_cpu_total = deliver_cpu["workers_cpu_s"] + deliver_cpu["postgres_cpu_s"]
        workers_stop(processes)
        failed = Notice.objects.filter(status="failed").count()
        log(f"  delivery: {rate:.1f} letters/s over {sent_count} letters; failed {failed}")

        result: dict[str, Any] = {
            "benchmark": "transition_letters",
            "command": "python bench/transition_letters_bench.py " + " ".join(sys.argv[1:]),
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": {"nproc": os.cpu_count(), "loadavg": Path("/proc/loadavg").read_text()},
            "people": args.people,
            "letters_expected": expected,
            "workers": {"count": args.workers, "pool": args.pool},
            "queueing": {
                "chunks": chunks,
                "plan_and_publish_s": round(planned, 2),
                "seconds_until_last_letter": queue_seconds,
                "first_to_last_created_s": round(created_span, 1),
                "letters_per_second": round(expected / queue_seconds, 1),
                "batch_messages_waiting": waiting,
                "cpu": queue_cpu,
                "cpu_ms_per_letter": round(queue_cpu_total * 1000 / expected, 3),
                # what the same CPU would take with two otherwise idle cores
                "projected_s_on_2_idle_cores": round(queue_cpu_total / 2, 1),
                "worker_rss_kb_first": samples[0]["rss_kb"],
                "worker_rss_kb_peak": [
                    max(s["rss_kb"][i] for s in samples if len(s["rss_kb"]) > i)
                    for i in range(len(samples[-1]["rss_kb"]))
                ],
                "worker_rss_kb_last": samples[-1]["rss_kb"],
                "samples": samples,
            },
            "priority": {
                "bulk_letters_waiting": bulk_waiting,
                "confirmation_sent_after_s": round(latency, 2) if latency else None,
            },
            "delivery": {
                "window_s": args.deliver_seconds,
                "letters_sent": sent_count,
                "letters_per_second": round(rate, 1),
                "cpu": deliver_cpu,
                "cpu_ms_per_letter": round(deliver_cpu_total * 1000 / max(sent_count, 1), 2),
                "projected_letters_per_second_on_2_idle_cores": round(
                    2 * max(sent_count, 1) / max(deliver_cpu_total, 1e-9), 1
                ),
                "failed_total": failed,
                "by_channel": by_channel,
                "samples": deliver_samples,
            },
        }
        if args.profile:
            ids = list(
                Notice.objects.filter(status="queued", bulk=True)
                .order_by("pk")
                .values_list("pk", flat=True)[: args.profile]
            )
            result["profile"] = profile_deliveries(ids, RESULTS / "transition_letters_profile.txt")
        RESULTS.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2, default=str) + "\n")
        summary = {k: v for k, v in result["queueing"].items() if k != "samples"}
        print(json.dumps({"queueing": summary, "priority": result["priority"]}, indent=2))
        print(json.dumps({k: v for k, v in result["delivery"].items() if k != "samples"}))
        return 0
    finally:
        workers_stop(processes)
        if client is not None:
            with contextlib.suppress(Exception):
                client.flushdb()
        shutil.rmtree(temp, ignore_errors=True)
        if args.drop:
            from django.db import connections

            connections.close_all()
            database_drop(args.database)


if __name__ == "__main__":
    sys.exit(main())
