"""Load checked eligibility records set-based: a staging table, set-based checks, one merge.

The same SQL runs on PostgreSQL and SQLite (both have ``ON CONFLICT ... WHERE``, row values,
``IS DISTINCT FROM`` and ``UPDATE ... FROM``); the few differences (loading the staging table,
date arithmetic, JSON) are the ``_Dialect`` below. PostgreSQL loads with ``COPY``; SQLite with
batched inserts, slower but with the same results (the tests run both).

Everything from the staging table to the merged rows happens in the caller's one transaction,
so a run killed halfway leaves nothing and the next run starts clean. Rows that did not change
are not written (``IS DISTINCT FROM`` in every merge), so a month whose people mostly stayed the
same costs reads, not writes.

Order of work, each a statement over the whole file:
1. stage the checked records (``STAGING_COLUMNS`` plus county and plan ids);
2. refuse records that contradict other records: a CIN or MBI twice in the file, or an MBI that
   belongs to another person on record (a person is one row; the CIN is the state's key);
3. find each record's person on record, keeping what a blank column does not say;
4. record the changes enrollment must act on (comparing the file with the record);
5. merge people, their history rows, their Medi-Cal periods and, for people in no Medi-Medi
   Plan, their Medi-Cal plan enrollment.
"""

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection

from eligibility.models import Beneficiary
from eligibility.rules.names import name_key
from interchange.records import STAGING_COLUMNS

logger = logging.getLogger(__name__)

STAGE = "interchange_stage"
# Absences from a full file above both this count and the setting's share of the people on
# record are not reviewed one by one: the file is more likely partial than the month unusual.
ABSENT_REVIEW_MIN = 100
TOUCHED = "interchange_touched"
_DATE_COLUMNS = frozenset(
    {
        "date_of_birth",
        "date_of_death",
        "medicare_part_a_start",
        "medicare_part_a_end",
        "medicare_part_b_start",
        "medicare_part_b_end",
        "medi_cal_start",
        "medi_cal_end",
    }
)
_BOOL_COLUMNS = frozenset({"incarcerated", "lawfully_present"})
# What the loader adds to each record: the county and Medi-Cal plan ids (looked up while
# staging) and the period start.
EXTRA_COLUMNS = ("county_id", "plan_id", "period_start")
# The names as staff search them (``name_key``), added to each row as it is staged.
NAME_COLUMNS = ("search_first_name", "search_last_name")
_FIRST_AT, _LAST_AT = STAGING_COLUMNS.index("first_name"), STAGING_COLUMNS.index("last_name")
# Columns of the person compared and written by the merge (the file's facts).
PERSON_COLUMNS = (
    "first_name",
    "middle_initial",
    "last_name",
    "date_of_birth",
    "sex",
    "date_of_death",
    "mbi",
    "address_line1",
    "address_line2",
    "city",
    "zip_code",
    "county_id",
    "email",
    "phone",
    "preferred_language",
    "medicare_part_a_start",
    "medicare_part_a_end",
    "medicare_part_b_start",
    "medicare_part_b_end",
    "incarcerated",
    "lawfully_present",
    *NAME_COLUMNS,
)
_STAGE_FOR_PERSON = {"preferred_language": "language"}
PERIOD_COLUMNS = ("end_date", "aid_code", "scope", "share_of_cost", "msp")


def _sql_type(name: str) -> str:
    if name in _DATE_COLUMNS or name == "period_start":
        return "date"
    if name in _BOOL_COLUMNS:
        return "boolean"
    if name in ("position", "county_id", "plan_id"):
        return "bigint"
    return "text"


@dataclass(frozen=True)
class _Dialect:
    vendor: str

    @property
    def postgres(self) -> bool:
        return self.vendor == "postgresql"

    def day_before(self, expression: str) -> str:
        return f"({expression} - 1)" if self.postgres else f"date({expression}, '-1 day')"

    def json(self, *pairs: str) -> str:
        return f"{'json_build_object' if self.postgres else 'json_object'}({', '.join(pairs)})"

    def month_end(self, expression: str) -> str:
        """The last day of the month of a date."""
        if self.postgres:
            return f"(date_trunc('month', {expression}) + interval '1 month - 1 day')::date"
        return f"date({expression}, 'start of month', '+1 month', '-1 day')"

    def true(self) -> str:
        return "true" if self.postgres else "1"

    def false(self) -> str:
        return "false" if self.postgres else "0"


@dataclass
class MergeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Loader:
    """One staging table for one import, on the default connection, inside a transaction."""

    def __init__(self, *, import_id: int, file_month: date, now: datetime) -> None:
        self.import_id = import_id
        self.file_month = file_month
        self.month_before_end = file_month - timedelta(days=1)
        self.now = now
        self.dialect = _Dialect(connection.vendor)
        self.columns = (*STAGING_COLUMNS, *EXTRA_COLUMNS, *NAME_COLUMNS)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Log how long one step took (ids and timings only), for operators and benchmarks."""
        started = time.monotonic()
        yield
        logger.info("import %s: %s in %.2f s", self.import_id, name, time.monotonic() - started)

    # -- 1. staging ------------------------------------------------------------------------

    def stage_create(self) -> None:
        columns = ", ".join(f"{name} {_sql_type(name)}" for name in self.columns)
        extra = "bid bigint, is_new boolean DEFAULT TRUE, msp_only_open date"
        with connection.cursor() as cursor:
            if self.dialect.postgres:
                self._session_tune(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
            tail = " ON COMMIT DROP" if self.dialect.postgres else ""
            cursor.execute(f"CREATE TEMP TABLE {STAGE} ({columns}, {extra}){tail}")
            cursor.execute(f"CREATE TEMP TABLE {TOUCHED} (bid bigint){tail}")

    @staticmethod
    def _session_tune(cursor: Any) -> None:
        """Memory for this transaction's joins and sorts, and for the staging table itself.

        ``temp_buffers`` can only grow before the session's first temporary table; a worker
        that imported before keeps its earlier size, which is only slower.
        """
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SAVEPOINT interchange_tune")
        try:
            cursor.execute("SET temp_buffers = '512MB'")
        except DatabaseError:
            cursor.execute("ROLLBACK TO SAVEPOINT interchange_tune")
        cursor.execute("RELEASE SAVEPOINT interchange_tune")

    def stage_rows(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Load the rows (``self.columns`` order); return how many."""
        names = ", ".join(self.columns)
        count = 0
        rows = ((*row, name_key(row[_FIRST_AT])[:64], name_key(row[_LAST_AT])[:64]) for row in rows)
        with connection.cursor() as cursor:
            if self.dialect.postgres:
                with cursor.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                sql = f"INSERT INTO {STAGE} ({names}) VALUES ({', '.join(['%s'] * len(self.columns))})"
                batch: list[tuple[Any, ...]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= 2000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch.clear()
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
            cursor.execute(f"CREATE INDEX {STAGE}_cin ON {STAGE} (cin)")
            cursor.execute(f"CREATE INDEX {STAGE}_bid ON {STAGE} (bid)")
            if self.dialect.postgres:
                cursor.execute(f"ANALYZE {STAGE}")
        return count

    # -- 2. records that contradict others --------------------------------------------------

    def contradictions_refuse(self, *, position_column: str) -> int:
        """Report and drop records that contradict each other or the record; return how many."""
        errors = "interchange_eligibilityimporterror"
        insert = f"INSERT INTO {errors} (eligibility_import_id, {position_column}, field, code, message) "
        with connection.cursor() as cursor:
            for column, code in (("cin", "DUPLICATE_CIN"), ("mbi", "DUPLICATE_MBI")):
                cursor.execute(
                    insert + f"SELECT %s, position, %s, %s, %s FROM {STAGE} WHERE {column} IN "
                    f"(SELECT {column} FROM {STAGE} GROUP BY {column} HAVING count(*) > 1)",
                    [
                        self.import_id,
                        column,
                        code,
                        f"the same {column} is on more than one record of the file",
                    ],
                )
            cursor.execute(
                insert + f"SELECT %s, s.position, 'mbi', 'IDENTITY_CONFLICT', %s FROM {STAGE} s "
                "JOIN eligibility_beneficiary b ON b.mbi = s.mbi WHERE b.cin <> s.cin",
                [self.import_id, "the mbi belongs to another person on record (another cin)"],
            )
            cursor.execute(
                f"DELETE FROM {STAGE} WHERE position IN (SELECT {position_column} FROM {errors} "
                f"WHERE eligibility_import_id = %s AND code IN "
                "('DUPLICATE_CIN', 'DUPLICATE_MBI', 'IDENTITY_CONFLICT'))",
                [self.import_id],
            )
            return int(cursor.rowcount)

    # -- 3. who is on record ---------------------------------------------------------------

    def people_find(self) -> None:
        """Link each record to its person by CIN; a blank optional column keeps the record's value."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {STAGE} SET bid = b.id, is_new = {self.dialect.false()}, "
                f"language = COALESCE(NULLIF({STAGE}.language, ''), b.preferred_language), "
                f"phone = COALESCE(NULLIF({STAGE}.phone, ''), b.phone), "
                f"email = COALESCE(NULLIF({STAGE}.email, ''), b.email), "
                f"sex = COALESCE(NULLIF({STAGE}.sex, ''), b.sex), "
                f"middle_initial = COALESCE(NULLIF({STAGE}.middle_initial, ''), b.middle_initial), "
                f"date_of_death = COALESCE({STAGE}.date_of_death, b.date_of_death) "
                f"FROM eligibility_beneficiary b WHERE b.cin = {STAGE}.cin"
            )
            cursor.execute(f"UPDATE {STAGE} SET language = 'en' WHERE language = ''")
            # A Medicare Savings Program alone carries no period start: keep the open one.
            cursor.execute(
                f"UPDATE {STAGE} SET period_start = p.start_date "
                "FROM eligibility_medicaleligibility p "
                f"WHERE p.beneficiary_id = {STAGE}.bid AND {STAGE}.medi_cal_start IS NULL "
                f"AND {STAGE}.scope = 'none' AND p.scope = '' AND p.msp = {STAGE}.msp "
                "AND p.end_date IS NULL"
            )

    # -- 4. changes enrollment must act on -------------------------------------------------

    def _full_now(self, s: str = "s") -> str:
        return (
            f"({s}.scope = 'full' AND {s}.share_of_cost <> 'unmet' AND {s}.medi_cal_start <= %(fm)s "
            f"AND ({s}.medi_cal_end IS NULL OR {s}.medi_cal_end >= %(fm)s))"
        )

    _FULL_BEFORE = (
        "EXISTS (SELECT 1 FROM eligibility_medicaleligibility p WHERE p.beneficiary_id = s.bid "
        "AND p.scope = 'full' AND p.share_of_cost <> 'unmet' AND p.start_date <= %(fm)s "
        "AND (p.end_date IS NULL OR p.end_date >= %(fm)s))"
    )
    _OPEN_MEDI_MEDI = (
        "EXISTS (SELECT 1 FROM enrollment_enrollment e WHERE e.beneficiary_id = {bid} "
        "AND e.kind = 'medi_medi' AND NOT e.cancelled AND (e.end_date IS NULL OR e.end_date >= %(fm)s))"
    )
    _CURRENT_MEDI_CAL_PLAN = (
        "(SELECT e.medi_cal_plan_id FROM enrollment_enrollment e WHERE e.beneficiary_id = s.bid "
        "AND e.kind = 'medi_cal' AND NOT e.cancelled AND e.start_date <= %(fm)s "
        "AND (e.end_date IS NULL OR e.end_date >= %(fm)s) ORDER BY e.id LIMIT 1)"
    )

    def changes_record(self, *, full_file: bool, absent_share: float) -> str | None:
        """Record the changes; return a warning when a full file misses too many people."""
        d = self.dialect
        p: dict[str, Any] = {"imp": self.import_id, "fm": self.file_month}
        head = (
            "INSERT INTO interchange_eligibilitychange "
            "(eligibility_import_id, beneficiary_id, kind, detail, applied_at) "
        )
        tail = " ON CONFLICT DO NOTHING"
        join = f"FROM {STAGE} s JOIN eligibility_beneficiary b ON b.id = s.bid"
        fm_text = "CAST(%(fm_text)s AS text)"
        p["fm_text"] = self.file_month.isoformat()
        statements = [
            (
                "died",
                d.json("'date_of_death'", "s.date_of_death"),
                "s.date_of_death IS NOT NULL AND b.date_of_death IS NULL",
            ),
            (
                "moved",
                d.json("'from_county'", "b.county_id", "'to_county'", "s.county_id"),
                "s.county_id <> b.county_id",
            ),
            ("incarcerated", d.json(), "s.incarcerated AND NOT b.incarcerated"),
            (
                "medicare_ended",
                "CASE WHEN s.medicare_part_b_end IS NOT NULL AND "
                "s.medicare_part_b_end IS DISTINCT FROM b.medicare_part_b_end AND "
                "(s.medicare_part_a_end IS NULL OR s.medicare_part_a_end IS NOT DISTINCT FROM "
                "b.medicare_part_a_end OR s.medicare_part_b_end < s.medicare_part_a_end) THEN "
                + d.json("'part'", "'B'", "'end_date'", "s.medicare_part_b_end")
                + " ELSE "
                + d.json("'part'", "'A'", "'end_date'", "s.medicare_part_a_end")
                + " END",
                "((s.medicare_part_a_end IS NOT NULL AND s.medicare_part_a_end IS DISTINCT FROM "
                "b.medicare_part_a_end) OR (s.medicare_part_b_end IS NOT NULL AND "
                "s.medicare_part_b_end IS DISTINCT FROM b.medicare_part_b_end))",
            ),
            (
                "medi_cal_lost",
                d.json("'first_month_without'", fm_text),
                f"{self._FULL_BEFORE} AND NOT {self._full_now()}",
            ),
            (
                "medi_cal_regained",
                d.json("'first_month_with'", fm_text),
                f"NOT {self._FULL_BEFORE} AND {self._full_now()}",
            ),
            (
                "medi_cal_plan",
                d.json("'from_plan'", self._CURRENT_MEDI_CAL_PLAN, "'to_plan'", "s.plan_id"),
                self._OPEN_MEDI_MEDI.format(bid="s.bid")
                + f" AND s.plan_id IS DISTINCT FROM {self._CURRENT_MEDI_CAL_PLAN}",
            ),
        ]
        with connection.cursor() as cursor:
            for kind, detail, where in statements:
                cursor.execute(
                    f"{head}SELECT %(imp)s, s.bid, '{kind}', {detail}, NULL {join} "
                    f"WHERE {where}{tail}",
                    p,
                )
            if not full_file:
                return None
            absent = (
                "FROM eligibility_beneficiary b WHERE b.date_of_death IS NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {STAGE} s WHERE s.cin = b.cin)"
            )
            cursor.execute(f"SELECT count(*) {absent}")
            missing = int(cursor.fetchone()[0])
            cursor.execute("SELECT count(*) FROM eligibility_beneficiary")
            on_record = int(cursor.fetchone()[0])
            if missing > ABSENT_REVIEW_MIN and missing > absent_share * on_record:
                # Not a month's churn: a partial file sent as full, or the wrong file.
                return (
                    f"{missing} of {on_record} people on record are not in this full file: more "
                    f"than {absent_share:.0%}, so no 'not in this month's file' review was opened. "
                    "Was it a change file?"
                )
            cursor.execute(
                f"{head}SELECT %(imp)s, b.id, 'not_in_file', {d.json()}, NULL {absent}{tail}", p
            )
        return None

    # -- 5. the merge ----------------------------------------------------------------------

    def merge(self) -> MergeCounts:
        counts = MergeCounts()
        d = self.dialect
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), count(bid) FROM {STAGE}")
            staged, known = cursor.fetchone()
            counts.created = staged - known
            with self.step("people merged"):
                self._people_merge(cursor)
            with self.step("history written"):
                self._history_write(cursor)
            with self.step("Medi-Cal periods merged"):
                self._periods_merge(cursor)
            with self.step("Medi-Cal plan enrollments merged"):
                self._medi_cal_plans_merge(cursor)
            cursor.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT t.bid FROM {TOUCHED} t "
                f"JOIN {STAGE} s ON s.bid = t.bid WHERE s.is_new = {d.false()}) touched"
            )
            counts.updated = int(cursor.fetchone()[0])
            counts.unchanged = staged - counts.created - counts.updated
        return counts

    def _people_merge(self, cursor: Any) -> None:
        d = self.dialect
        target = "eligibility_beneficiary"
        source = [f"s.{_STAGE_FOR_PERSON.get(c, c)}" for c in PERSON_COLUMNS]
        insert_columns = (*PERSON_COLUMNS, "cin", "preferred_format", "updated_at")
        cursor.execute(
            f"INSERT INTO {target} ({', '.join(insert_columns)}) "
            f"SELECT {', '.join(source)}, s.cin, 'standard', %s FROM {STAGE} s WHERE {d.true()} "
            # In CIN order: the unique index fills page by page instead of at random.
            "ORDER BY s.cin "
            f"ON CONFLICT (cin) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in (*PERSON_COLUMNS, "updated_at"))
            + f" WHERE ({', '.join(f'{target}.{c}' for c in PERSON_COLUMNS)}) IS DISTINCT FROM "
            f"({', '.join(f'excluded.{c}' for c in PERSON_COLUMNS)})",
            [self.now],
        )
        cursor.execute(
            f"UPDATE {STAGE} SET bid = b.id FROM {target} b "
            f"WHERE {STAGE}.bid IS NULL AND b.cin = {STAGE}.cin"
        )
        cursor.execute(
            f"INSERT INTO {TOUCHED} (bid) SELECT s.bid FROM {STAGE} s JOIN {target} b "
            "ON b.id = s.bid WHERE b.updated_at = %s",
            [self.now],
        )
        # A person who moved or changed name: their applications' copies of the county and the
        # last-name key follow (the staff queue filters them; enrollment.signals keeps them for
        # other saves).
        cursor.execute(
            "UPDATE enrollment_application SET county_id = b.county_id, "
            "search_last_name = b.search_last_name "
            f"FROM eligibility_beneficiary b WHERE b.id = enrollment_application.beneficiary_id "
            f"AND b.id IN (SELECT bid FROM {TOUCHED}) "
            "AND (enrollment_application.county_id IS DISTINCT FROM b.county_id "
            "OR enrollment_application.search_last_name <> b.search_last_name)"
        )

    def _history_write(self, cursor: Any) -> None:
        """One history row per person created or changed, as simple_history writes them."""
        history = Beneficiary.history.model
        columns = [f.column for f in Beneficiary._meta.concrete_fields]
        cursor.execute(
            f"INSERT INTO {history._meta.db_table} ({', '.join(columns)}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {', '.join(f'b.{c}' for c in columns)}, %s, %s, "
            f"CASE WHEN s.is_new THEN '+' ELSE '~' END, NULL "
            f"FROM {STAGE} s JOIN eligibility_beneficiary b ON b.id = s.bid "
            "WHERE b.updated_at = %s ORDER BY b.id",
            [self.now, f"State eligibility file (import {self.import_id})", self.now],
        )

    def _periods_merge(self, cursor: Any) -> None:
        d = self.dialect
        target = "eligibility_medicaleligibility"
        compare_new = (
            "excluded.end_date",
            "excluded.aid_code",
            "excluded.scope",
            "excluded.share_of_cost",
            "excluded.msp",
        )
        merge = (
            f"INSERT INTO {target} (beneficiary_id, start_date, end_date, aid_code, scope, "
            "share_of_cost, msp) SELECT s.bid, s.period_start, s.medi_cal_end, s.aid_code, "
            "CASE WHEN s.scope = 'none' THEN '' ELSE s.scope END, s.share_of_cost, s.msp "
            f"FROM {STAGE} s WHERE s.period_start IS NOT NULL ORDER BY s.bid "
            "ON CONFLICT (beneficiary_id, start_date) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in PERIOD_COLUMNS)
            + f" WHERE ({', '.join(f'{target}.{c}' for c in PERIOD_COLUMNS)}) IS DISTINCT FROM "
            f"({', '.join(compare_new)})"
        )
        self._returning_into_touched(cursor, merge, "beneficiary_id", [])
        # The file's period replaces what overlapped it from before; no Medi-Cal this month
        # ends what covered the month.
        close = (
            f"UPDATE {target} SET end_date = {{end}} FROM {STAGE} s "
            f"WHERE {target}.beneficiary_id = s.bid AND {{where}}"
        )
        self._returning_into_touched(
            cursor,
            close.format(
                end=d.day_before("s.period_start"),
                where=(
                    f"s.period_start IS NOT NULL AND {target}.start_date < s.period_start "
                    f"AND ({target}.end_date IS NULL OR {target}.end_date >= s.period_start)"
                ),
            ),
            f"{target}.beneficiary_id",
            [],
        )
        self._returning_into_touched(
            cursor,
            close.format(
                end="%s",
                where=(
                    f"s.period_start IS NULL AND {target}.start_date < %s "
                    f"AND ({target}.end_date IS NULL OR {target}.end_date >= %s)"
                ),
            ),
            f"{target}.beneficiary_id",
            [self.month_before_end, self.file_month, self.file_month],
        )

    def _medi_cal_plans_merge(self, cursor: Any) -> None:
        """Move the Medi-Cal plan enrollment of people in no Medi-Medi Plan to the file's plan,
        and end it for those who died.

        A member of a Medi-Medi Plan keeps the aligned plan: a different plan in the file is a
        change for staff to review (``medi_cal_plan``), never moved here.
        """
        d = self.dialect
        target = "enrollment_enrollment"
        p: dict[str, Any] = {
            "fm": self.file_month,
            "before": self.month_before_end,
            "now": self.now,
            "note": f"State eligibility file {self.file_month:%Y-%m}",
        }
        no_medi_medi = "NOT " + self._OPEN_MEDI_MEDI.format(bid="s.bid")
        # A death ends the Medi-Cal plan enrollment on the last day of the month of death
        # (cancelled if it starts later); a member of a Medi-Medi Plan is enrollment's to end.
        death_month_end = d.month_end("s.date_of_death")
        of_the_dead = (
            f"{target}.beneficiary_id = s.bid AND {target}.kind = 'medi_cal' AND NOT "
            f"{target}.cancelled AND s.date_of_death IS NOT NULL AND {no_medi_medi} AND "
            f"({target}.end_date IS NULL OR {target}.end_date > {death_month_end})"
        )
        self._returning_into_touched(
            cursor,
            f"UPDATE {target} SET end_date = {death_month_end}, end_reason = 'died', "
            f"end_note = %(note)s, updated_at = %(now)s FROM {STAGE} s "
            f"WHERE {of_the_dead} AND {target}.start_date <= {death_month_end}",
            f"{target}.beneficiary_id",
            p,
        )
        self._returning_into_touched(
            cursor,
            f"UPDATE {target} SET cancelled = {d.true()}, end_date = {target}.start_date, "
            "end_reason = 'died', end_note = %(note)s, updated_at = %(now)s "
            f"FROM {STAGE} s WHERE {of_the_dead} AND {target}.start_date > {death_month_end}",
            f"{target}.beneficiary_id",
            p,
        )
        differs = (
            f"{target}.beneficiary_id = s.bid AND {target}.kind = 'medi_cal' AND NOT "
            f"{target}.cancelled AND ({target}.end_date IS NULL OR {target}.end_date >= %(fm)s) "
            f"AND {target}.medi_cal_plan_id IS DISTINCT FROM s.plan_id AND {no_medi_medi} "
            "AND s.date_of_death IS NULL"
        )
        self._returning_into_touched(
            cursor,
            f"UPDATE {target} SET end_date = %(before)s, end_reason = 'mc_plan_changed', "
            f"end_note = %(note)s, updated_at = %(now)s FROM {STAGE} s "
            f"WHERE {differs} AND {target}.start_date < %(fm)s",
            f"{target}.beneficiary_id",
            p,
        )
        self._returning_into_touched(
            cursor,
            f"UPDATE {target} SET cancelled = {d.true()}, end_date = {target}.start_date, "
            "end_reason = 'superseded', end_note = %(note)s, updated_at = %(now)s "
            f"FROM {STAGE} s WHERE {differs} AND {target}.start_date >= %(fm)s",
            f"{target}.beneficiary_id",
            p,
        )
        self._returning_into_touched(
            cursor,
            f"INSERT INTO {target} (beneficiary_id, kind, medi_cal_plan_id, start_date, "
            "cancelled, end_reason, end_note, member_id, created_at, updated_at) "
            f"SELECT s.bid, 'medi_cal', s.plan_id, %(fm)s, {d.false()}, '', '', '', %(now)s, "
            "%(now)s "
            f"FROM {STAGE} s WHERE s.plan_id IS NOT NULL AND s.date_of_death IS NULL "
            f"AND {no_medi_medi} AND NOT EXISTS "
            "(SELECT 1 FROM enrollment_enrollment e WHERE e.beneficiary_id = s.bid AND "
            "e.kind = 'medi_cal' AND NOT e.cancelled AND (e.end_date IS NULL OR e.end_date >= %(fm)s)) "
            "ORDER BY s.bid",
            "beneficiary_id",
            p,
        )

    def _returning_into_touched(
        self, cursor: Any, statement: str, column: str, params: Any
    ) -> None:
        """Run a merge statement and note the people it wrote."""
        returning = f" RETURNING {column.split('.')[-1] if self.dialect.postgres else column}"
        if self.dialect.postgres:
            cursor.execute(
                f"WITH written AS ({statement}{returning}) "
                f"INSERT INTO {TOUCHED} (bid) SELECT * FROM written",
                params,
            )
            return
        cursor.execute(statement + returning, params)
        ids = [(row[0],) for row in cursor.fetchall()]
        if ids:
            cursor.executemany(f"INSERT INTO {TOUCHED} (bid) VALUES (%s)", ids)

    def stage_drop(self) -> None:
        if self.dialect.postgres:
            return  # ON COMMIT DROP
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
