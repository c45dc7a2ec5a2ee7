"""The ORM wall: every query of a tenant-owned model is scoped, or it raises."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.accounts.models import Invitation
from network.core.audit.models import AuditEvent
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.tenancy import (
    TenantContextMissing,
    TenantScoped,
    activate_tenant,
    national_rollup_bypass,
    tenant_context,
)
from network.core.timeutil import utcnow
from tests.factories import make_tenant

pytestmark = pytest.mark.isolation


@pytest.fixture
def tenants_with_events(app_context):
    alpha, beta = make_tenant("alpha"), make_tenant("beta")
    with tenant_context(alpha.id):
        record_event("workspace.opened")
        record_event("workspace.opened")
    with tenant_context(beta.id):
        record_event("workspace.opened")
    db.session.commit()
    return alpha.id, beta.id


def test_every_tenant_owned_model_has_a_non_null_tenant_id_and_composite_key():
    scoped = [mapper.class_ for mapper in db.Model.registry.mappers if issubclass(mapper.class_, TenantScoped)]
    assert {model.__tablename__ for model in scoped} >= {"audit_events", "invitations"}
    for model in scoped:
        table = model.__table__
        assert table.c.tenant_id.nullable is False
        assert any(
            isinstance(constraint, sa.UniqueConstraint) and [c.name for c in constraint.columns] == ["tenant_id", "id"]
            for constraint in table.constraints
        ), model


def test_query_without_tenant_raises(tenants_with_events):
    with pytest.raises(TenantContextMissing):
        db.session.scalars(sa.select(AuditEvent)).all()


def test_get_by_id_without_tenant_raises(tenants_with_events):
    with pytest.raises(TenantContextMissing):
        db.session.get(AuditEvent, 1)


def test_queries_see_only_the_current_tenant(tenants_with_events):
    alpha, beta = tenants_with_events
    with tenant_context(alpha):
        events = db.session.scalars(sa.select(AuditEvent)).all()
        assert len(events) == 2 and {e.tenant_id for e in events} == {alpha}
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 2
    with tenant_context(beta):
        assert [e.tenant_id for e in db.session.scalars(sa.select(AuditEvent))] == [beta]


def test_get_of_another_tenants_row_returns_nothing(tenants_with_events):
    alpha, beta = tenants_with_events
    with tenant_context(beta):
        beta_event_id = db.session.scalar(sa.select(AuditEvent.id))
    db.session.expunge_all()
    with tenant_context(alpha):
        assert db.session.get(AuditEvent, beta_event_id) is None


def test_bulk_update_and_delete_are_scoped(tenants_with_events):
    alpha, beta = tenants_with_events
    for tenant in (alpha, beta):
        with tenant_context(tenant):
            db.session.add(Invitation(email=f"{tenant}@example.pt", role="staff", token_hash=f"hash-{tenant}",
                                      expires_at=utcnow() + timedelta(days=1)))
    with tenant_context(alpha):
        db.session.execute(sa.update(Invitation).values(role="partner_admin"))
    with tenant_context(beta):
        assert db.session.scalar(sa.select(Invitation.role)) == "staff"
    with tenant_context(alpha):
        db.session.execute(sa.delete(Invitation))
    with tenant_context(beta):
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 1


def test_new_rows_get_the_current_tenant(tenants_with_events):
    alpha, _ = tenants_with_events
    with tenant_context(alpha):
        event = record_event("workspace.opened")
        db.session.flush()
        assert event.tenant_id == alpha


def test_new_row_without_tenant_or_for_another_tenant_is_refused(tenants_with_events):
    alpha, beta = tenants_with_events
    db.session.add(AuditEvent(action="workspace.opened"))
    with pytest.raises(TenantContextMissing):
        db.session.flush()
    db.session.rollback()
    with tenant_context(alpha):
        db.session.add(AuditEvent(action="workspace.opened", tenant_id=beta))
        with pytest.raises(TenantContextMissing):
            db.session.flush()
        db.session.rollback()


def test_the_named_bypass_reads_all_tenants_and_only_reads(tenants_with_events):
    alpha, beta = tenants_with_events
    with national_rollup_bypass("test: national counts"):
        counts = dict(
            db.session.execute(sa.select(AuditEvent.tenant_id, sa.func.count()).group_by(AuditEvent.tenant_id)).all()
        )
        assert counts == {alpha: 2, beta: 1}
        with pytest.raises(TenantContextMissing):
            db.session.execute(sa.delete(AuditEvent))
    with pytest.raises(TenantContextMissing):
        db.session.scalars(sa.select(AuditEvent)).all()


def test_switching_tenant_mid_transaction_applies_at_once(tenants_with_events):
    alpha, beta = tenants_with_events
    activate_tenant(alpha)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 2
    activate_tenant(beta)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1


def test_counting_through_a_subquery_is_scoped_too(tenants_with_events):
    alpha, beta = tenants_with_events
    count_all = sa.select(sa.func.count()).select_from(sa.select(AuditEvent).subquery())
    with tenant_context(alpha):
        assert db.session.scalar(count_all) == 2
        assert db.paginate(sa.select(AuditEvent), page=1, per_page=10).total == 2
    with pytest.raises(TenantContextMissing):
        db.session.scalar(count_all)


def test_a_row_loaded_under_one_tenant_is_not_found_by_id_under_another(tenants_with_events):
    alpha, beta = tenants_with_events
    with tenant_context(beta):
        beta_event = db.session.scalar(sa.select(AuditEvent))  # now in the session's identity map
    with tenant_context(alpha):
        assert db.session.get(AuditEvent, beta_event.id) is None


def test_a_query_does_not_list_every_mapped_model_again(tenants_with_events, monkeypatch):
    """The tenancy hook looks at each query's tables against the tenant-owned ones, listed once:
    `registry.mappers` builds a set of every mapper on each read, and every query read it."""
    from network.core.tenancy.models import Tenant

    alpha, _ = tenants_with_events
    reads = []
    listing = type(db.Model.registry).mappers
    monkeypatch.setattr(type(db.Model.registry), "mappers",
                        property(lambda registry: reads.append(1) or listing.fget(registry)))
    with tenant_context(alpha):
        db.session.scalars(sa.select(Tenant.id)).all()  # a table no model of a tenant owns
        reads.clear()
        for _ in range(3):
            db.session.scalars(sa.select(Tenant.id)).all()
            assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.select(AuditEvent.id).subquery())) == 2
    assert reads == []
