"""Settings classes, read from the environment. The one place for configuration.

`load_config()` picks the class from `APP_ENV` (development, testing, production);
`create_app(config)` accepts a class, a name or a mapping of overrides.
"""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_ints(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return tuple(int(part) for part in value.split(",") if part.strip())


def database_url(raw):
    """Accept plain `postgresql://` URLs (as hosting platforms give them) and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'rede-mentores.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Unset: jobs run in-process, synchronously, through the same enqueue function.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # A web request must not hang on an unreachable Redis: the outbox keeps the work meanwhile.
    REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "2"))
    # Seconds a job may run before the worker kills it, per queue.
    JOB_TIMEOUTS = {"default": 300, "mail": 60, "rollups": 1800, "exports": 1800}
    # Seconds between the retries of a failed job (RQ Retry); the list's length is the retry count.
    JOB_RETRY_INTERVALS = _env_ints("JOB_RETRY_INTERVALS", (10, 60, 300, 900))
    # Failed jobs stay in the registry (the coordinators' Jobs page) this long, in seconds.
    JOB_FAILURE_TTL = 14 * 24 * 3600
    # Pending e-mails older than this (seconds) are re-enqueued by the sweeper, every OUTBOX_SWEEP_INTERVAL.
    OUTBOX_SWEEP_GRACE = int(os.environ.get("OUTBOX_SWEEP_GRACE", "120"))
    OUTBOX_SWEEP_INTERVAL = int(os.environ.get("OUTBOX_SWEEP_INTERVAL", "300"))
    # Sent and failed messages (their context may hold one-time links) are deleted after this.
    OUTBOX_RETENTION_DAYS = 30
    # Local time (BABEL_DEFAULT_TIMEZONE) of the daily jobs.
    DAILY_DIGEST_AT = "07:00"
    PROCESS_REMINDERS_AT = "09:00"
    RETENTION_SWEEP_AT = "03:30"
    PRIVACY_RETENTION_AT = "04:00"
    # Retention defaults; each partner may set its own (tenants.privacy): a participant with no
    # open process is anonymised this many months after their last process ended, and an
    # uploaded list never confirmed is deleted this many days after the upload.
    PRIVACY_RETENTION_MONTHS = int(os.environ.get("PRIVACY_RETENTION_MONTHS", "24"))
    PRIVACY_IMPORT_RETENTION_DAYS = int(os.environ.get("PRIVACY_IMPORT_RETENTION_DAYS", "30"))

    # Disclosure control (docs/disclosure.md): k, no coordinator may learn a count of 1 to k - 1
    # people; the app refuses to start below 3. Changing it needs `flask rollups rebuild`.
    SMALL_CELL_THRESHOLD = int(os.environ.get("SMALL_CELL_THRESHOLD", "5"))
    # Seconds an assembled dashboard stays in Redis (see network.dashboards.cache).
    DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
    # Connections sharing `flask rollups rebuild` on PostgreSQL: about the database server's cores.
    ROLLUP_REBUILD_WORKERS = int(os.environ.get("ROLLUP_REBUILD_WORKERS", "2"))
    # Exports beyond these sizes are prepared by a job on the "exports" queue.
    EXPORT_JOB_MONTHS = 24
    EXPORT_JOB_PARTNERS = 200
    # The partners table of the national dashboard lists at most this many rows unless asked.
    DASHBOARD_PARTNER_ROWS = 50

    BABEL_DEFAULT_LOCALE = "pt_PT"
    BABEL_DEFAULT_TIMEZONE = "Europe/Lisbon"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = ("pt_PT", "en")

    # Request bodies beyond these are refused with 413 before any work is done (network.security).
    # The largest legitimate body is a participants import (multipart): MAX_IMPORT_ROWS (10,000)
    # rows of about 400 bytes of CSV is 4 MB; XLSX is compressed. Other form fields are small (the
    # longest text is 4,000 characters): MAX_FORM_MEMORY_SIZE bounds each part of a multipart
    # body and a whole url-encoded form; no form has more than a few hundred inputs.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    MAX_FORM_PARTS = 1000
    # The API takes one JSON object per request (a participant is a few kilobytes).
    API_MAX_CONTENT_LENGTH = 64 * 1024
    # Per client address, on the limiter's storage (Redis when configured).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    # Items per page of an API list unless `per_page` asks otherwise (at most 100).
    API_PAGE_SIZE = 25
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_PROTECTION = "strong"
    WTF_CSRF_TIME_LIMIT = None

    PASSWORD_HASHER = "argon2"
    # Login throttling (Flask-Limiter): on Redis when configured; memory when embedded or
    # while Redis is unreachable, so logging in never depends on Redis being up.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_PER_ADDRESS = "30 per minute"
    LOGIN_LOCKOUT = "5 per 15 minutes"  # failures per e-mail address before a temporary lockout
    PASSWORD_RESET_MAX_AGE = 60 * 60 * 2
    INVITATION_MAX_AGE_DAYS = 14

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | file | memory | smtp
    # The `file` backend writes one .eml file per Message-ID here.
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR") or str(INSTANCE_DIR / "mail")
    MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "rede-mentores.pt")
    # Delivery attempts of one message before it is marked failed.
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Rede Mentores <nao-responder@rede-mentores.pt>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")

    @classmethod
    def validate(cls, config):
        """Refuse to start with settings that are unsafe for this environment."""


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-not-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    REDIS_URL = None
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    PASSWORD_HASHER = "argon2-test"
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"

    @classmethod
    def validate(cls, config):
        if not config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (environment variable SECRET_KEY).")
        if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            raise RuntimeError("Production needs PostgreSQL: set DATABASE_URL.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name=None):
    name = name or os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown APP_ENV {name!r}; use one of {', '.join(CONFIGS)}.") from None
