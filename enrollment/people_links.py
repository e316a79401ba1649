"""Which people each organization's staff may see, kept as rows (issue 12).

``enrollment.access.beneficiary_scope`` lets staff of an organization see the people who ever
applied to (submitted an application to) or were enrolled in one of its plans, a Medi-Medi
Plan or a Medi-Cal plan. Asked per person as two ``EXISTS`` over applications and enrollments,
the staff people list walked the whole state by id to fill a page (358-852 ms at 1.5 million
people). ``OrganizationPerson`` holds that rule's answer, one row per (organization, person),
so the list is a range of one index in id order.

The rows are written by the database itself, in the same statement as the application or
enrollment that makes them true (triggers made by migration ``enrollment/0016_r7``), so no
writer can forget them: the services, the intake, the eligibility-file loader's set-based
inserts, plan-wide transfers (COPY), the admin, fixtures and the benchmarks' bulk
``INSERT ... SELECT``:

- an application or enrollment inserted: its (organization, person) pairs, set-based
  (PostgreSQL: once per statement, from the statement's new rows; ``ON CONFLICT DO NOTHING``);
- an application submitted, or one whose plan or person changes, an enrollment whose plans or
  person change, either deleted, a plan moved to another organization: the people concerned are
  re-derived (pairs no longer supported are deleted, new ones inserted).

The same migration adds ``beneficiary_county_id_order`` on ``eligibility_beneficiary (county_id,
id)`` (``COUNTY_INDEX``, created in SQL: it serves this list, so it lives with it), so a county
filter is also a range in id order.

``SUPPORT`` and ``SOURCES`` below are the rule written in SQL, the one place the triggers and
the backfill take it from; ``enrollment.access`` names the rule and uses the rows, and
``tests/enrollment/test_people_links.py`` checks the rows against the rule computed from the
records after every kind of write.
"""

# ruff: noqa: S608 (the SQL is built from this module's constants, never from input)
from django.db import models

from eligibility.models import Beneficiary, Organization

TABLE = "enrollment_organizationperson"


class OrganizationPerson(models.Model):
    """A person the organization's staff may see (see the module's docstring): written only by
    the database's triggers and the migration's backfill, never by Python code."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            # Also the index the staff people list reads: one organization's people by id.
            models.UniqueConstraint(
                fields=["organization", "beneficiary"], name="organization_person_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Organization {self.organization_id}: person {self.beneficiary_id}"


# ---------------------------------------------------------------------------------------------
# The rule in SQL. ``{b}`` is a condition on a person id column (``{col}`` in it).

# (organization, person) pairs the records support, for the people ``cond`` selects.
SOURCES = """
SELECT p.organization_id AS organization_id, a.beneficiary_id AS beneficiary_id
  FROM enrollment_application a JOIN eligibility_medimediplan p ON p.id = a.plan_id
 WHERE a.submitted_at IS NOT NULL AND {a}
UNION
SELECT p.organization_id, e.beneficiary_id
  FROM enrollment_enrollment e JOIN eligibility_medimediplan p ON p.id = e.medi_medi_plan_id
 WHERE {e}
UNION
SELECT c.organization_id, e.beneficiary_id
  FROM enrollment_enrollment e JOIN eligibility_medicalplan c ON c.id = e.medi_cal_plan_id
 WHERE {e}
"""

# Whether the records still support a row of the table (in a DELETE of its rows).
SUPPORT = f"""(
EXISTS (SELECT 1 FROM enrollment_application a JOIN eligibility_medimediplan p ON p.id = a.plan_id
         WHERE a.beneficiary_id = {TABLE}.beneficiary_id AND a.submitted_at IS NOT NULL
           AND p.organization_id = {TABLE}.organization_id)
OR EXISTS (SELECT 1 FROM enrollment_enrollment e
             JOIN eligibility_medimediplan p ON p.id = e.medi_medi_plan_id
            WHERE e.beneficiary_id = {TABLE}.beneficiary_id
              AND p.organization_id = {TABLE}.organization_id)
OR EXISTS (SELECT 1 FROM enrollment_enrollment e
             JOIN eligibility_medicalplan c ON c.id = e.medi_cal_plan_id
            WHERE e.beneficiary_id = {TABLE}.beneficiary_id
              AND c.organization_id = {TABLE}.organization_id)
)"""


def sources(people: str) -> str:
    """``SOURCES`` for the people ``people`` selects (a condition with ``{col}``, the person
    id column; "TRUE" for everyone)."""
    return SOURCES.format(
        a=people.format(col="a.beneficiary_id"), e=people.format(col="e.beneficiary_id")
    )


def resync(people: str, *, vendor: str) -> list[str]:
    """Statements that make the rows of the people ``people`` selects match their records."""
    insert = "INSERT OR IGNORE INTO" if vendor == "sqlite" else "INSERT INTO"
    conflict = (
        "" if vendor == "sqlite" else " ON CONFLICT (organization_id, beneficiary_id) DO NOTHING"
    )
    return [
        f"DELETE FROM {TABLE} WHERE {people.format(col=f'{TABLE}.beneficiary_id')} "
        f"AND NOT {SUPPORT}",
        f"{insert} {TABLE} (organization_id, beneficiary_id) "
        f"SELECT organization_id, beneficiary_id FROM ({sources(people)}) s "
        f"ORDER BY organization_id, beneficiary_id{conflict}",
    ]


def backfill(*, vendor: str) -> list[str]:
    """Statements writing every person's rows from the records (the migration; a repair)."""
    return resync("1 = 1", vendor=vendor)


# ---------------------------------------------------------------------------------------------
# The row triggers: (name, table, event, condition, the people to re-derive). Inserts are
# ``_PG_INSERTED`` on PostgreSQL (per statement), a row trigger re-deriving the person on SQLite.

_APPLICATION_KEYS = ("plan_id", "beneficiary_id", "submitted_at")
_ENROLLMENT_KEYS = ("medi_medi_plan_id", "medi_cal_plan_id", "beneficiary_id")
_BOTH = "{col} IN (OLD.beneficiary_id, NEW.beneficiary_id)"


def _changed(columns: tuple[str, ...], *, vendor: str) -> str:
    differs = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    parts = []
    for column in columns:
        if column == "submitted_at":  # only being submitted or not matters
            parts.append("(OLD.submitted_at IS NULL) <> (NEW.submitted_at IS NULL)")
        else:
            parts.append(f"OLD.{column} {differs} NEW.{column}")
    return " OR ".join(parts)


def _triggers(vendor: str) -> list[tuple[str, str, str, str, str]]:
    """(name, table, event, condition, people) for the row triggers."""
    return [
        (
            "organization_people_application_updated",
            "enrollment_application",
            "UPDATE OF " + ", ".join(_APPLICATION_KEYS),
            _changed(_APPLICATION_KEYS, vendor=vendor),
            _BOTH,
        ),
        (
            "organization_people_application_deleted",
            "enrollment_application",
            "DELETE",
            "OLD.submitted_at IS NOT NULL",
            "{col} = OLD.beneficiary_id",
        ),
        (
            "organization_people_enrollment_updated",
            "enrollment_enrollment",
            "UPDATE OF " + ", ".join(_ENROLLMENT_KEYS),
            _changed(_ENROLLMENT_KEYS, vendor=vendor),
            _BOTH,
        ),
        (
            "organization_people_enrollment_deleted",
            "enrollment_enrollment",
            "DELETE",
            "",
            "{col} = OLD.beneficiary_id",
        ),
        (
            "organization_people_medi_medi_plan_moved",
            "eligibility_medimediplan",
            "UPDATE OF organization_id",
            _changed(("organization_id",), vendor=vendor),
            "{col} IN (SELECT beneficiary_id FROM enrollment_application WHERE plan_id = NEW.id "
            "UNION SELECT beneficiary_id FROM enrollment_enrollment "
            "WHERE medi_medi_plan_id = NEW.id)",
        ),
        (
            "organization_people_medi_cal_plan_moved",
            "eligibility_medicalplan",
            "UPDATE OF organization_id",
            _changed(("organization_id",), vendor=vendor),
            "{col} IN (SELECT beneficiary_id FROM enrollment_enrollment "
            "WHERE medi_cal_plan_id = NEW.id)",
        ),
    ]


# PostgreSQL: an insert statement adds its rows' pairs at once (COPY and INSERT ... SELECT of
# any size: one join of the statement's new rows).
_PG_INSERTED = {
    "enrollment_application": """
        SELECT p.organization_id, n.beneficiary_id
          FROM new_rows n JOIN eligibility_medimediplan p ON p.id = n.plan_id
         WHERE n.submitted_at IS NOT NULL""",
    "enrollment_enrollment": """
        SELECT p.organization_id, n.beneficiary_id
          FROM new_rows n JOIN eligibility_medimediplan p ON p.id = n.medi_medi_plan_id
        UNION
        SELECT c.organization_id, n.beneficiary_id
          FROM new_rows n JOIN eligibility_medicalplan c ON c.id = n.medi_cal_plan_id""",
}


# The people of a county in id order: with the organization's rows (also in id order), the
# list filtered by county is a merge of two index-only ranges (an index on ``county_id`` alone
# returns its people in no order: the list read their rows from the table, 50-400 ms).
COUNTY_INDEX = "beneficiary_county_id_order"


def install(*, vendor: str) -> list[str]:
    """The statements creating the triggers and the county index (migration ``0016_r7``)."""
    statements: list[str] = [
        f"CREATE INDEX IF NOT EXISTS {COUNTY_INDEX} ON eligibility_beneficiary (county_id, id)"
    ]
    if vendor == "postgresql":
        for table, pairs in _PG_INSERTED.items():
            name = f"organization_people_{table.removeprefix('enrollment_')}_inserted"
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ "
                f"BEGIN INSERT INTO {TABLE} (organization_id, beneficiary_id) "
                f"SELECT DISTINCT * FROM ({pairs}) s ORDER BY 1, 2 "
                "ON CONFLICT (organization_id, beneficiary_id) DO NOTHING; RETURN NULL; END $f$",
                f"CREATE TRIGGER {name} AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
        for name, table, event, condition, people in _triggers(vendor):
            body = "; ".join(resync(people, vendor=vendor))
            when = f" WHEN ({condition})" if condition else ""
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ "
                f"BEGIN {body}; RETURN NULL; END $f$",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                f"EXECUTE FUNCTION {name}()",
            ]
        return statements
    if vendor != "sqlite":
        raise NotImplementedError(vendor)
    rows = [
        (
            f"organization_people_{table.removeprefix('enrollment_')}_inserted",
            table,
            "INSERT",
            "",
            "{col} = NEW.beneficiary_id",
        )
        for table in _PG_INSERTED
    ]
    for name, table, event, condition, people in rows + _triggers(vendor):
        body = "".join(f"{statement}; " for statement in resync(people, vendor=vendor))
        when = f" WHEN {condition}" if condition else ""
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body}END"
        )
    return statements


def uninstall(*, vendor: str) -> list[str]:
    """The statements dropping the triggers and the index (the migration's reverse)."""
    names = [f"organization_people_{t.removeprefix('enrollment_')}_inserted" for t in _PG_INSERTED]
    tables = dict.fromkeys(_PG_INSERTED)
    pairs = [(n, t) for n, t in zip(names, tables, strict=True)]
    pairs += [(name, table) for name, table, *_ in _triggers(vendor)]
    index = [f"DROP INDEX IF EXISTS {COUNTY_INDEX}"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name, _ in pairs] + index
    return (
        [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in pairs]
        + [f"DROP FUNCTION IF EXISTS {name}()" for name, _ in pairs]
        + index
    )
