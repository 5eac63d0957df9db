"""Settings for Yangguang. Production differs from development only through environment
variables (see README, "Configuration")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=True)
# Only the development default is insecure; production must set its own (check --deploy).
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    default="" if not DEBUG else "dev-insecure-key-do-not-use-in-production-0123456789abcdef",
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_ratelimit",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "core",
    "accounts",
    "catalog",
    "procurement",
    "settlement",
    "supervision",
]

MIDDLEWARE = [
    # First: every log line and audit row of the request carries its id (X-Request-ID).
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything records the path: NUL characters and oversized bodies end here.
    "core.middleware.RequestGuardMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "core.middleware.PasswordRotationMiddleware",
    "core.history.HistoryContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Databases: PostgreSQL everywhere. No DATABASE_URL -> the embedded server under var/.
# Two roles (config/db_roles.py): the app connects as DATABASE_URL's role, which owns nothing
# and may not change history, audit or ledger rows; migrations and other DDL connect as
# MIGRATE_DATABASE_URL's role, the owner (core/privileges.py). Without MIGRATE_DATABASE_URL
# one role does both, unguarded.
DATABASE_URL = env_str("DATABASE_URL", default="")
MIGRATE_DATABASE_URL = env_str("MIGRATE_DATABASE_URL", default="")
if not DATABASE_URL:
    from config.embedded_servers import postgres_urls

    _embedded = postgres_urls()
    DATABASE_URL = _embedded["app"]
    MIGRATE_DATABASE_URL = MIGRATE_DATABASE_URL or _embedded["owner"]


def _database(url: str) -> dict[str, Any]:
    # A TypedDict without OPTIONS' keys: read as the plain dict Django takes.
    database = cast(
        "dict[str, Any]",
        dj_database_url.parse(
            url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        ),
    )
    # Prepared statements only where a read asks for them (core.json_sql.fetch_row): psycopg
    # prepares a query it is told to, never by count, and PostgreSQL plans it once (a generic
    # plan; no other statement is prepared, so the setting touches nothing else). Turn them
    # off with DB_PREPARED_STATEMENTS=0 behind a transaction-pooling PgBouncer older than
    # 1.21; those reads then run unprepared.
    options = database.setdefault("OPTIONS", {})
    if env_bool("DB_PREPARED_STATEMENTS", default=True):
        options["prepare_threshold"] = 2**31 - 1
        options["options"] = (
            options.get("options", "") + " -c plan_cache_mode=force_generic_plan"
        ).strip()
    else:
        options["prepare_threshold"] = None
    return database


DATABASES = {"default": _database(DATABASE_URL)}
# The owner's connection settings (USER, PASSWORD, HOST, PORT, OPTIONS), used in place of the
# default's by `migrate`, `flush` and the test database setup; None: the default's role.
MIGRATE_DATABASE = _database(MIGRATE_DATABASE_URL) if MIGRATE_DATABASE_URL else None
if MIGRATE_DATABASE and MIGRATE_DATABASE["NAME"] != DATABASES["default"]["NAME"]:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("MIGRATE_DATABASE_URL must name the database DATABASE_URL names.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", default="")
if not REDIS_URL:
    from config.embedded_servers import ensure_redis

    REDIS_URL = ensure_redis()

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "yg",
    }
}

# --- Celery (config/celery.py reads the CELERY_ namespace).
from config.embedded_servers import celery_broker_url  # noqa: E402

CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker process died (killed, out of memory) goes back on the queue instead of
# being acked as failed. The long jobs count their runs, so a file that kills its worker every
# time fails after a few tries instead of looping (catalog/services/import_jobs.py, sync.py).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# No task runs longer than this (the prefork pool kills it); the longest, a full catalogue or
# UDI database import, takes minutes.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT_S", 2 * 3600)
# Redis hands a message that was delivered but not acked to another worker after this long
# (kombu's default: one hour). It must outlast the longest task plus its wait behind one
# running task in the worker's prefetch, or a long import would start a second time while the
# first still runs: more than twice the time limit. A task whose whole worker died (a machine
# gone) is redelivered only after it; its job row shows the failure within minutes anyway
# (TASK_HEARTBEAT_LIMIT_S below).
_visibility_timeout_s = env_int("CELERY_VISIBILITY_TIMEOUT_S", 5 * 3600)
if _visibility_timeout_s <= 2 * CELERY_TASK_TIME_LIMIT:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT_S must be more than twice CELERY_TASK_TIME_LIMIT_S."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _visibility_timeout_s}
# Long jobs (imports, the lowest-price sync) write a heartbeat on their row every
# TASK_HEARTBEAT_S seconds; one whose heartbeat is older than TASK_HEARTBEAT_LIMIT_S lost its
# worker and is marked failed ("the worker stopped; retry") by the beat entry below and when
# its page is viewed.
TASK_HEARTBEAT_S = env_int("TASK_HEARTBEAT_S", 5)
TASK_HEARTBEAT_LIMIT_S = env_int("TASK_HEARTBEAT_LIMIT_S", 120)
if TASK_HEARTBEAT_LIMIT_S < 3 * TASK_HEARTBEAT_S:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("TASK_HEARTBEAT_LIMIT_S must be at least 3 x TASK_HEARTBEAT_S.")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # [R-CREDIT] credit events from the platform's own sources (emergency violations).
    "supervision-credit-sources-sweep": {
        "task": "supervision.credit_sources_sweep",
        "schedule": crontab(hour=5, minute=30),
    },
    # [R-ADVANCE] advances of contracts that began; then the reconciliation of the books.
    "settlement-advances-pay-due": {
        "task": "settlement.advances_pay_due",
        "schedule": crontab(hour=4, minute=0),
    },
    "settlement-ledger-check": {
        "task": "settlement.ledger_check",
        "schedule": crontab(hour=4, minute=30),
    },
    # [R-ALERT-USE] [R-MISCONDUCT] after the lowest-price sync (02:00) and the sweeps.
    "supervision-alerts-run": {
        "task": "supervision.alerts_run",
        "schedule": crontab(hour=5, minute=45),
    },
    # The bureau dashboard's kept figures (supervision/services/dashboard.py): the default
    # scopes refreshed ahead of the morning's first look and through the day.
    "supervision-dashboard-warm": {
        "task": "supervision.dashboard_warm",
        "schedule": crontab(minute="*/15"),
    },
    # [R-FIVE-RATES] the 1st of each month at 03:00 Asia/Shanghai: freeze the previous month.
    "supervision-five-rates-freeze": {
        "task": "supervision.five_rates_freeze",
        "schedule": crontab(hour=3, minute=0, day_of_month=1),
    },
    "idempotency-purge": {
        "task": "core.idempotency_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    # 02:00 Asia/Shanghai (CELERY_TIMEZONE), after the provincial platforms publish the day.
    "catalog-lowest-price-sync": {
        "task": "catalog.lowest_price_sync",
        "schedule": crontab(hour=2, minute=0),
    },
    # [R-LIST-PRICE-CAP] after the sync has confirmed the day's reference price cuts.
    "procurement-listing-reference-cuts": {
        "task": "procurement.listing_reference_cuts_process",
        "schedule": crontab(hour=3, minute=0),
    },
    # [R-NEGOTIATION] NJ 2.4: the quarterly lowest-price negotiation; listed-price agreements
    # reaching their effective date.
    "procurement-negotiation-quarterly": {
        "task": "procurement.negotiation_quarterly_open",
        "schedule": crontab(hour=4, minute=0, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "procurement-negotiation-listed-prices": {
        "task": "procurement.negotiation_listed_prices_apply",
        "schedule": crontab(hour=0, minute=10),
    },
    "procurement-listing-overdue-restrict": {
        "task": "procurement.listing_overdue_restrict",
        "schedule": crontab(hour=3, minute=15),
    },
    # Imports and sync runs whose worker died: failed within a minute of their heartbeat limit.
    "catalog-import-jobs-fail-stale": {
        "task": "catalog.import_jobs_fail_stale",
        "schedule": timedelta(minutes=1),
    },
    "catalog-sync-runs-fail-stale": {
        "task": "catalog.sync_runs_fail_stale",
        "schedule": timedelta(minutes=1),
    },
    # Exports: fail those whose worker died; delete files past their retention.
    "core-export-jobs-fail-stale": {
        "task": "core.export_jobs_fail_stale",
        "schedule": timedelta(minutes=1),
    },
    "core-export-jobs-purge": {
        "task": "core.export_jobs_purge",
        "schedule": timedelta(hours=1),
    },
    # Sealed bids: close bidding at each round's deadline; finalise after its publicity.
    "procurement-rounds-close-bidding": {
        "task": "procurement.rounds_close_bidding_due",
        "schedule": timedelta(minutes=1),
    },
    "procurement-rounds-finalise": {
        "task": "procurement.rounds_finalise_due",
        "schedule": timedelta(minutes=5),
    },
    # [R-AUDIT-CHAIN] the security log's hash chain, verified daily (docs/security.md).
    "accounts-audit-chain-check": {
        "task": "accounts.audit_chain_check",
        "schedule": crontab(hour=1, minute=30),
    },
}
# --- Audit trail (docs/security.md, GB/T 22239-2019 8.1.4.3) [R-AUDIT-CHAIN]. The HMAC key of
# the security log's hash chain comes from the environment or a file, never the database;
# without one, only DEBUG uses a development key (`check --deploy` refuses the rest). Old
# keys (comma-separated) still verify the rows written before a rotation.
AUDIT_HMAC_KEY = env_str(
    "AUDIT_HMAC_KEY",
    default="" if not DEBUG else "dev-audit-hmac-key-do-not-use-in-production-0123456789abcdef",
)
AUDIT_HMAC_KEY_FILE = env_str("AUDIT_HMAC_KEY_FILE", default="")
AUDIT_HMAC_OLD_KEYS = env_list("AUDIT_HMAC_OLD_KEYS", [])
# Days the security log keeps its rows; `manage.py audit_archive` moves older ones to files
# under AUDIT_ARCHIVE_DIR (184 days: the six months 8.1.4.3 and the Cybersecurity Law ask for).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 184)
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", default=str(BASE_DIR / "var" / "audit")))

# Hours a finished export's file is kept for download (core.export_jobs).
EXPORT_RETENTION_H = env_int("EXPORT_RETENTION_H", 24)
# Exports one person may have queued or running at once (the rest wait for one to finish).
EXPORT_MAX_ACTIVE = env_int("EXPORT_MAX_ACTIVE", 3)

# --- E-mail (issue #15 item 7): notifications are also e-mailed when NOTIFY_EMAIL_ENABLED, to
# the active people of the organisation told who have an address, after the commit, by the
# Celery task supervision.notification_email (retried when the mail server fails; a failure
# never touches the transaction that made the notification). Django's EMAIL_* settings.
NOTIFY_EMAIL_ENABLED = env_bool("NOTIFY_EMAIL_ENABLED", default=False)
NOTIFY_EMAIL_SUBJECT_PREFIX = env_str("NOTIFY_EMAIL_SUBJECT_PREFIX", default="[阳光采购] ")
# The platform's address as people reach it, for the links in e-mails (empty: the path alone).
NOTIFY_EMAIL_BASE_URL = env_str("NOTIFY_EMAIL_BASE_URL", default="")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_S", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="noreply@yangguang.invalid")

# --- The bureau dashboard (docs/dashboard.md, "Freshness"): figures older than this are shown
# while one refresh runs in the worker; the beat entry keeps the default scopes fresher.
DASHBOARD_FIGURES_MAX_AGE_SECONDS = env_int("DASHBOARD_FIGURES_MAX_AGE_S", 15 * 60)
# The regulators' jurisdiction-wide watch cards on the home page (core/home.py ``keep_for``).
HOME_CARD_KEPT_SECONDS = env_int("HOME_CARD_KEPT_S", 5 * 60)

# --- Catalog: the nightly national-lowest-price feed (docs/lowest-price-feed.md).
LOWEST_PRICE_FEED_URL = env_str(
    "LOWEST_PRICE_FEED_URL",
    default=(BASE_DIR / "catalog" / "data" / "demo_lowest_prices.csv").as_uri(),
)
# The region whose policy (R-LIST-CATALOGUES publicity days) the sync uses; empty means the
# first region policy a bureau saved, else the seed defaults.
REFERENCE_PRICE_REGION_CODE = env_str("REFERENCE_PRICE_REGION_CODE", default="")

# --- Authentication and the security baseline (ASVS L2, 等保 2.0 level 3).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- The public pages and API (阳光公开, no login) [R-DISCLOSE]: requests per client address
# (REMOTE_ADDR, as for django-axes: the reverse proxy sets it) and the rows one export holds.
# Pages count with django-ratelimit, the API with DRF's throttling, both on the default cache.
PUBLIC_PAGE_RATE = env_str("PUBLIC_PAGE_RATE", default="120/m")
PUBLIC_API_RATE = env_str("PUBLIC_API_RATE", default="60/m")
PUBLIC_EXPORT_MAX_ROWS = env_int("PUBLIC_EXPORT_MAX_ROWS", 5_000)
RATELIMIT_USE_CACHE = "default"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Lockout is per account on purpose: hospital staff reach the platform through one shared NAT
# address, and locking by address would lock out a whole hospital after five typos.
# django_ratelimit.W001: its list of supported caches predates Django's own RedisCache, whose
# add and incr are Redis's atomic SET NX and INCR, which is all the counter needs.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "django_ratelimit.W001"]

SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
PASSWORD_MIN_CHARACTER_CLASSES = env_int("PASSWORD_MIN_CHARACTER_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CHARACTER_CLASSES},
    },
]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The /healthz probe comes over plain HTTP from the orchestrator, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation: Chinese first, English switchable.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: everything vendored, served by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"

# --- API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Refuses NUL characters, unstorable numbers and deep nesting in every body (the module).
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yangguang API",
    "DESCRIPTION": (
        "Sunshine procurement and supervision platform for medical consumables. "
        "Browsers authenticate with the session; hospital information systems with "
        "`Authorization: Bearer <key>`. Every POST honours `Idempotency-Key` "
        "(required for API-key clients). Errors are `{code, message, extra}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several models call their status field "status": name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        # [R-FIVE-RATES] the five rates and their slices (supervision.choices).
        "FiveRatesRateEnum": "supervision.choices.Rate",
        "FiveRatesSliceKindEnum": "supervision.choices.SliceKind",
        "ListingStatusEnum": "procurement.choices.ListingStatus",
        "PriceChangeStatusEnum": "procurement.choices.PriceChangeStatus",
        "AgreedPriceStatusEnum": "procurement.choices.AgreedPriceStatus",
        "ConsumableStatusEnum": "catalog.choices.ConsumableStatus",
        # Reference prices appear in full and in brief (a product's detail): one enum, the
        # name it always had.
        "ReferencePriceOutputStatusEnum": "catalog.choices.ReferencePriceStatus",
        # The allowed-actions answers (core.api.actions): one action enum per kind of object.
        "OrderActionEnum": "procurement.choices.OrderAction",
        "DeliveryActionEnum": "procurement.choices.DeliveryAction",
        "InvoiceActionEnum": "procurement.choices.InvoiceAction",
        "ListingActionEnum": "procurement.choices.ListingAction",
        "PriceChangeActionEnum": "procurement.choices.PriceChangeAction",
        "AgreedPriceActionEnum": "procurement.choices.AgreedPriceAction",
        "ReferencePriceActionEnum": "catalog.choices.ReferencePriceAction",
        "CalendarDayKindEnum": "core.workcalendar.DayKind",
        "RoundStatusEnum": "procurement.choices.RoundStatus",
        "DemandStatusEnum": "procurement.choices.DemandStatus",
        "RoundActionEnum": "procurement.choices.RoundAction",
        "EmergencyStatusEnum": "procurement.choices.EmergencyStatus",
        "EmergencyActionEnum": "procurement.choices.EmergencyAction",
        "EmergencyViolationKindEnum": "procurement.choices.EmergencyViolationKind",
        "AdvanceStatusEnum": "settlement.choices.AdvanceStatus",
        "FundSettlementStatusEnum": "settlement.choices.FundSettlementStatus",
        "FundSettlementActionEnum": "settlement.choices.FundSettlementAction",
        "NegotiationStatusEnum": "procurement.choices.NegotiationStatus",
        "NegotiationItemStatusEnum": "procurement.choices.NegotiationItemStatus",
        "NegotiationKindEnum": "procurement.choices.NegotiationKind",
        "NegotiationOutcomeEnum": "procurement.choices.NegotiationOutcome",
        "NegotiationOfferKindEnum": "procurement.choices.NegotiationOfferKind",
        "NegotiationActionEnum": "procurement.choices.NegotiationAction",
        "PaymentRequestStatusEnum": "settlement.choices.PaymentRequestStatus",
        "PaymentLineStatusEnum": "settlement.choices.PaymentLineStatus",
        "PaymentRequestActionEnum": "settlement.choices.PaymentRequestAction",
        "SettlementBatchStatusEnum": "settlement.choices.SettlementBatchStatus",
        "CatalogueEntryStatusEnum": "procurement.choices.CatalogueEntryStatus",
        "CatalogueActionEnum": "procurement.choices.CatalogueAction",
        "CatalogueEventKindEnum": "procurement.choices.CatalogueEventKind",
        "UsageCatalogueFlagEnum": "procurement.choices.UsageCatalogueFlag",
        "CreditEventStatusEnum": "supervision.choices.CreditEventStatus",
        "CreditRepairStatusEnum": "supervision.choices.RepairStatus",
        "MisconductLevelEnum": "supervision.choices.MisconductLevel",
        "SanctionKindEnum": "supervision.choices.SanctionKind",
        "CreditEventSourceEnum": "supervision.choices.CreditEventSource",
        "CreditRatingEnum": "supervision.choices.CreditRating",
        "NotificationKindEnum": "supervision.choices.NotificationKind",
        "QualityStatusEnum": "supervision.choices.QualityStatus",
        "QualitySeverityEnum": "supervision.choices.QualitySeverity",
        "AlertStatusEnum": "supervision.choices.AlertStatus",
        "AlertSeverityEnum": "supervision.choices.AlertSeverity",
    },
}
# make bench mounts its baseline endpoints (bench/urls.py) only with this set.
BENCH_ENDPOINTS = env_bool("YANGGUANG_BENCH_ENDPOINTS", default=False)
IDEMPOTENCY_KEY_TTL = timedelta(days=env_int("IDEMPOTENCY_KEY_TTL_DAYS", 7))
# A claim older than this with no response is taken to belong to a crashed worker.
IDEMPOTENCY_STALE_AFTER = timedelta(seconds=env_int("IDEMPOTENCY_STALE_SECONDS", 120))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
