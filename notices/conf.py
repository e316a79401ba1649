"""The notices engine's settings, read when used (never at import) with working defaults.

Each one can be set in ``medimedi/settings.py`` (the Celery / email section).
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# The fictional number the settings ship with (555-01xx is reserved for fiction): never printed.
PLACEHOLDER_PROGRAM_PHONE = "1-800-555-0100"

# Noto Sans CJK holds five fonts: JP 0, KR 1, SC 2, TC 3, HK 4.
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NOTO_DEB = "fonts-noto-cjk"
NOTO_CORE = "/usr/share/fonts/truetype/noto"  # Debian's fonts-noto-core

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
    # Where the converted script fonts are kept between processes (a cut of Noto Sans CJK takes
    # a second or two to make); None: var/fonts in the project; unwritable: made every process.
    "NOTICES_PDF_FONT_CACHE": None,
    # Each script's own font for its taglines, embedded like the others: the font file, its
    # index in a .ttc collection, its name (a letter printed without it says so), the Debian
    # package that installs it, and for a font without Latin letters or digits (Noto Sans
    # Khmer) a font whose Latin-1 is added to it: HarfBuzz shapes a line in one font only.
    "NOTICES_PDF_SCRIPT_FONTS": {
        "hans": {"path": NOTO_CJK, "index": 2, "name": "Noto Sans CJK SC", "package": NOTO_DEB},
        "hant": {"path": NOTO_CJK, "index": 3, "name": "Noto Sans CJK TC", "package": NOTO_DEB},
        "hangul": {"path": NOTO_CJK, "index": 1, "name": "Noto Sans CJK KR", "package": NOTO_DEB},
        "khmer": {
            "path": f"{NOTO_CORE}/NotoSansKhmer-Regular.ttf",
            "name": "Noto Sans Khmer",
            "package": "fonts-noto-core",
            "latin": f"{NOTO_CORE}/NotoSans-Regular.ttf",
        },
    },
}


@dataclass(frozen=True)
class ScriptFont:
    """One script's font for PDF taglines (``NOTICES_PDF_SCRIPT_FONTS``)."""

    script: str  # a ``notices.languages.Language.script``: hans, hant, hangul, khmer, ...
    path: str
    index: int  # the font's place in a .ttc collection (0 for a single font)
    name: str
    package: str = ""
    latin: str = ""  # a font whose Latin-1 glyphs are added to this one, when set


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
    pdf_script_fonts: tuple[ScriptFont, ...] = ()
    pdf_font_cache: str = ""


def _get(name: str) -> object:
    return getattr(settings, name, DEFAULTS[name])


def script_fonts(value: object) -> tuple[ScriptFont, ...]:
    """Read ``NOTICES_PDF_SCRIPT_FONTS``: ``{script: {"path", "name", "index", "package",
    "latin"}}`` (only ``path`` and ``name`` are required)."""
    fonts: dict[str, dict[str, object]] = dict(value or {})  # type: ignore[call-overload]
    return tuple(
        ScriptFont(
            script=str(script),
            path=str(spec["path"]),
            index=int(str(spec.get("index", 0))),
            name=str(spec["name"]),
            package=str(spec.get("package", "")),
            latin=str(spec.get("latin", "")),
        )
        for script, spec in fonts.items()
    )


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
        pdf_script_fonts=script_fonts(_get("NOTICES_PDF_SCRIPT_FONTS")),
        pdf_font_cache=str(
            _get("NOTICES_PDF_FONT_CACHE") or Path(settings.BASE_DIR) / "var" / "fonts"
        ),
    )
