"""PostgreSQL Row-Level Security: the second wall behind the ORM scoping.

Migrations call `enable_row_level_security(table)` for each tenant-owned table.
At the start of every transaction the app writes the tenant into a
transaction-local setting and switches to a role that owns no table:

- `rede_app` (runtime): sees and writes only rows of `app.tenant_id`;
- `rede_national` (the roll-up bypass): reads every tenant's rows, writes none.

The app logs in as `rede_app_login` (network.core.database), a role with no right of its own
(NOINHERIT) that may only become one of those two: `RESET ROLE` leads back to a role that can
read nothing, and the owner of the tables (which runs migrations) is out of reach.
"""
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine

RUNTIME_ROLE = "rede_app"
NATIONAL_ROLE = "rede_national"
RUNTIME_LOGIN_ROLE = "rede_app_login"
TENANT_SETTING = "app.tenant_id"
_SETTINGS_SQL = "SELECT set_config(%(setting)s, %(tenant)s, true), set_config('role', %(role)s, true)"


def _settings(tenant_id, bypass):
    return {"setting": TENANT_SETTING, "tenant": "" if tenant_id is None else str(int(tenant_id)),
            "role": NATIONAL_ROLE if bypass else RUNTIME_ROLE}


def apply_transaction_settings(connection, tenant_id, bypass):
    """Write the settings now (one statement of its own)."""
    connection.exec_driver_sql(_SETTINGS_SQL, _settings(tenant_id, bypass))


# Settings written by the connection's next statement, in the same round trip (a request's
# session: `network.core.tenancy.scoping`). Keyed by the SQLAlchemy Connection, which lives as long as
# its checkout: nothing pending can outlive it into another request's use of the same connection.
_pending = weakref.WeakKeyDictionary()


def defer_transaction_settings(connection, tenant_id, bypass):
    """The settings for every later statement of this transaction, sent with the next one (in
    one pipeline with it, and with the BEGIN when it is the first), not on their own: a page
    that runs no statement after entering its tenant sends none. Fail-closed: no statement
    runs on `connection` before them (`_before_statement`, `_execute_with_settings`)."""
    _pending[connection] = _settings(tenant_id, bypass)


def _can_pipeline(cursor):
    import psycopg

    return type(cursor) is psycopg.Cursor and psycopg.Pipeline.is_supported()


@event.listens_for(Engine, "before_cursor_execute")
def _before_statement(connection, cursor, statement, parameters, context, executemany):
    if connection not in _pending:
        return
    if executemany or not _can_pipeline(cursor):  # then the settings go on their own, first
        cursor.connection.execute(_SETTINGS_SQL, _pending.pop(connection))


def _execute_with_settings(cursor, statement, parameters, context):
    settings = _pending.pop(context.root_connection, None) if context is not None else None
    if settings is None:
        return False
    with cursor.connection.pipeline():
        cursor.connection.execute(_SETTINGS_SQL, settings)
        cursor.execute(statement, parameters)
    return True


@event.listens_for(Engine, "do_execute")
def _do_execute(cursor, statement, parameters, context):
    return _execute_with_settings(cursor, statement, parameters, context)


@event.listens_for(Engine, "do_execute_no_params")
def _do_execute_no_params(cursor, statement, context):
    return _execute_with_settings(cursor, statement, None, context)


# --- DDL used by migrations -------------------------------------------------

def create_roles_sql(runtime_role=RUNTIME_ROLE, national_role=NATIONAL_ROLE):
    statements = []
    for role in (runtime_role, national_role):
        statements.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
        )
        statements.append(f"GRANT {role} TO CURRENT_USER")
        statements.append(f"GRANT USAGE ON SCHEMA public TO {role}")
    statements += [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {runtime_role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {runtime_role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {national_role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime_role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {runtime_role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {national_role}",
        f"REVOKE ALL ON alembic_version FROM {runtime_role}, {national_role}",
    ]
    return statements


def create_runtime_login_sql(login_role=RUNTIME_LOGIN_ROLE, runtime_role=RUNTIME_ROLE, national_role=NATIONAL_ROLE):
    """The role the app logs in as. NOINHERIT: it holds no right until a transaction switches to
    one of the two roles; not a member of the owner, so `SET ROLE <owner>` is refused. No
    password here: production sets one (README), development and tests trust local logins."""
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login_role}') "
        f"THEN CREATE ROLE {login_role} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS; "
        # Roles belong to the cluster: another database's migration may create it meanwhile.
        f"END IF; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        f"ALTER ROLE {login_role} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        f"GRANT {runtime_role}, {national_role} TO {login_role}",
    ]


def enable_row_level_security_sql(table, runtime_role=RUNTIME_ROLE, national_role=NATIONAL_ROLE, national_read=True):
    """`national_read=False`: the national read role sees no row at all (staff-only case notes)."""
    current_tenant = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::integer"
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} TO {runtime_role} "
        f"USING (tenant_id = {current_tenant}) WITH CHECK (tenant_id = {current_tenant})",
    ]
    if national_read:
        statements.append(f"CREATE POLICY national_rollup_read ON {table} FOR SELECT TO {national_role} USING (true)")
    return statements


def enable_row_level_security(op, table, national_read=True):
    """Call from a migration after creating a tenant-owned table."""
    for statement in enable_row_level_security_sql(table, national_read=national_read):
        op.execute(statement)


def enable_nullable_tenant_row_level_security_sql(table, runtime_role=RUNTIME_ROLE, national_role=NATIONAL_ROLE):
    """For a network-level table whose rows may belong to a tenant (the e-mail outbox): a
    transaction sees the rows of its tenant, and outside any tenant only the rows of none."""
    current_tenant = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::integer"
    same_tenant = f"tenant_id IS NOT DISTINCT FROM {current_tenant}"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} TO {runtime_role} USING ({same_tenant}) WITH CHECK ({same_tenant})",
        f"CREATE POLICY national_rollup_read ON {table} FOR SELECT TO {national_role} USING (true)",
    ]


def enable_nullable_tenant_row_level_security(op, table):
    """Call from a migration after creating a network-level table with a nullable tenant_id."""
    for statement in enable_nullable_tenant_row_level_security_sql(table):
        op.execute(statement)
