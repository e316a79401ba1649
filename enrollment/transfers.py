"""Plan-wide transfers: move everyone in one plan in some counties to another plan from a date.

``transfer_plan`` (admins; ``actor=None`` for the command line) first answers a dry run: who
would move, who cannot and why, which letters would go when. Applied, it works set-based:

1. **Plan**: one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` writes a ``PlanTransferMember``
   row per member (``pending``, or ``cannot`` with the reason), so a run that stops halfway
   carries on where it was and a member is never considered twice.
2. **Batches** of ``BATCH_SIZE`` pending members, each in one transaction: the people's rows
   are locked in id order (PostgreSQL; the services' order), each member is re-checked, the old
   Medi-Medi enrollment and the Medi-Cal plan enrollment it came with end the day before
   (one ``UPDATE ... FROM`` a staging table), then the new Medi-Medi enrollment and, unless
   the member is already in it, the new aligned Medi-Cal enrollment start on the date (one
   ``COPY`` on PostgreSQL, batched inserts on SQLite). Ending first keeps the no-overlap
   exclusion constraint true after every statement. The member's letters (60 and 30 days
   before, when the date allows) go into the notices outbox in the same transaction
   (``notices.services.notices_queue_bulk``), scheduled for their day.
3. A completed transfer asked for again (same plans, date and counties: its ``key``) writes
   nothing and answers its report.

Every status move of a transfer writes a ``PlanTransferStatusChange`` row; the run and each
batch are audited (ids only).
"""

import json
import logging
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
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
from enrollment.models import AuthorizedRepresentative, EndReason, Enrollment, EnrollmentKind
from enrollment.representatives import letter_copies_queue, valid_on
from enrollment.transfer_models import (
    TRANSFER_TRANSITIONS,
    PlanTransfer,
    PlanTransferMember,
    PlanTransferStatusChange,
    TransferOutcome,
    TransferReason,
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
    # Where an applied run's time went: plan, enrollments, letters, commit (seconds).
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
    *, from_plan_id: int, to_plan_id: int, county_ids: Sequence[int], effective: date
) -> tuple[str, list[Any]]:
    """Every member of ``from_plan`` in the counties whose enrollment runs into ``effective``,
    with the service area of the new plan that would take them and why they cannot move.

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
    """  # noqa: S608 (placeholders only)
    params: list[Any] = [effective] * 4 + [to_plan_id, effective, effective]
    params += [from_plan_id, effective, *county_ids]
    return sql, params


def _county_ids(transfer: PlanTransfer) -> list[int]:
    return sorted(transfer.counties.values_list("pk", flat=True))


def _candidates(transfer: PlanTransfer) -> tuple[str, list[Any]]:
    return _candidates_sql(
        from_plan_id=transfer.from_plan_id,
        to_plan_id=transfer.to_plan_id,
        county_ids=_county_ids(transfer),
        effective=transfer.effective_date,
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
    return transfer_apply(actor=actor, transfer_id=transfer.pk, today=today, batch_size=batch_size)


def transfer_apply(
    *,
    actor: User | None,
    transfer_id: int,
    today: date | None = None,
    batch_size: int = BATCH_SIZE,
) -> TransferReport:
    """Run a planned transfer (or carry on with one that stopped); a completed one writes
    nothing and answers its report."""
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
    with transaction.atomic():
        transfer = (
            PlanTransfer.objects.select_for_update()
            .select_related("from_plan", "to_plan")
            .get(pk=transfer_id)
        )
        if transfer.status == TransferStatus.COMPLETED:
            return _report(transfer, dry_run=False, today=today, stored=True, already_done=True)
        if transfer.status == TransferStatus.PLANNED:
            note, transfer.planned_on = "applied", today
        else:  # a resumed run counts the letters from the day the run began, as before
            note, today = "resumed", transfer.planned_on or today
        planning = monotonic()
        _move(transfer, TransferStatus.RUNNING, actor=actor, note=note)
        transfer.started_at = transfer.started_at or timezone.now()
        transfer.save(update_fields=["status", "started_at", "planned_on"])
        _plan_members(transfer)
    moved = letters = 0
    timings: defaultdict[str, float] = defaultdict(float, plan=monotonic() - planning)
    try:
        after: int | None = 0
        while after is not None:
            done, after, batch_letters = _batch_apply(
                transfer, after=after, size=batch_size, actor=actor, today=today, timings=timings
            )
            moved += done
            letters += batch_letters
    except Exception:
        with transaction.atomic():
            failed = PlanTransfer.objects.select_for_update().get(pk=transfer.pk)
            _move(failed, TransferStatus.FAILED, actor=actor, note="stopped by an error")
            failed.save(update_fields=["status"])
        logger.exception("transfer %s stopped", transfer.pk)
        raise
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
    logger.info(
        "transfer %s: %d moved, %d letters (%s)",
        transfer.pk,
        moved,
        letters,
        ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()),
    )
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
            outcome: transfer.members.filter(outcome=outcome).count()
            for outcome in (TransferOutcome.MOVED, TransferOutcome.CANNOT, TransferOutcome.PENDING)
        }
    )


def _plan_members(transfer: PlanTransfer) -> int:
    """Write a member row for everyone the transfer concerns, once (``ON CONFLICT``)."""
    sql, params = _candidates(transfer)
    insert = f"""
        INSERT INTO enrollment_plantransfermember
            (transfer_id, beneficiary_id, county_id, old_enrollment_id, aligned_medi_cal_plan_id,
             outcome, reason, updated_at)
        SELECT %s, c.beneficiary_id, c.county_id, c.old_id, c.aligned_id,
               CASE WHEN c.reason = '' THEN 'pending' ELSE 'cannot' END, c.reason, %s
        FROM ({sql}) c WHERE 1 = 1
        ON CONFLICT (transfer_id, beneficiary_id) DO NOTHING
    """  # noqa: S608 (placeholders only)
    with connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(insert, [transfer.pk, stamp, *params])
        return cursor.rowcount


# --- One batch ------------------------------------------------------------------------------

_ENDS = "transfer_stage_ends"
_ENDS_COLUMNS = (
    "id bigint",
    "end_date date",
    "cancelled boolean",
    "end_reason varchar(16)",
    "replaced_by bigint",
    "end_before date",
    "aligned_with bigint",
    "keep boolean",
)


def _stage_create(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_ENDS} ({', '.join(_ENDS_COLUMNS)}) "
            "ON COMMIT DELETE ROWS"
        )
    else:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_ENDS} ({', '.join(_ENDS_COLUMNS)})")
        cursor.execute(f"DELETE FROM {_ENDS}")  # noqa: S608


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


def _ids_new(cursor: Any, count: int) -> list[int]:
    """Reserve ``count`` enrollment ids (the batch holds the write lock on SQLite)."""
    if count == 0:
        return []
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('enrollment_enrollment', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT max(n) FROM (SELECT max(id) AS n FROM enrollment_enrollment "
        "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'enrollment_enrollment')"
    )
    top = cursor.fetchone()[0] or 0
    return list(range(top + 1, top + 1 + count))


def _member_ids_new(plan: MediMediPlan, count: int, taken_in_run: set[str]) -> list[str]:
    """``count`` member IDs unused in ``plan`` (``enrollment.member_ids`` format)."""
    prefix = member_id_prefix(plan)
    chosen: list[str] = []
    while len(chosen) < count:
        wanted = count - len(chosen)
        draws = {
            f"{prefix}{secrets.randbelow(9 * 10**8) + 10**8}" for _ in range(wanted)
        } - taken_in_run
        used = set(
            Enrollment.objects.filter(medi_medi_plan=plan, member_id__in=draws).values_list(
                "member_id", flat=True
            )
        )
        fresh = sorted(draws - used)
        chosen += fresh
        taken_in_run.update(fresh)
    return chosen[:count]


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


def _batch_apply(
    transfer: PlanTransfer,
    *,
    after: int,
    size: int,
    actor: User | None,
    today: date,
    timings: defaultdict[str, float] | None = None,
) -> tuple[int, int | None, int]:
    """Move the next ``size`` pending members (by person id after ``after``) in one
    transaction. Return (moved, the last person id or None when none was left, letters).
    ``timings`` adds the seconds spent on enrollments, letters and the commit."""
    effective = transfer.effective_date
    day_before = effective - timedelta(days=1)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)  # for raw SQL
    timings = timings if timings is not None else defaultdict(float)
    started = monotonic()
    with transaction.atomic():
        # A write first: it locks the transfer's row (two runners of one transfer take turns,
        # each reading the pending rows after the other committed), and on SQLite it takes the
        # database's write lock for the id reservation.
        PlanTransfer.objects.filter(pk=transfer.pk).update(finished_at=None)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A lost commit is redone by the next run (the members stay pending).
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        pending = list(
            PlanTransferMember.objects.filter(
                transfer=transfer, outcome=TransferOutcome.PENDING, beneficiary_id__gt=after
            )
            .order_by("beneficiary_id")
            .values_list("pk", "beneficiary_id", "old_enrollment_id", "aligned_medi_cal_plan_id")[
                :size
            ]
        )
        if not pending:
            return 0, None, 0
        people = [row[1] for row in pending]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM eligibility_beneficiary WHERE id = ANY(%s) ORDER BY id "
                    "FOR UPDATE",
                    [people],
                )
        old_rows = {
            row["id"]: row
            for row in Enrollment.objects.filter(pk__in=[row[2] for row in pending]).values(
                "id", "medi_medi_plan_id", "cancelled", "start_date", "end_date"
            )
        }
        later = set(
            Enrollment.objects.filter(
                beneficiary_id__in=people, kind=MM, cancelled=False, start_date__gte=effective
            ).values_list("beneficiary_id", flat=True)
        )
        medi_cal: dict[int, list[dict[str, Any]]] = {}
        for row in (
            Enrollment.objects.filter(beneficiary_id__in=people, kind=MC, cancelled=False)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=effective))
            .order_by("pk")
            .values("id", "beneficiary_id", "medi_cal_plan_id", "start_date", "end_date")
        ):
            medi_cal.setdefault(row["beneficiary_id"], []).append(dict(row))

        movable: list[tuple[int, int, int, int]] = []
        changed: list[int] = []
        for member_pk, person, old_id, aligned_id in pending:
            old = old_rows.get(old_id)
            still = (
                old is not None
                and not old["cancelled"]
                and old["medi_medi_plan_id"] == transfer.from_plan_id
                and old["start_date"] < effective
                and (old["end_date"] is None or old["end_date"] >= effective)
                and person not in later
                and aligned_id is not None
                and all(r["start_date"] <= effective for r in medi_cal.get(person, []))
            )
            if still:
                movable.append((member_pk, person, old_id, aligned_id))
            else:
                changed.append(member_pk)

        # Which Medi-Cal plan enrollment each member keeps (already in the new aligned plan).
        kept_of: dict[int, int | None] = {}
        for _, person, _, aligned_id in movable:
            kept_of[person] = next(
                (
                    row["id"]
                    for row in medi_cal.get(person, [])
                    if row["medi_cal_plan_id"] == aligned_id and row["end_date"] is None
                ),
                None,
            )
        new_medi_cal = [
            (person, aligned_id) for _, person, _, aligned_id in movable if kept_of[person] is None
        ]
        letters = 0
        with connection.cursor() as cursor:
            ids = _ids_new(cursor, len(movable) + len(new_medi_cal))
            new_mm, new_mc = ids[: len(movable)], ids[len(movable) :]
            new_of = {
                person: new_id for (_, person, _, _), new_id in zip(movable, new_mm, strict=True)
            }
            ends: list[tuple[Any, ...]] = []
            for _, person, old_id, _ in movable:
                old = old_rows[old_id]
                ends.append(
                    (
                        old_id,
                        day_before,
                        False,
                        EndReason.TRANSFERRED.value,
                        new_of[person],
                        old["end_date"],
                        None,
                        False,
                    )
                )
                for mc_row in medi_cal.get(person, []):
                    if mc_row["id"] == kept_of[person]:
                        ends.append(
                            (mc_row["id"], None, False, "", None, None, new_of[person], True)
                        )
                    elif mc_row["start_date"] >= effective:
                        ends.append(
                            (
                                mc_row["id"],
                                mc_row["start_date"],
                                True,
                                EndReason.SUPERSEDED.value,
                                new_of[person],
                                mc_row["end_date"],
                                None,
                                False,
                            )
                        )
                    else:
                        ends.append(
                            (
                                mc_row["id"],
                                day_before,
                                False,
                                EndReason.TRANSFERRED.value,
                                new_of[person],
                                mc_row["end_date"],
                                None,
                                False,
                            )
                        )
            _stage_create(cursor)
            _rows_write(cursor, _ENDS, [c.split()[0] for c in _ENDS_COLUMNS], ends)
            note = f"Moved to {transfer.to_plan.name} by plan transfer {transfer.pk}."
            cursor.execute(
                f"""
                UPDATE enrollment_enrollment SET end_date = s.end_date, cancelled = s.cancelled,
                    end_reason = s.end_reason, replaced_by_id = s.replaced_by,
                    end_date_before_replaced = s.end_before, ended_by_id = %s,
                    end_requested_on = %s, end_note = %s, updated_at = %s
                FROM {_ENDS} s WHERE enrollment_enrollment.id = s.id AND NOT s.keep
                """,  # noqa: S608
                [actor.pk if actor else None, today, note, stamp],
            )
            cursor.execute(
                f"""
                UPDATE enrollment_enrollment SET aligned_with_id = s.aligned_with, updated_at = %s
                FROM {_ENDS} s WHERE enrollment_enrollment.id = s.id AND s.keep
                """,  # noqa: S608
                [stamp],
            )
            columns = _enrollment_columns()
            names = ["id", *(name for name, _ in columns)]
            member_ids = _member_ids_new(transfer.to_plan, len(movable), set())
            inserts: list[tuple[Any, ...]] = []
            for (_, person, _, _), new_id, member_id in zip(
                movable, new_mm, member_ids, strict=True
            ):
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
            for (person, plan_id), new_id in zip(new_medi_cal, new_mc, strict=True):
                values = {
                    "beneficiary_id": person,
                    "kind": MC.value,
                    "medi_cal_plan_id": plan_id,
                    "start_date": effective,
                    "aligned_with_id": new_of[person],
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                inserts.append((new_id, *(values.get(name, default) for name, default in columns)))
            _rows_write(cursor, "enrollment_enrollment", names, inserts)

            moved_pks = [member_pk for member_pk, *_ in movable]
            _members_mark(cursor, moved_pks, new_of, movable, stamp)
            if changed:
                PlanTransferMember.objects.filter(pk__in=changed).update(
                    outcome=TransferOutcome.CANNOT, reason=TransferReason.CHANGED, updated_at=now
                )
            timings["enrollments"] += monotonic() - started
            started = monotonic()
            if movable:
                letters = _letters_queue(
                    transfer, [m[1] for m in movable], {m[1]: m[3] for m in movable}, today=today
                )
        audit_record(
            actor=actor,
            action="update",
            object_type="plan_transfer",
            object_id=transfer.pk,
            detail={
                "beneficiaries": people,
                "moved": len(movable),
                "cannot": len(changed),
                "letters": letters,
            },
        )
        PlanTransfer.objects.filter(pk=transfer.pk).update(
            moved_count=transfer.moved_count + len(movable),
            letter_count=transfer.letter_count + letters,
        )
        transfer.moved_count += len(movable)
        transfer.letter_count += letters
        timings["letters"] += monotonic() - started
        started = monotonic()
    timings["commit"] += monotonic() - started
    return len(movable), people[-1], letters


def _members_mark(
    cursor: Any,
    moved_pks: list[int],
    new_of: dict[int, int],
    movable: list[tuple[int, int, int, int]],
    stamp: Any,
) -> None:
    """Mark the batch's members moved, with their new enrollment (one statement)."""
    if not movable:
        return
    cursor.execute(f"DELETE FROM {_ENDS}")  # noqa: S608
    _rows_write(
        cursor,
        _ENDS,
        ["id", "replaced_by", "keep"],
        [(member_pk, new_of[person], False) for member_pk, person, _, _ in movable],
    )
    cursor.execute(
        f"""
        UPDATE enrollment_plantransfermember SET outcome = 'moved', new_enrollment_id = s.replaced_by,
            updated_at = %s
        FROM {_ENDS} s WHERE enrollment_plantransfermember.id = s.id
        """,  # noqa: S608
        [stamp],
    )


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


def _letters_queue(
    transfer: PlanTransfer, people: list[int], aligned: dict[int, int], *, today: date
) -> int:
    """Queue each moved member's letters (60 and 30 days before, when the date allows).

    Set-based: the rows are staged and written with one ``INSERT ... SELECT ... ON CONFLICT
    (idempotency_key) DO NOTHING RETURNING``, so a letter already queued is never queued
    again. Each row is what ``notices.services.notice_queue`` would write for it: the kind's
    context is checked (``context_check``) and the language, format and channel come from the
    notices app's own rules; the letters are bulk letters, found by the sweeper on their day.
    """
    plans = letter_plan(transfer.effective_date, today)
    to_plan = transfer.to_plan
    names = dict(MediCalPlan.objects.filter(pk__in=set(aligned.values())).values_list("pk", "name"))
    base = {
        "old_plan_name": transfer.from_plan.name,
        "old_plan_end_date": transfer.effective_date - timedelta(days=1),
        "new_plan_name": to_plan.name,
        "effective_date": transfer.effective_date,
        "plan_phone": to_plan.member_phone,
        "plan_tty": to_plan.member_tty,
    }
    contexts = {plan.kind: jsonable({**base, "late": plan.late}) for plan in plans}
    for kind, context in contexts.items():  # one shape for every member: checked once
        context_check(kind, {**context, "new_medi_cal_plan_name": "-"})
    now = timezone.now()
    in_process = tasks_run_in_process()
    grace = timedelta(seconds=0 if in_process else notice_settings().bulk_sweep_grace_seconds)
    adapt = connection.ops.adapt_datetimefield_value
    when = {
        plan.kind: (
            None
            if plan.send_on <= today
            else datetime.combine(plan.send_on, LETTER_HOUR, tzinfo=CALIFORNIA)
        )
        for plan in plans
    }
    staged: list[tuple[Any, ...]] = []
    for row in (
        Beneficiary.objects.filter(pk__in=people).order_by("pk").values("pk", *RECIPIENT_FIELDS)
    ):
        recipient = jsonable(recipient_snapshot_of_row(row))
        if not str(recipient.get("name") or "").strip():
            raise InvalidNotice("the recipient snapshot needs a name")
        recipient_json = json.dumps(recipient)
        language = language_normalize(recipient.get("language"))
        letter_format = recipient_format(recipient)
        channel = channel_for(recipient)
        medi_cal_name = names.get(aligned[row["pk"]], "")
        for plan in plans:
            scheduled = when[plan.kind]
            staged.append(
                (
                    f"plan-transfer:{transfer.pk}:{plan.kind}:{row['pk']}",
                    row["pk"],
                    plan.kind,
                    recipient_key(row["pk"]),
                    recipient_json,
                    json.dumps({**contexts[plan.kind], "new_medi_cal_plan_name": medi_cal_name}),
                    language,
                    letter_format,
                    channel,
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
    kind_of = {row[0]: row[2] for row in staged}
    due_now = [pk for pk, key in created.items() if when[kind_of[key]] is None]
    if due_now and not in_process:
        transaction.on_commit(partial(notices_publish_bulk, sorted(due_now)))
    # Representatives get a copy of each letter (few members have one).
    represented = set(
        AuthorizedRepresentative.objects.filter(
            valid_on(california_today()), beneficiary_id__in=people
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
