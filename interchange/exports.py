"""Enrollment files out: one X12 834 (005010X220A1) per Medi-Cal plan and period.

``enrollment_file_export`` is the one way to make a file (``manage.py export_834``, the admin
page and the benchmark call it). In one transaction it

1. takes the plan's row lock (two exports of one plan never pick the same members) and the next
   interchange control number (``X12ControlNumber``, locked, so a number is never given twice);
2. decides, set-based in SQL, which member loops the file carries and records each as an
   ``EnrollmentFileLine`` (``_lines_select``): additions (021), terminations (024),
   reinstatements (025) and changes (001) that no earlier export of the plan sent, or, for a
   full audit file, every member of the period (030);
3. streams the file from those lines joined with the members (a server-side cursor read in
   chunks, ``interchange.x12_out.Writer834``), to a temporary file renamed once complete;
4. records the counts and writes the audit row (ids and counts only, never PHI).

Nothing to send (every change of the period already sent) rolls the transaction back and
writes no file: the answer names the earlier export of the same period. What is in scope and
every element's meaning are in ``docs/enrollment-files-out.md``.

Access: administrators only (and ``manage.py`` without ``--user``, a shell on the server). A
file carries every member of a plan, sent to the state on the program's behalf; plan staff
see their members one by one on their own pages.
"""

import hashlib
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.models import User
from accounts.services import audit_read, audit_record
from eligibility.models import Beneficiary, County, MediCalPlan, MediMediPlan
from enrollment.models import EndReason, Enrollment
from interchange.models import (
    EnrollmentFileExport,
    EnrollmentFileLine,
    Maintenance,
    X12ControlNumber,
)
from interchange.x12_out import Coverage, Envelope, Header, Member, Writer834, text

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
# ISA13 has 9 digits.
CONTROL_MAX = 999_999_999

# INS04 for a termination, by the enrollment's end reason (X12 maintenance reason codes):
# 03 death, 07 termination of benefits, 14 voluntary withdrawal, 22 plan change,
# 43 change of location. The portal's own reason goes with it in REF*ZZ.
END_REASON_CODES: dict[str, str] = {
    EndReason.PLAN_SWITCH: "22",
    EndReason.SUPERSEDED: "22",
    EndReason.MEDI_CAL_PLAN_CHANGED: "22",
    EndReason.DISENROLLED: "14",
    EndReason.MEDI_CAL_LOST: "07",
    EndReason.DEEMING_ENDED: "07",
    EndReason.MEDICARE_ENDED: "07",
    EndReason.INCARCERATED: "07",
    EndReason.MOVED: "43",
    EndReason.DIED: "03",
}
# INS04 for the other maintenance types: AL (algorithm-assigned benefit selection: the
# Medi-Cal plan came with the member's Medi-Medi Plan), EC (member benefit selection),
# 41 re-enrollment, 25 change in identifying data elements, XN notification only (audit).
ADDED_ALIGNED, ADDED_CHOSEN, REINSTATED, CHANGED, AUDITED = "AL", "EC", "41", "25", "XN"
# The order of a member's loops when one file has several for them.
_ORDER = {"024": 0, "021": 1, "025": 2, "001": 3, "030": 4}


class ExportInvalid(DomainError):
    """The request cannot make a file (an unknown plan, a period that ends before it starts)."""


@dataclass(frozen=True)
class ExportOutcome:
    """What an export did: the file recorded, or nothing to send; and the export of the same
    plan and period made before, if any (the caller says so)."""

    export: EnrollmentFileExport | None
    earlier: EnrollmentFileExport | None

    @property
    def nothing_to_send(self) -> bool:
        return self.export is None


class _NothingToSend(Exception):
    pass


# -- access -------------------------------------------------------------------------------


def export_require_admin(actor: User | None) -> None:
    """Refuse anyone but an administrator (``None`` is the command line on the server)."""
    if actor is None:
        return
    if not (actor.is_authenticated and actor.is_admin):
        raise Forbidden("Only administrators can make or read enrollment files.")


# -- reads --------------------------------------------------------------------------------


def export_plans(*, actor: User | None) -> QuerySet[MediCalPlan]:
    """The Medi-Cal plans a file can be made for: those with the state's code."""
    export_require_admin(actor)
    return MediCalPlan.objects.exclude(state_code__isnull=True).exclude(state_code="")


def export_list(*, actor: User | None) -> QuerySet[EnrollmentFileExport]:
    """Every export, newest first (ids, counts and control numbers: no member data)."""
    export_require_admin(actor)
    return EnrollmentFileExport.objects.select_related("medi_cal_plan", "created_by").order_by(
        "-created_at", "-id"
    )


def export_get(*, actor: User | None, export_id: int) -> EnrollmentFileExport:
    export_require_admin(actor)
    try:
        return export_list(actor=actor).get(pk=export_id)
    except EnrollmentFileExport.DoesNotExist:
        raise NotFound("No such enrollment file.") from None


def export_file_open(*, actor: User | None, export_id: int) -> tuple[EnrollmentFileExport, Any]:
    """The stored file of an export, opened for reading (binary); the read is audited: the
    file holds the data of every member it names (its lines)."""
    export = export_get(actor=actor, export_id=export_id)
    try:
        handle = open(export.stored_path, "rb")  # noqa: SIM115 - the caller streams and closes
    except OSError:
        raise NotFound("The file of this export is no longer stored.") from None
    audit_read(
        actor=actor,
        object_type="enrollment_file",
        object_id=export.pk,
        detail={"medi_cal_plan": export.medi_cal_plan_id, "members": export.members},
    )
    return export, handle


def earlier_export(
    plan: MediCalPlan, period_start: date, period_end: date
) -> EnrollmentFileExport | None:
    """The latest export of the plan for the same period."""
    return (
        EnrollmentFileExport.objects.filter(
            medi_cal_plan=plan, period_start=period_start, period_end=period_end
        )
        .order_by("-created_at", "-id")
        .first()
    )


def plan_by_code(code: str) -> MediCalPlan:
    """A Medi-Cal plan by its code at the state (``MediCalPlan.state_code``), any case."""
    plan = MediCalPlan.objects.filter(state_code__iexact=(code or "").strip()).first()
    if plan is None:
        raise ExportInvalid(f"No Medi-Cal plan has the state code {code.strip()[:20]!r}.")
    return plan


# -- the export ---------------------------------------------------------------------------


def enrollment_file_export(
    *,
    actor: User | None,
    plan: MediCalPlan,
    period_start: date,
    period_end: date,
    full: bool = False,
) -> ExportOutcome:
    """Make the plan's 834 for the period (see the module's docstring); durable."""
    export_require_admin(actor)
    if period_end < period_start:
        raise ExportInvalid("The period ends before it starts.")
    if not plan.state_code:
        raise ExportInvalid("Record the plan's code at the state before sending it a file.")
    started = time.perf_counter()
    directory = Path(settings.INTERCHANGE_EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    earlier: EnrollmentFileExport | None = None
    written: Path | None = None
    try:
        with transaction.atomic(durable=True):
            MediCalPlan.objects.select_for_update().get(pk=plan.pk)
            # Under the plan's lock: an export of the same period that just committed counts.
            earlier = earlier_export(plan, period_start, period_end)
            control = _control_number_next()
            now = timezone.now()
            export = EnrollmentFileExport.objects.create(
                medi_cal_plan=plan,
                period_start=period_start,
                period_end=period_end,
                full=full,
                interchange_control=control,
                transaction_control="0001",
                file_name=_file_name(plan, period_start, period_end, control, full),
                stored_path="",
                sha256="",
                earlier_export=earlier,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            counts = _lines_select(export, full=full, now=now)
            if not sum(counts.values()):
                raise _NothingToSend
            written = directory / export.file_name
            segments, digest, size = _file_write(export, plan, counts, written, now)
            export.stored_path = str(written)
            export.sha256 = digest
            export.size_bytes = size
            export.segments = segments
            export.members = sum(counts.values())
            export.additions = counts.get(Maintenance.ADDITION, 0)
            export.terminations = counts.get(Maintenance.TERMINATION, 0)
            export.reinstatements = counts.get(Maintenance.REINSTATEMENT, 0)
            export.changes = counts.get(Maintenance.CHANGE, 0)
            export.audits = counts.get(Maintenance.AUDIT, 0)
            export.seconds = round(time.perf_counter() - started, 3)
            export.save()
            audit_record(
                actor=actor,
                action="create",
                object_type="enrollment_file",
                object_id=export.pk,
                detail={
                    "medi_cal_plan": plan.pk,
                    "period": [period_start.isoformat(), period_end.isoformat()],
                    "full": full,
                    "interchange_control": control,
                    "counts": {k: v for k, v in sorted(counts.items())},
                    "earlier_export": earlier.pk if earlier else None,
                },
            )
    except _NothingToSend:
        audit_record(
            actor=actor,
            action="read",
            object_type="enrollment_file",
            object_id="none",
            detail={
                "medi_cal_plan": plan.pk,
                "period": [period_start.isoformat(), period_end.isoformat()],
                "nothing_to_send": True,
                "earlier_export": earlier.pk if earlier else None,
            },
        )
        return ExportOutcome(export=None, earlier=earlier)
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    logger.info(
        "834 export %s: plan %s, %s members, %s segments, %.1f s",
        export.pk,
        plan.pk,
        export.members,
        export.segments,
        export.seconds or 0.0,
    )
    return ExportOutcome(export=export, earlier=earlier)


def _control_number_next() -> int:
    """The next interchange control number, under the sequence row's lock (caller's
    transaction: a number is used only if the export that took it is committed)."""
    sender = settings.INTERCHANGE_834_SENDER_ID
    X12ControlNumber.objects.get_or_create(sender=sender)
    row = X12ControlNumber.objects.select_for_update().get(sender=sender)
    used = EnrollmentFileExport.objects.order_by("-interchange_control").first()
    number = max(row.last, used.interchange_control if used else 0) + 1
    if number > CONTROL_MAX:
        raise ExportInvalid("Interchange control numbers (9 digits) are used up.")
    row.last = number
    row.save(update_fields=["last"])
    return number


def _file_name(plan: MediCalPlan, start: date, end: date, control: int, full: bool) -> str:
    code = re.sub(r"[^A-Za-z0-9-]+", "", plan.state_code or f"plan{plan.pk}") or f"plan{plan.pk}"
    kind = "full" if full else "changes"
    return f"834_{code}_{start:%Y%m%d}-{end:%Y%m%d}_{kind}_{control:09d}.x12"


def _day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in California, as an aware datetime."""
    return datetime.combine(day, clock.min, tzinfo=ZoneInfo(settings.PROGRAM_TIME_ZONE))


def _tables() -> dict[str, str]:
    return {
        "line": EnrollmentFileLine._meta.db_table,
        "export": EnrollmentFileExport._meta.db_table,
        "enr": Enrollment._meta.db_table,
        "ben": Beneficiary._meta.db_table,
        "hist": Beneficiary.history.model._meta.db_table,
        "county": County._meta.db_table,
        "mmplan": MediMediPlan._meta.db_table,
    }


# The enrollments an incremental file speaks of: Medi-Cal plan enrollments the portal made or
# tied to a Medi-Medi Plan. Those the state's own file put here (no application, not aligned)
# the state already knows of.
_IN_SCOPE = (
    "e.kind = 'medi_cal' AND e.medi_cal_plan_id = %(plan)s "
    "AND (e.aligned_with_id IS NOT NULL OR e.application_id IS NOT NULL)"
)
# The end a file gives an enrollment: its end date once that falls in or before the period.
_END = "CASE WHEN e.end_date <= %(to)s THEN e.end_date END"
_COLUMNS = (
    "(export_id, enrollment_id, beneficiary_id, maintenance, start_date, end_date, history_id)"
)


def _lines_select(export: EnrollmentFileExport, *, full: bool, now: datetime) -> dict[str, int]:
    """Record the file's member loops as lines, set-based; return the count per maintenance."""
    t = _tables()
    ops = connection.ops
    p: dict[str, Any] = {
        "export": export.pk,
        "plan": export.medi_cal_plan_id,
        "from": ops.adapt_datefield_value(export.period_start),
        "to": ops.adapt_datefield_value(export.period_end),
        "from_at": ops.adapt_datetimefield_value(_day_start(export.period_start)),
        "to_at": ops.adapt_datetimefield_value(_day_start(export.period_end + timedelta(days=1))),
    }
    insert = f"INSERT INTO {t['line']} {_COLUMNS} "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The last export added many lines: without fresh statistics the planner takes
            # the table for nearly empty and loops over it (a sample, well under a second).
            cursor.execute(f"ANALYZE {t['line']}")
        if full:
            # Every member of the plan on any day of the period, whoever made the enrollment.
            cursor.execute(
                insert + f"SELECT %(export)s, e.id, e.beneficiary_id, '030', e.start_date, {_END}, "
                f"NULL FROM {t['enr']} e WHERE e.kind = 'medi_cal' "
                "AND e.medi_cal_plan_id = %(plan)s AND NOT e.cancelled "
                "AND e.start_date <= %(to)s AND (e.end_date IS NULL OR e.end_date >= %(from)s) "
                "ORDER BY e.beneficiary_id, e.id",
                p,
            )
        else:
            # What the plan's earlier exports last said of each enrollment they added: the end
            # of its latest 021, 024 or 025 line.
            last_sent = (
                f"SELECT l.enrollment_id, l.end_date FROM {t['line']} l JOIN (SELECT "
                "m.enrollment_id, max(m.id) AS id "
                f"FROM {t['line']} m JOIN {t['export']} x ON x.id = m.export_id "
                "WHERE x.medi_cal_plan_id = %(plan)s AND m.export_id <> %(export)s "
                "AND m.maintenance IN ('021', '024', '025') GROUP BY m.enrollment_id) latest "
                "ON latest.id = l.id"
            )
            # Terminations (024): an end, or a cancellation, the state has not been told.
            # Reinstatements (025): an end the state was told that no longer holds.
            cursor.execute(
                insert + "SELECT %(export)s, e.id, e.beneficiary_id, "
                f"CASE WHEN {_END} IS NULL THEN '025' ELSE '024' END, e.start_date, {_END}, "
                f"NULL FROM {t['enr']} e JOIN ({last_sent}) s ON s.enrollment_id = e.id "
                f"WHERE {_IN_SCOPE} AND (({_END} IS NOT NULL "
                f"AND (s.end_date IS NULL OR s.end_date <> {_END})) OR (NOT e.cancelled "
                f"AND {_END} IS NULL AND s.end_date IS NOT NULL)) ORDER BY e.beneficiary_id",
                p,
            )
            # Additions: coverage begun by the period's end that no export has added.
            cursor.execute(
                insert + f"SELECT %(export)s, e.id, e.beneficiary_id, '021', e.start_date, "
                f"{_END}, NULL FROM {t['enr']} e WHERE {_IN_SCOPE} AND NOT e.cancelled "
                "AND e.start_date <= %(to)s AND NOT EXISTS (SELECT 1 FROM "
                f"{t['line']} l WHERE l.enrollment_id = e.id AND l.maintenance = '021') "
                "ORDER BY e.beneficiary_id",
                p,
            )
            _changes_select(cursor, t, p)
        if connection.vendor == "postgresql":
            # Fresh statistics with this export's lines (visible to its own transaction), so
            # the file's query joins them by hash rather than one index probe per row; the
            # cursor that reads it is planned for all its rows, not the first tenth, and sorts
            # in memory.
            cursor.execute(f"ANALYZE {t['line']}")
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            f"SELECT maintenance, count(*) FROM {t['line']} WHERE export_id = %(export)s "
            "GROUP BY maintenance",
            p,
        )
        return {code: int(count) for code, count in cursor.fetchall()}


# The member facts a 001 change sends when they differ from the person's history row before.
_CHANGE_FIELDS = (
    "address_line1",
    "address_line2",
    "city",
    "zip_code",
    "county_id",
    "preferred_language",
)


def _changes_select(cursor: Any, t: dict[str, str], p: dict[str, Any]) -> None:
    """Changes (001): a member the state was told of in an earlier export, whose address or
    language changed in the period after that export, per the person's stored history (each
    history row compared with the one before it). The last such row of the period is sent,
    once; a member with another loop in this file gets none."""
    now_cols = ", ".join(f"h.{c}" for c in _CHANGE_FIELDS)
    before_cols = ", ".join(f"b.{c}" for c in _CHANGE_FIELDS)
    cursor.execute(
        # Each person's last history row of the period that changed a sent fact (a change row,
        # '~', compared with the person's row before it).
        "WITH changed AS MATERIALIZED (SELECT h.id AS beneficiary_id, "
        "max(h.history_id) AS history_id, max(h.history_date) AS changed_at "
        f"FROM {t['hist']} h JOIN {t['hist']} b ON b.history_id = (SELECT max(q.history_id) "
        f"FROM {t['hist']} q WHERE q.id = h.id AND q.history_id < h.history_id) "
        "WHERE h.history_type = '~' AND h.history_date >= %(from_at)s "
        f"AND h.history_date < %(to_at)s AND ({now_cols}) IS DISTINCT FROM ({before_cols}) "
        "GROUP BY h.id), "
        # Their enrollments in the plan the state was told of by an earlier export, and when.
        "told AS MATERIALIZED (SELECT e.id AS enrollment_id, e.beneficiary_id, e.start_date, "
        f"(SELECT x.created_at FROM {t['export']} x WHERE x.id = l.export_id) AS told_at "
        f"FROM changed c JOIN {t['enr']} e ON e.beneficiary_id = c.beneficiary_id "
        f"JOIN {t['line']} l ON l.enrollment_id = e.id AND l.maintenance = '021' "
        f"WHERE {_IN_SCOPE} AND l.export_id <> %(export)s AND NOT e.cancelled "
        "AND e.start_date <= %(to)s AND (e.end_date IS NULL OR e.end_date >= %(from)s)) "
        f"INSERT INTO {t['line']} {_COLUMNS} "
        "SELECT %(export)s, a.enrollment_id, a.beneficiary_id, '001', a.start_date, NULL, "
        "c.history_id FROM told a JOIN changed c ON c.beneficiary_id = a.beneficiary_id "
        "WHERE c.changed_at > a.told_at "
        f"AND NOT EXISTS (SELECT 1 FROM {t['line']} o WHERE o.export_id = %(export)s "
        "AND o.beneficiary_id = a.beneficiary_id) "
        f"AND NOT EXISTS (SELECT 1 FROM {t['line']} s WHERE s.enrollment_id = a.enrollment_id "
        "AND s.maintenance = '001' AND s.history_id = c.history_id) "
        "ORDER BY a.beneficiary_id",
        p,
    )


# The member's facts: from the history row sent for a change, else from the person now.
_TEXT = (
    "last_name",
    "first_name",
    "middle_initial",
    "address_line1",
    "address_line2",
    "city",
    "zip_code",
    "sex",
    "preferred_language",
)


def _pick(column: str) -> str:
    return f"CASE WHEN l.history_id IS NULL THEN b.{column} ELSE h.{column} END"


def _d8_sql(expression: str) -> str:
    """A date as D8 text (``CCYYMMDD``), ``''`` for none, formatted by the database."""
    if connection.vendor == "postgresql":
        return f"COALESCE(to_char({expression}, 'YYYYMMDD'), '')"
    return f"COALESCE(strftime('%%Y%%m%%d', {expression}), '')"


def _covered_sql(start: str, end: str) -> str:
    return f"({_pick(start)} <= %(to)s AND ({_pick(end)} IS NULL OR {_pick(end)} >= %(to)s))"


def _member_rows(export: EnrollmentFileExport) -> Iterator[tuple[Any, ...]]:
    """The export's lines with what the file says of each, in member order, read in chunks
    through a server-side cursor on PostgreSQL. Dates come as D8 text, Medicare as INS06."""
    t = _tables()
    part_a = _covered_sql("medicare_part_a_start", "medicare_part_a_end")
    part_b = _covered_sql("medicare_part_b_start", "medicare_part_b_end")
    sql = (
        "SELECT l.maintenance, l.history_id IS NOT NULL, "
        f"{_d8_sql('l.start_date')}, {_d8_sql('l.end_date')}, e.end_reason, e.cancelled, "
        "e.aligned_with_id IS NOT NULL, mp.contract_number, mp.pbp, b.cin, b.mbi, co.fips, "
        f"h.history_date, {_d8_sql(_pick('date_of_birth'))}, {_d8_sql(_pick('date_of_death'))}, "
        f"CASE WHEN {part_a} THEN CASE WHEN {part_b} THEN 'C' ELSE 'A' END "
        f"WHEN {part_b} THEN 'B' ELSE 'E' END, "
        + ", ".join(_pick(c) for c in _TEXT)
        + f" FROM {t['line']} l "
        f"JOIN {t['enr']} e ON e.id = l.enrollment_id "
        f"JOIN {t['ben']} b ON b.id = l.beneficiary_id "
        f"LEFT JOIN {t['hist']} h ON h.history_id = l.history_id "
        f"LEFT JOIN {t['enr']} am ON am.id = e.aligned_with_id "
        f"LEFT JOIN {t['mmplan']} mp ON mp.id = am.medi_medi_plan_id "
        f"JOIN {t['county']} co ON co.id = {_pick('county_id')} "
        "WHERE l.export_id = %(export)s ORDER BY l.beneficiary_id, l.id"
    )
    params = {
        "export": export.pk,
        "to": connection.ops.adapt_datefield_value(export.period_end),
    }
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(CHUNK_ROWS)
            if not rows:
                return
            yield from rows


def _local_d8(value: Any) -> str:
    """A stored moment (a datetime, or SQLite's text) -> its day in California, as D8."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return f"{value.astimezone(ZoneInfo(settings.PROGRAM_TIME_ZONE)):%Y%m%d}"


def _members(export: EnrollmentFileExport, plan_code: str) -> Iterator[Member]:
    """Each line as the writer's ``Member``."""
    plan = text(plan_code, 50)
    addition = Maintenance.ADDITION
    termination = Maintenance.TERMINATION
    change = Maintenance.CHANGE
    for row in _member_rows(export):
        (
            maintenance, _changed, start, end, end_reason, cancelled, aligned, contract, pbp,
            cin, mbi, fips, changed_at, birth, death, medicare, last, first, middle, line1,
            line2, city, zip_code, sex, language,
        ) = row  # fmt: skip
        reference = f"{contract}-{pbp}" if aligned and contract and pbp else ""
        if maintenance == addition:
            reason = ADDED_ALIGNED if aligned else ADDED_CHOSEN
            member = (reason, start, end, "", "", maintenance)
        elif maintenance == termination:
            code = (end_reason or "ended").upper()
            member = (
                END_REASON_CODES.get(end_reason, "07"),
                "",
                end,
                "",
                f"CANCELLED-{code}" if cancelled else code,
                maintenance,
            )
        elif maintenance == change:
            # The coverage itself is unchanged: stated for comparison (HD01 030).
            member = (CHANGED, "", "", _local_d8(changed_at), "", Maintenance.AUDIT)
        elif maintenance == Maintenance.REINSTATEMENT:
            member = (REINSTATED, start, end, "", "", maintenance)
        else:
            member = (AUDITED, start, end, "", "", maintenance)
        reason, eligibility_start, eligibility_end, changed_on, reason_code, hd = member
        yield Member(
            maintenance, reason, medicare, cin, mbi, last, first, middle, line1, line2, city,
            zip_code, fips, birth, sex, language, death, eligibility_start, eligibility_end,
            changed_on, reason_code, (Coverage(hd, plan, start, end, reference),),
        )  # fmt: skip


class _HashingWriter:
    """A text handle that encodes, hashes and counts what it writes."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode("ascii", "replace")
        self.sha.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(text)


def _file_write(
    export: EnrollmentFileExport,
    plan: MediCalPlan,
    counts: dict[str, int],
    path: Path,
    now: datetime,
) -> tuple[int, str, int]:
    """Stream the file to ``path`` (through a temporary name); return SE01, sha256, size."""
    members = sum(counts.values())
    envelope = Envelope(
        sender=settings.INTERCHANGE_834_SENDER_ID,
        receiver=settings.INTERCHANGE_834_RECEIVER_ID,
        control=export.interchange_control,
        created=now.astimezone(ZoneInfo(settings.PROGRAM_TIME_ZONE)),
        usage=settings.INTERCHANGE_834_USAGE,
    )
    header = Header(
        reference=f"{'AUDIT' if export.full else 'CHANGES'}{export.interchange_control}",
        action="4" if export.full else "2",
        effective=export.period_start,
        sponsor_name="CALIFORNIA DHCS",
        sponsor_id=settings.INTERCHANGE_834_RECEIVER_ID,
        payer_name=plan.name,
        payer_id=plan.state_code or f"plan{plan.pk}",
        members=members,
        policy=plan.state_code or "",
        transaction_control=export.transaction_control,
    )
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb", buffering=1 << 20) as raw:
        out = _HashingWriter(raw)
        writer = Writer834(out, envelope, header)  # type: ignore[arg-type]
        writer.open()
        writer.members(_members(export, plan.state_code or ""))
        segments = writer.close()
        raw.flush()
        os.fsync(raw.fileno())
    if writer.members_written != members:
        partial.unlink(missing_ok=True)
        raise RuntimeError(
            f"Export {export.pk}: {writer.members_written} member loops written, {members} chosen."
        )
    os.replace(partial, path)
    return segments, out.sha.hexdigest(), out.size
