"""Reconciliation: the state's view of each person's Medi-Cal plan against the enrollments here.

Run by the import right after its merge, in the same transaction and over the same staging
table (``interchange.loader``), so a run killed halfway leaves nothing and a run again of the
same file finds the same thing. Set-based: one ``INSERT ... SELECT`` per discrepancy kind, then a
fixed handful of statements to open, link and close review items; no per-person Python loop.

What the state's file says of a person is the Medi-Cal plan (``medi_cal_plan_code``, staged as
``plan_id``; blank: fee-for-service) and the start of the coverage the record belongs to
(``medi_cal_start``, in an 834 the HD loop's ``DTP*348``). What the portal says is the Medi-Cal
plan enrollment covering the first day of the file's month. Three kinds of discrepancy:

- ``recon_not_at_state``: a member of a Medi-Medi Plan (a Medi-Cal enrollment ``aligned_with`` a
  Medi-Medi one) whose aligned Medi-Cal plan the file does not show (another plan, or none).
  For the aligned plan's organization.
- ``recon_not_here``: the file shows the person in a Medi-Cal plan in which nobody here has an
  enrollment for the month. After the merge (which moves the Medi-Cal plan enrollment of people
  in no Medi-Medi Plan to the file's plan) these are mostly members shown in another plan. For
  the file's plan's organization.
- ``recon_start_differs``: the file shows the plan of the enrollment here, but its coverage
  starts after that enrollment started: days the portal counts in the plan that the state does
  not. (A state start before the enrollment's is normal: Medi-Cal eligibility usually began
  long before the plan enrollment.) For the plan's organization.

Each discrepancy is a ``ReconciliationDiscrepancy`` row, unique per (person, plan, kind, month):
the same file again, or a corrected file of the same month, updates rows instead of adding
them. Each row is linked to a review item of the same kind for the plan's organization: the
item still open for the same person, plan and kind from an earlier month, else a new one (so a
discrepancy that lasts months is one item, listed on each month's page). A person in the file
whose open reconciliation item is no longer found is closed by the system with a note (the
state and the portal agree again). People not in the file (a change file) keep theirs.

Reads (the reconciliation page and ``GET /api/v1/reconciliation``) take the acting user: staff
see their organization's Medi-Cal plans only, admins all, members none (403); another
organization's plan is not found (404). A page of rows names members, so it is audited.

People whose death the file dates before its month are not compared (their enrollments end
through the ``died`` change; the plan code left on their record is not a disagreement).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, QuerySet

from accounts.errors import DomainError, NotFound
from accounts.models import User
from eligibility.models import MediCalPlan
from enrollment import access
from enrollment.models import ReviewStatus
from interchange.loader import STAGE, Loader
from interchange.models import DiscrepancyKind, ReconciliationDiscrepancy
from interchange.records import parse_month

RECONCILIATION_PAGE_SIZE = 25
TABLE = ReconciliationDiscrepancy._meta.db_table
SOURCE_PREFIX = "reconciliation:"
KINDS: tuple[str, ...] = tuple(DiscrepancyKind.values)
# The report's keys, in this order: the count of each kind, then the review items.
REPORT_KEYS: tuple[str, ...] = (*KINDS, "review_items_opened", "review_items_closed")


def report_empty() -> dict[str, int]:
    return dict.fromkeys(REPORT_KEYS, 0)


_REPORT_LABELS = {
    **dict(DiscrepancyKind.choices),
    "review_items_opened": "Review items opened",
    "review_items_closed": "Review items closed (the state and the portal agree again)",
}


def kind_labels() -> list[tuple[str, str]]:
    """Each discrepancy kind with its words, in ``KINDS`` order."""
    return [(kind, _REPORT_LABELS[kind]) for kind in KINDS]


def report_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The report's reconciliation counts in words, in ``REPORT_KEYS`` order (the admin page)."""
    return [(_REPORT_LABELS[key], int(counts.get(key, 0))) for key in REPORT_KEYS]


# -- the run, inside the import's transaction ---------------------------------------------------

_COVERS = (
    "NOT e.cancelled AND e.kind = 'medi_cal' AND e.start_date <= %(fm)s "
    "AND (e.end_date IS NULL OR e.end_date >= %(fm)s)"
)
# People whose death the file dates before its month are not compared: the death ends their
# enrollments (``died``), and the plan code left on their record is no disagreement to review.
_ALIVE = "(s.date_of_death IS NULL OR s.date_of_death >= %(fm)s)"
_INSERT = (
    f"INSERT INTO {TABLE} (eligibility_import_id, beneficiary_id, organization_id, "
    "medi_cal_plan_id, month, kind, state_plan_id, state_start, enrollment_id, portal_start, "
    "review_item_id, created_at) "
)
_UPSERT = (
    " ON CONFLICT (beneficiary_id, medi_cal_plan_id, kind, month) DO UPDATE SET "
    "eligibility_import_id = excluded.eligibility_import_id, "
    "organization_id = excluded.organization_id, state_plan_id = excluded.state_plan_id, "
    "state_start = excluded.state_start, enrollment_id = excluded.enrollment_id, "
    "portal_start = excluded.portal_start"
)
# One statement per kind: what it selects, in ``_INSERT``'s column order.
_FIND: dict[str, str] = {
    DiscrepancyKind.NOT_AT_STATE: (
        "SELECT %(imp)s, s.bid, p.organization_id, e.medi_cal_plan_id, %(fm)s, "
        "'recon_not_at_state', s.plan_id, s.medi_cal_start, e.id, e.start_date, NULL, %(now)s "
        f"FROM enrollment_enrollment e JOIN {STAGE} s ON s.bid = e.beneficiary_id "
        "JOIN eligibility_medicalplan p ON p.id = e.medi_cal_plan_id "
        f"WHERE e.aligned_with_id IS NOT NULL AND {_COVERS} AND {_ALIVE} "
        "AND s.plan_id IS DISTINCT FROM e.medi_cal_plan_id"
    ),
    DiscrepancyKind.NOT_HERE: (
        "SELECT %(imp)s, s.bid, p.organization_id, s.plan_id, %(fm)s, 'recon_not_here', "
        "s.plan_id, s.medi_cal_start, NULL, NULL, NULL, %(now)s "
        f"FROM {STAGE} s JOIN eligibility_medicalplan p ON p.id = s.plan_id "
        f"WHERE s.plan_id IS NOT NULL AND {_ALIVE} AND NOT EXISTS "
        "(SELECT 1 FROM enrollment_enrollment e "
        f"WHERE e.beneficiary_id = s.bid AND e.medi_cal_plan_id = s.plan_id AND {_COVERS})"
    ),
    DiscrepancyKind.START_DIFFERS: (
        "SELECT %(imp)s, s.bid, p.organization_id, e.medi_cal_plan_id, %(fm)s, "
        "'recon_start_differs', s.plan_id, s.medi_cal_start, e.id, e.start_date, NULL, %(now)s "
        f"FROM {STAGE} s JOIN enrollment_enrollment e ON e.beneficiary_id = s.bid "
        "AND e.medi_cal_plan_id = s.plan_id "
        "JOIN eligibility_medicalplan p ON p.id = e.medi_cal_plan_id "
        f"WHERE s.plan_id IS NOT NULL AND {_COVERS} AND {_ALIVE} "
        "AND s.medi_cal_start > e.start_date"
    ),
}


def _source_key(row: str) -> str:
    return f"'{SOURCE_PREFIX}' || CAST({row}.id AS text)"


def reconcile(loader: Loader) -> dict[str, int]:
    """Compare the staged file with the enrollments; write discrepancies and review items.

    Call after ``loader.merge()`` and before ``loader.stage_drop()``, in the import's
    transaction. Returns the report's counts (``REPORT_KEYS``).
    """
    d = loader.dialect
    fm = loader.file_month
    p: dict[str, Any] = {
        "imp": loader.import_id,
        "fm": fm,
        "now": loader.now,
        "fm_text": fm.strftime("%Y-%m"),
        "note": (
            f"Closed by the system: the state's file for {fm:%Y-%m} (import "
            f"{loader.import_id}) and the enrollments here agree again."
        ),
    }
    counts = report_empty()
    this_month = f"{TABLE}.month = %(fm)s"
    recon_kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    with connection.cursor() as cursor:
        # 1. One statement per kind: insert what is found, or update this month's row.
        for kind, select in _FIND.items():
            with loader.step(f"reconciliation: {kind} found"):
                cursor.execute(_INSERT + select + _UPSERT, p)
            counts[kind] = int(cursor.rowcount)
        # 2. Rows of this month about people in this file that it no longer shows: a corrected
        # file of the same month replaced them.
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE {this_month} AND eligibility_import_id <> %(imp)s "
            f"AND beneficiary_id IN (SELECT bid FROM {STAGE})",
            p,
        )
        # 3. A discrepancy that lasts keeps the open item of an earlier month.
        earlier_open = (
            f"SELECT max(o.review_item_id) FROM {TABLE} o JOIN enrollment_reviewitem r "
            f"ON r.id = o.review_item_id WHERE o.beneficiary_id = {TABLE}.beneficiary_id "
            f"AND o.medi_cal_plan_id = {TABLE}.medi_cal_plan_id AND o.kind = {TABLE}.kind "
            "AND o.month < %(fm)s AND r.status = 'open'"
        )
        unlinked = f"{this_month} AND {TABLE}.review_item_id IS NULL"
        cursor.execute(
            f"UPDATE {TABLE} SET review_item_id = ({earlier_open}) "
            f"WHERE {unlinked} AND EXISTS ({earlier_open})",
            p,
        )
        # 4. The others open an item each, with its first history row, and are linked to it.
        detail = d.json(
            "'file_month'",
            "CAST(%(fm_text)s AS text)",
            "'eligibility_import'",
            "d.eligibility_import_id",
            "'plan'",
            "d.medi_cal_plan_id",
            "'to_plan'",
            "d.state_plan_id",
            "'state_start'",
            "d.state_start",
            "'portal_start'",
            "d.portal_start",
        )
        cursor.execute(
            "INSERT INTO enrollment_reviewitem (kind, beneficiary_id, enrollment_id, "
            "organization_id, due_date, status, detail, decision, note, source_key, created_at, "
            "resolved_at, resolved_by_id) "
            f"SELECT d.kind, d.beneficiary_id, d.enrollment_id, d.organization_id, NULL, 'open', "
            f"{detail}, '', '', {_source_key('d')}, %(now)s, NULL, NULL "
            f"FROM {TABLE} d WHERE d.month = %(fm)s AND d.review_item_id IS NULL ORDER BY d.id "
            "ON CONFLICT (source_key) DO NOTHING",
            p,
        )
        counts["review_items_opened"] = int(cursor.rowcount)
        cursor.execute(
            "INSERT INTO enrollment_reviewitemchange (review_id, from_status, to_status, "
            "actor_id, at, decision, note) "
            f"SELECT r.id, '', 'open', NULL, %(now)s, '', '' FROM {TABLE} d "
            f"JOIN enrollment_reviewitem r ON r.source_key = {_source_key('d')} "
            "WHERE d.month = %(fm)s AND d.review_item_id IS NULL",
            p,
        )
        cursor.execute(
            f"UPDATE {TABLE} SET review_item_id = (SELECT r.id FROM enrollment_reviewitem r "
            f"WHERE r.source_key = {_source_key(TABLE)}) WHERE {unlinked}",
            p,
        )
        # 5. Items of people in this file that no discrepancy of this month holds any more:
        # the state and the portal agree again, so the system resolves them.
        to_close = (
            f"r.status = 'open' AND r.kind IN ({recon_kinds}) "
            f"AND r.beneficiary_id IN (SELECT bid FROM {STAGE}) AND NOT EXISTS "
            f"(SELECT 1 FROM {TABLE} d WHERE d.review_item_id = r.id AND d.month = %(fm)s)"
        )
        cursor.execute(
            "INSERT INTO enrollment_reviewitemchange (review_id, from_status, to_status, "
            "actor_id, at, decision, note) "
            f"SELECT r.id, 'open', 'resolved', NULL, %(now)s, 'no_action', %(note)s "
            f"FROM enrollment_reviewitem r WHERE {to_close} ORDER BY r.id",
            p,
        )
        cursor.execute(
            "UPDATE enrollment_reviewitem SET status = 'resolved', decision = 'no_action', "
            "note = %(note)s, resolved_at = %(now)s "
            f"WHERE id IN (SELECT r.id FROM enrollment_reviewitem r WHERE {to_close})",
            p,
        )
        counts["review_items_closed"] = int(cursor.rowcount)
    return counts


# -- reads ---------------------------------------------------------------------------------------


def reconciliation_require_staff(*, actor: User) -> None:
    """Refuse members (403) before anything about the request is read."""
    access.require_staff(actor)


def _plans(actor: User) -> QuerySet[MediCalPlan]:
    """The Medi-Cal plans whose reconciliation the actor may see (members: 403)."""
    access.require_staff(actor)
    if actor.is_admin:
        return MediCalPlan.objects.all()
    org = access.organization_id_of(actor)
    if org is None:
        return MediCalPlan.objects.none()
    return MediCalPlan.objects.filter(organization_id=org)


def reconciliation_plans(*, actor: User) -> list[MediCalPlan]:
    """The plans the actor may pick on the reconciliation page, by name."""
    return list(_plans(actor).select_related("organization").order_by("name"))


def reconciliation_months(*, actor: User, plan_id: int) -> list[date]:
    """The months with discrepancies of a plan the actor may see, newest first."""
    plan = _plan_get(actor, plan_id)
    return list(
        ReconciliationDiscrepancy.objects.filter(medi_cal_plan=plan)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


def _plan_get(actor: User, plan_id: int) -> MediCalPlan:
    plan = _plans(actor).filter(pk=plan_id).select_related("organization").first()
    if plan is None:
        raise NotFound("No such Medi-Cal plan.")
    return plan


def reconciliation_arguments(*, plan: str | None, month: str | None) -> tuple[int, date]:
    """Parse the page's and the API's ``plan`` (an id) and ``month`` (YYYY-MM); a missing or
    malformed value is a ``DomainError`` keyed by its field (400), every field at once."""
    errors: dict[str, str] = {}
    plan_id: int | None = None
    raw_plan = (plan or "").strip()
    if not raw_plan:
        errors["plan"] = "Choose a Medi-Cal plan (its id)."
    elif not raw_plan.isdigit() or len(raw_plan) > 18:
        errors["plan"] = "A plan is given by its id, a whole number."
    else:
        plan_id = int(raw_plan)
    raw_month = (month or "").strip()
    parsed = None
    if raw_month and raw_month[:4].isdigit() and 1900 <= int(raw_month[:4]) <= 2199:
        parsed = parse_month(raw_month)
    if not raw_month:
        errors["month"] = "Choose a month, YYYY-MM."
    elif parsed is None:
        errors["month"] = "A month is written YYYY-MM (2027-01)."
    if errors:
        first = next(iter(errors))
        raise DomainError(errors[first], field=first, fields=errors)
    assert plan_id is not None and parsed is not None
    return plan_id, parsed


@dataclass(frozen=True)
class ReconciliationView:
    """One plan's reconciliation for one month: counts per kind, and one page of rows."""

    plan: MediCalPlan
    month: date
    counts: dict[str, int]
    open_items: int
    page: Page[ReconciliationDiscrepancy]


def reconciliation_rows(
    *, actor: User, plan_id: int, month: date
) -> QuerySet[ReconciliationDiscrepancy]:
    """The discrepancies of a plan the actor may see for a month, by kind then person.

    Not audited itself: the page cut from it is (``reconciliation_rows_audit``).
    """
    return _rows(_plan_get(actor, plan_id), month)


def _rows(plan: MediCalPlan, month: date) -> QuerySet[ReconciliationDiscrepancy]:
    return (
        ReconciliationDiscrepancy.objects.filter(medi_cal_plan=plan, month=month)
        .select_related("beneficiary", "state_plan", "review_item")
        .order_by("kind", "beneficiary__last_name", "beneficiary__first_name", "id")
    )


def reconciliation_rows_audit(
    *, actor: User, plan_id: int, month: date, rows: list[ReconciliationDiscrepancy]
) -> None:
    """Audit the rows a staff member or admin was shown (ids and the members they are about)."""
    access.audit_read(
        actor,
        "reconciliation_list",
        f"{plan_id}:{month:%Y-%m}",
        ids=[row.pk for row in rows],
        beneficiaries=sorted({row.beneficiary_id for row in rows}),
    )


def reconciliation_view(
    *,
    actor: User,
    plan_id: int,
    month: date,
    page_number: str | int | None,
    page_size: int = RECONCILIATION_PAGE_SIZE,
) -> ReconciliationView:
    """The reconciliation page's data: counts per kind for the month, one page of rows (audited)."""
    plan = _plan_get(actor, plan_id)
    rows = _rows(plan, month)
    counts = dict.fromkeys(KINDS, 0)
    counts.update(
        dict(rows.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    )
    open_items = (
        rows.order_by()
        .filter(review_item__status=ReviewStatus.OPEN)
        .values("review_item")
        .distinct()
        .count()
    )
    paginator: Paginator[ReconciliationDiscrepancy] = Paginator(rows, page_size)
    page = paginator.get_page(page_number)
    reconciliation_rows_audit(
        actor=actor, plan_id=plan.pk, month=month, rows=list(page.object_list)
    )
    return ReconciliationView(
        plan=plan, month=month, counts=counts, open_items=open_items, page=page
    )


__all__ = [
    "KINDS",
    "REPORT_KEYS",
    "ReconciliationView",
    "kind_labels",
    "reconcile",
    "reconciliation_arguments",
    "reconciliation_months",
    "reconciliation_plans",
    "reconciliation_require_staff",
    "reconciliation_rows",
    "reconciliation_rows_audit",
    "reconciliation_view",
    "report_empty",
    "report_rows",
]
