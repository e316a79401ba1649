"""Plan-wide transfers: move everyone in one plan in some counties to another plan from a date.

``transfer_plan`` (admins; ``actor=None`` for the command line) first answers a dry run: who
would move, who cannot and why, which letters would go when. Applied, it works set-based, in
batches of ``BATCH_SIZE`` people (ranges of person ids, from one query over the candidates):

1. Each batch is one transaction. The people's rows are locked in id order (PostgreSQL; the
   services' order); one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` writes a
   ``PlanTransferMember`` row per member of the range with its outcome (``moved``, or
   ``cannot`` with the reason) and each mover's new enrollment id; the old Medi-Medi
   enrollment and the Medi-Cal plan enrollment it came with end the day before (``UPDATE ...
   FROM`` those rows); the new Medi-Medi enrollments start on the date (``COPY`` on
   PostgreSQL, with member IDs of the new plan) and the new aligned Medi-Cal ones (``INSERT ...
   SELECT``), unless the member is already in it. Ending first keeps the no-overlap exclusion
   constraint true after every statement.
2. A run that stops carries on after the last person a committed batch covered; a batch whose
   people already have rows does nothing. A completed transfer asked for again (same plans,
   date and counties: its ``key``) writes nothing and answers its report.
3. No letter is written by the run itself: ``transfer_letters_queue`` (the daily job
   ``enrollment.tasks.plan_transfer_letters``, and the run's end for letters already due)
   writes each letter to the moved members on its day, in chunks, set-based, idempotent.

Every status move of a transfer writes a ``PlanTransferStatusChange`` row; the run and each
batch are audited (ids only). Progress: the transfer's counts move with each batch, and each
letter's ``PlanTransferLetterRun`` with each chunk.
"""

import json
import logging
import secrets
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.errors import Conflict, DomainError, Forbidden, NotFound
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import (
    Beneficiary,
    County,
    MediCalPlan,
    MediMediPlan,
    PlanProgram,
)
from eligibility.notifications import RECIPIENT_FIELDS, recipient_key, recipient_snapshot_of_row
from eligibility.selectors import california_today
from enrollment import access
from enrollment.member_ids import member_id_prefix
from enrollment.models import (
    AuthorizedRepresentative,
    ElectionPeriod,
    EndReason,
    Enrollment,
    EnrollmentKind,
    MedicareStatus,
    MedicareSubmission,
    MedicareSubmissionKind,
    MedicareSubmissionStatusChange,
    MedicareTransaction,
)
from enrollment.representatives import letter_copies_queue, valid_on
from enrollment.transfer_models import (
    TRANSFER_TRANSITIONS,
    LetterRunStatus,
    PlanTransfer,
    PlanTransferLetterRun,
    PlanTransferMember,
    PlanTransferStatusChange,
    TransferOutcome,
    TransferStatus,
)
from notices.conf import notice_settings
from notices.kinds import InvalidNotice, context_check, jsonable
from notices.languages import language_normalize
from notices.models import Notice, NoticeKind
from notices.services import (
    channel_for,
    notices_publish_bulk,
    recipient_format,
    tasks_run_in_process,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
SAMPLE_SIZE = 50
CALIFORNIA = ZoneInfo("America/Los_Angeles")
LETTER_HOUR = time(9, 0)
# (kind, days before the date)
LETTER_WINDOWS: tuple[tuple[str, int], ...] = (
    (NoticeKind.PLAN_TRANSFER_60, 60),
    (NoticeKind.PLAN_TRANSFER_30, 30),
)

MM = EnrollmentKind.MEDI_MEDI
MC = EnrollmentKind.MEDI_CAL


@dataclass(frozen=True)
class LetterPlan:
    """One letter each moved member gets: its kind, the day it goes, and whether it is late."""

    kind: str
    send_on: date
    late: bool


@dataclass
class TransferReport:
    transfer_id: int | None
    status: str
    dry_run: bool
    from_plan: str
    to_plan: str
    counties: list[str]
    effective_date: date
    members: int = 0
    moves: int = 0
    cannot: dict[str, int] = field(default_factory=dict)
    letters: list[LetterPlan] = field(default_factory=list)
    cannot_sample: list[dict[str, Any]] = field(default_factory=list)
    moved_now: int = 0
    letters_queued: int = 0
    already_done: bool = False
    # Where an applied run's time went: plan, batches, commits, finish (seconds).
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def cannot_total(self) -> int:
        return sum(self.cannot.values())


def letter_plan(effective: date, today: date) -> list[LetterPlan]:
    """The letters due before ``effective`` seen from ``today``.

    The 60- and 30-day letters go on their day when it is today or later. When neither can
    (fewer than 30 days left, or the date has passed), one 30-day letter goes at once and says
    it is late.
    """
    due = [
        LetterPlan(kind, effective - timedelta(days=days), False)
        for kind, days in LETTER_WINDOWS
        if effective - timedelta(days=days) >= today
    ]
    return due or [LetterPlan(NoticeKind.PLAN_TRANSFER_30, today, True)]


def transfer_key(
    from_plan: MediMediPlan, to_plan: MediMediPlan, counties: Iterable[County], effective: date
) -> str:
    fips = ",".join(sorted(county.fips for county in counties))
    return f"{from_plan.pk}>{to_plan.pk}@{effective.isoformat()}:{fips}"


def _require_admin(actor: User | None) -> None:
    """Admins only (``None``: the command line, run by an operator)."""
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only an admin can transfer a plan's members.")


def _check(
    from_plan: MediMediPlan, to_plan: MediMediPlan, counties: Sequence[County], effective: date
) -> None:
    if effective.day != 1:
        raise DomainError(
            "Coverage starts on the first of a month (42 CFR 422.68).", field="effective_date"
        )
    if from_plan.pk == to_plan.pk:
        raise DomainError("Choose another plan to move the members to.", field="to_plan")
    if to_plan.program != PlanProgram.MEDI_MEDI:
        raise DomainError(
            "Members can only move into a Medi-Medi Plan, not a legacy plan.", field="to_plan"
        )
    if not counties:
        raise DomainError("Choose at least one county.", field="counties")


def _move(transfer: PlanTransfer, to_status: str, *, actor: User | None, note: str = "") -> None:
    if to_status not in TRANSFER_TRANSITIONS[transfer.status]:
        raise Conflict(
            f"A transfer that is {transfer.get_status_display().lower()} cannot become "
            f"{TransferStatus(to_status).label.lower()}.",
            status=transfer.status,
        )
    PlanTransferStatusChange.objects.create(
        transfer=transfer,
        from_status=transfer.status,
        to_status=to_status,
        actor=actor,
        note=note,
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="plan_transfer",
        object_id=transfer.pk,
        detail={"status": [transfer.status, to_status]},
    )
    transfer.status = to_status


# --- The candidates: one query for the dry run and the plan ---------------------------------


def _candidates_sql(
    *,
    from_plan_id: int,
    to_plan_id: int,
    county_ids: Sequence[int],
    effective: date,
    after: int = 0,
    upto: int | None = None,
) -> tuple[str, list[Any]]:
    """Every member of ``from_plan`` in the counties whose enrollment runs into ``effective``,
    with the service area of the new plan that would take them and why they cannot move;
    only the people whose id is after ``after`` and up to ``upto`` (when given).

    Columns: beneficiary_id, old_id, county_id, aligned_id, reason ('' when they can move).
    """
    counties = ", ".join(["%s"] * len(county_ids))
    sql = f"""
        SELECT e.beneficiary_id AS beneficiary_id, e.id AS old_id, b.county_id AS county_id,
               sa.aligned_medi_cal_plan_id AS aligned_id,
               CASE
                 WHEN e.start_date >= %s THEN 'STARTS_ON_OR_AFTER_DATE'
                 WHEN b.date_of_death IS NOT NULL AND b.date_of_death < %s THEN 'DIED'
                 WHEN EXISTS (
                   SELECT 1 FROM enrollment_enrollment l
                   WHERE l.beneficiary_id = e.beneficiary_id AND l.kind = 'medi_medi'
                     AND NOT l.cancelled AND l.start_date >= %s AND l.id <> e.id
                 ) THEN 'LATER_ELECTION'
                 WHEN sa.id IS NULL THEN 'NO_PLAN_IN_COUNTY'
                 WHEN EXISTS (
                   SELECT 1 FROM enrollment_enrollment m
                   WHERE m.beneficiary_id = e.beneficiary_id AND m.kind = 'medi_cal'
                     AND NOT m.cancelled AND m.start_date > %s
                 ) THEN 'LATER_MEDI_CAL_CHANGE'
                 ELSE ''
               END AS reason
        FROM enrollment_enrollment e
        JOIN eligibility_beneficiary b ON b.id = e.beneficiary_id
        LEFT JOIN eligibility_servicearea sa ON sa.id = (
            SELECT min(s.id) FROM eligibility_servicearea s
            WHERE s.plan_id = %s AND s.county_id = b.county_id AND s.start_date <= %s
              AND (s.end_date IS NULL OR s.end_date >= %s)
        )
        WHERE e.medi_medi_plan_id = %s AND e.kind = 'medi_medi' AND NOT e.cancelled
          AND (e.end_date IS NULL OR e.end_date >= %s)
          AND b.county_id IN ({counties})
          AND e.beneficiary_id > %s AND e.beneficiary_id <= %s
    """  # noqa: S608 (placeholders only)
    params: list[Any] = [effective] * 4 + [to_plan_id, effective, effective]
    params += [from_plan_id, effective, *county_ids, after, upto if upto is not None else 2**62]
    return sql, params


def _county_ids(transfer: PlanTransfer) -> list[int]:
    return sorted(transfer.counties.values_list("pk", flat=True))


def _candidates(
    transfer: PlanTransfer, *, after: int = 0, upto: int | None = None
) -> tuple[str, list[Any]]:
    return _candidates_sql(
        from_plan_id=transfer.from_plan_id,
        to_plan_id=transfer.to_plan_id,
        county_ids=_county_ids(transfer),
        effective=transfer.effective_date,
        after=after,
        upto=upto,
    )


def _dry_counts(transfer: PlanTransfer) -> tuple[Counter[str], list[dict[str, Any]]]:
    sql, params = _candidates(transfer)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.reason, count(*) FROM ({sql}) c GROUP BY c.reason", params)  # noqa: S608
        counts: Counter[str] = Counter({reason: n for reason, n in cursor.fetchall()})
        cursor.execute(
            f"SELECT c.beneficiary_id, c.county_id, c.reason FROM ({sql}) c "  # noqa: S608
            f"WHERE c.reason <> '' ORDER BY c.beneficiary_id LIMIT {SAMPLE_SIZE}",
            params,
        )
        sample = [
            {"beneficiary": b, "county": county, "reason": reason}
            for b, county, reason in cursor.fetchall()
        ]
    return counts, sample


def _stored_counts(transfer: PlanTransfer) -> tuple[Counter[str], list[dict[str, Any]]]:
    counts: Counter[str] = Counter()
    for row in transfer.members.order_by().values("outcome", "reason").annotate(n=Count("id")):
        counts[row["reason"] if row["outcome"] == TransferOutcome.CANNOT else ""] += row["n"]
    sample = [
        {"beneficiary": b, "county": county, "reason": reason}
        for b, county, reason in transfer.members.filter(outcome=TransferOutcome.CANNOT)
        .order_by("beneficiary_id")
        .values_list("beneficiary_id", "county_id", "reason")[:SAMPLE_SIZE]
    ]
    return counts, sample


def _report(
    transfer: PlanTransfer, *, dry_run: bool, today: date, stored: bool, **extra: Any
) -> TransferReport:
    counts, sample = _stored_counts(transfer) if stored else _dry_counts(transfer)
    names = {c.pk: c.name for c in County.objects.filter(pk__in=_county_ids(transfer))}
    for row in sample:
        row["county"] = names.get(row["county"], row["county"])
    moves = counts.pop("", 0)
    return TransferReport(
        transfer_id=transfer.pk,
        status=transfer.status,
        dry_run=dry_run,
        from_plan=transfer.from_plan.name,
        to_plan=transfer.to_plan.name,
        counties=sorted(names.values()),
        effective_date=transfer.effective_date,
        members=moves + sum(counts.values()),
        moves=moves,
        cannot=dict(sorted(counts.items())),
        letters=letter_plan(transfer.effective_date, transfer.planned_on or today),
        cannot_sample=sample,
        **extra,
    )


# --- The service --------------------------------------------------------------------------


def transfer_plan(
    *,
    actor: User | None,
    from_plan: MediMediPlan,
    to_plan: MediMediPlan,
    counties: Sequence[County],
    effective: date,
    dry_run: bool = True,
    reason: str = "",
    today: date | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> TransferReport:
    """Move the members of ``from_plan`` living in ``counties`` to ``to_plan`` from ``effective``.

    A dry run records the planned transfer (status ``planned``) and reports who would move,
    who cannot and why, and the letters; it changes no enrollment. Applied, it runs the
    transfer (see the module); a completed one asked for again writes nothing.
    """
    _require_admin(actor)
    counties = list(counties)
    _check(from_plan, to_plan, counties, effective)
    today = today or california_today()
    key = transfer_key(from_plan, to_plan, counties, effective)
    with transaction.atomic():
        transfer = PlanTransfer.objects.select_for_update().filter(key=key).first()
        if transfer is None:
            transfer = PlanTransfer.objects.create(
                key=key,
                from_plan=from_plan,
                to_plan=to_plan,
                effective_date=effective,
                reason=reason,
                requested_by=actor,
                planned_on=today,
            )
            transfer.counties.set(counties)
            PlanTransferStatusChange.objects.create(
                transfer=transfer, to_status=TransferStatus.PLANNED, actor=actor, note="dry run"
            )
            audit_record(
                actor=actor,
                action="create",
                object_type="plan_transfer",
                object_id=transfer.pk,
                detail={
                    "from_plan": from_plan.pk,
                    "to_plan": to_plan.pk,
                    "counties": [c.pk for c in counties],
                    "effective_date": effective.isoformat(),
                },
            )
    if dry_run:
        stored = transfer.status != TransferStatus.PLANNED
        return _report(transfer, dry_run=True, today=today, stored=stored)
    return transfer_apply(
        actor=actor, transfer_id=transfer.pk, today=today, batch_size=batch_size, workers=workers
    )


def transfer_apply(
    *,
    actor: User | None,
    transfer_id: int,
    today: date | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> TransferReport:
    """Run a planned transfer (or carry on with one that stopped); a completed one writes
    nothing and answers its report. Letters are not written here: ``transfer_letters_queue``
    writes them when due (the daily job; at the end of the run for any due already)."""
    _require_admin(actor)
    transfer = (
        PlanTransfer.objects.select_related("from_plan", "to_plan").filter(pk=transfer_id).first()
    )
    if transfer is None:
        raise NotFound("No such transfer.")
    if transfer.status == TransferStatus.COMPLETED:
        return _report(
            transfer,
            dry_run=False,
            today=today or california_today(),
            stored=True,
            already_done=True,
        )
    today = today or california_today()
    planning = monotonic()
    with transaction.atomic():
        transfer = (
            PlanTransfer.objects.select_for_update()
            .select_related("from_plan", "to_plan")
            .get(pk=transfer_id)
        )
        if transfer.status == TransferStatus.COMPLETED:
            return _report(transfer, dry_run=False, today=today, stored=True, already_done=True)
        first_run = transfer.status == TransferStatus.PLANNED
        if first_run:
            note, transfer.planned_on = "applied", today
        else:  # a resumed run counts the letters from the day the run began, as before
            note, today = "resumed", transfer.planned_on or today
        _move(transfer, TransferStatus.RUNNING, actor=actor, note=note)
        transfer.started_at = transfer.started_at or timezone.now()
        transfer.save(update_fields=["status", "started_at", "planned_on"])
    bounds = _batch_bounds(transfer, size=batch_size)
    if first_run:  # the whole run's size, for its progress (a resumed run keeps the first)
        transfer.member_count = _candidate_count(transfer)
        PlanTransfer.objects.filter(pk=transfer.pk).update(member_count=transfer.member_count)
    timings: defaultdict[str, float] = defaultdict(float, plan=monotonic() - planning)
    try:
        with _run_lock(transfer):
            moved = _batches_run(
                transfer, bounds, actor=actor, today=today, workers=workers, timings=timings
            )
    except Exception:
        with transaction.atomic():
            failed = PlanTransfer.objects.select_for_update().get(pk=transfer.pk)
            _move(failed, TransferStatus.FAILED, actor=actor, note="stopped by an error")
            failed.save(update_fields=["status"])
        logger.exception("transfer %s stopped", transfer.pk)
        raise
    started = monotonic()
    with transaction.atomic():
        transfer = (
            PlanTransfer.objects.select_for_update()
            .select_related("from_plan", "to_plan")
            .get(pk=transfer.pk)
        )
        counts = _outcome_counts(transfer)
        transfer.moved_count = counts.get(TransferOutcome.MOVED, 0)
        transfer.cannot_count = counts.get(TransferOutcome.CANNOT, 0)
        transfer.member_count = transfer.moved_count + transfer.cannot_count
        transfer.finished_at = timezone.now()
        _move(
            transfer,
            TransferStatus.COMPLETED,
            actor=actor,
            note=f"{transfer.moved_count} moved, {transfer.cannot_count} cannot move",
        )
        transfer.save(
            update_fields=["status", "moved_count", "cannot_count", "member_count", "finished_at"]
        )
    timings["finish"] += monotonic() - started
    logger.info(
        "transfer %s: %d moved (%s)",
        transfer.pk,
        moved,
        ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()),
    )
    # Letters already due (a late letter, or a run on a letter's own day) go now: in a worker
    # with a broker, here without one.
    letters = _letters_publish(transfer.pk, today)
    return _report(
        transfer,
        dry_run=False,
        today=today,
        stored=True,
        moved_now=moved,
        letters_queued=letters,
        seconds={step: round(seconds, 2) for step, seconds in timings.items()},
    )


def _outcome_counts(transfer: PlanTransfer) -> Counter[str]:
    return Counter(
        {
            row["outcome"]: row["n"]
            for row in transfer.members.order_by().values("outcome").annotate(n=Count("id"))
        }
    )


def _candidate_count(transfer: PlanTransfer) -> int:
    sql, params = _candidates(transfer)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) c", params)  # noqa: S608
        return int(cursor.fetchone()[0])


def _batch_bounds(transfer: PlanTransfer, *, size: int) -> list[tuple[int, int | None]]:
    """The batches: ranges of person ids (after, up to; ``None``: no end) of ``size``
    candidates each. One query; only the bounds come back. The people a stopped run moved are
    no longer candidates (their enrollment in the old plan ended), and those it listed are
    skipped by their batch (``ON CONFLICT``)."""
    sql, params = _candidates(transfer)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n.beneficiary_id FROM (SELECT c.beneficiary_id, "  # noqa: S608
            f"row_number() OVER (ORDER BY c.beneficiary_id) AS rn FROM ({sql}) c) n "
            "WHERE n.rn %% %s = 0 ORDER BY n.beneficiary_id",
            [*params, size],
        )
        uppers: list[int | None] = [row[0] for row in cursor.fetchall()]
    uppers.append(None)
    lowers = [0, *(upper or 0 for upper in uppers[:-1])]
    return list(zip(lowers, uppers, strict=True))


# Batches run side by side on PostgreSQL (disjoint people, each its own connection and
# transaction): the writes are PostgreSQL's work, and two backends get twice the CPU.
WORKERS = 2
# pg_advisory_lock(class, transfer id): one run of a transfer at a time.
_ADVISORY_CLASS = 0x7472


@contextmanager
def _run_lock(transfer: PlanTransfer) -> Iterator[None]:
    """Hold the transfer's run lock (PostgreSQL; a second runner is refused), or nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_ADVISORY_CLASS, transfer.pk])
        if not cursor.fetchone()[0]:
            raise Conflict("This transfer is already running.", status=transfer.status)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_ADVISORY_CLASS, transfer.pk])


def _batches_run(
    transfer: PlanTransfer,
    bounds: list[tuple[int, int | None]],
    *,
    actor: User | None,
    today: date,
    workers: int | None,
    timings: defaultdict[str, float],
) -> int:
    """Run the batches: side by side in ``workers`` threads on PostgreSQL (each with its own
    connection), one after the other here otherwise, or when the caller holds a transaction
    (other connections could not see its rows: tests). Return how many moved."""
    workers = WORKERS if workers is None else workers
    parallel = connection.vendor == "postgresql" and workers > 1 and not connection.in_atomic_block
    done = Counter[str]()
    guard = threading.Lock()
    left = iter(enumerate(bounds, start=1))
    failed: list[BaseException] = []
    member_ids: set[str] = set()
    transfer.to_plan.organization  # noqa: B018 (loaded once, read by every batch)

    def work() -> None:
        try:
            while not failed:
                with guard:
                    item = next(left, None)
                if item is None:
                    return
                number, (after, upto) = item
                own: defaultdict[str, float] = defaultdict(float)
                moved, listed = _batch_apply(
                    transfer,
                    after=after,
                    upto=upto,
                    actor=actor,
                    today=today,
                    timings=own,
                    member_ids=member_ids,
                    guard=guard,
                )
                with guard:
                    done.update(moved=moved, listed=listed, batches=1)
                    for step, seconds in own.items():
                        timings[step] += seconds
                    logger.info(
                        "transfer %s: batch %d of %d done (%d of %d batches), "
                        "%d moved and %d listed of %d",
                        transfer.pk,
                        number,
                        len(bounds),
                        done["batches"],
                        len(bounds),
                        done["moved"],
                        done["listed"],
                        transfer.member_count,
                    )
        except BaseException as exc:
            with guard:
                failed.append(exc)
        finally:
            if parallel:
                connection.close()  # this thread's own connection

    if parallel:
        threads = [threading.Thread(target=work, name=f"transfer-{transfer.pk}-{n}") for n in
                   range(min(workers, len(bounds)))]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        work()
    if failed:
        raise failed[0]
    return done["moved"]


# --- One batch ------------------------------------------------------------------------------


def _rows_write(
    cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` into ``table``: ``COPY`` on PostgreSQL, batched inserts on SQLite."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _new_id_sql(cursor: Any) -> tuple[str, list[Any]]:
    """The SQL that gives a moved member's new Medi-Medi enrollment its id as the member's row
    is written: the table's sequence on PostgreSQL; on SQLite (the batch holds the database's
    write lock) the ids after the highest ever used."""
    if connection.vendor == "postgresql":
        return "nextval(pg_get_serial_sequence('enrollment_enrollment', 'id'))", []
    cursor.execute(
        "SELECT max(n) FROM (SELECT max(id) AS n FROM enrollment_enrollment "
        "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'enrollment_enrollment')"
    )
    top = cursor.fetchone()[0] or 0
    return "%s + row_number() OVER (PARTITION BY c.reason = '' ORDER BY c.beneficiary_id)", [top]


def _member_ids_new(plan: MediMediPlan, count: int, taken_in_run: set[str]) -> list[str]:
    """``count`` member IDs unused in ``plan`` (``enrollment.member_ids`` format)."""
    prefix = member_id_prefix(plan)
    chosen: list[str] = []
    while len(chosen) < count:
        wanted = count - len(chosen)
        draws = {
            f"{prefix}{secrets.randbelow(9 * 10**8) + 10**8}" for _ in range(wanted)
        } - taken_in_run
        used = _member_ids_used(plan.pk, sorted(draws))
        fresh = sorted(draws - used)
        chosen += fresh
        taken_in_run.update(fresh)
    return chosen[:count]


def _member_ids_used(plan_id: int, draws: list[str]) -> set[str]:
    """Which of ``draws`` the plan already uses (one probe of its unique index)."""
    if connection.vendor != "postgresql":
        return set(
            Enrollment.objects.filter(medi_medi_plan_id=plan_id, member_id__in=draws).values_list(
                "member_id", flat=True
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT member_id FROM enrollment_enrollment WHERE medi_medi_plan_id = %s "
            "AND member_id = ANY(%s) AND member_id <> ''",
            [plan_id, draws],
        )
        return {row[0] for row in cursor.fetchall()}


_ENROLLMENT_DEFAULTS: dict[str, Any] = {
    "medi_medi_plan_id": None,
    "medi_cal_plan_id": None,
    "end_date": None,
    "cancelled": False,
    "member_id": "",
    "deeming_until": None,
    "end_reason": "",
    "end_requested_on": None,
    "end_note": "",
    "ended_by_id": None,
    "aligned_with_id": None,
    "application_id": None,
    "replaced_by_id": None,
    "end_date_before_replaced": None,
}


def _enrollment_columns() -> list[tuple[str, Any]]:
    """Every column of an enrollment with the value a new row takes unless given (a field
    another change adds gets its model default)."""
    columns = []
    for f in Enrollment._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname in _ENROLLMENT_DEFAULTS:
            default = _ENROLLMENT_DEFAULTS[f.attname]
        else:
            default = f.get_default()  # "" for a text column, None for a nullable one
        columns.append((f.attname, default))
    return columns


_MEMBERS = "enrollment_plantransfermember"


def _batch_apply(
    transfer: PlanTransfer,
    *,
    after: int,
    upto: int | None,
    actor: User | None,
    today: date,
    timings: defaultdict[str, float] | None = None,
    member_ids: set[str] | None = None,
    guard: "threading.Lock | None" = None,
) -> tuple[int, int]:
    """Move the members whose person id is after ``after`` and up to ``upto`` (``None``: no
    end) in one transaction, set-based; return how many moved and how many were listed.

    Under the people's locks (PostgreSQL, id order, as the services lock them) the member rows
    are written with their outcome and each mover's new enrollment id (one ``INSERT ... SELECT``
    of the candidates' query): nothing can change a member between being chosen and being
    moved. The ends are ``UPDATE ... FROM`` those rows, then the new Medi-Medi enrollments
    (``COPY``, with their member IDs) and the new Medi-Cal ones (``INSERT ... SELECT``): ends
    first, so the no-overlap constraint holds after every statement. The later statements
    read only the rows this batch wrote (its range and its time stamp): people with a row
    already (a stopped run listed them) are left as they are. ``member_ids`` (with ``guard``)
    are the member IDs drawn by the run's other batches.
    """
    effective = transfer.effective_date
    day_before = effective - timedelta(days=1)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)  # for raw SQL
    timings = timings if timings is not None else defaultdict(float)
    started = monotonic()
    upper = upto if upto is not None else 2**62
    in_range = (
        "m.transfer_id = %s AND m.beneficiary_id > %s AND m.beneficiary_id <= %s "
        "AND m.updated_at = %s"
    )
    range_params = [transfer.pk, after, upper, stamp]
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # A lost commit is redone by the next run (its rows are not there).
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        else:  # a write first: SQLite's write lock, for the id reservation below
            PlanTransfer.objects.filter(pk=transfer.pk).update(finished_at=None)
        county_ids = _county_ids(transfer)
        if postgres:
            marks = ", ".join(["%s"] * len(county_ids))
            cursor.execute(
                f"""
                SELECT count(*) FROM (
                  SELECT b.id FROM eligibility_beneficiary b
                  WHERE b.id IN (
                    SELECT e.beneficiary_id FROM enrollment_enrollment e
                    WHERE e.medi_medi_plan_id = %s AND e.kind = 'medi_medi' AND NOT e.cancelled
                      AND e.beneficiary_id > %s AND e.beneficiary_id <= %s)
                    AND b.county_id IN ({marks})
                  ORDER BY b.id FOR UPDATE) locked
                """,  # noqa: S608
                [transfer.from_plan_id, after, upper, *county_ids],
            )
        sql, params = _candidates(transfer, after=after, upto=upto)
        new_id, new_id_params = _new_id_sql(cursor)
        cursor.execute(
            f"""
            INSERT INTO {_MEMBERS} (transfer_id, beneficiary_id, county_id, old_enrollment_id,
                new_enrollment_id, aligned_medi_cal_plan_id, outcome, reason, updated_at)
            SELECT %s, c.beneficiary_id, c.county_id, c.old_id,
                   CASE WHEN c.reason = '' THEN {new_id} END, c.aligned_id,
                   CASE WHEN c.reason = '' THEN 'moved' ELSE 'cannot' END, c.reason, %s
            FROM ({sql}) c WHERE 1 = 1 ORDER BY c.beneficiary_id
            ON CONFLICT (transfer_id, beneficiary_id) DO NOTHING
            """,  # noqa: S608 (placeholders only)
            [transfer.pk, *new_id_params, stamp, *params],
        )
        cursor.execute(
            f"SELECT m.beneficiary_id, m.new_enrollment_id FROM {_MEMBERS} m "  # noqa: S608
            f"WHERE {in_range} ORDER BY m.beneficiary_id",
            range_params,
        )
        rows = cursor.fetchall()
        people = [person for person, _ in rows]
        movers = [(person, new) for person, new in rows if new is not None]
        moved = f"{in_range} AND m.outcome = 'moved'"
        ended_by = actor.pk if actor else None
        note = f"Moved to {transfer.to_plan.name} by plan transfer {transfer.pk}."
        target = "enrollment_enrollment"
        # The old Medi-Medi enrollment ends the day before.
        cursor.execute(
            f"""
            UPDATE {target} SET end_date = %s, end_reason = %s, replaced_by_id = m.new_enrollment_id,
                end_date_before_replaced = {target}.end_date, ended_by_id = %s,
                end_requested_on = %s, end_note = %s, updated_at = %s
            FROM {_MEMBERS} m WHERE {moved} AND {target}.id = m.old_enrollment_id
            """,  # noqa: S608
            [day_before, EndReason.TRANSFERRED.value, ended_by, today, note, stamp, *range_params],
        )
        # The Medi-Cal plan enrollments running into the date: one already in the new aligned
        # plan (open) continues, linked to the new enrollment; one starting on the date is
        # cancelled (superseded); any other ends the day before.
        medi_cal = (
            f"{target}.beneficiary_id = m.beneficiary_id AND {target}.kind = 'medi_cal' "
            f"AND NOT {target}.cancelled "
            f"AND ({target}.end_date IS NULL OR {target}.end_date >= %s)"
        )
        kept = (
            f"({target}.medi_cal_plan_id = m.aligned_medi_cal_plan_id "
            f"AND {target}.end_date IS NULL)"
        )
        cursor.execute(
            f"""
            UPDATE {target} SET end_date = {target}.start_date, cancelled = %s, end_reason = %s,
                replaced_by_id = m.new_enrollment_id, end_date_before_replaced = {target}.end_date,
                ended_by_id = %s, end_requested_on = %s, end_note = %s, updated_at = %s
            FROM {_MEMBERS} m WHERE {moved} AND {medi_cal} AND {target}.start_date >= %s
              AND NOT {kept}
            """,  # noqa: S608
            [True, EndReason.SUPERSEDED.value, ended_by, today, note, stamp,
             *range_params, effective, effective],
        )  # fmt: skip
        cursor.execute(
            f"""
            UPDATE {target} SET end_date = %s, end_reason = %s,
                replaced_by_id = m.new_enrollment_id, end_date_before_replaced = {target}.end_date,
                ended_by_id = %s, end_requested_on = %s, end_note = %s, updated_at = %s
            FROM {_MEMBERS} m WHERE {moved} AND {medi_cal} AND {target}.start_date < %s
              AND NOT {kept}
            """,  # noqa: S608
            [day_before, EndReason.TRANSFERRED.value, ended_by, today, note, stamp,
             *range_params, effective, effective],
        )  # fmt: skip
        cursor.execute(
            f"""
            UPDATE {target} SET aligned_with_id = m.new_enrollment_id, updated_at = %s
            FROM {_MEMBERS} m WHERE {moved} AND {medi_cal} AND {kept}
            """,  # noqa: S608
            [stamp, *range_params, effective],
        )
        # The new Medi-Medi enrollments, with member IDs of the new plan.
        columns = _enrollment_columns()
        names = ["id", *(name for name, _ in columns)]
        with guard or threading.Lock():
            new_member_ids = _member_ids_new(
                transfer.to_plan, len(movers), member_ids if member_ids is not None else set()
            )
        inserts: list[tuple[Any, ...]] = []
        for (person, new_id), member_id in zip(movers, new_member_ids, strict=True):
            values = {
                "beneficiary_id": person,
                "kind": MM.value,
                "medi_medi_plan_id": transfer.to_plan_id,
                "start_date": effective,
                "member_id": member_id,
                "created_at": stamp,
                "updated_at": stamp,
            }
            inserts.append((new_id, *(values.get(name, default) for name, default in columns)))
        _rows_write(cursor, target, names, inserts)
        # The new Medi-Cal plan enrollments (unless one continues), aligned with them.
        given = {
            "beneficiary_id": "m.beneficiary_id",
            "kind": "%s",
            "medi_cal_plan_id": "m.aligned_medi_cal_plan_id",
            "start_date": "%s",
            "aligned_with_id": "m.new_enrollment_id",
            "created_at": "%s",
            "updated_at": "%s",
        }
        select: list[str] = []
        select_params: list[Any] = []
        for name, default in columns:
            select.append(given.get(name, "%s"))
            if name == "kind":
                select_params.append(MC.value)
            elif name == "start_date":
                select_params.append(effective)
            elif name in ("created_at", "updated_at"):
                select_params.append(stamp)
            elif name not in given:
                select_params.append(default)
        cursor.execute(
            f"""
            INSERT INTO {target} ({", ".join(name for name, _ in columns)})
            SELECT {", ".join(select)} FROM {_MEMBERS} m WHERE {moved}
              AND NOT EXISTS (SELECT 1 FROM {target} k WHERE k.aligned_with_id = m.new_enrollment_id)
            ORDER BY m.beneficiary_id
            """,  # noqa: S608
            [*select_params, *range_params],
        )
        submissions = _submissions_write(
            cursor, transfer, moved, range_params, actor=actor, today=today, stamp=stamp
        )
        audit_record(
            actor=actor,
            action="update",
            object_type="plan_transfer",
            object_id=transfer.pk,
            detail={
                "beneficiaries": people,
                "moved": len(movers),
                "cannot": len(people) - len(movers),
                "medicare_submissions": submissions,
            },
        )
        timings["batches"] += monotonic() - started
        started = monotonic()
    timings["commit"] += monotonic() - started
    return len(movers), len(people) - len(movers)


def _insert_select(
    cursor: Any,
    model: type[models.Model],
    given: dict[str, tuple[str, list[Any]]],
    source: str,
    source_params: list[Any],
) -> int:
    """``INSERT INTO`` the model's table ``SELECT`` the ``given`` expressions (by field name,
    with their parameters) ``FROM`` ``source``; every other column takes its model default (a
    field another change adds included). Return the row count."""
    columns: list[str] = []
    select: list[str] = []
    params: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f.column)
        if f.attname in given:
            expression, values = given[f.attname]
            select.append(expression)
            params += values
        else:
            select.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM {source}",
        [*params, *source_params],
    )
    return int(cursor.rowcount)


def _submissions_write(
    cursor: Any,
    transfer: PlanTransfer,
    moved: str,
    moved_params: list[Any],
    *,
    actor: User | None,
    today: date,
    stamp: Any,
) -> int:
    """The batch's Medicare submissions, set-based: what ``medicare.submission_create`` writes
    for a plan switch, one per mover (transaction 61, enrollment in the new plan on the date,
    ``pending``) with its first status-change row. A plan-wide transfer is no election of the
    member's: its election period is recorded as another special enrollment period."""
    plan = transfer.to_plan
    count = _insert_select(
        cursor,
        MedicareSubmission,
        {
            "enrollment_id": ("m.new_enrollment_id", []),
            "beneficiary_id": ("m.beneficiary_id", []),
            "kind": ("%s", [MedicareSubmissionKind.PLAN_SWITCH.value]),
            "transaction_type": ("%s", [MedicareTransaction.ENROLLMENT.value]),
            "election_period": ("%s", [ElectionPeriod.OTHER_SEP.value]),
            "contract_number": ("%s", [plan.contract_number or ""]),
            "pbp": ("%s", [plan.pbp or ""]),
            "effective_date": ("%s", [transfer.effective_date]),
            "submitted_on": ("%s", [today]),
            "status": ("%s", [MedicareStatus.PENDING.value]),
            "created_by_id": ("%s", [actor.pk if actor else None]),
            "created_at": ("%s", [stamp]),
        },
        f"{_MEMBERS} m WHERE {moved} ORDER BY m.beneficiary_id",
        moved_params,
    )
    if count:
        _insert_select(
            cursor,
            MedicareSubmissionStatusChange,
            {
                "submission_id": ("s.id", []),
                "from_status": ("%s", [""]),
                "to_status": ("%s", [MedicareStatus.PENDING.value]),
                "actor_id": ("%s", [actor.pk if actor else None]),
                "at": ("%s", [stamp]),
            },
            f"enrollment_medicaresubmission s JOIN {_MEMBERS} m "
            f"ON s.enrollment_id = m.new_enrollment_id WHERE {moved} ORDER BY s.id",
            moved_params,
        )
    return count


# --- Letters: written when due by the daily job ---------------------------------------------

LETTER_CHUNK_SIZE = 5000


def _letters_due(transfer: PlanTransfer, today: date) -> tuple[list[LetterPlan], list[LetterPlan]]:
    """(due now and not written yet, due but passed over). Once the 30-day letter is due, a
    60-day letter not written by then is passed over: the member gets the nearer one."""
    plans = letter_plan(transfer.effective_date, transfer.planned_on or today)
    done = set(
        transfer.letter_runs.exclude(status=LetterRunStatus.RUNNING).values_list("kind", flat=True)
    )
    due = [plan for plan in plans if plan.send_on <= today and plan.kind not in done]
    if len(due) > 1:
        return due[-1:], due[:-1]
    return due, []


def transfer_letters_queue(
    *,
    today: date | None = None,
    transfer_id: int | None = None,
    chunk_size: int = LETTER_CHUNK_SIZE,
) -> dict[int, int]:
    """Write the transfers' letters due by ``today`` (the daily job; a run's end for its own).

    For each completed transfer and each letter due and not yet written, the moved members get
    it in chunks of people, one transaction each (``_letter_chunk_write``, set-based, keyed
    ``plan-transfer:<transfer>:<kind>:<person>``), and the letter's ``PlanTransferLetterRun``
    notes how far it got: a stopped job goes on from there, a rerun writes nothing twice.
    Memory holds one chunk. Return the letters written per transfer.
    """
    today = today or california_today()
    transfers = PlanTransfer.objects.filter(status=TransferStatus.COMPLETED).select_related(
        "from_plan", "to_plan"
    )
    if transfer_id is not None:
        transfers = transfers.filter(pk=transfer_id)
    else:  # the ones whose letters are not all written yet
        transfers = transfers.annotate(
            done=Count("letter_runs", filter=~Q(letter_runs__status=LetterRunStatus.RUNNING))
        ).filter(done__lt=len(LETTER_WINDOWS), planned_on__lte=today)
    written: dict[int, int] = {}
    for transfer in transfers.order_by("pk"):
        due, passed = _letters_due(transfer, today)
        for plan in passed:
            run, _ = PlanTransferLetterRun.objects.get_or_create(
                transfer=transfer, kind=plan.kind, defaults={"send_on": plan.send_on}
            )
            run.status, run.finished_at = LetterRunStatus.SKIPPED, timezone.now()
            run.save(update_fields=["status", "finished_at"])
        for plan in due:
            count = _letter_run(transfer, plan, chunk_size=chunk_size)
            written[transfer.pk] = written.get(transfer.pk, 0) + count
    return written


def _letter_run(transfer: PlanTransfer, plan: LetterPlan, *, chunk_size: int) -> int:
    run, _ = PlanTransferLetterRun.objects.get_or_create(
        transfer=transfer, kind=plan.kind, defaults={"send_on": plan.send_on, "late": plan.late}
    )
    written = 0
    started = monotonic()
    while True:
        with transaction.atomic():
            run = PlanTransferLetterRun.objects.select_for_update().get(pk=run.pk)
            if run.status != LetterRunStatus.RUNNING:
                break
            chunk = list(
                transfer.members.filter(
                    outcome=TransferOutcome.MOVED, beneficiary_id__gt=run.through_beneficiary
                )
                .order_by("beneficiary_id")
                .values_list("beneficiary_id", "aligned_medi_cal_plan_id")[:chunk_size]
            )
            if not chunk:
                run.status, run.finished_at = LetterRunStatus.FINISHED, timezone.now()
                run.save(update_fields=["status", "finished_at"])
                break
            count = _letter_chunk_write(transfer, plan, dict(chunk))
            run.through_beneficiary = chunk[-1][0]
            run.written += count
            run.save(update_fields=["through_beneficiary", "written"])
            PlanTransfer.objects.filter(pk=transfer.pk).update(
                letter_count=F("letter_count") + count
            )
            written += count
        logger.info(
            "transfer %s: %s letters written through person %s (%d so far)",
            transfer.pk,
            plan.kind,
            run.through_beneficiary,
            run.written,
        )
    logger.info(
        "transfer %s: %s, %d letters written in %.1f s",
        transfer.pk,
        plan.kind,
        written,
        monotonic() - started,
    )
    return written


_LETTERS = "transfer_stage_letters"
_LETTER_COLUMNS = (
    ("idempotency_key", "varchar(200)"),
    ("beneficiary_id", "bigint"),
    ("kind", "varchar(32)"),
    ("recipient_key", "varchar(100)"),
    ("recipient", "text"),
    ("context", "text"),
    ("language", "varchar(16)"),
    ("format", "varchar(24)"),
    ("channel", "varchar(8)"),
    ("scheduled_for", "timestamptz"),
    ("next_attempt_at", "timestamptz"),
)
_JSON_COLUMNS = frozenset({"recipient", "context"})


def _letter_chunk_write(transfer: PlanTransfer, plan: LetterPlan, aligned: dict[int, int]) -> int:
    """Write one letter to each of these moved members (``{person: new Medi-Cal plan}``), in the
    caller's transaction; return how many were new.

    Set-based: the rows are staged and written with one ``INSERT ... SELECT ... ON CONFLICT
    (idempotency_key) DO NOTHING RETURNING``, so a letter already written is never written
    again. Each row is what ``notices.services.notice_queue`` would write for it: the kind's
    context is checked (``context_check``), the language, format and channel come from the
    notices app's own rules, and the recipient is the person as they are now. A letter goes at
    9:00 California time on its day (``scheduled_for``, the sweeper sends it); a late one at
    once (published to the bulk queue after commit).
    """
    to_plan = transfer.to_plan
    names = dict(MediCalPlan.objects.filter(pk__in=set(aligned.values())).values_list("pk", "name"))
    context = jsonable(
        {
            "old_plan_name": transfer.from_plan.name,
            "old_plan_end_date": transfer.effective_date - timedelta(days=1),
            "new_plan_name": to_plan.name,
            "effective_date": transfer.effective_date,
            "plan_phone": to_plan.member_phone,
            "plan_tty": to_plan.member_tty,
            "late": plan.late,
        }
    )
    context_check(plan.kind, {**context, "new_medi_cal_plan_name": "-"})  # one shape: once
    now = timezone.now()
    in_process = tasks_run_in_process()
    grace = timedelta(seconds=0 if in_process else notice_settings().bulk_sweep_grace_seconds)
    adapt = connection.ops.adapt_datetimefield_value
    scheduled = (
        None if plan.late else datetime.combine(plan.send_on, LETTER_HOUR, tzinfo=CALIFORNIA)
    )
    staged: list[tuple[Any, ...]] = []
    for row in (
        Beneficiary.objects.filter(pk__in=list(aligned), date_of_death__isnull=True)
        .order_by("pk")
        .values("pk", *RECIPIENT_FIELDS)
    ):
        recipient = jsonable(recipient_snapshot_of_row(row))
        if not str(recipient.get("name") or "").strip():
            raise InvalidNotice("the recipient snapshot needs a name")
        staged.append(
            (
                f"plan-transfer:{transfer.pk}:{plan.kind}:{row['pk']}",
                row["pk"],
                plan.kind,
                recipient_key(row["pk"]),
                json.dumps(recipient),
                json.dumps(
                    {**context, "new_medi_cal_plan_name": names.get(aligned[row["pk"]], "")}
                ),
                language_normalize(recipient.get("language")),
                recipient_format(recipient),
                channel_for(recipient),
                adapt(scheduled),
                adapt(scheduled if scheduled is not None else now + grace),
            )
        )
    if not staged:
        return 0
    postgres = connection.vendor == "postgresql"
    given = {name for name, _ in _LETTER_COLUMNS} - {"beneficiary_id"}
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for f in Notice._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f.column)
        if f.attname in given:
            cast = "::jsonb" if postgres and f.attname in _JSON_COLUMNS else ""
            values.append(f"s.{f.attname}{cast}")
        else:
            fixed = {"created_at": now, "bulk": True, "status": "queued", "attempts": 0}
            value = fixed[f.attname] if f.attname in fixed else f.get_default()
            values.append("%s")
            params.append(f.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        spec = ", ".join(f"{name} {kind}" for name, kind in _LETTER_COLUMNS)
        if postgres:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_LETTERS} ({spec}) ON COMMIT DROP")
        else:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_LETTERS} ({spec})")
            cursor.execute(f"DELETE FROM {_LETTERS}")  # noqa: S608
        _rows_write(cursor, _LETTERS, [name for name, _ in _LETTER_COLUMNS], staged)
        cursor.execute(
            f"INSERT INTO notices_notice ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM {_LETTERS} s WHERE 1 = 1 "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
            params,
        )
        created = dict(cursor.fetchall())
        owner = {row[0]: row[1] for row in staged}
        _rows_write(
            cursor,
            "eligibility_beneficiaryletter",
            ["notice_id", "beneficiary_id", "organization_id"],
            [(pk, owner[key], to_plan.organization_id) for pk, key in sorted(created.items())],
        )
        if not postgres:
            cursor.execute(f"DELETE FROM {_LETTERS}")  # noqa: S608
    if created and not in_process and (scheduled is None or scheduled <= now):
        transaction.on_commit(partial(notices_publish_bulk, sorted(created)))
    # Representatives get a copy of each letter (few members have one).
    represented = set(
        AuthorizedRepresentative.objects.filter(
            valid_on(california_today()), beneficiary_id__in=list(aligned)
        ).values_list("beneficiary_id", flat=True)
    )
    if represented:
        for notice in Notice.objects.filter(
            pk__in=[pk for pk, key in created.items() if owner[key] in represented]
        ).order_by("pk"):
            letter_copies_queue(
                notice=notice,
                beneficiary_id=owner[notice.idempotency_key],
                organization_id=to_plan.organization_id,
            )
    return len(created)


def _letters_publish(transfer_id: int, today: date) -> int:
    """Have the letters due by ``today`` written: in a worker on the bulk queue when a broker
    is set (never raising: the daily job catches up), here otherwise (return how many)."""
    if tasks_run_in_process():
        return transfer_letters_queue(today=today, transfer_id=transfer_id).get(transfer_id, 0)
    from enrollment.tasks import plan_transfer_letters

    try:
        plan_transfer_letters.apply_async(
            args=(today.isoformat(), transfer_id), queue=notice_settings().bulk_queue
        )
    except Exception as exc:
        logger.warning(
            "transfer %s: publishing the letters failed (%s); the daily job writes them",
            transfer_id,
            type(exc).__name__,
        )
    return 0


# --- Reads ----------------------------------------------------------------------------------


def transfer_get(*, actor: User, transfer_id: int) -> PlanTransfer:
    """One transfer the actor may see (admins; staff of the organization members leave)."""
    access.require_staff(actor)
    transfer = (
        PlanTransfer.objects.filter(access.transfer_scope(actor))
        .select_related("from_plan", "to_plan", "requested_by")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        raise NotFound("No such transfer.")
    return transfer


def transfer_list(*, actor: User) -> QuerySet[PlanTransfer]:
    """The transfers the actor may see, newest first (the runs, no member data)."""
    access.require_staff(actor)
    return PlanTransfer.objects.filter(access.transfer_scope(actor)).select_related(
        "from_plan", "to_plan", "requested_by"
    )


def transfer_report(*, actor: User, transfer_id: int) -> TransferReport:
    transfer = transfer_get(actor=actor, transfer_id=transfer_id)
    return _report(
        transfer,
        dry_run=transfer.status == TransferStatus.PLANNED,
        today=california_today(),
        stored=transfer.status != TransferStatus.PLANNED,
    )


def transfer_unplaced(*, actor: User, transfer_id: int) -> QuerySet[PlanTransferMember]:
    """The members the transfer could not move (staff decide what happens to them), by person.

    The caller pages it and audits the page's rows with ``transfer_unplaced_audit``.
    """
    transfer = transfer_get(actor=actor, transfer_id=transfer_id)
    return (
        transfer.members.filter(outcome=TransferOutcome.CANNOT)
        .select_related("beneficiary", "county")
        .order_by("beneficiary_id")
    )


def transfer_unplaced_audit(
    *, actor: User, transfer_id: int, rows: Sequence[PlanTransferMember]
) -> None:
    access.audit_read(
        actor,
        "plan_transfer_unplaced",
        transfer_id,
        ids=[row.pk for row in rows],
        beneficiaries=[row.beneficiary_id for row in rows],
    )
