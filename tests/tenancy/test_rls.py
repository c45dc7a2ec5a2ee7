"""The database wall: PostgreSQL Row-Level Security on every tenant-owned table."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.accounts.models import Invitation
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_context
from network.core.tenancy.rls import NATIONAL_ROLE, RUNTIME_LOGIN_ROLE, RUNTIME_ROLE
from network.core.timeutil import utcnow
from network.national.dashboards.models import DashboardExport
from tenants.notes import models as _case_file_models  # noqa: F401 (their tables are listed below)
from tests.factories import (
    make_tenant,
    make_user,
    one_activity_record_of_each_kind,
    one_notes_record_of_each_kind,
    one_participant_record_of_each_kind,
    one_portal_record_of_each_kind,
    one_privacy_record_of_each_kind,
    one_process_record_of_each_kind,
    one_transfer_record_of_each_kind,
)

TENANT_TABLES = sorted(
    mapper.class_.__tablename__ for mapper in db.Model.registry.mappers if issubclass(mapper.class_, TenantScoped)
)
# Staff-only tables (case notes and files): the national read role sees none of their rows.
NOT_NATIONAL = {mapper.class_.__tablename__ for mapper in db.Model.registry.mappers
                if issubclass(mapper.class_, TenantScoped) and not getattr(mapper.class_, "national_read", True)}


@pytest.fixture
def two_tenants_with_rows(app_context):
    tenants = [make_tenant("alpha"), make_tenant("beta")]
    for tenant in tenants:
        staff = make_user(f"staff@{tenant.slug}.pt", roles=[(tenant, "staff")])
        with tenant_context(tenant.id):
            participants = one_participant_record_of_each_kind(staff)
            one_transfer_record_of_each_kind(tenant, tenants[0].id, participants.mentee_id)
            one_process_record_of_each_kind(staff)
            one_activity_record_of_each_kind(staff)
            one_portal_record_of_each_kind(tenant, staff)
            one_privacy_record_of_each_kind(staff)
            one_notes_record_of_each_kind(staff)
            record_event("workspace.opened")
            db.session.add(DashboardExport(file_format="csv", locale="pt_PT", filters={}, status="done", progress=100))
            db.session.add(Invitation(email=f"x@{tenant.slug}.pt", role="staff", token_hash=f"h-{tenant.slug}",
                                      expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    return tenants[0].id, tenants[1].id


def _as(connection, role, tenant_id):
    connection.exec_driver_sql(
        "SELECT set_config('app.tenant_id', %(t)s, true), set_config('role', %(r)s, true)",
        {"t": "" if tenant_id is None else str(tenant_id), "r": role},
    )


def test_every_tenant_owned_table_has_forced_rls_and_is_not_owned_by_the_runtime_role(app_context):
    rows = db.session.execute(
        sa.text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) "
            "FROM pg_class c WHERE c.relname = ANY(:tables)"
        ),
        {"tables": TENANT_TABLES},
    ).all()
    assert sorted(row[0] for row in rows) == TENANT_TABLES
    for name, enabled, forced, owner in rows:
        assert enabled and forced, name
        assert owner not in (RUNTIME_ROLE, NATIONAL_ROLE)
    runtime = db.session.execute(
        sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": RUNTIME_ROLE}
    ).one()
    assert tuple(runtime) == (False, False)


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_raw_select_sees_only_the_tenant_in_the_setting(two_tenants_with_rows, table):
    alpha, beta = two_tenants_with_rows
    with db.engine.connect() as connection:
        with connection.begin():
            _as(connection, RUNTIME_ROLE, alpha)
            seen = connection.exec_driver_sql(f"SELECT tenant_id FROM {table}").scalars().all()
            assert seen and set(seen) == {alpha}
        with connection.begin():
            _as(connection, RUNTIME_ROLE, None)
            assert connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0
        with connection.begin():
            _as(connection, NATIONAL_ROLE, None)
            expected = set() if table in NOT_NATIONAL else {alpha, beta}
            assert set(connection.exec_driver_sql(f"SELECT tenant_id FROM {table}").scalars()) == expected


def test_case_notes_and_files_are_out_of_the_national_roles_sight(app):
    staff_only = {"case_notes", "case_note_revisions", "case_attachments"}
    assert staff_only == NOT_NATIONAL


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_raw_insert_for_another_tenant_is_rejected(two_tenants_with_rows, table):
    alpha, beta = two_tenants_with_rows
    with db.engine.connect() as connection, connection.begin():
        _as(connection, RUNTIME_ROLE, alpha)
        # Copy one of alpha's own rows, claiming it for beta.
        columns = [c.name for c in db.metadata.tables[table].columns if c.name not in ("id", "tenant_id", "token_hash")]
        extra = ", token_hash" if table == "invitations" else ""
        extra_value = ", 'forged'" if table == "invitations" else ""
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            connection.exec_driver_sql(
                f"INSERT INTO {table} (tenant_id, {', '.join(columns)}{extra}) "
                f"SELECT {beta}, {', '.join(columns)}{extra_value} FROM {table} LIMIT 1"
            )


def test_national_role_cannot_write(two_tenants_with_rows):
    alpha, _ = two_tenants_with_rows
    with db.engine.connect() as connection, connection.begin():
        _as(connection, NATIONAL_ROLE, None)
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            connection.exec_driver_sql(f"DELETE FROM invitations WHERE tenant_id = {alpha}")


def test_audit_log_cannot_be_edited_by_the_app(two_tenants_with_rows):
    alpha, _ = two_tenants_with_rows
    with db.engine.connect() as connection, connection.begin():
        _as(connection, RUNTIME_ROLE, alpha)
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            connection.exec_driver_sql("UPDATE audit_events SET action = 'member.invited'")


def test_the_app_session_runs_as_the_runtime_role(two_tenants_with_rows):
    alpha, _ = two_tenants_with_rows
    with tenant_context(alpha):
        assert db.session.execute(sa.text("SELECT current_user")).scalar() == RUNTIME_ROLE
        opened = sa.text("SELECT count(*) FROM audit_events WHERE action = 'workspace.opened'")
        assert db.session.execute(opened).scalar() == 1


def test_the_app_logs_in_as_a_role_that_is_only_the_runtime_roles(two_tenants_with_rows):
    alpha, _ = two_tenants_with_rows
    with tenant_context(alpha):
        assert db.session.execute(sa.text("SELECT session_user")).scalar() == RUNTIME_LOGIN_ROLE
        login = db.session.execute(sa.text(
            "SELECT rolsuper, rolinherit, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r"),
            {"r": RUNTIME_LOGIN_ROLE}).one()
        assert tuple(login) == (False, False, False, False, False)
        member_of = db.session.execute(sa.text(
            "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :r ORDER BY 1"), {"r": RUNTIME_LOGIN_ROLE}).scalars()
        assert list(member_of) == sorted([NATIONAL_ROLE, RUNTIME_ROLE])


def test_reset_role_inside_a_request_transaction_reads_nothing(two_tenants_with_rows):
    """RESET ROLE goes back to the login role, which has no right of its own: not the owner."""
    alpha, beta = two_tenants_with_rows
    with tenant_context(alpha):
        db.session.execute(sa.text("RESET ROLE"))
        assert db.session.execute(sa.text("SELECT current_user")).scalar() == RUNTIME_LOGIN_ROLE
        # Without even the schema's USAGE, the tables are out of sight ("does not exist").
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied|does not exist"):
            db.session.execute(sa.text("SELECT count(*) FROM mentors WHERE tenant_id = :beta"), {"beta": beta})
        db.session.rollback()


def test_set_role_to_the_owner_inside_a_request_transaction_is_refused(two_tenants_with_rows):
    alpha, _ = two_tenants_with_rows
    owner = db.session.execute(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'mentors'")).scalar()
    db.session.rollback()
    with tenant_context(alpha):
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied to set role"):
            db.session.execute(sa.text(f'SET ROLE "{owner}"'))
        db.session.rollback()
