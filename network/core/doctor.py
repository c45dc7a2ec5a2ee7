"""`flask doctor`: does this deployment's database keep its second wall?

Each check runs as a request does (the app's login, a transaction switched to the runtime
role) and says what it found; the command fails when one does not hold.
"""
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import TenantScoped
from network.core.tenancy.rls import NATIONAL_ROLE, RUNTIME_LOGIN_ROLE, RUNTIME_ROLE

MINIMUM_SERVER_VERSION = 150000


def _scalar(sql, **params):
    return db.session.execute(sa.text(sql), params).scalar()


def checks():
    """[(holds, what, found)] in order; each transaction is rolled back."""
    results = []
    version = _scalar("SELECT current_setting('server_version_num')::integer")
    results.append((version >= MINIMUM_SERVER_VERSION, "PostgreSQL 15 or later",
                    _scalar("SELECT current_setting('server_version')")))
    login = _scalar("SELECT session_user")
    results.append((login == RUNTIME_LOGIN_ROLE, f"the app logs in as {RUNTIME_LOGIN_ROLE}", login))
    attributes = db.session.execute(sa.text(
        "SELECT rolsuper, rolinherit, rolbypassrls FROM pg_roles WHERE rolname = session_user")).one()
    results.append((tuple(attributes) == (False, False, False), "the login is no superuser, NOINHERIT, no BYPASSRLS",
                    f"superuser={attributes[0]}, inherit={attributes[1]}, bypassrls={attributes[2]}"))
    member_of = sorted(db.session.execute(sa.text(
        "SELECT r.rolname FROM pg_roles r WHERE pg_has_role(session_user, r.oid, 'MEMBER') "
        "AND r.rolname <> session_user AND r.rolname NOT LIKE 'pg\\_%'")).scalars())
    results.append((member_of == sorted([NATIONAL_ROLE, RUNTIME_ROLE]),
                    f"the login can become {RUNTIME_ROLE} and {NATIONAL_ROLE} only", ", ".join(member_of)))
    role = _scalar("SELECT current_user")
    results.append((role == RUNTIME_ROLE, "a request's transaction runs as the runtime role", role))
    tables = sorted(mapper.class_.__tablename__ for mapper in db.Model.registry.mappers
                    if issubclass(mapper.class_, TenantScoped))
    unforced = db.session.execute(sa.text(
        "SELECT relname FROM pg_class WHERE relname = ANY(:tables) AND NOT (relrowsecurity AND relforcerowsecurity) "
        "ORDER BY 1"), {"tables": tables}).scalars().all()
    results.append((not unforced, f"FORCE ROW LEVEL SECURITY on the {len(tables)} tenant-owned tables",
                    ", ".join(unforced) or "all"))
    owner = _scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'tenants'")
    db.session.rollback()
    results.append(_refused(f'SET ROLE "{owner}"', f"SET ROLE {owner} (the owner) is refused"))
    results.append(_refused("RESET ROLE; SELECT count(*) FROM tenants", "after RESET ROLE no table can be read"))
    return results


def _refused(sql, what):
    try:
        for statement in sql.split("; "):
            db.session.execute(sa.text(statement))
    except sa.exc.DBAPIError as error:
        return True, what, str(error.orig).splitlines()[0]
    finally:
        db.session.rollback()
    return False, what, "it was allowed"
