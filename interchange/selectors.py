"""Reads of the eligibility imports, for administrators only: the list, one import's report and
progress, and every error of an import as CSV rows.

Pages and API call these with the acting user; anyone but an administrator is refused
(``Forbidden``: 403 on the API and the pages). An import names no person, but its errors point
at lines of a file of PHI, so every read is audited (ids only).
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.errors import Forbidden, NotFound
from accounts.models import User
from accounts.services import audit_read
from interchange.models import (
    EligibilityImport,
    EligibilityImportError,
    EligibilityImportStatusChange,
    ImportStatus,
)
from interchange.services import ImportResult, import_progress, import_report

# Statuses of an import still at work: its page refreshes itself while in one of them.
IMPORT_ACTIVE = frozenset({ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.APPLYING})
ERROR_CSV_COLUMNS = ("line", "segment", "field", "code", "message")


def import_require_admin(actor: User) -> None:
    """Refuse anyone but an administrator: imports are the state's files, for admins only."""
    if not (actor.is_authenticated and actor.is_admin):
        raise Forbidden("Only administrators can see eligibility imports.")


def import_list(*, actor: User) -> QuerySet[EligibilityImport]:
    """Every import, newest first, each with ``errors_total`` (audit the rows shown with
    ``import_rows_audit`` once the page is cut)."""
    import_require_admin(actor)
    return EligibilityImport.objects.annotate(errors_total=Count("errors")).order_by(
        "-created_at", "-id"
    )


def import_rows_audit(*, actor: User, import_ids: Iterable[int]) -> None:
    """Audit the page of imports an administrator was shown (ids only)."""
    import_require_admin(actor)
    audit_read(
        actor=actor,
        object_type="eligibility_import_list",
        object_id="list",
        detail={"ids": list(import_ids)},
    )


@dataclass(frozen=True)
class ImportProgressView:
    """How far a running import is: records read, their rate, and the share of bytes read."""

    records: int
    bytes_read: int
    total_bytes: int
    phase: str
    percent: float
    records_per_second: float


@dataclass(frozen=True)
class ImportView:
    """One import as its page and the API show it: the report, the progress while it runs and
    its status history."""

    eligibility_import: EligibilityImport
    report: dict[str, Any]
    progress: ImportProgressView | None
    history: list[EligibilityImportStatusChange]

    @property
    def active(self) -> bool:
        return self.eligibility_import.status in IMPORT_ACTIVE


def import_report_build(
    *, eligibility_import: EligibilityImport, duplicate_file: bool = False
) -> dict[str, Any]:
    """The report of an import as the command prints it with ``--json``
    (``services.import_report``), with what a page or the API adds: the file's name, why it
    could not be read, when it was queued and finished."""
    imp = eligibility_import
    result = ImportResult(imp, duplicate_file=duplicate_file, seconds=imp.seconds or 0.0)
    return {
        **import_report(result),
        "file_name": imp.file_name,
        "failure": imp.failure,
        "created_at": imp.created_at,
        "finished_at": imp.finished_at,
    }


def _progress(
    imp: EligibilityImport, history: list[EligibilityImportStatusChange]
) -> ImportProgressView | None:
    if imp.status not in IMPORT_ACTIVE:
        return None
    state = import_progress(imp.pk)
    if state is None:
        return None
    started = next(
        (row.at for row in reversed(history) if row.to_status == ImportStatus.RUNNING), None
    )
    elapsed = (timezone.now() - started).total_seconds() if started else 0.0
    records, bytes_read, total = (
        int(state.get("records", 0)),
        int(state.get("bytes_read", 0)),
        int(state.get("total_bytes", 0)),
    )
    return ImportProgressView(
        records=records,
        bytes_read=bytes_read,
        total_bytes=total,
        phase=str(state.get("phase", "")),
        percent=round(100.0 * bytes_read / total, 1) if total else 0.0,
        records_per_second=round(records / elapsed, 1) if elapsed > 0 else 0.0,
    )


def import_get(*, actor: User, import_id: int, duplicate_file: bool = False) -> ImportView:
    """One import's report, progress and history; audited (the report lists errors by line)."""
    import_require_admin(actor)
    imp = EligibilityImport.objects.filter(pk=import_id).select_related("started_by").first()
    if imp is None:
        raise NotFound("No such import.")
    history = list(imp.status_changes.order_by("at", "id"))
    view = ImportView(
        eligibility_import=imp,
        report=import_report_build(eligibility_import=imp, duplicate_file=duplicate_file),
        progress=_progress(imp, history),
        history=history,
    )
    audit_read(
        actor=actor,
        object_type="eligibility_import",
        object_id=imp.pk,
        detail={"errors_shown": len(view.report["errors"])},
    )
    return view


def import_errors(*, actor: User, import_id: int) -> Iterator[tuple[object, ...]]:
    """Every error of an import, in file order: (line, segment, field, code, message).

    Access is checked and the read audited now; the rows are read as they are consumed (a
    streamed download), a few thousand at a time, so memory stays flat.
    """
    import_require_admin(actor)
    if not EligibilityImport.objects.filter(pk=import_id).exists():
        raise NotFound("No such import.")
    rows = EligibilityImportError.objects.filter(eligibility_import_id=import_id)
    audit_read(
        actor=actor,
        object_type="eligibility_import_errors",
        object_id=import_id,
        detail={"format": "csv", "rows": rows.count()},
    )
    return rows.order_by("id").values_list(*ERROR_CSV_COLUMNS).iterator(chunk_size=2000)


class _Echo:
    """A write-only file for csv.writer: each row comes back as the text to stream."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet; quote it as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def import_errors_csv(*, actor: User, import_id: int) -> Iterator[str]:
    """The errors of an import as CSV text, a header line then one line per error."""
    rows = import_errors(actor=actor, import_id=import_id)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(ERROR_CSV_COLUMNS)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    return lines()


def import_errors_file_name(import_id: int) -> str:
    """The download's file name: the import's id and the time of the download."""
    return f"import-{import_id}-errors-{timezone.now().strftime('%Y%m%d-%H%M%S')}.csv"
