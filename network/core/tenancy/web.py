"""Resolve the current tenant once per request from `/t/<tenant_slug>/...` and the user's membership."""
from flask import abort, current_app, g, request
from flask_login import current_user

from network.core.extensions import login_manager
from network.core.tenancy.scoping import activate_tenant

TENANT_URL_PREFIX = "/t/<tenant_slug>"

# Blueprints that authenticate otherwise than by the session (the API's bearer tokens): they
# enter the tenant themselves, with `enter_tenant`, once they know the user.
_TOKEN_AUTHENTICATED_BLUEPRINTS = set()


def init_app(app):
    app.url_value_preprocessor(_resolve_tenant)
    app.url_defaults(_add_current_tenant_slug)
    app.context_processor(lambda: {"current_tenant": g.get("tenant"), "current_roles": g.get("roles", frozenset())})


def resolves_tenant_after_authentication(blueprint):
    _TOKEN_AUTHENTICATED_BLUEPRINTS.add(blueprint.name)
    return blueprint


def _resolve_tenant(endpoint, values):
    g.tenant = None
    g.roles = frozenset()
    if not values or "tenant_slug" not in values:
        return
    slug = values.pop("tenant_slug")
    if request.blueprint in _TOKEN_AUTHENTICATED_BLUEPRINTS:
        g.requested_tenant_slug = slug
        return
    if not current_user.is_authenticated:
        # Anonymous visitors learn nothing about which slugs exist.
        abort(login_manager.unauthorized())
    enter_tenant(current_user, slug)


def enter_tenant(user, slug):
    """Make the tenant named `slug` current for `user`, with their roles there; 404 when the
    user has no active membership in an active tenant of that name.

    The memberships come with the user (`load_user` loads them with their tenants in the
    user's own query), so entering the tenant costs no query of its own."""
    memberships = [membership for membership in user.active_memberships() if membership.tenant.slug == slug]
    if not memberships:
        abort(404)
    g.tenant = memberships[0].tenant
    g.roles = frozenset(membership.role for membership in memberships)
    activate_tenant(g.tenant.id)


def _add_current_tenant_slug(endpoint, values):
    tenant = g.get("tenant")
    if (tenant is not None and "tenant_slug" not in values
            and current_app.url_map.is_endpoint_expecting(endpoint, "tenant_slug")):
        values["tenant_slug"] = tenant.slug
