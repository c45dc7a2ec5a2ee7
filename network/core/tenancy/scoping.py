"""The one tenant-scoping mechanism.

Every tenant-owned model inherits `TenantScoped`. The current tenant lives in the
SQLAlchemy session's `info` (one session per app context: a request or a job), so:

- every ORM SELECT, UPDATE and DELETE touching a scoped model is filtered by the
  current tenant (`do_orm_execute` + `with_loader_criteria`);
- new scoped rows get the current tenant, and a row for another tenant is refused;
- a query of a scoped model with no tenant in context raises `TenantContextMissing`;
- national roll-ups read across tenants only inside `national_rollup_bypass(reason)`.

On PostgreSQL the same context is also written into the transaction
(`network.core.tenancy.rls`), where Row-Level Security is the second wall.
"""
import logging
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Mapper, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql import visitors

from network.core.extensions import db
from network.core.tenancy import rls

log = logging.getLogger(__name__)

_TENANT_KEY = "tenant_id"
_BYPASS_KEY = "tenant_bypass_reason"


class TenantContextMissing(RuntimeError):
    """A tenant-owned table was touched with no tenant in context."""


class TenantScoped:
    """Mixin for tenant-owned models.

    Adds `tenant_id NOT NULL` and a unique `(tenant_id, id)` so other tenant-owned
    tables reference rows with composite foreign keys (see `tenant_foreign_key`).
    Extra table arguments go in `__tenant_table_args__`.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        # No index of its own: the unique (tenant_id, id) leads with it.
        return mapped_column(sa.ForeignKey("tenants.id", ondelete="RESTRICT"), nullable=False)

    @declared_attr.directive
    def __table_args__(cls):
        return (sa.UniqueConstraint("tenant_id", "id"), *getattr(cls, "__tenant_table_args__", ()))


def tenant_foreign_key(column, target_table, **kwargs):
    """A composite FK `(tenant_id, column) -> target_table(tenant_id, id)`: no row
    can ever point into another tenant."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{target_table}.tenant_id", f"{target_table}.id"], **kwargs
    )


def current_tenant_id(session=None):
    return (session or db.session()).info.get(_TENANT_KEY)


def _bypass_reason(session):
    return session.info.get(_BYPASS_KEY)


def activate_tenant(tenant_id, session=None):
    """Make `tenant_id` the tenant of this session (a request or a job).

    Pending changes are flushed first, under the tenant they were made in."""
    session = session or db.session()
    if session.new or session.dirty or session.deleted:
        session.flush()
    if tenant_id != session.info.get(_TENANT_KEY):
        _forget_other_tenants_rows(session, tenant_id)
    session.info[_TENANT_KEY] = tenant_id
    _sync_database_settings(session)


@contextmanager
def tenant_context(tenant_id, session=None):
    """Run a block as `tenant_id`, restoring the previous tenant afterwards."""
    session = session or db.session()
    previous = session.info.get(_TENANT_KEY)
    activate_tenant(tenant_id, session)
    try:
        yield
    except BaseException:
        # Nothing to flush or sync in a failing transaction: it will be rolled back, and
        # until then the two walls disagree, which can only hide rows, never show them.
        session.info[_TENANT_KEY] = previous
        raise
    activate_tenant(previous, session)


@contextmanager
def national_rollup_bypass(reason, session=None):
    """The one explicit bypass: read tenant-owned rows across all tenants, read-only
    at the database level. Only national roll-ups and aggregates use it."""
    session = session or db.session()
    previous = session.info.get(_BYPASS_KEY)
    log.info("national roll-up bypass: %s", reason)
    session.info[_BYPASS_KEY] = reason
    _sync_database_settings(session)
    try:
        yield
    except BaseException:
        session.info[_BYPASS_KEY] = previous
        raise
    session.info[_BYPASS_KEY] = previous
    _sync_database_settings(session)


def _forget_other_tenants_rows(session, tenant_id):
    # `session.get()` answers from the identity map without a query: a row loaded under
    # another tenant must not be found there once the tenant has changed.
    for obj in list(session.identity_map.values()):
        # (expunging a row cascades to its children: they may be gone already)
        if isinstance(obj, TenantScoped) and obj.tenant_id != tenant_id and obj in session:
            session.expunge(obj)


def _sync_database_settings(session):
    # A transaction already under way must see the new context too: from its next statement on,
    # which carries it (a transaction that runs none after this has nothing to protect).
    if session.in_transaction():
        rls.defer_transaction_settings(
            session.connection(), session.info.get(_TENANT_KEY), bool(_bypass_reason(session))
        )


def _is_scoped(mapper):
    return issubclass(mapper.class_, TenantScoped)


_scoped_tables_memo = None


@event.listens_for(Mapper, "after_mapper_constructed")
def _forget_scoped_tables(mapper, class_):
    # A model mapped after the first query: the tenant-owned tables are listed again.
    global _scoped_tables_memo
    _scoped_tables_memo = None


def _scoped_tables():
    """The tenant-owned tables, listed again only when a model has been mapped since. Not by
    comparing `registry.mappers`: that property builds a set of every mapper on each read, and
    each query of every page read it (0.1 to 0.3 ms a request)."""
    global _scoped_tables_memo
    if _scoped_tables_memo is None:
        _scoped_tables_memo = frozenset(mapper.local_table for mapper in db.Model.registry.mappers
                                        if _is_scoped(mapper))
    return _scoped_tables_memo


def _touches_scoped_table(state):
    """True when the statement reads a tenant-owned table anywhere, even inside a
    subquery that names no ORM entity (`select(count()).select_from(query.subquery())`)."""
    if any(_is_scoped(mapper) for mapper in state.all_mappers):
        return True
    tables = _scoped_tables()
    return any(element in tables for element in visitors.iterate(state.statement))


@event.listens_for(Session, "after_begin")
def _start_transaction_in_tenant(session, transaction, connection):
    # Even with no tenant yet (the user's own query): the login role can read nothing, so the
    # first statement must already run as the runtime role. Sent with that statement, not alone.
    rls.defer_transaction_settings(connection, session.info.get(_TENANT_KEY), bool(_bypass_reason(session)))


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state):
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if not _touches_scoped_table(state):
        return
    if _bypass_reason(state.session):
        if not state.is_select:
            raise TenantContextMissing("The national roll-up bypass is read-only.")
        return
    tenant_id = state.session.info.get(_TENANT_KEY)
    if tenant_id is None:
        raise TenantContextMissing(
            "Query of a tenant-owned model with no tenant in context: "
            "use tenant_context() or national_rollup_bypass()."
        )
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows_with_tenant(session, flush_context, instances):
    tenant_id = session.info.get(_TENANT_KEY)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if tenant_id is None:
            raise TenantContextMissing(f"New {type(obj).__name__} with no tenant in context.")
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenantContextMissing(f"New {type(obj).__name__} belongs to another tenant.")
    for obj in session.dirty:
        if isinstance(obj, TenantScoped) and obj.tenant_id != tenant_id:
            raise TenantContextMissing(f"{type(obj).__name__} changed outside its tenant.")
