"""The naive peer of the process pages: what the same two pages cost without the tenancy
machinery, served by gunicorn with the same settings as ours (`bench.run.gunicorn`).

The peer is our app (same templates, same Flask-Login, same queries, same login sessions and
security headers), with isolation done the way a naive app does it:

- it connects as the owner of the tables, a superuser: no Row-Level Security, no role switch,
  no `set_config` in any transaction;
- the ORM's tenant scoping is switched off; the tenant comes from a membership check
  (one query of the user's memberships in the workspace named in the URL, 404 when none);
- the list's query gets `WHERE tenant_id = …` by hand, the detail page loads the process by
  its id and answers 404 when it belongs to another tenant;
- the engine has Flask-SQLAlchemy's defaults (no pre-ping).

What differs between it and ours is therefore only what isolation costs, which is what the
ratio "ours / peer" is about. `bench.limits.bare_app` and the psycopg replay stay as the
absolute references.
"""
import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy import event
from sqlalchemy.orm import Session


def peer_app():
    """`wsgi`-style factory for gunicorn: `bench.peer:peer_app()`; DATABASE_URL must be the owner's."""
    from network.core.extensions import db  # noqa: F401  (the models register on it)
    from network.core.tenancy import scoping, web
    from network.national.app import create_app

    app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {}})
    # No role switch, no tenant setting, no ORM scoping: the naive app filters by hand.
    for name, listener in (("after_begin", scoping._start_transaction_in_tenant),
                           ("do_orm_execute", scoping._filter_by_tenant),
                           ("before_flush", scoping._stamp_new_rows_with_tenant)):
        if event.contains(Session, name, listener):
            event.remove(Session, name, listener)
    preprocessors = app.url_value_preprocessors[None]
    preprocessors[preprocessors.index(web._resolve_tenant)] = _membership_check
    app.view_functions["processes.index"] = _permission(login_required(process_list))
    app.view_functions["processes.detail"] = _permission(login_required(process_detail))
    return app


def _membership_check(endpoint, values):
    from network.core.accounts.models import Membership
    from network.core.extensions import db
    from network.core.tenancy.models import Tenant

    g.tenant, g.roles = None, frozenset()
    if not values or "tenant_slug" not in values:
        return
    slug = values.pop("tenant_slug")
    if not current_user.is_authenticated:
        return  # login_required answers
    rows = db.session.execute(
        sa.select(Membership.role, Tenant).join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == current_user.id, Tenant.slug == slug, Membership.active, Tenant.active)
    ).all()
    if not rows:
        abort(404)
    g.tenant, g.roles = rows[0][1], frozenset(role for role, _ in rows)


def _permission(view):
    from network.core.permissions import permission_required

    return permission_required("processes.manage")(view)


def process_list():
    from tenants.processes import views
    from tenants.processes.models import MentoringProcess
    from tenants.processes.services import process_query

    # Our filters and our page; only the tenant's WHERE is the naive app's, written by hand.
    state, attention, owner, search = filters = views.list_filters()
    query = process_query(state, attention, search, owner=owner, user_id=current_user.id)
    return views.list_page(query.where(MentoringProcess.tenant_id == g.tenant.id), *filters)


def process_detail(process_id):
    from tenants.processes import views
    from tenants.processes.services import get_process

    # Checked by hand (the naive app's WHERE tenant_id), then the same view: its own load of
    # the process is answered from the session's identity map, with no second query.
    process = get_process(process_id)
    if process is None or process.tenant_id != g.tenant.id:
        abort(404)
    return views.detail.__wrapped__(process_id)
