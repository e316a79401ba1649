"""One environment-driven settings file.

With nothing configured the portal runs anywhere: SQLite in the project folder and Celery tasks
run in process. ``DATABASE_URL`` selects PostgreSQL and ``CELERY_BROKER_URL`` (or ``REDIS_URL``)
a Redis broker. ``DJANGO_ENV=production`` refuses to start without a secret key, allowed hosts,
PostgreSQL and a broker.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
PRODUCTION = DJANGO_ENV == "production"

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
CELERY_BROKER_URL = (
    os.environ.get("CELERY_BROKER_URL", "").strip() or os.environ.get("REDIS_URL", "").strip()
)

if PRODUCTION:
    missing = [
        name
        for name, present in (
            ("DJANGO_SECRET_KEY", bool(os.environ.get("DJANGO_SECRET_KEY"))),
            ("DJANGO_ALLOWED_HOSTS", bool(_env_list("DJANGO_ALLOWED_HOSTS"))),
            (
                "DATABASE_URL (postgres://...)",
                DATABASE_URL.startswith(("postgres://", "postgresql://")),
            ),
            ("CELERY_BROKER_URL or REDIS_URL", bool(CELERY_BROKER_URL)),
            # Sign-in lockouts and attempt limits must be shared by every web process.
            ("REDIS_CACHE_URL", bool(os.environ.get("REDIS_CACHE_URL"))),
        )
        if not present
    ]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these settings: " + ", ".join(missing)
        )

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "insecure-development-key-never-use-in-production-0123456789abcdef"
)
DEBUG = _env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = _env_list(
    "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "accounts",
    "eligibility",
    "enrollment",
    "notices",
    "interchange",
    "care",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AccountLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-in rules (docs/security-signin.md): session time limits, the staff second factor.
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "accounts.middleware.TooManyRequestsPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last of the request-handling middleware: turns a sign-in lockout into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "medimedi.urls"
WSGI_APPLICATION = "medimedi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "medimedi.context_processors.layout",
            ],
        },
    },
]
# Widgets carry their USWDS classes (usa-input, tile radios...): docs/look.md.
FORM_RENDERER = "medimedi.forms_renderer.PortalFormRenderer"

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Covering indexes (INCLUDE) serve the staff queue on PostgreSQL; SQLite, the embedded default,
# keeps the index without the extra columns, which is all it needs at its size.
SILENCED_SYSTEM_CHECKS = [] if IS_POSTGRES else ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Members log in with their email address, in whatever case they type it. Axes' backend comes
# first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CaseInsensitiveUsernameBackend",
]
# One process's memory by default; REDIS_CACHE_URL shares counters (login-attempt limits)
# between processes.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_CACHE_URL"],
        }
        if os.environ.get("REDIS_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 8 characters for members, 12 for staff and admins.
    {"NAME": "accounts.password_validation.RoleMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in for health data (docs/security-signin.md; HIPAA 164.312(d), OWASP ASVS L2).
# New passwords are hashed with Argon2; older PBKDF2 hashes still verify and are upgraded at the
# next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# Staff and admins sign in with a TOTP code (django-otp); the issuer names the portal in the app.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Medi-Medi Portal")
# Sessions: staff and admins 15 minutes idle and 8 hours at most; members 30 minutes idle
# (accounts/middleware.py). The cookie itself lasts no longer than a staff session.
SESSION_IDLE_SECONDS_STAFF = int(os.environ.get("SESSION_IDLE_SECONDS_STAFF", str(15 * 60)))
SESSION_MAX_SECONDS_STAFF = int(os.environ.get("SESSION_MAX_SECONDS_STAFF", str(8 * 3600)))
SESSION_IDLE_SECONDS_MEMBER = int(os.environ.get("SESSION_IDLE_SECONDS_MEMBER", str(30 * 60)))
SESSION_MAX_SECONDS_MEMBER: int | None = None
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
# Paths a signed-in staff member without a verified code may still reach.
SIGNIN_EXEMPT_PATHS = [
    "/accounts/login/",
    "/accounts/logout/",
    "/admin/login/",
    "/admin/logout/",
    "/healthz",
    "/i18n/setlang/",
]
# API tokens (django-rest-knox, stored hashed): 8 hours for staff and admins, 30 days for members.
API_TOKEN_TTL_STAFF = timedelta(hours=int(os.environ.get("API_TOKEN_TTL_STAFF_HOURS", "8")))
API_TOKEN_TTL_MEMBER = timedelta(days=int(os.environ.get("API_TOKEN_TTL_MEMBER_DAYS", "30")))
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": API_TOKEN_TTL_STAFF,  # only for a token created without its own expiry
    "AUTO_REFRESH": False,
}
# Lockout (django-axes with accounts.lockout's handler, counters in the default cache): 5 failed
# sign-ins for one username, or 50 from one address, within 15 minutes lock it for 15 minutes.
# Page login, admin login and the token endpoint all count.
AXES_HANDLER = "accounts.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_USERNAME", "5"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "50"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.ratelimit.client_address"
AXES_VERBOSE = False
# The handler keeps no AccessAttempt rows, so axes' admin pages would always be empty.
AXES_ENABLE_ADMIN = False
# The client address is REMOTE_ADDR; behind N reverse proxies that each append to
# X-Forwarded-For, set TRUSTED_PROXY_COUNT=N (never more than there are).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Attempt limits per client address (accounts/ratelimit.py): member sign-ups an hour, and public
# eligibility checks a minute (high enough that no person meets it; it stops scripted floods).
SIGNUP_ATTEMPTS_PER_HOUR = int(os.environ.get("SIGNUP_ATTEMPTS_PER_HOUR", "10"))
ELIGIBILITY_CHECK_RATE_PER_MINUTE = int(os.environ.get("ELIGIBILITY_CHECK_RATE_PER_MINUTE", "600"))

# The portal speaks English and Spanish (docs/i18n.md): the browser's language is the first guess
# (LocaleMiddleware), the switch on every page and the member's account remember a choice
# (accounts.middleware.AccountLanguageMiddleware). Catalogs live in locale/; dates and numbers
# follow the language (medimedi/formats/).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["medimedi.formats"]
TIME_ZONE = "America/Los_Angeles"
# Coverage dates are calendar dates in California; "today" for a check is taken in this zone.
PROGRAM_TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _env_bool("DJANGO_STATIC_MANIFEST", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves straight from the app and static folders, no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    "EXCEPTION_HANDLER": "medimedi.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Medi-Medi Portal API",
    "DESCRIPTION": "Eligibility, enrollment and notices for California's Medicare Medi-Cal Plans.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "enrollment.models.ApplicationStatus",
        "ApplicationChannelEnum": "enrollment.models.Channel",
        "NoticeFormatEnum": "notices.models.NoticeFormat",
        "EnrollmentKindEnum": "enrollment.models.EnrollmentKind",
        "NoticeKindEnum": "notices.models.NoticeKind",
        "ReviewKindEnum": "enrollment.models.ReviewKind",
        "ReviewStatusEnum": "enrollment.models.ReviewStatus",
        "ReviewDecisionEnum": "enrollment.models.ReviewDecision",
        "ImportStatusEnum": "interchange.models.ImportStatus",
        "ImportKindEnum": "interchange.models.ImportKind",
        "ImportFormatEnum": "interchange.models.ImportFormat",
        "MedicareStatusEnum": "enrollment.models.MedicareStatus",
        "MedicareSubmissionKindEnum": "enrollment.models.MedicareSubmissionKind",
        "MedicareTransactionEnum": "enrollment.models.MedicareTransaction",
        "MedicareAnswerEnum": "enrollment.api.medicare_serializers.ANSWER_CHOICES",
        "MedicareReplyRowStatusEnum": "enrollment.api.medicare_serializers.ROW_STATUS_CHOICES",
        "AppealKindEnum": "care.models.AppealKind",
        "AppealChannelEnum": "care.models.AppealChannel",
        "ExtensionRequestedByEnum": "care.models.ExtensionRequestedBy",
    },
}

# Input limits, security headers and the API schema (medimedi/parsers.py, middleware.py,
# schema.py). A JSON body larger than DATA_UPLOAD_MAX_MEMORY_SIZE answers 413, one nested deeper
# than API_JSON_MAX_DEPTH 400. The CSP allows no inline script or style: a template that needs
# one gives it the request's nonce (the API docs page does).
from csp import constants as csp_constants  # noqa: E402 - kept beside the policy that uses it

DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
API_JSON_MAX_DEPTH = 32
# The schema and its docs page: open in development, staff and admins only in production.
API_DOCS_PUBLIC = _env_bool("API_DOCS_PUBLIC", not PRODUCTION)
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["medimedi.parsers.LimitedJSONParser"]
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "medimedi.schema.AutoSchema"
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["medimedi.permissions.ApiDocsAccess"]
MIDDLEWARE = [
    *MIDDLEWARE[:1],
    "csp.middleware.CSPMiddleware",
    *MIDDLEWARE[1:],
    "medimedi.middleware.PrivateNoStoreMiddleware",
    "medimedi.middleware.IdRangeMiddleware",
]
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF, csp_constants.NONCE],
        "style-src": [csp_constants.SELF, csp_constants.NONCE],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}

# Celery: at-least-once delivery (design.md section 3).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when the broker is down: the outbox sweeper resends.
# "priority": a worker consuming several queues always takes from the first non-empty one in
# CELERY_TASK_QUEUES' order (notices, then celery, then notices_bulk), not round robin.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "queue_order_strategy": "priority",
}
CELERY_TIMEZONE = TIME_ZONE

# Notices (docs/notices.md). Delivery attempts before a transient failure becomes final, the
# backoff between them (doubling from the base, capped), how long the sweeper waits before it
# re-enqueues a queued letter, and when a letter stuck in "sending" counts as lost (longer than
# the task time limit).
NOTICES_MAX_ATTEMPTS = int(os.environ.get("NOTICES_MAX_ATTEMPTS", "5"))
NOTICES_RETRY_BACKOFF_SECONDS = int(os.environ.get("NOTICES_RETRY_BACKOFF_SECONDS", "30"))
NOTICES_RETRY_BACKOFF_MAX_SECONDS = 3600
NOTICES_SWEEP_GRACE_SECONDS = int(os.environ.get("NOTICES_SWEEP_GRACE_SECONDS", "30"))
NOTICES_REQUEUE_INTERVAL_SECONDS = 300
NOTICES_SENDING_TIMEOUT_SECONDS = 600
# Celery queues of notices (docs/notices.md, "Queues and workers"): single letters (high
# priority) and bulk letters with their chunk tasks (low priority). A worker run without -Q
# consumes every queue below, in this order; with prefetch 1 a single letter never waits
# behind more than the bulk task each process is running.
# NOTICES_CELERY_QUEUE set: notice tasks are published to it explicitly (tests give each
# worker its own); unset: CELERY_TASK_ROUTES sends them to "notices".
NOTICES_CELERY_QUEUE = os.environ.get("NOTICES_CELERY_QUEUE") or None
_NOTICES_QUEUE = NOTICES_CELERY_QUEUE or "notices"
NOTICES_BULK_CELERY_QUEUE = os.environ.get("NOTICES_BULK_CELERY_QUEUE") or "notices_bulk"
NOTICES_BULK_BATCH_SIZE = int(os.environ.get("NOTICES_BULK_BATCH_SIZE", "50"))
NOTICES_BULK_SWEEP_GRACE_SECONDS = int(os.environ.get("NOTICES_BULK_SWEEP_GRACE_SECONDS", "21600"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(_NOTICES_QUEUE),
    Queue(CELERY_TASK_DEFAULT_QUEUE),
    Queue(NOTICES_BULK_CELERY_QUEUE),
]
CELERY_TASK_ROUTES = {
    "notices.tasks.notice_deliver": {"queue": _NOTICES_QUEUE},
    "notices.tasks.notices_sweep": {"queue": _NOTICES_QUEUE},
    "notices.tasks.notices_print_batch_build": {"queue": _NOTICES_QUEUE},
    "notices.tasks.notices_deliver_batch": {"queue": NOTICES_BULK_CELERY_QUEUE},
    "eligibility.tasks.county_transition_chunk": {"queue": NOTICES_BULK_CELERY_QUEUE},
}
# How often beat runs the sweeper.
NOTICES_SWEEP_INTERVAL_SECONDS = float(os.environ.get("NOTICES_SWEEP_INTERVAL_SECONDS", "60"))
_NOTICES_ROUTE = {"options": {"queue": NOTICES_CELERY_QUEUE}} if NOTICES_CELERY_QUEUE else {}
CELERY_BEAT_SCHEDULE: dict[str, Any] = {
    # The notices outbox sweeper: re-enqueues letters a broker outage or a lost worker left.
    "notices-sweep": {
        "task": "notices.tasks.notices_sweep",
        "schedule": NOTICES_SWEEP_INTERVAL_SECONDS,
        **_NOTICES_ROUTE,
    },
    # Hand the print letters to the vendor once a day (17:00 California time).
    "notices-print-batch": {
        "task": "notices.tasks.notices_print_batch_build",
        "schedule": crontab(hour=17, minute=0),
        **_NOTICES_ROUTE,
    },
    # County transition notices, 60 and 30 days before a county's availability date.
    "county-transition-notices": {
        "task": "eligibility.tasks.county_transition_notices",
        "schedule": crontab(hour=6, minute=0),
    },
    # Plan-transfer letters due today (60 and 30 days before a transfer's date), 06:10.
    "plan-transfer-letters": {
        "task": "enrollment.tasks.plan_transfer_letters",
        "schedule": crontab(hour=6, minute=10),
    },
    # End the Medi-Medi enrollments whose deeming period passed without Medi-Cal (05:30).
    "deeming-periods-end": {
        "task": "enrollment.tasks.deeming_periods_end",
        "schedule": crontab(hour=5, minute=30),
    },
    # Care coordination: open cases missed, mark overdue assessments and plans (04:30).
    "care-daily": {
        "task": "care.tasks.care_daily",
        "schedule": crontab(hour=4, minute=30),
    },
}
# Printed in letters and taglines when a notice's context has no plan phone. The default is a
# placeholder (555-01xx is reserved for fiction) that is never printed: until the program's real
# number is configured, letters say the number is not yet set.
NOTICES_PROGRAM_PHONE = os.environ.get("NOTICES_PROGRAM_PHONE", "1-800-555-0100")
NOTICES_SENDER_NAME = os.environ.get("NOTICES_SENDER_NAME", "Medi-Medi Plan Enrollment")
# The return address printed on letters, lines separated by "|".
NOTICES_SENDER_ADDRESS = [
    line.strip()
    for line in os.environ.get(
        "NOTICES_SENDER_ADDRESS", "P.O. Box 0000|Sacramento, CA 95899"
    ).split("|")
    if line.strip()
]
# TrueType fonts for PDF letters (Debian: fonts-dejavu-core); missing, letters use Helvetica.
NOTICES_PDF_FONT = os.environ.get(
    "NOTICES_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)
NOTICES_PDF_FONT_BOLD = os.environ.get(
    "NOTICES_PDF_FONT_BOLD", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)

# Outside production, letters go to files in var/mail/ (one file per message), not to a console
# that a PDF attachment would flood.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "notices@medimedi.example")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))

# Failed attempts to link an account to a beneficiary record before the account must wait.
IDENTITY_LINK_MAX_FAILURES = int(os.environ.get("IDENTITY_LINK_MAX_FAILURES", "5"))
IDENTITY_LINK_WINDOW_SECONDS = int(os.environ.get("IDENTITY_LINK_WINDOW_SECONDS", "3600"))
# The same per client address (many accounts, one person) and per identifier tried (many
# accounts, one Medicare number).
IDENTITY_LINK_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("IDENTITY_LINK_MAX_FAILURES_PER_ADDRESS", "20")
)
IDENTITY_LINK_MAX_FAILURES_PER_IDENTIFIER = int(
    os.environ.get("IDENTITY_LINK_MAX_FAILURES_PER_IDENTIFIER", "5")
)

# Seconds each process keeps counties and service areas in memory for the eligibility check
# (eligibility/reference_cache.py); 0 reads the database on every check.
REFERENCE_CACHE_SECONDS = int(os.environ.get("REFERENCE_CACHE_SECONDS", "60"))

# Where uploaded eligibility files wait for their import (admin page); named by content hash.
INTERCHANGE_UPLOAD_DIR = os.environ.get("INTERCHANGE_UPLOAD_DIR", str(BASE_DIR / "var" / "imports"))

# A full eligibility file missing more than this share of the people on record (and more
# than 100 of them) opens no "not in this month's file" review per person, only a warning.
INTERCHANGE_ABSENT_REVIEW_MAX_SHARE = float(
    os.environ.get("INTERCHANGE_ABSENT_REVIEW_MAX_SHARE", "0.05")
)

# Enrollment files out (834 per Medi-Cal plan, docs/enrollment-files-out.md): where they are
# stored, the interchange's sender and receiver ids (ISA06/ISA08, GS02/GS03) and ISA15
# (P production, T test).
INTERCHANGE_EXPORT_DIR = os.environ.get("INTERCHANGE_EXPORT_DIR", str(BASE_DIR / "var" / "exports"))
INTERCHANGE_834_SENDER_ID = os.environ.get("INTERCHANGE_834_SENDER_ID", "MEDIMEDI")
INTERCHANGE_834_RECEIVER_ID = os.environ.get("INTERCHANGE_834_RECEIVER_ID", "CADHCS")
INTERCHANGE_834_USAGE = os.environ.get("INTERCHANGE_834_USAGE", "P" if PRODUCTION else "T")

# How long a member keeps a Medi-Medi Plan after temporarily losing Medi-Cal (42 CFR 422.52(d):
# 30 days to 6 months). Health Plan of San Mateo uses 4 months.
DEEMING_PERIOD_MONTHS = int(os.environ.get("DEEMING_PERIOD_MONTHS", "4"))

# Care coordination and continuity of care: the program's deadlines, each with its source in
# docs/care.md. Days are calendar days.
CARE_HRA_INITIAL_DAYS = int(os.environ.get("CARE_HRA_INITIAL_DAYS", "90"))  # 42 CFR 422.101(f)
CARE_HRA_REASSESSMENT_DAYS = int(os.environ.get("CARE_HRA_REASSESSMENT_DAYS", "365"))
# Plan policy (no public source fixes them): attempts before "unable to reach", and the days
# from a completed assessment to its care plan.
CARE_HRA_OUTREACH_ATTEMPTS = int(os.environ.get("CARE_HRA_OUTREACH_ATTEMPTS", "3"))
CARE_PLAN_DUE_DAYS = int(os.environ.get("CARE_PLAN_DUE_DAYS", "30"))
# Plan policy too (issue 13 asks for a revision "after each hospital stay" without a number):
# the days from a hospital discharge to the revised care plan.
CARE_PLAN_AFTER_DISCHARGE_DAYS = int(os.environ.get("CARE_PLAN_AFTER_DISCHARGE_DAYS", "30"))
# Continuity of care (DHCS APL 22-032): up to 12 months; decisions in 30 days, 15 when the
# member's condition needs quicker attention, 3 when there is a risk of harm.
CONTINUITY_MAX_MONTHS = int(os.environ.get("CONTINUITY_MAX_MONTHS", "12"))
CONTINUITY_LOOKBACK_MONTHS = int(os.environ.get("CONTINUITY_LOOKBACK_MONTHS", "12"))
# The member is told this many days before approved continuity of care ends (issue 13).
CONTINUITY_END_NOTICE_DAYS = int(os.environ.get("CONTINUITY_END_NOTICE_DAYS", "30"))
CONTINUITY_DECISION_DAYS = {
    "standard": int(os.environ.get("CONTINUITY_DECISION_DAYS_STANDARD", "30")),
    "urgent": int(os.environ.get("CONTINUITY_DECISION_DAYS_URGENT", "15")),
    "risk_of_harm": int(os.environ.get("CONTINUITY_DECISION_DAYS_RISK_OF_HARM", "3")),
}
# Integrated appeals and grievances (Medi-Medi Plans are applicable integrated plans), hours
# from receipt: 42 CFR 422.630(e)(1) grievances in 30 calendar days, 422.630(d) expedited in
# 24 hours; 42 CFR 422.633 integrated reconsiderations in 30 calendar days, expedited 72 hours.
APPEAL_DUE_HOURS = {
    "grievance": int(os.environ.get("APPEAL_DUE_HOURS_GRIEVANCE", str(30 * 24))),
    "grievance_expedited": int(os.environ.get("APPEAL_DUE_HOURS_GRIEVANCE_EXPEDITED", "24")),
    "appeal": int(os.environ.get("APPEAL_DUE_HOURS_APPEAL", str(30 * 24))),
    "appeal_expedited": int(os.environ.get("APPEAL_DUE_HOURS_APPEAL_EXPEDITED", "72")),
}
# The one extension a case may get, in calendar days at most (standard or expedited): 42 CFR
# 422.630(e)(2) for grievances, 422.633(f) for integrated reconsiderations (docs/care.md).
APPEAL_EXTENSION_MAX_DAYS = {
    "grievance": int(os.environ.get("APPEAL_EXTENSION_MAX_DAYS_GRIEVANCE", "14")),
    "appeal": int(os.environ.get("APPEAL_EXTENSION_MAX_DAYS_APPEAL", "14")),
}
# Steps other apps run in the approval's transaction when a Medi-Medi enrollment starts
# (dotted paths, called with ``enrollment=`` and ``actor=``): enrollment imports none of them.
MEDI_MEDI_ENROLLMENT_STARTED = ["care.services.care_case_open"]

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_phi": {"()": "medimedi.logging.RedactPHIFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_phi"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
