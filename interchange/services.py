"""Import the state's eligibility files: read, check, load set-based, then act on the changes.

``eligibility_import_file`` is the one way in (the management command, the Celery task behind
the admin upload and the benchmarks all call it). A run is:

1. **Read and load** in one transaction: the file is streamed through its reader and
   ``record_check`` into the staging table; records that contradict others are refused; the
   changes enrollment must act on are recorded; people, their history, Medi-Cal periods and
   Medi-Cal plan enrollments are merged (``interchange.loader``). The import ends ``applying``.
   A file that cannot be read at all raises ``UnreadableFile`` and this transaction writes
   nothing.
2. **Apply** each recorded change through ``enrollment.changes.fact_change_apply``, one small
   transaction per change, marking it applied in the same transaction. The import ends
   ``done``.

Idempotent: the content hash is unique. A file whose import is ``done`` is a ``duplicate_file``
and writes nothing; an import killed in step 1 left nothing and runs again from the start; one
killed in step 2 resumes with the changes not yet applied.
"""

import csv
import hashlib
import itertools
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.errors import Forbidden
from accounts.models import User
from accounts.services import audit_record
from eligibility.models import BeneficiaryLetter, County, MediCalPlan
from eligibility.selectors import california_today
from enrollment.changes import FactChange, fact_change_apply
from enrollment.models import Enrollment
from interchange.csv_reader import read_csv, sniff_format
from interchange.errors import OutOfOrderFile, UnreadableFile
from interchange.loader import Loader
from interchange.models import (
    IMPORT_TRANSITIONS,
    ChangeKind,
    EligibilityChange,
    EligibilityImport,
    EligibilityImportError,
    EligibilityImportStatusChange,
    ImportFormat,
    ImportKind,
    ImportStatus,
)
from interchange.reconciliation import REPORT_KEYS, reconcile
from interchange.records import (
    STAGING_COLUMNS,
    RawRecord,
    RecordError,
    parse_month,
    record_check,
)
from interchange.x12 import read_x12

logger = logging.getLogger(__name__)

# How many errors the report carries; every error is kept on the import (API, CSV download).
REPORT_ERROR_LIMIT = 1000
_PROGRESS_EVERY = 20_000
_ERROR_BATCH = 5000
_APPLY_BATCH = 500

Progress = Callable[["ImportProgress"], None]


@dataclass
class ImportProgress:
    """How far a run is: records read, bytes of the file read, and the file's size."""

    records: int
    bytes_read: int
    total_bytes: int
    phase: str


def progress_cache_key(import_id: int) -> str:
    return f"interchange:import:{import_id}:progress"


def import_progress(import_id: int) -> dict[str, Any] | None:
    """The running import's last progress (shared cache), or None when none is known."""
    value = cache.get(progress_cache_key(import_id))
    return value if isinstance(value, dict) else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _set_status(imp: EligibilityImport, to_status: str, note: str = "") -> None:
    if to_status not in IMPORT_TRANSITIONS[imp.status]:
        raise ValueError(f"An import cannot move from {imp.status} to {to_status}.")
    EligibilityImportStatusChange.objects.create(
        eligibility_import=imp, from_status=imp.status, to_status=to_status, note=note[:2000]
    )
    imp.status = to_status


# Where each value sits in a checked record (``record_check``'s tuple).
_AT = {name: index for index, name in enumerate(STAGING_COLUMNS)}


class _ErrorSpool:
    """Errors of invalid records, kept in a temporary file until the staging COPY has finished.

    A connection runs one statement at a time, so they cannot be written during the COPY; a
    file where every record is invalid must not grow the process's memory.
    """

    def __init__(self, import_id: int, position_field: str) -> None:
        self.import_id = import_id
        self.position_field = position_field
        self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")  # noqa: SIM115 (closed by write or __exit__)
        self.writer = csv.writer(self.file)

    def __enter__(self) -> "_ErrorSpool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, raw: RawRecord, errors: list[RecordError]) -> None:
        for error in errors:
            self.writer.writerow((raw.position, error.field, error.code, error.message))

    def write(self) -> None:
        self.file.seek(0)
        batch: list[EligibilityImportError] = []
        for position, field_name, code, message in csv.reader(self.file):
            batch.append(
                EligibilityImportError(
                    eligibility_import_id=self.import_id,
                    field=field_name[:64],
                    code=code[:32],
                    message=message[:300],
                    **{self.position_field: int(position)},
                )
            )
            if len(batch) >= _ERROR_BATCH:
                EligibilityImportError.objects.bulk_create(batch)
                batch.clear()
        if batch:
            EligibilityImportError.objects.bulk_create(batch)


def _records_with_month(
    records: Iterator[RawRecord], file_month: date | None
) -> tuple[date, Iterator[RawRecord]]:
    """The file's month (given, or the first record's that parses) and the records, unconsumed."""
    if file_month is not None:
        return file_month, records
    peeked: list[RawRecord] = []
    for raw in records:
        peeked.append(raw)
        month = parse_month(raw.values.get("file_month", "").strip())
        if month is not None:
            return month, itertools.chain(peeked, records)
        if len(peeked) >= 1000:
            break
    raise UnreadableFile("No record of the file carries a file_month written YYYY-MM.")


def _open_reader(stream: BinaryIO, fmt: str) -> tuple[Iterator[RawRecord], date | None, list[str]]:
    """The records, the month the file declares (X12) and the reader's warnings."""
    if fmt == ImportFormat.X12:
        x12 = read_x12(stream)
        return iter(x12.records()), x12.file_month, x12.warnings
    csv_file = read_csv(stream)
    return csv_file.records(), None, csv_file.warnings


def _load(
    *,
    imp: EligibilityImport,
    path: Path,
    fmt: str,
    kind: str,
    today: date,
    progress: Progress | None,
) -> None:
    """Step 1, inside the caller's transaction."""
    total_bytes = path.stat().st_size
    counties = dict(County.objects.values_list("fips", "id"))
    plans: dict[str, int] = {
        code: plan_id
        for code, plan_id in MediCalPlan.objects.values_list("state_code", "id")
        if code
    }
    plan_codes = frozenset(plans)
    with ExitStack() as stack:
        stream = stack.enter_context(path.open("rb"))
        records, declared_month, warnings = _open_reader(stream, fmt)
        file_month, records = _records_with_month(records, declared_month)
        newer = (
            EligibilityImport.objects.filter(
                status__in=[ImportStatus.APPLYING, ImportStatus.DONE], file_month__gt=file_month
            )
            .exclude(pk=imp.pk)
            .order_by("-file_month")
            .first()
        )
        if newer is not None and newer.file_month is not None:
            raise OutOfOrderFile(
                f"A file for {newer.file_month:%Y-%m} was imported already (import {newer.pk}); "
                f"this file's month {file_month:%Y-%m} is older and would put older facts back."
            )
        imp.file_month = file_month
        imp.warnings = warnings
        loader = Loader(import_id=imp.pk, file_month=file_month, now=timezone.now())
        position_field = "segment" if fmt == ImportFormat.X12 else "line"
        spool = stack.enter_context(_ErrorSpool(imp.pk, position_field))
        counted = {"records": 0, "invalid": 0}
        scope_at, msp_at, start_at = _AT["scope"], _AT["msp"], _AT["medi_cal_start"]
        fips_at, plan_at = _AT["county_fips"], _AT["medi_cal_plan_code"]

        def rows() -> Iterator[tuple[object, ...]]:
            next_report = _PROGRESS_EVERY
            for raw in records:
                counted["records"] += 1
                row, errors = record_check(
                    raw, file_month=file_month, today=today, plan_codes=plan_codes
                )
                if row is None:
                    counted["invalid"] += 1
                    spool.add(raw, errors)
                else:
                    # A Medicare Savings Program alone starts with the file's month (the loader
                    # keeps an open one on record instead).
                    start = row[start_at]
                    if start is None and row[scope_at] == "none" and row[msp_at] != "none":
                        start = file_month
                    code = str(row[plan_at])
                    yield (*row, counties[str(row[fips_at])], plans.get(code), start)
                if counted["records"] >= next_report:
                    next_report += _PROGRESS_EVERY
                    _progress_report(
                        imp.pk, progress, counted["records"], stream.tell(), total_bytes, "reading"
                    )

        loader.stage_create()
        with loader.step("file read, checked and staged"):
            loader.stage_rows(rows())
        spool.write()
    records_read, invalid = counted["records"], counted["invalid"]
    _progress_report(imp.pk, progress, records_read, total_bytes, total_bytes, "merging")
    with loader.step("contradictions refused"):
        refused = loader.contradictions_refuse(position_column=position_field)
    with loader.step("people found"):
        loader.people_find()
    with loader.step("changes recorded"):
        warning = loader.changes_record(
            full_file=kind == ImportKind.FULL,
            absent_share=settings.INTERCHANGE_ABSENT_REVIEW_MAX_SHARE,
        )
    if warning:
        imp.warnings.append(warning)
    counts = loader.merge()
    with loader.step("reconciled"):
        imp.reconciliation = reconcile(loader)
    loader.stage_drop()
    imp.records = records_read
    imp.invalid = invalid + refused
    imp.valid = imp.records - imp.invalid
    imp.created, imp.updated, imp.unchanged = counts.created, counts.updated, counts.unchanged
    imp.events = dict(
        EligibilityChange.objects.filter(eligibility_import=imp)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )


def _progress_report(
    import_id: int,
    progress: Progress | None,
    records: int,
    bytes_read: int,
    total_bytes: int,
    phase: str,
) -> None:
    state = ImportProgress(records, bytes_read, total_bytes, phase)
    cache.set(progress_cache_key(import_id), state.__dict__, 24 * 3600)
    if progress is not None:
        progress(state)


def _changes_apply(imp: EligibilityImport, *, today: date) -> list[int]:
    """Step 2: act on each change once; return the ids of changes that could not be applied."""
    assert imp.file_month is not None
    pending = EligibilityChange.objects.filter(eligibility_import=imp, applied_at__isnull=True)
    # Most changes concern people in no Medi-Medi Plan and with nothing queued: nothing to do.
    # Closing those set-based keeps a 100,000-change month fast.
    current = Q(end_date__isnull=True) | Q(end_date__gte=imp.file_month)
    person = OuterRef("beneficiary_id")
    in_medi_medi = Exists(
        Enrollment.objects.filter(current, beneficiary_id=person, kind="medi_medi", cancelled=False)
    )
    letters_queued = Exists(
        BeneficiaryLetter.objects.filter(beneficiary_id=person, notice__status="queued")
    )
    acts = (
        Q(kind=ChangeKind.NOT_IN_FILE)
        # The merge ended the Medi-Cal plan enrollment of the dead in no Medi-Medi Plan.
        | (Q(kind=ChangeKind.DIED) & (in_medi_medi | letters_queued))
        | (~Q(kind__in=[ChangeKind.DIED, ChangeKind.NOT_IN_FILE]) & in_medi_medi)
    )
    pending.exclude(acts).update(applied_at=timezone.now())
    failed: list[int] = []
    while batch := list(pending.exclude(id__in=failed).order_by("id")[:_APPLY_BATCH]):
        for change in batch:
            try:
                with transaction.atomic():
                    fact_change_apply(
                        change=FactChange(
                            beneficiary_id=change.beneficiary_id,
                            kind=change.kind,
                            detail=change.detail,
                            file_month=imp.file_month,
                            learned_on=today,
                            source_key=f"import:{imp.pk}:{change.beneficiary_id}:{change.kind}",
                        )
                    )
                    EligibilityChange.objects.filter(pk=change.pk).update(applied_at=timezone.now())
            except Exception:
                # One change that cannot be applied must not stop the others: it stays
                # pending, the import stays "applying", and the next run tries it again.
                logger.exception("import %s: change %s could not be applied", imp.pk, change.pk)
                failed.append(change.pk)
    return failed


@dataclass
class ImportResult:
    eligibility_import: EligibilityImport
    duplicate_file: bool
    seconds: float


def eligibility_import_file(
    *,
    path: Path,
    fmt: str | None = None,
    kind: str = ImportKind.FULL,
    actor: User | None = None,
    file_name: str = "",
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one eligibility file; see the module's docstring. Raises ``UnreadableFile``."""
    started = time.monotonic()
    today = today or california_today()
    if kind not in ImportKind.values:
        raise UnreadableFile(f"Unknown kind {kind!r}: full or changes.")
    if fmt is None:
        with path.open("rb") as stream:
            fmt = sniff_format(stream)
    if fmt not in ImportFormat.values:
        raise UnreadableFile(f"Unknown format {fmt!r}: csv or x12.")
    sha = file_sha256(path)
    imp = EligibilityImport.objects.filter(file_sha256=sha).first()
    if imp is not None and imp.status == ImportStatus.DONE:
        return ImportResult(imp, duplicate_file=True, seconds=time.monotonic() - started)
    if imp is not None and imp.status != ImportStatus.APPLYING:
        # An upload (or a run that failed or was killed) shows it is running at once, outside
        # the long transaction below, so its page and a retried failure tell the truth.
        with transaction.atomic():
            imp = EligibilityImport.objects.select_for_update().get(pk=imp.pk)
            if imp.status != ImportStatus.RUNNING:
                _set_status(imp, ImportStatus.RUNNING)
                imp.failure = ""
                imp.save(update_fields=["status", "failure"])
    if imp is None or imp.status != ImportStatus.APPLYING:
        with transaction.atomic():
            if imp is None:
                try:
                    with transaction.atomic():
                        imp = EligibilityImport.objects.create(
                            file_sha256=sha,
                            file_name=file_name or path.name,
                            format=fmt,
                            kind=kind,
                            started_by=actor,
                        )
                except IntegrityError:
                    # Another run of the same file got there first (its row waited on ours).
                    raise UnreadableFile(
                        "This file is being imported by another run; nothing was written here."
                    ) from None
                EligibilityImportStatusChange.objects.create(
                    eligibility_import=imp, to_status=ImportStatus.QUEUED
                )
            else:
                imp = EligibilityImport.objects.select_for_update().get(pk=imp.pk)
                EligibilityImportError.objects.filter(eligibility_import=imp).delete()
                EligibilityChange.objects.filter(eligibility_import=imp).delete()
                imp.format, imp.kind = fmt, kind
            if imp.status != ImportStatus.RUNNING:
                _set_status(imp, ImportStatus.RUNNING)
            _load(imp=imp, path=path, fmt=fmt, kind=kind, today=today, progress=progress)
            _set_status(imp, ImportStatus.APPLYING)
            imp.failure = ""
            imp.save()
            audit_record(
                actor=actor,
                action="import",
                object_type="eligibility_import",
                object_id=imp.pk,
                detail={
                    "created": imp.created,
                    "updated": imp.updated,
                    "invalid": imp.invalid,
                    "reconciliation": imp.reconciliation,
                },
            )
    failed = _changes_apply(imp, today=today)
    with transaction.atomic():
        imp = EligibilityImport.objects.select_for_update().get(pk=imp.pk)
        if imp.status == ImportStatus.DONE:
            # Another run of the same file was applying its changes when this one came, and
            # finished first (each change applies once, by its source key): nothing is left.
            return ImportResult(imp, duplicate_file=True, seconds=time.monotonic() - started)
        if failed:
            imp.failure = (
                f"{len(failed)} change(s) could not be applied (first ids: "
                f"{', '.join(map(str, failed[:20]))}); run the same file again to retry them."
            )
            imp.seconds = round(time.monotonic() - started, 3)
            imp.save(update_fields=["failure", "seconds"])
            return ImportResult(imp, duplicate_file=False, seconds=imp.seconds)
        imp.failure = ""
        _set_status(imp, ImportStatus.DONE)
        imp.finished_at = timezone.now()
        imp.seconds = round(time.monotonic() - started, 3)
        imp.save()
    cache.delete(progress_cache_key(imp.pk))
    return ImportResult(imp, duplicate_file=False, seconds=imp.seconds)


def import_report(result: ImportResult) -> dict[str, Any]:
    """The report of one run (command ``--json``, API): what the issue lists, in that order."""
    imp = result.eligibility_import
    errors = [
        {
            ("segment" if e.segment is not None else "line"): (
                e.segment if e.segment is not None else e.line
            ),
            "field": e.field,
            "code": e.code,
            "message": e.message,
        }
        for e in imp.errors.order_by("line", "segment", "id")[:REPORT_ERROR_LIMIT]
    ]
    duplicate = result.duplicate_file
    return {
        "id": imp.pk,
        "file_sha256": imp.file_sha256,
        "format": imp.format,
        "kind": imp.kind,
        "file_month": imp.file_month.strftime("%Y-%m") if imp.file_month else None,
        "status": imp.status,
        "records": imp.records,
        "valid": imp.valid,
        "invalid": imp.invalid,
        "created": 0 if duplicate else imp.created,
        "updated": 0 if duplicate else imp.updated,
        "unchanged": 0 if duplicate else imp.unchanged,
        "duplicate_file": duplicate,
        "events": {} if duplicate else imp.events,
        # Discrepancies found by kind, and the review items opened and closed by the system.
        "reconciliation": (
            dict.fromkeys(REPORT_KEYS, 0)
            if duplicate
            else {key: int(imp.reconciliation.get(key, 0)) for key in REPORT_KEYS}
        ),
        "warnings": imp.warnings,
        "errors": errors,
        "errors_total": imp.errors.count(),
        "seconds": round(result.seconds, 3),
    }


def import_failed_record(*, import_id: int, message: str) -> None:
    """Mark an uploaded import that could not be read (after its transaction rolled back)."""
    with transaction.atomic():
        imp = EligibilityImport.objects.select_for_update().get(pk=import_id)
        if ImportStatus.FAILED in IMPORT_TRANSITIONS[imp.status]:
            _set_status(imp, ImportStatus.FAILED, note=message)
            imp.failure = message
            imp.finished_at = timezone.now()
            imp.save()


def _require_admin(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_admin):
        raise Forbidden("Only administrators can import eligibility files.")


def eligibility_import_upload(
    *, actor: User, upload: UploadedFile | IO[bytes], file_name: str, kind: str
) -> tuple[EligibilityImport, bool]:
    """Keep an uploaded file and queue its import; return it and whether it was a duplicate.

    The file is stored under ``INTERCHANGE_UPLOAD_DIR`` by its content hash; the Celery task
    (``interchange.tasks.eligibility_import_run``) reads it after this transaction commits.
    """
    _require_admin(actor)
    if kind not in ImportKind.values:
        raise UnreadableFile(f"Unknown kind {kind!r}: full or changes.")
    folder = Path(settings.INTERCHANGE_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = folder / f"upload-{time.time_ns()}.part"
    with partial.open("wb") as out:
        chunks = (
            upload.chunks()
            if isinstance(upload, UploadedFile)
            else iter(lambda: upload.read(1 << 20), b"")
        )
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    existing = EligibilityImport.objects.filter(file_sha256=sha).first()
    if existing is not None and existing.status != ImportStatus.FAILED:
        partial.unlink()
        return existing, True
    stored = folder / f"{sha}.dat"
    partial.replace(stored)
    with stored.open("rb") as stream:
        fmt = sniff_format(stream)
    with transaction.atomic():
        if existing is None:
            imp = EligibilityImport.objects.create(
                file_sha256=sha,
                file_name=Path(file_name).name[:255],
                stored_path=str(stored),
                format=fmt,
                kind=kind,
                started_by=actor,
            )
            EligibilityImportStatusChange.objects.create(
                eligibility_import=imp, to_status=ImportStatus.QUEUED
            )
        else:
            imp = existing
            imp.stored_path, imp.format, imp.kind = str(stored), fmt, kind
            imp.save(update_fields=["stored_path", "format", "kind"])
        audit_record(
            actor=actor, action="upload", object_type="eligibility_import", object_id=imp.pk
        )
        from interchange.tasks import eligibility_import_run

        transaction.on_commit(lambda: eligibility_import_run.delay(imp.pk))
    return imp, False


def eligibility_import_stored_run(*, import_id: int) -> None:
    """Run a queued upload (the Celery task's body); a file that cannot be read ends ``failed``."""
    imp = EligibilityImport.objects.get(pk=import_id)
    if imp.status == ImportStatus.DONE or not imp.stored_path:
        return
    try:
        eligibility_import_file(
            path=Path(imp.stored_path),
            fmt=imp.format,
            kind=imp.kind,
            actor=imp.started_by,
            file_name=imp.file_name,
        )
    except UnreadableFile as error:
        import_failed_record(import_id=import_id, message=str(error))
