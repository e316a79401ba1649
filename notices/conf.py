"""The notices engine's settings, read when used (never at import) with working defaults.

Each one can be set in ``medimedi/settings.py`` (the Celery / email section).
"""

from dataclasses import dataclass

from django.conf import settings

# The fictional number the settings ship with (555-01xx is reserved for fiction): never printed.
PLACEHOLDER_PROGRAM_PHONE = "1-800-555-0100"

DEFAULTS: dict[str, object] = {
    # Delivery attempts before a transient failure becomes ``failed``.
    "NOTICES_MAX_ATTEMPTS": 5,
    # Backoff after the n-th failed attempt: base * 2 ** (n - 1), capped.
    "NOTICES_RETRY_BACKOFF_SECONDS": 30,
    "NOTICES_RETRY_BACKOFF_MAX_SECONDS": 3600,
    # The sweeper re-enqueues a queued row this long after it was due (publish failed or lost).
    "NOTICES_SWEEP_GRACE_SECONDS": 30,
    # After re-enqueuing a row, the sweeper leaves it alone this long before trying again.
    "NOTICES_REQUEUE_INTERVAL_SECONDS": 300,
    # A row in ``sending`` longer than this lost its worker (must exceed the task time limit).
    "NOTICES_SENDING_TIMEOUT_SECONDS": 600,
    # Celery queue for notice tasks; None means Celery's default queue.
    "NOTICES_CELERY_QUEUE": None,
    # The low-priority queue of bulk letters (county transitions) and their chunk tasks.
    "NOTICES_BULK_CELERY_QUEUE": "notices_bulk",
    # Letters per bulk delivery task (one message carries this many ids).
    "NOTICES_BULK_BATCH_SIZE": 50,
    # A bulk letter waits this long before the sweeper publishes it again: its batch message
    # may legitimately wait behind a long backlog, and duplicates only cost a claim each.
    "NOTICES_BULK_SWEEP_GRACE_SECONDS": 6 * 3600,
    # How many due bulk letters one sweep publishes again (in batches).
    "NOTICES_BULK_SWEEP_LIMIT": 5000,
    # Phone number printed in the taglines and letters when the context has no ``plan_phone``.
    # The placeholder (or an empty value) means "not set": letters then say the number is not
    # yet set instead of printing a number that looks real.
    "NOTICES_PROGRAM_PHONE": "1-800-555-0100",
    "NOTICES_SENDER_NAME": "Medi-Medi Plan Enrollment",
    "NOTICES_SENDER_ADDRESS": ["P.O. Box 0000", "Sacramento, CA 95899"],
    # TrueType fonts for PDFs; missing files fall back to Helvetica (Latin-1 only).
    "NOTICES_PDF_FONT": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "NOTICES_PDF_FONT_BOLD": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}


@dataclass(frozen=True)
class NoticeSettings:
    max_attempts: int
    retry_backoff_seconds: int
    retry_backoff_max_seconds: int
    sweep_grace_seconds: int
    requeue_interval_seconds: int
    sending_timeout_seconds: int
    celery_queue: str | None
    bulk_queue: str
    bulk_batch_size: int
    bulk_sweep_grace_seconds: int
    bulk_sweep_limit: int
    program_phone: str  # empty when unset or still the placeholder: letters say "not yet set"
    sender_name: str
    sender_address: list[str]
    pdf_font: str
    pdf_font_bold: str


def _get(name: str) -> object:
    return getattr(settings, name, DEFAULTS[name])


def program_phone_configured(value: object) -> str:
    """Return the program's phone number, or "" when it is unset or still the placeholder."""
    phone = str(value or "").strip()
    return "" if phone == PLACEHOLDER_PROGRAM_PHONE else phone


def notice_settings() -> NoticeSettings:
    """Return the current notices settings (test overrides take effect at once)."""
    queue = _get("NOTICES_CELERY_QUEUE")
    return NoticeSettings(
        max_attempts=int(str(_get("NOTICES_MAX_ATTEMPTS"))),
        retry_backoff_seconds=int(str(_get("NOTICES_RETRY_BACKOFF_SECONDS"))),
        retry_backoff_max_seconds=int(str(_get("NOTICES_RETRY_BACKOFF_MAX_SECONDS"))),
        sweep_grace_seconds=int(str(_get("NOTICES_SWEEP_GRACE_SECONDS"))),
        requeue_interval_seconds=int(str(_get("NOTICES_REQUEUE_INTERVAL_SECONDS"))),
        sending_timeout_seconds=int(str(_get("NOTICES_SENDING_TIMEOUT_SECONDS"))),
        celery_queue=str(queue) if queue else None,
        bulk_queue=str(_get("NOTICES_BULK_CELERY_QUEUE") or "notices_bulk"),
        bulk_batch_size=max(1, int(str(_get("NOTICES_BULK_BATCH_SIZE")))),
        bulk_sweep_grace_seconds=int(str(_get("NOTICES_BULK_SWEEP_GRACE_SECONDS"))),
        bulk_sweep_limit=int(str(_get("NOTICES_BULK_SWEEP_LIMIT"))),
        program_phone=program_phone_configured(_get("NOTICES_PROGRAM_PHONE")),
        sender_name=str(_get("NOTICES_SENDER_NAME")),
        sender_address=[str(line) for line in _get("NOTICES_SENDER_ADDRESS")],  # type: ignore[attr-defined]
        pdf_font=str(_get("NOTICES_PDF_FONT")),
        pdf_font_bold=str(_get("NOTICES_PDF_FONT_BOLD")),
    )
