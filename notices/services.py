"""Writes for notices: queue, resend, cancel, deliver one attempt, sweep, build print batches.

The outbox (design.md section 3): ``notice_queue`` writes the row in the caller's transaction
and publishes a task carrying only the id once that transaction commits. Publishing never raises
into the caller: with the broker down the row stays ``queued`` and ``notices_sweep`` publishes it
later. Delivery claims the row with a compare-and-set update, so delivering twice sends once.
"""

import csv
import datetime
import io
import logging
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import audit_record
from notices.conf import NoticeSettings, notice_settings
from notices.delivery import channel_deliver, error_is_permanent, error_summary
from notices.kinds import (
    CARD_CONTEXT,
    CARD_KINDS,
    InvalidNotice,
    ResendRefused,
    context_check,
    jsonable,
)
from notices.languages import language_normalize
from notices.models import (
    SPECIAL_FORMATS,
    Notice,
    NoticeChannel,
    NoticeFormat,
    NoticeKind,
    NoticeStatus,
    PrintBatch,
)
from notices.rendering import RenderedNotice, notice_render

logger = logging.getLogger(__name__)

KINDS = frozenset(NoticeKind.values)
FORMATS = frozenset(NoticeFormat.values)
CHANNELS = frozenset(NoticeChannel.values)
EMAIL_FORMATS = frozenset({NoticeFormat.STANDARD, NoticeFormat.ACCESSIBLE_ELECTRONIC})
# A letter can be sent again once it was sent or failed; a queued or sending one is still on its
# way, and a cancelled one was withdrawn on purpose (e.g. a county's date moved).
RESENDABLE_STATUSES = frozenset({NoticeStatus.SENT, NoticeStatus.FAILED})
ON_ITS_WAY = frozenset({NoticeStatus.QUEUED, NoticeStatus.SENDING})


def recipient_format(recipient: dict[str, Any]) -> str:
    """Return the recipient's standing format request (``standard`` when none)."""
    value = str(recipient.get("format") or NoticeFormat.STANDARD).strip().lower()
    if value not in FORMATS:
        raise InvalidNotice(f"unknown format {value!r}; one of {', '.join(NoticeFormat.values)}")
    return value


def channel_for(recipient: dict[str, Any]) -> str:
    """Choose the channel: email for an address and a standard or electronic format, else print.

    Large print, braille and audio go to the print vendor (braille and audio flagged).
    """
    has_email = "@" in str(recipient.get("email") or "")
    if has_email and recipient_format(recipient) in EMAIL_FORMATS:
        return NoticeChannel.EMAIL
    return NoticeChannel.PRINT


def tasks_run_in_process() -> bool:
    """Say whether Celery runs tasks in this process (no broker configured, or tests)."""
    from notices.tasks import notice_deliver  # the task module imports this one

    return bool(notice_deliver.app.conf.task_always_eager)


def notices_publish_bulk(notice_ids: list[int]) -> bool:
    """Enqueue delivery of bulk notices on the low-priority queue, ``NOTICES_BULK_BATCH_SIZE``
    ids per message (ids only); on a broker error log the count and return False."""
    from notices.tasks import notices_deliver_batch

    conf = notice_settings()
    size = conf.bulk_batch_size
    published = 0
    try:
        with notices_deliver_batch.app.producer_or_acquire() as producer:
            for start in range(0, len(notice_ids), size):
                batch = [int(pk) for pk in notice_ids[start : start + size]]
                notices_deliver_batch.apply_async(
                    args=(batch,), queue=conf.bulk_queue, producer=producer
                )
                published += len(batch)
    except Exception as exc:
        # The rows are committed and queued: the sweeper publishes them again later.
        logger.warning(
            "bulk notices: publishing %s of %s delivery ids failed (%s); the sweeper will retry",
            len(notice_ids) - published,
            len(notice_ids),
            type(exc).__name__,
        )
        return False
    return True


def _publish(notice_id: int, bulk: bool = False) -> bool:
    """Enqueue delivery of one notice by id; on a broker error log the id and return False."""
    from notices.tasks import notice_deliver  # the task module imports this one

    if bulk:
        return notices_publish_bulk([notice_id])

    queue = notice_settings().celery_queue
    try:
        if queue:
            notice_deliver.apply_async(args=(notice_id,), queue=queue)
        else:
            notice_deliver.apply_async(args=(notice_id,))
    except Exception as exc:
        # The row is committed and queued: the sweeper publishes it again later.
        logger.warning(
            "notice %s: publishing its delivery task failed (%s); the sweeper will retry",
            notice_id,
            type(exc).__name__,
        )
        return False
    return True


def _notice_build(
    *,
    kind: str,
    idempotency_key: str,
    recipient_key: str,
    recipient: dict[str, Any],
    context: dict[str, Any],
    channel: str | None = None,
    scheduled_for: datetime.datetime | None = None,
    requested_by: User | None = None,
    resend_of: Notice | None = None,
    bulk: bool = False,
    now: datetime.datetime,
    in_process: bool = False,
    checked_context: dict[str, Any] | None = None,
    conf: NoticeSettings | None = None,
) -> Notice:
    """Check a notice's parts and return its unsaved row (``InvalidNotice`` if they are wrong).

    ``checked_context``: the context already made JSON-able and checked for ``kind`` (a bulk
    run shares one context among many letters and checks it once).
    """
    if kind not in KINDS:
        raise InvalidNotice(f"unknown notice kind {kind!r}")
    if not idempotency_key or not recipient_key:
        raise InvalidNotice("a notice needs an idempotency key and a recipient key")
    if len(idempotency_key) > 200 or len(recipient_key) > 100:
        raise InvalidNotice("idempotency keys hold 200 characters, recipient keys 100")
    if channel is not None and channel not in CHANNELS:
        raise InvalidNotice(f"unknown channel {channel!r}")
    if scheduled_for is not None and timezone.is_naive(scheduled_for):
        raise InvalidNotice("scheduled_for must be timezone-aware")
    recipient = jsonable(dict(recipient))
    if not str(recipient.get("name") or "").strip():
        raise InvalidNotice("the recipient snapshot needs a name")
    if checked_context is None:
        context = jsonable(dict(context))
        context_check(kind, context)
    else:
        context = checked_context
    letter_format = recipient_format(recipient)
    conf = conf or notice_settings()
    if scheduled_for is not None and scheduled_for > now:
        next_attempt_at = scheduled_for
    elif bulk and in_process:
        # No broker: nothing is published for bulk letters; the sweeper delivers them.
        next_attempt_at = now
    elif bulk:
        next_attempt_at = now + datetime.timedelta(seconds=conf.bulk_sweep_grace_seconds)
    else:
        next_attempt_at = now + datetime.timedelta(seconds=conf.sweep_grace_seconds)
    return Notice(
        kind=kind,
        idempotency_key=idempotency_key,
        recipient_key=recipient_key,
        recipient=recipient,
        context=context,
        language=language_normalize(recipient.get("language")),
        format=letter_format,
        channel=channel or channel_for(recipient),
        bulk=bulk,
        scheduled_for=scheduled_for,
        next_attempt_at=next_attempt_at,
        requested_by=requested_by,
        resend_of=resend_of,
        created_at=now,
    )


def notice_queue(
    *,
    kind: str,
    idempotency_key: str,
    recipient_key: str,
    recipient: dict[str, Any],
    context: dict[str, Any],
    channel: str | None = None,
    scheduled_for: datetime.datetime | None = None,
    requested_by: User | None = None,
    resend_of: Notice | None = None,
    bulk: bool = False,
) -> Notice:
    """Write a notice in the caller's transaction and deliver it once that commits.

    A second call with the same ``idempotency_key`` returns the existing row and queues
    nothing. ``recipient`` is a snapshot: ``name``, ``email``, ``address`` (lines), ``language``
    and ``format``. ``context`` holds what the kind's letter says (``notices.kinds``).
    ``bulk`` marks one of many letters (it goes to the low-priority queue; without a broker it
    waits for the sweeper instead of being rendered in this process).
    Raise ``InvalidNotice`` for an unknown kind, channel or format, or missing context.
    """
    now = timezone.now()
    in_process = bulk and tasks_run_in_process()
    row = _notice_build(
        kind=kind,
        idempotency_key=idempotency_key,
        recipient_key=recipient_key,
        recipient=recipient,
        context=context,
        channel=channel,
        scheduled_for=scheduled_for,
        requested_by=requested_by,
        resend_of=resend_of,
        bulk=bulk,
        now=now,
        in_process=in_process,
    )
    due_later = scheduled_for is not None and scheduled_for > now

    with transaction.atomic():
        existing = Notice.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                row.save(force_insert=True)
                notice = row
        except IntegrityError:
            # Another transaction wrote the same key first: that row is the notice.
            existing = Notice.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            return existing
        if not due_later and not in_process:
            transaction.on_commit(partial(_publish, notice.pk, bulk))
        logger.info("notice %s queued (%s, %s)", notice.pk, notice.kind, notice.channel)
    return notice


@dataclass(frozen=True)
class BulkQueued:
    """What ``notices_queue_bulk`` wrote: the new rows' ids by key, and how many keys existed."""

    created: dict[str, int]
    existing: int


def _insert_new(rows: list[Notice]) -> dict[str, int]:
    """Write the rows whose idempotency key is not on record; return their ids by key.

    PostgreSQL: ``COPY`` into a temporary staging table, then one ``INSERT ... SELECT ...
    ON CONFLICT (idempotency_key) DO NOTHING RETURNING``. Other databases (SQLite 3.35 and
    later): ``INSERT ... VALUES ... ON CONFLICT DO NOTHING RETURNING`` in batches. A key already
    on record writes nothing and is left out.
    """
    connection = connections[router.db_for_write(Notice)]
    meta = Notice._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    key_column = quote(meta.get_field("idempotency_key").column)
    returning = f"{quote(meta.pk.column)}, {key_column}"
    conflict = f"ON CONFLICT ({key_column}) DO NOTHING RETURNING {returning}"
    created: dict[str, int] = {}
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        def raw(field: Any) -> Any:
            if isinstance(field, models.JSONField):
                return lambda row: Jsonb(getattr(row, field.attname))
            if isinstance(field, models.FileField):
                return lambda row: str(getattr(row, field.attname) or "")
            return lambda row: getattr(row, field.attname)

        readers = [raw(field) for field in fields]
        stage = quote("notices_bulk_stage")
        # Identifiers come from the model's meta, values go through COPY.
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([read(row) for read in readers])
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} {conflict}"  # noqa: S608
            )
            created.update({key: pk for pk, key in cursor.fetchall()})
            cursor.execute(f"DROP TABLE {stage}")
        return created
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    size = max(1, min(1000, connection.ops.bulk_batch_size(fields, rows)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params: list[Any] = []
            for row in batch:
                params += [
                    field.get_db_prep_save(field.pre_save(row, add=True), connection)
                    for field in fields
                ]
            cursor.execute(f"{head}{', '.join([placeholders] * len(batch))} {conflict}", params)
            created.update({key: pk for pk, key in cursor.fetchall()})
    return created


def notices_queue_bulk(*, notices: Sequence[dict[str, Any]]) -> BulkQueued:
    """Write many notices at once in the caller's transaction; deliver them in bulk batches.

    Each item holds ``notice_queue``'s keywords (``kind``, ``idempotency_key``,
    ``recipient_key``, ``recipient``, ``context``, optionally ``channel``). The rows are written
    with set-based ``INSERT ... ON CONFLICT (idempotency_key) DO NOTHING``: a key already on
    record (a rerun, a retried chunk) writes nothing and queues nothing. Once the transaction
    commits, the new rows' ids are published on the low-priority queue,
    ``NOTICES_BULK_BATCH_SIZE`` per message; without a broker nothing is published and the
    sweeper delivers them (never the caller's process). Raise ``InvalidNotice`` (nothing
    written) if any item is invalid.
    """
    now = timezone.now()
    in_process = tasks_run_in_process()
    conf = notice_settings()
    # Letters of one run share their context: make it JSON-able and check it once.
    shared: dict[tuple[int, str], tuple[Any, dict[str, Any]]] = {}
    rows = []
    for item in notices:
        context, kind = item["context"], item["kind"]
        if (id(context), kind) not in shared:
            checked = jsonable(dict(context))
            context_check(kind, checked)
            shared[(id(context), kind)] = (context, checked)  # keeps the id's object alive
        rows.append(
            _notice_build(
                **item,
                bulk=True,
                now=now,
                in_process=in_process,
                checked_context=shared[(id(context), kind)][1],
                conf=conf,
            )
        )
    if not rows:
        return BulkQueued({}, 0)
    with transaction.atomic():
        created = _insert_new(rows)
        if created and not in_process:
            transaction.on_commit(partial(notices_publish_bulk, sorted(created.values())))
    logger.info(
        "bulk notices: %s queued, %s already on record", len(created), len(rows) - len(created)
    )
    return BulkQueued(created, len(rows) - len(created))


def _card_context(original: Notice) -> dict[str, Any]:
    context = dict(original.context)
    if original.kind == NoticeKind.PLAN_SWITCH_CONFIRMATION:
        context = {
            "plan_name": context.get("new_plan_name"),
            "medi_cal_plan_name": context.get("new_medi_cal_plan_name"),
            "effective_date": context.get("new_plan_start_date"),
            "mbi": context.get("mbi"),
            "contract_id": context.get("contract_id"),
            "plan_phone": context.get("plan_phone"),
            **{key: context.get(key) for key in CARD_CONTEXT},
        }
    return {key: value for key, value in context.items() if value not in (None, "")}


def notice_resend(
    *,
    notice: Notice,
    requested_by: User | None,
    kind: str | None = None,
    recipient: dict[str, Any] | None = None,
) -> Notice:
    """Send a notice again as a new row (key ``resend:<original id>:<n>``) and audit who asked.

    ``kind="id_card"`` resends only the member ID card of a confirmation. ``recipient``
    replaces the snapshot (a new address); the channel is then chosen again.
    """
    with transaction.atomic():
        original = Notice.objects.select_for_update().get(pk=notice.pk)
        # Decided under the row lock, so two clicks at once send one copy: the second waits
        # for the first's commit and then sees its copy on the way.
        if original.status not in RESENDABLE_STATUSES:
            raise ResendRefused(
                "This letter has not been sent yet; it cannot be sent again.",
                status=original.status,
            )
        pending = (
            Notice.objects.filter(resend_of=original, status__in=ON_ITS_WAY).order_by("pk").first()
        )
        if pending is not None:
            raise ResendRefused(
                f"Letter {original.pk} is already being sent again as letter {pending.pk}.",
                status=pending.status,
            )
        new_kind = kind or original.kind
        context = dict(original.context)
        if new_kind != original.kind:
            if new_kind != NoticeKind.ID_CARD or original.kind not in CARD_KINDS:
                raise InvalidNotice(f"a {original.kind} notice cannot be resent as {new_kind}")
            context = _card_context(original)
        number = Notice.objects.filter(resend_of=original).count() + 1
        resent = notice_queue(
            kind=new_kind,
            idempotency_key=f"resend:{original.pk}:{number}",
            recipient_key=original.recipient_key,
            recipient=recipient if recipient is not None else original.recipient,
            context=context,
            channel=None if recipient is not None else original.channel,
            requested_by=requested_by,
            resend_of=original,
        )
        audit_record(
            actor=requested_by,
            action=AuditEvent.Action.CREATE,
            object_type="notice",
            object_id=resent.pk,
            detail={"resend_of": original.pk, "kind": new_kind, "number": number},
        )
    return resent


def notice_cancel_pending(*, idempotency_key_prefix: str, reason: str = "") -> int:
    """Cancel queued, unsent notices whose key starts with the prefix; return how many.

    Used when an admin moves a county's date: the unsent transition notices are cancelled and
    new ones (whose keys carry the new date) are queued. Rows already sending or sent are left.
    """
    if not idempotency_key_prefix or not idempotency_key_prefix.strip():
        raise InvalidNotice("cancelling needs a non-empty idempotency key prefix")
    with transaction.atomic():
        count = Notice.objects.filter(
            status=NoticeStatus.QUEUED, idempotency_key__startswith=idempotency_key_prefix
        ).update(
            status=NoticeStatus.CANCELLED,
            cancelled_at=timezone.now(),
            last_error=(f"cancelled: {reason}" if reason else "cancelled")[:2000],
        )
    logger.info("notices cancelled: %s (by key prefix)", count)
    return count


def notice_cancel_queued_to(*, recipient_key: str, reason: str = "") -> int:
    """Cancel every queued, unsent notice to one recipient; return how many.

    Used when the state reports a member's death: nothing more is sent to them. Rows already
    sending or sent are left.
    """
    if not recipient_key or not recipient_key.strip():
        raise InvalidNotice("cancelling needs a recipient key")
    with transaction.atomic():
        count = Notice.objects.filter(
            status=NoticeStatus.QUEUED, recipient_key=recipient_key
        ).update(
            status=NoticeStatus.CANCELLED,
            cancelled_at=timezone.now(),
            last_error=(f"cancelled: {reason}" if reason else "cancelled")[:2000],
        )
    logger.info("notices cancelled: %s (by recipient)", count)
    return count


# --- Delivery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one delivery attempt did: ``sent``, ``skipped``, ``failed`` or ``retry``."""

    result: str
    retry_in: int = 0


def retry_backoff(attempts: int) -> int:
    """Return seconds to wait after the ``attempts``-th failure: doubling, capped."""
    conf = notice_settings()
    delay = conf.retry_backoff_seconds * 2 ** max(attempts - 1, 0)
    return int(min(delay, conf.retry_backoff_max_seconds))


def _claim(notice_id: int, now: datetime.datetime) -> bool:
    timeout = datetime.timedelta(seconds=notice_settings().sending_timeout_seconds)
    due = Q(status=NoticeStatus.QUEUED) & (
        Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now)
    )
    stuck = Q(status=NoticeStatus.SENDING, claimed_at__lte=now - timeout)
    claimed = (
        Notice.objects.filter(pk=notice_id)
        .filter(due | stuck)
        .update(status=NoticeStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def _store(notice: Notice, rendered: RenderedNotice) -> tuple[bytes, bytes | None]:
    """Keep the first rendering (what was sent) and return the PDF bytes to deliver."""
    if notice.pdf:
        with notice.pdf.open("rb") as stored:
            pdf = stored.read()
        card = None
        if notice.id_card_pdf:
            with notice.id_card_pdf.open("rb") as stored_card:
                card = stored_card.read()
        return pdf, card
    notice.subject = rendered.subject[:300]
    notice.html = rendered.html
    notice.pdf.save(f"{notice.pk}.pdf", ContentFile(rendered.pdf), save=False)
    if rendered.id_card_pdf:
        notice.id_card_pdf.save(
            f"{notice.pk}-id-card.pdf", ContentFile(rendered.id_card_pdf), save=False
        )
    notice.save(update_fields=["subject", "html", "pdf", "id_card_pdf"])
    return rendered.pdf, rendered.id_card_pdf


def _finish(notice: Notice, claimed_at: datetime.datetime | None, **changes: Any) -> bool:
    # Only the attempt that holds the claim may record its result.
    return (
        Notice.objects.filter(
            pk=notice.pk, status=NoticeStatus.SENDING, claimed_at=claimed_at
        ).update(**changes)
        == 1
    )


def notice_deliver_attempt(*, notice_id: int) -> DeliveryOutcome:
    """Claim a notice, render, store and deliver it, and record the result.

    Nothing happens unless the row is ``queued`` and due, or stuck in ``sending`` past the
    timeout: a second delivery of the same id sends nothing. A transient error puts the row
    back to ``queued`` and asks for a retry after a backoff, until the attempts run out; a
    permanent error marks it ``failed`` at once.
    """
    now = timezone.now()
    if not _claim(notice_id, now):
        logger.info("notice %s: not claimable (sent, being sent, cancelled or not due)", notice_id)
        return DeliveryOutcome("skipped")
    notice = Notice.objects.get(pk=notice_id)
    claimed_at = notice.claimed_at
    conf = notice_settings()
    try:
        rendered = notice_render(notice)
        pdf, card = _store(notice, rendered)
        channel_deliver(notice, rendered, pdf, card)
    except Exception as exc:
        error = error_summary(exc)
        permanent = error_is_permanent(exc)
        if permanent or notice.attempts >= conf.max_attempts:
            _finish(notice, claimed_at, status=NoticeStatus.FAILED, last_error=error)
            logger.warning(
                "notice %s failed after %s attempt(s) (%s, %s)",
                notice.pk,
                notice.attempts,
                type(exc).__name__,
                "permanent" if permanent else "retries exhausted",
            )
            return DeliveryOutcome("failed")
        wait = retry_backoff(notice.attempts)
        _finish(
            notice,
            claimed_at,
            status=NoticeStatus.QUEUED,
            last_error=error,
            next_attempt_at=timezone.now()
            + datetime.timedelta(seconds=wait + conf.sweep_grace_seconds),
        )
        logger.warning(
            "notice %s attempt %s failed (%s); retry in %ss",
            notice.pk,
            notice.attempts,
            type(exc).__name__,
            wait,
        )
        return DeliveryOutcome("retry", retry_in=wait)
    if not _finish(notice, claimed_at, status=NoticeStatus.SENT, sent_at=timezone.now()):
        logger.warning("notice %s was delivered after its claim was taken over", notice.pk)
    logger.info("notice %s sent (%s)", notice.pk, notice.channel)
    return DeliveryOutcome("sent")


@dataclass
class BatchOutcome:
    """What one bulk delivery task did: results by kind of outcome, and ids it left for later."""

    results: dict[str, int] = field(default_factory=dict)
    left: list[int] = field(default_factory=list)


def notices_deliver_batch(*, notice_ids: Sequence[int], max_seconds: float = 60) -> BatchOutcome:
    """Deliver a batch of bulk notices one by one (each claimed like ``notice_deliver``).

    Safe to run twice: a notice already claimed, sent or cancelled is skipped. A transient
    error leaves that notice ``queued`` with its backoff, for the sweeper. Past ``max_seconds``
    the rest is returned in ``left`` (the task publishes it again), so a task stays short.
    """
    outcome = BatchOutcome()
    started = time.monotonic()
    ids = [int(pk) for pk in notice_ids]
    for index, notice_id in enumerate(ids):
        if index and time.monotonic() - started > max_seconds:
            outcome.left = ids[index:]
            break
        result = notice_deliver_attempt(notice_id=notice_id).result
        outcome.results[result] = outcome.results.get(result, 0) + 1
    return outcome


# --- Sweeper ---------------------------------------------------------------------------------


@dataclass
class SweepResult:
    requeued: list[int] = field(default_factory=list)
    reclaimed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def notices_sweep(*, limit: int = 500) -> SweepResult:
    """Re-enqueue due ``queued`` rows and rows stuck in ``sending``, so no letter is lost.

    A queued row is due once its grace, backoff or schedule (``next_attempt_at``) has passed:
    its first publish failed or its message was lost. A row in ``sending`` longer than the
    timeout lost its worker: it goes back to ``queued`` (or ``failed`` when its attempts are
    used up). Rows are locked with ``SKIP LOCKED`` on PostgreSQL, so sweepers never collide.
    """
    conf = notice_settings()
    now = timezone.now()
    result = SweepResult()
    later = now + datetime.timedelta(seconds=conf.requeue_interval_seconds)
    bulk_later = now + datetime.timedelta(
        seconds=max(conf.bulk_sweep_grace_seconds, conf.requeue_interval_seconds)
    )
    with transaction.atomic():
        due = (
            Notice.objects.select_for_update(skip_locked=True)
            .filter(status=NoticeStatus.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now))
            .order_by("pk")
        )
        # Single letters first, then bulk ones (published in batches on the low-priority queue).
        single = list(due.filter(bulk=False).values_list("pk", flat=True)[:limit])
        bulk = list(due.filter(bulk=True).values_list("pk", flat=True)[: conf.bulk_sweep_limit])
        result.requeued = single + bulk
        Notice.objects.filter(pk__in=single).update(next_attempt_at=later)
        for start in range(0, len(bulk), 1000):
            Notice.objects.filter(pk__in=bulk[start : start + 1000]).update(
                next_attempt_at=bulk_later
            )

        timeout = datetime.timedelta(seconds=conf.sending_timeout_seconds)
        stuck = (
            Notice.objects.select_for_update(skip_locked=True)
            .filter(status=NoticeStatus.SENDING, claimed_at__lte=now - timeout)
            .order_by("pk")
        )
        stuck_bulk: set[int] = set()
        for pk, attempts, is_bulk in stuck.values_list("pk", "attempts", "bulk")[:limit]:
            (result.failed if attempts >= conf.max_attempts else result.reclaimed).append(pk)
            if is_bulk:
                stuck_bulk.add(pk)
        lost = f"the delivery did not finish within {conf.sending_timeout_seconds} s"
        Notice.objects.filter(pk__in=result.reclaimed).update(
            status=NoticeStatus.QUEUED, next_attempt_at=later, last_error=lost
        )
        Notice.objects.filter(pk__in=result.failed).update(
            status=NoticeStatus.FAILED, last_error=f"{lost}; attempts used up"
        )
        for pk in [*single, *result.reclaimed]:
            if pk not in stuck_bulk:
                transaction.on_commit(partial(_publish, pk))
        republish_bulk = bulk + [pk for pk in result.reclaimed if pk in stuck_bulk]
        if republish_bulk:
            transaction.on_commit(partial(notices_publish_bulk, republish_bulk))
    if result.requeued or result.reclaimed or result.failed:
        logger.info(
            "notices sweep: requeued %s, reclaimed %s, failed %s",
            len(result.requeued),
            len(result.reclaimed),
            len(result.failed),
        )
    return result


# --- Print -----------------------------------------------------------------------------------

MANIFEST_FIELDS = ("notice_id", "kind", "language", "format", "special_format", "letter", "id_card")


def notices_print_batch_build(*, created_by: User | None = None) -> PrintBatch | None:
    """Collect sent print letters not yet batched into one zip for the print vendor.

    The zip holds each letter PDF (and ID card PDF) and ``manifest.csv`` with ids, kinds,
    languages and formats; braille and audio letters are flagged in ``special_format`` and
    counted on the batch. Return None when nothing waits.
    """
    with transaction.atomic():
        waiting = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(
                channel=NoticeChannel.PRINT,
                status=NoticeStatus.SENT,
                print_batch__isnull=True,
            )
            .order_by("pk")
        )
        if not waiting:
            return None
        batch = PrintBatch.objects.create(
            created_by=created_by,
            notice_count=len(waiting),
            special_format_count=sum(1 for n in waiting if n.format in SPECIAL_FORMATS),
        )
        with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                manifest = io.StringIO()
                writer = csv.writer(manifest)
                writer.writerow(MANIFEST_FIELDS)
                for notice in waiting:
                    letter = f"{notice.pk}.pdf"
                    with notice.pdf.open("rb") as stored:
                        archive.writestr(letter, stored.read())
                    card = ""
                    if notice.id_card_pdf:
                        card = f"{notice.pk}-id-card.pdf"
                        with notice.id_card_pdf.open("rb") as stored_card:
                            archive.writestr(card, stored_card.read())
                    writer.writerow(
                        [
                            notice.pk,
                            notice.kind,
                            notice.language,
                            notice.format,
                            notice.special_format,
                            letter,
                            card,
                        ]
                    )
                archive.writestr("manifest.csv", manifest.getvalue())
            spool.seek(0)
            batch.file.save(f"print-batch-{batch.pk}.zip", File(spool), save=False)
        batch.save(update_fields=["file"])
        Notice.objects.filter(pk__in=[n.pk for n in waiting]).update(print_batch=batch)
    logger.info("print batch %s built with %s letters", batch.pk, batch.notice_count)
    return batch
