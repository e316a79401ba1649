"""Medicare reply files (``docs/medicare.md``): the CSV's rows checked, matched and applied.

``enrollment.medicare.reply_file_load`` is the entry point (pages, API, command). A file that is
not a reply file is refused whole; otherwise each row is checked field by field and matched to
one submission the loader may answer; acceptances are applied set-based, rejections one by one
through ``submission_record_answer`` (each cascades), all in one transaction, each rejection in
its own savepoint. The same bytes again return the first report and write nothing.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import DomainError, Forbidden, NotFound
from accounts.fields import strict_date_parse
from accounts.models import User
from accounts.services import audit_record, audit_records
from eligibility.models import Beneficiary, contract_validator, pbp_validator
from eligibility.rules import InvalidIdentifier, normalize_mbi
from enrollment import access
from enrollment.medicare import (
    ANSWERS,
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    OPTIONAL_COLUMNS,
    ReplyFileRefused,
    _check_answer,
    _scope,
    submission_record_answer,
    trc_title,
)
from enrollment.models import (
    MedicareReplyFile,
    MedicareStatus,
    MedicareSubmission,
    MedicareSubmissionStatusChange,
    MedicareTransaction,
)


@dataclass
class RowResult:
    line: int
    status: str  # applied, unchanged, error
    submission: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "status": self.status,
            "submission": self.submission,
            "errors": self.errors,
        }


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]


def _read_rows(data: bytes) -> list[_Row]:
    """The file's data rows with their line numbers, or ``ReplyFileRefused`` for its shape."""
    if len(data) > MAX_BYTES:
        raise ReplyFileRefused(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", field="file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReplyFileRefused("The file is not UTF-8 text (CSV).", field="file") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ReplyFileRefused("The file is empty: it needs a header line.", field="file") from exc
    names = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in (*COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown or len(set(names)) != len(names):
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown {', '.join(name or '(blank)' for name in unknown)}")
        if len(set(names)) != len(names):
            problems.append("a column named twice")
        raise ReplyFileRefused(
            f"The header must name the columns {', '.join(COLUMNS)} (and optionally "
            f"reply_text): {'; '.join(problems)}.",
            field="file",
        )
    rows: list[_Row] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # a blank line
            if len(record) != len(names):
                values = {"__shape__": str(len(record))}
            else:
                values = {name: cell.strip() for name, cell in zip(names, record, strict=True)}
            rows.append(_Row(line=reader.line_num, values=values))
            if len(rows) > MAX_ROWS:
                raise ReplyFileRefused(
                    f"The file has more than {MAX_ROWS} rows: split it.", field="file"
                )
    except csv.Error as exc:
        raise ReplyFileRefused(
            f"Line {reader.line_num} is not valid CSV: {exc}.", field="file"
        ) from exc
    return rows


@dataclass(frozen=True)
class _Parsed:
    mbi: str
    contract: str
    pbp: str
    transaction: str
    effective_date: date
    reply_code: str
    status: str
    reply_text: str


def _parse(row: _Row) -> tuple[_Parsed | None, dict[str, list[str]]]:
    """One row's values, checked field by field (every error at once)."""
    values = row.values
    if "__shape__" in values:
        return None, {
            "row": [f"The line has {values['__shape__']} fields; the header has a different count."]
        }
    errors: dict[str, list[str]] = {}
    try:
        mbi = normalize_mbi(values["mbi"])
    except InvalidIdentifier as exc:
        mbi = ""
        errors["mbi"] = [str(exc)]
    contract = values["contract"].upper()
    try:
        contract_validator(contract)
    except ValidationError:
        errors["contract"] = ["A CMS contract number is H and 4 digits."]
    pbp = values["pbp"]
    try:
        pbp_validator(pbp)
    except ValidationError:
        errors["pbp"] = ["A plan benefit package number is 3 digits."]
    transaction_type = values["transaction"]
    if transaction_type not in MedicareTransaction.values:
        errors["transaction"] = [
            f"The transaction is one of {', '.join(MedicareTransaction.values)}."
        ]
    effective = strict_date_parse(values["effective_date"])
    if effective is None:
        errors["effective_date"] = ["Enter the effective date as YYYY-MM-DD."]
    status = values["result"].lower()
    reply_code = values["reply_code"]
    for key, messages in _check_answer(status, reply_code).items():
        errors.setdefault("result" if key == "status" else key, []).extend(
            ["The result is accepted or rejected."]
            if key == "status" and status not in ANSWERS
            else messages
        )
    if errors or effective is None:
        return None, errors
    return (
        _Parsed(
            mbi=mbi,
            contract=contract,
            pbp=pbp,
            transaction=transaction_type,
            effective_date=effective,
            reply_code=reply_code,
            status=status,
            reply_text=values.get("reply_text", ""),
        ),
        {},
    )


@dataclass(frozen=True)
class _Candidate:
    pk: int
    beneficiary_id: int
    contract: str
    pbp: str
    status: str
    reply_code: str


def _candidates(
    actor: User | None, mbis: set[str]
) -> dict[tuple[str, str, date], list[_Candidate]]:
    """The submissions the actor may answer, keyed by (MBI, transaction, effective date)."""
    queryset = MedicareSubmission.objects.all()
    if actor is not None:
        queryset = queryset.filter(_scope(actor))
    found: dict[tuple[str, str, date], list[_Candidate]] = {}
    ordered = sorted(mbis)
    for start in range(0, len(ordered), 1000):
        rows = queryset.filter(beneficiary__mbi__in=ordered[start : start + 1000]).values_list(
            "pk",
            "beneficiary_id",
            "beneficiary__mbi",
            "transaction_type",
            "effective_date",
            "contract_number",
            "pbp",
            "status",
            "reply_code",
        )
        for pk, beneficiary_id, mbi, kind, effective, contract, pbp, status, code in rows:
            found.setdefault((mbi, kind, effective), []).append(
                _Candidate(pk, beneficiary_id, contract, pbp, status, code)
            )
    return found


def _match(
    parsed: _Parsed, found: dict[tuple[str, str, date], list[_Candidate]]
) -> tuple[_Candidate | None, dict[str, list[str]]]:
    """The one submission a row answers, or field-keyed errors."""
    options = found.get((parsed.mbi, parsed.transaction, parsed.effective_date), [])
    if not options:
        return None, {
            "row": ["No submission of yours matches this MBI, transaction and effective date."]
        }
    pending = [option for option in options if option.status == MedicareStatus.PENDING]
    chosen = pending if len(pending) == 1 else options if len(options) == 1 else []
    if not chosen:
        return None, {"row": ["Several submissions match this row: answer it on the page."]}
    candidate = chosen[0]
    errors: dict[str, list[str]] = {}
    if candidate.contract and candidate.contract != parsed.contract:
        errors["contract"] = [f"The submission was made under contract {candidate.contract}."]
    if candidate.pbp and candidate.pbp != parsed.pbp:
        errors["pbp"] = [f"The submission was made under PBP {candidate.pbp}."]
    return (None, errors) if errors else (candidate, {})


def _accept_many(
    items: list[tuple[RowResult, _Parsed, _Candidate]],
    *,
    actor: User | None,
    reply_file: MedicareReplyFile,
) -> list[tuple[RowResult, _Parsed]]:
    """Record acceptances set-based: lock the people, then their pending submissions (the
    order every service keeps), one UPDATE per reply code, the history and audit rows in bulk.

    An acceptance changes nothing else, so nothing is lost by not going row by row. Returns the
    rows no longer pending under the lock (answered meanwhile): the caller applies them one by
    one, as any other row.
    """
    left: list[tuple[RowResult, _Parsed]] = []
    for first in range(0, len(items), 1000):
        chunk = items[first : first + 1000]
        list(
            Beneficiary.objects.select_for_update()
            .filter(pk__in=sorted({candidate.beneficiary_id for _, _, candidate in chunk}))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        pending = set(
            MedicareSubmission.objects.select_for_update()
            .filter(
                pk__in=[candidate.pk for _, _, candidate in chunk],
                status=MedicareStatus.PENDING,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        now = timezone.now()
        groups: dict[tuple[str, str], list[int]] = {}
        applied: list[tuple[RowResult, _Parsed, _Candidate, str]] = []
        for result, parsed, candidate in chunk:
            if candidate.pk not in pending:
                left.append((result, parsed))
                continue
            text = parsed.reply_text.strip() or trc_title(parsed.reply_code)
            groups.setdefault((parsed.reply_code, text), []).append(candidate.pk)
            applied.append((result, parsed, candidate, text))
        for (code, text), pks in groups.items():
            MedicareSubmission.objects.filter(pk__in=pks).update(
                status=MedicareStatus.ACCEPTED,
                reply_code=code,
                reply_text=text,
                answered_at=now,
                answered_by=actor,
                reply_file=reply_file,
            )
        MedicareSubmissionStatusChange.objects.bulk_create(
            MedicareSubmissionStatusChange(
                submission_id=candidate.pk,
                from_status=MedicareStatus.PENDING,
                to_status=MedicareStatus.ACCEPTED,
                actor=actor,
                reply_code=parsed.reply_code,
                reply_text=text,
                reply_file=reply_file,
            )
            for _, parsed, candidate, text in applied
        )
        audit_records(
            actor=actor,
            action="update",
            object_type="medicare_submission",
            rows=(
                (
                    candidate.pk,
                    {
                        "beneficiary": candidate.beneficiary_id,
                        "status": [MedicareStatus.PENDING, MedicareStatus.ACCEPTED],
                        "reply_code": parsed.reply_code,
                        "reply_file": reply_file.pk,
                    },
                )
                for _, parsed, candidate, _ in applied
            ),
        )
        for result, _, _, _ in applied:
            result.status = "applied"
    return left


@dataclass
class ReplyFileReport:
    reply_file: MedicareReplyFile
    duplicate_file: bool

    def as_dict(self) -> dict[str, Any]:
        report = dict(self.reply_file.report)
        return {
            "id": self.reply_file.pk,
            "file_name": self.reply_file.file_name,
            "file_sha256": self.reply_file.sha256,
            "loaded_at": self.reply_file.loaded_at,
            "duplicate_file": self.duplicate_file,
            "rows": report.get("rows", 0),
            "applied": report.get("applied", 0),
            "unchanged": report.get("unchanged", 0),
            "errors": report.get("errors", 0),
            "results": report.get("results", []),
        }


def load(*, actor: User | None, file: IO[bytes], file_name: str = "") -> ReplyFileReport:
    """Load a reply file (``docs/medicare.md``): every row checked, the good ones applied.

    Refused whole (``ReplyFileRefused``, 400 on ``file``, nothing written) when it is not a
    reply file: not UTF-8 CSV, a column missing or unknown, too large. Otherwise each row is
    checked (field-keyed errors with its line) and matched to one submission the actor may
    answer; the rows without errors are applied in one transaction: acceptances set-based,
    rejections one by one, each in a savepoint, so a row refused while applying (an answer
    recorded otherwise meanwhile: 409) is reported and the others stand. The same bytes loaded again return the first report
    (``duplicate_file``) and write nothing; a row whose answer is already recorded is
    ``unchanged``. ``actor`` None: a system job (every organization's submissions).
    """
    if actor is not None:
        access.require_staff(actor)
    data = file.read(MAX_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    earlier = MedicareReplyFile.objects.filter(sha256=digest).first()
    if earlier is not None:
        audit_record(
            actor=actor,
            action="read",
            object_type="medicare_reply_file",
            object_id=earlier.pk,
            detail={"duplicate_file": True},
        )
        return ReplyFileReport(reply_file=earlier, duplicate_file=True)
    rows = _read_rows(data)
    parsed_rows: list[tuple[_Row, _Parsed | None, dict[str, list[str]]]] = [
        (row, *_parse(row)) for row in rows
    ]
    found = _candidates(actor, {parsed.mbi for _, parsed, _ in parsed_rows if parsed})
    results: list[RowResult] = []
    accept: list[tuple[RowResult, _Parsed, _Candidate]] = []
    todo: list[tuple[RowResult, _Parsed]] = []
    seen: dict[int, int] = {}
    for row, parsed, errors in parsed_rows:
        result = RowResult(line=row.line, status="error", errors=errors)
        results.append(result)
        if parsed is None:
            continue
        candidate, match_errors = _match(parsed, found)
        if candidate is None:
            result.errors = match_errors
            continue
        result.submission = candidate.pk
        if candidate.pk in seen:
            result.errors = {"row": [f"Line {seen[candidate.pk]} already answers this submission."]}
            continue
        seen[candidate.pk] = row.line
        if candidate.status == parsed.status and candidate.reply_code == parsed.reply_code:
            result.status = "unchanged"  # a re-load: decided here, written nowhere
        elif (
            candidate.status == MedicareStatus.PENDING and parsed.status == MedicareStatus.ACCEPTED
        ):
            accept.append((result, parsed, candidate))
        else:
            todo.append((result, parsed))  # rejections, and refusals the service words
    with transaction.atomic():
        try:
            with transaction.atomic():
                reply_file = MedicareReplyFile.objects.create(
                    sha256=digest, file_name=file_name[:255], rows=len(rows), loaded_by=actor
                )
        except IntegrityError:
            # The same file loaded at the same moment: the other load's report, nothing here.
            return ReplyFileReport(
                reply_file=MedicareReplyFile.objects.get(sha256=digest), duplicate_file=True
            )
        todo += _accept_many(accept, actor=actor, reply_file=reply_file)
        for result, parsed in sorted(todo, key=lambda item: item[0].line):
            try:
                with transaction.atomic():
                    answer = submission_record_answer(
                        actor=actor,
                        submission=MedicareSubmission(pk=result.submission),
                        status=parsed.status,
                        reply_code=parsed.reply_code,
                        reply_text=parsed.reply_text,
                        reply_file=reply_file,
                    )
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                field_name = exc.extra.get("field")
                result.errors = {
                    field_name if isinstance(field_name, str) else "row": [exc.message]
                }
            else:
                result.status = "applied" if answer.changed else "unchanged"
        counts = {
            status: sum(1 for result in results if result.status == status)
            for status in ("applied", "unchanged", "error")
        }
        reply_file.applied = counts["applied"]
        reply_file.unchanged = counts["unchanged"]
        reply_file.report = {
            "rows": len(rows),
            "applied": counts["applied"],
            "unchanged": counts["unchanged"],
            "errors": counts["error"],
            "results": [result.as_dict() for result in results],
        }
        reply_file.save(update_fields=["applied", "unchanged", "report"])
        audit_record(
            actor=actor,
            action="create",
            object_type="medicare_reply_file",
            object_id=reply_file.pk,
            detail={
                "rows": len(rows),
                "applied": counts["applied"],
                "unchanged": counts["unchanged"],
                "errors": counts["error"],
            },
        )
    return ReplyFileReport(reply_file=reply_file, duplicate_file=False)
