"""Settings classes, read from the environment. The one place for configuration.

`load_config()` picks the class from `APP_ENV` (development, testing, production);
`create_app(config)` accepts a class, a name or a mapping of overrides.
"""
import os
import tempfile
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
    if not raw:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # The runtime login role (network.core.database): requests and jobs. Unset outside production:
    # a private PostgreSQL server in EMBEDDED_POSTGRES_DIR (network.core.embedded_postgres).
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # The owner of the tables: `flask db upgrade` and `flask rollups rebuild`. Unset outside
    # production: DATABASE_URL is the owner, and the app logs in as the runtime role beside it.
    MIGRATION_DATABASE_URI = database_url(os.environ.get("MIGRATION_DATABASE_URL"))
    EMBEDDED_POSTGRES_DIR = INSTANCE_DIR / "postgres"
    # No pre-ping: it cost a round trip per request (bench.pool_pre_ping; docs/benchmarks.md); a
    # connection the server dropped is found at its first statement instead, a read is served
    # again (network.core.errors.RetryReads), a write answers 503, and the pool replaces them all.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
    # Seconds a new PostgreSQL connection may take: an unreachable server fails fast (network.core.ops).
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2"))
    # A streaming replica for the national read path (network.core.ops.replica); unset: the primary.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL") or None
    # Beyond this lag (seconds) national reads go to the primary; the lag is measured at most
    # once per REPLICA_CHECK_SECONDS per process.
    REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
    REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
    # `/readyz` answers within this many seconds whatever the database and Redis do.
    READINESS_TIMEOUT = float(os.environ.get("READINESS_TIMEOUT", "2"))
    # `/metrics`: a bearer token, and/or client networks (comma-separated CIDR) allowed without
    # one. Neither set: /metrics answers 404. Behind a proxy the client address is the
    # proxy's unless TRUSTED_PROXIES says otherwise: prefer the token.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    METRICS_ALLOWED_NETWORKS = tuple(
        part.strip() for part in os.environ.get("METRICS_ALLOWED_NETWORKS", "").split(",") if part.strip())
    # `flask worker` serves its job metrics on this port (all interfaces) when set.
    WORKER_METRICS_PORT = int(os.environ["WORKER_METRICS_PORT"]) if os.environ.get("WORKER_METRICS_PORT") else None
    # The network's key for the duplicate check's fingerprints (tenants.transfers): unset, the check
    # is off. Changing it makes every stored fingerprint unrecognisable (nobody is flagged).
    DUPLICATE_CHECK_SECRET = os.environ.get("DUPLICATE_CHECK_SECRET") or None
    # Break-the-glass (tenants.breakglass): coordinators' time-boxed read-only access to one case for
    # a safeguarding incident. Off unless turned on; each grant lasts this many hours.
    BREAK_THE_GLASS_ENABLED = _env_bool("BREAK_THE_GLASS_ENABLED")
    BREAK_THE_GLASS_HOURS = int(os.environ.get("BREAK_THE_GLASS_HOURS", "2"))
    # Log lines: "json" (one object per line) or "text".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # Unset: jobs run in-process, synchronously, through the same enqueue function.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # A web request must not hang on an unreachable Redis: the outbox keeps the work meanwhile.
    REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "2"))
    # Seconds a job may run before the worker kills it, per queue.
    JOB_TIMEOUTS = {"default": 300, "mail": 60, "rollups": 1800, "exports": 1800}
    # Queues whose jobs a worker runs in its own process, not in a forked one: short jobs that are
    # mostly SQL (a roll-up pass), for which a fork (new connections, statements compiled again)
    # would cost more than the work. The other queues' jobs fork, so a leak or crash stays in the job.
    JOB_IN_PROCESS_QUEUES = ("rollups",)
    # Seconds between the retries of a failed job (RQ Retry); the list's length is the retry count.
    JOB_RETRY_INTERVALS = _env_ints("JOB_RETRY_INTERVALS", (10, 60, 300, 900))
    # Failed jobs stay in the registry (the coordinators' Jobs page) this long, in seconds.
    JOB_FAILURE_TTL = 14 * 24 * 3600
    # Pending e-mails older than this (seconds) are re-enqueued by the sweeper, every OUTBOX_SWEEP_INTERVAL.
    OUTBOX_SWEEP_GRACE = int(os.environ.get("OUTBOX_SWEEP_GRACE", "120"))
    OUTBOX_SWEEP_INTERVAL = int(os.environ.get("OUTBOX_SWEEP_INTERVAL", "300"))
    # Partners whose roll-ups are stale for longer than this (seconds) are recounted by the
    # sweep, every ROLLUP_SWEEP_INTERVAL: their own job was lost (Redis down, a worker killed).
    ROLLUP_SWEEP_GRACE = int(os.environ.get("ROLLUP_SWEEP_GRACE", "30"))
    ROLLUP_SWEEP_INTERVAL = int(os.environ.get("ROLLUP_SWEEP_INTERVAL", "60"))
    # At most this many partners in one recount pass (each holds a lock until the pass commits).
    ROLLUP_RECOUNT_BATCH = int(os.environ.get("ROLLUP_RECOUNT_BATCH", "200"))
    # One-time submission keys (create forms, Idempotency-Key) are forgotten after this many days.
    SUBMISSION_KEY_DAYS = int(os.environ.get("SUBMISSION_KEY_DAYS", "2"))
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
    # Seconds an assembled dashboard stays in Redis (see network.national.dashboards.cache).
    DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
    # Connections sharing `flask rollups rebuild` on PostgreSQL: about the database server's cores.
    ROLLUP_REBUILD_WORKERS = int(os.environ.get("ROLLUP_REBUILD_WORKERS", "2"))
    # With a replica (DATABASE_REPLICA_URL) the rebuild counts there once it has replayed the
    # primary's position; it waits at most this many seconds for that, else counts on the primary.
    ROLLUP_REBUILD_REPLICA_WAIT_SECONDS = float(os.environ.get("ROLLUP_REBUILD_REPLICA_WAIT_SECONDS", "60"))
    # Exports beyond these sizes are prepared by a job on the "exports" queue.
    EXPORT_JOB_MONTHS = 24
    EXPORT_JOB_PARTNERS = 200
    # The partners table of the national dashboard lists at most this many rows unless asked.
    DASHBOARD_PARTNER_ROWS = 50

    BABEL_DEFAULT_LOCALE = "pt_PT"
    BABEL_DEFAULT_TIMEZONE = "Europe/Lisbon"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = ("pt_PT", "en")

    # Request bodies beyond these are refused with 413 before any work is done (network.core.security).
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
    # Failed logins for one e-mail address from one client address (network.core.accounts.lockout):
    # the first LOGIN_FREE_FAILURES cost nothing, then each one makes that client wait twice as
    # long as the last (LOGIN_BACKOFF_SECONDS, 2x, 4x, ... at most LOGIN_BACKOFF_MAX_SECONDS).
    # Keyed by address *and* client, so a stranger slows down only themselves, never the owner.
    LOGIN_FREE_FAILURES = int(os.environ.get("LOGIN_FREE_FAILURES", "5"))
    LOGIN_BACKOFF_SECONDS = int(os.environ.get("LOGIN_BACKOFF_SECONDS", "30"))
    LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("LOGIN_BACKOFF_MAX_SECONDS", str(60 * 60)))
    # Password-reset e-mails per hour: to one address, and asked for by one client address.
    # Beyond them the request is answered the same way and nothing is sent.
    RESET_EMAILS_PER_ADDRESS_HOURLY = int(os.environ.get("RESET_EMAILS_PER_ADDRESS_HOURLY", "3"))
    RESET_EMAILS_PER_CLIENT_HOURLY = int(os.environ.get("RESET_EMAILS_PER_CLIENT_HOURLY", "10"))
    # Invitations per hour to one address (in one workspace), and by one inviter.
    INVITATIONS_PER_ADDRESS_HOURLY = int(os.environ.get("INVITATIONS_PER_ADDRESS_HOURLY", "3"))
    INVITATIONS_PER_INVITER_HOURLY = int(os.environ.get("INVITATIONS_PER_INVITER_HOURLY", "60"))
    # How many reverse proxies (nginx, a load balancer) stand in front of the app and append to
    # X-Forwarded-For / set X-Forwarded-Proto. 0: none, the connection's address is the client.
    # Rate limits and login back-off use the client address this gives (werkzeug's ProxyFix).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Server-side sessions (network.core.accounts.sessions; ASVS 3.3): ended after this long without
    # a request, and this long after logging in whatever happens.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    # People who are only mentors or mentees (the portal, on their phones) see their own records
    # only: longer sessions, see README "Sessions".
    PORTAL_SESSION_IDLE_MINUTES = int(os.environ.get("PORTAL_SESSION_IDLE_MINUTES", str(12 * 60)))
    PORTAL_SESSION_MAX_HOURS = int(os.environ.get("PORTAL_SESSION_MAX_HOURS", str(7 * 24)))
    # A session's "last seen" is written at most this often (not on every request).
    SESSION_TOUCH_SECONDS = int(os.environ.get("SESSION_TOUCH_SECONDS", "60"))
    # Two-factor authentication (TOTP): required of these roles before they reach any page;
    # optional for the others among TWO_FACTOR_ROLES. Wrong codes slow the account down like
    # failed logins (LOGIN_FREE_FAILURES, LOGIN_BACKOFF_SECONDS).
    TWO_FACTOR_REQUIRED_ROLES = tuple(
        role.strip() for role in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "coordinator,partner_admin").split(",")
        if role.strip())
    TWO_FACTOR_ROLES = ("coordinator", "partner_admin", "staff")
    TWO_FACTOR_RECOVERY_CODES = 10
    # The password step of a login waits this long for the code.
    TWO_FACTOR_PENDING_SECONDS = 5 * 60
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
    # Links in e-mails written by jobs, which have no request to take the address from.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:5000")

    # Attachments of case files, kept outside the web root (network/core/storage.py).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem")
    STORAGE_DIR = os.environ.get("STORAGE_DIR") or str(INSTANCE_DIR / "files")
    ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

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
    # Unset: the test session starts a private server in a temporary folder (tests/conftest.py).
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL"))
    MIGRATION_DATABASE_URI = None
    REDIS_URL = None
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    # One folder per test process, never the instance folder.
    STORAGE_DIR = os.path.join(tempfile.gettempdir(), f"rede-test-files-{os.getpid()}")
    DATABASE_REPLICA_URL = None
    PASSWORD_HASHER = "argon2-test"
    RATELIMIT_STORAGE_URI = "memory://"
    # Tests log coordinators and administrators in with a password alone; the two-factor
    # tests require it as production does (tests/accounts/test_two_factor.py).
    TWO_FACTOR_REQUIRED_ROLES = ()
    DUPLICATE_CHECK_SECRET = "testing-only-duplicate-check"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @classmethod
    def validate(cls, config):
        if not config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (environment variable SECRET_KEY).")
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            raise RuntimeError("Production needs PostgreSQL: set DATABASE_URL (the runtime login role, "
                               "see README, PostgreSQL roles).")


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
