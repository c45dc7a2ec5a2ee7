"""The backup and restore procedure of docs/operations.md, run as written: the roles first
(`pg_dumpall --roles-only`), `pg_dump -Fc`, `pg_restore` into a fresh cluster, `flask db
upgrade`, `flask rollups rebuild`; then the restored database keeps every tenant to itself."""
import sqlalchemy as sa

from config import database_url
from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_context
from network.core.tenancy.rls import NATIONAL_ROLE, RUNTIME_ROLE
from network.national.app import create_app
from tests import factories
from tests.conftest import DATABASE_URL

TENANT_TABLES = sorted(mapper.class_.__tablename__ for mapper in db.Model.registry.mappers
                       if issubclass(mapper.class_, TenantScoped))


def _seed(app):
    with app.app_context():
        network = factories.two_partner_network()
        ids = {}
        for tenant, staff_email in ((network.alpha, network.alpha_staff), (network.beta, network.beta_staff)):
            staff = db.session.scalar(sa.select(User).where(User.email == staff_email))
            with tenant_context(tenant.id):
                participants = factories.one_participant_record_of_each_kind(staff)
                factories.one_process_record_of_each_kind(staff)
                ids[tenant.slug] = participants.mentee_id
        db.session.commit()
        return network, ids


def _connection_arguments(url):
    parsed = sa.engine.make_url(url)
    return ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]


def test_a_dump_restores_into_a_fresh_cluster_with_the_roles_first_and_stays_isolated(app, clusters, tmp_path):
    network, mentee_ids = _seed(app)
    roles, dump = _step_back_up(clusters)
    target = _step_restore_roles_first(clusters, roles, dump)
    restored = _step_migrate_and_rebuild(target)
    _check_isolation_on_the_restored_copy(restored, target, network, mentee_ids)


def _step_back_up(clusters):
    source = _connection_arguments(DATABASE_URL)
    source_database = sa.engine.make_url(DATABASE_URL).database
    roles, dump = clusters.root / "roles.sql", clusters.root / "rede.dump"

    # 1. Back up: the roles (no passwords in the file), then the database in the custom format.
    clusters.run("pg_dumpall", *source, "--roles-only", "--no-role-passwords", "-f", roles)
    clusters.run("pg_dump", *source, "-Fc", "-d", source_database, "-f", dump)
    return roles, dump


def _step_restore_roles_first(clusters, roles, dump):
    # 2. Restore into a cluster that has never seen this application: roles first. Without
    #    them the restore stops at the first policy or grant naming one.
    target = clusters.primary("restored")
    assert target.scalar("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=RUNTIME_ROLE) == 0
    destination = _connection_arguments(target.url())
    target.create_database("without_roles")
    refused = clusters.run("pg_restore", *destination, "-d", "without_roles", "--clean", "--if-exists",
                           "--exit-on-error", dump, check=False)
    assert refused.returncode != 0 and "does not exist" in refused.stderr
    clusters.run("psql", *destination, "-d", "postgres", "-q", "-f", roles)  # "postgres already exists": harmless
    assert target.scalar("SELECT count(*) FROM pg_roles WHERE rolname IN (:a, :b)", a=RUNTIME_ROLE,
                         b=NATIONAL_ROLE) == 2
    target.create_database("rede")
    clusters.run("pg_restore", *destination, "-d", "rede", "--clean", "--if-exists", "--exit-on-error", dump)
    return target


def _step_migrate_and_rebuild(target):
    # 3. The application's own steps: migrations (none left here) and the roll-ups.
    restored = create_app({"SQLALCHEMY_DATABASE_URI": database_url(target.url("rede"))})
    runner = restored.test_cli_runner()
    for command in (["db", "upgrade"], ["rollups", "rebuild"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, (command, result.output, result.exception)
    return restored


def _check_isolation_on_the_restored_copy(restored, target, network, mentee_ids):
    # 4. The isolation checks, on the restored copy.
    client = restored.test_client()
    factories.login(client, network.alpha_staff, locale="en")
    assert client.get(f"/t/alpha/mentees/{mentee_ids['alpha']}").status_code == 200
    assert client.get(f"/t/beta/mentees/{mentee_ids['beta']}").status_code == 404
    assert client.get("/t/beta/").status_code == 404
    engine = sa.create_engine(database_url(target.url("rede")))
    with engine.connect() as connection:
        _check_each_table_shows_alpha_only(connection, network)
        with connection.begin():
            counted = connection.exec_driver_sql(
                "SELECT DISTINCT tenant_id FROM rollup_counts WHERE metric = 'mentees_registered'").scalars().all()
            assert set(counted) == {network.alpha.id, network.beta.id}  # the rebuild counted the restored data
    engine.dispose()


def _check_each_table_shows_alpha_only(connection, network):
    alpha_tables = set()
    for table in TENANT_TABLES:
        with connection.begin():
            connection.exec_driver_sql("SELECT set_config('app.tenant_id', %(t)s, true), "
                                       "set_config('role', %(r)s, true)",
                                       {"t": str(network.alpha.id), "r": RUNTIME_ROLE})
            seen = connection.exec_driver_sql(f"SELECT tenant_id, count(*) FROM {table} GROUP BY 1").all()
            assert network.beta.id not in dict(seen), table
            if dict(seen).get(network.alpha.id):
                alpha_tables.add(table)
    assert {"mentees", "mentors", "mentoring_processes", "consents"} <= alpha_tables  # restored, and visible
