"""Who is calling: `Authorization: Bearer <token>`, never the session cookie.

`api_endpoint(action, scope)` guards every API view: a valid token (else 401), with the
scope (else 403), of a user whose roles in the URL's tenant may do `action` in
`network.core.permissions.MATRIX` (else 404, as on the pages: a URL never confirms what exists)."""
from functools import wraps

from flask import abort, g, request

from network.core.api.errors import ApiError
from network.core.api.models import SCOPES
from network.core.api.tokens import authenticate
from network.core.extensions import login_manager
from network.core.permissions import roles_for
from network.core.tenancy.web import enter_tenant


def ignore_session_user():
    """The API answers to tokens only: whatever session cookie comes along is not read."""
    g._login_user = login_manager.anonymous_user()


def _bearer_secret():
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def api_endpoint(action, scope):
    allowed = roles_for(action)  # an unknown action or scope fails at import, not at request time
    if scope not in SCOPES:
        raise LookupError(f"{scope!r} is not an API scope")

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            secret = _bearer_secret()
            if not secret:
                raise ApiError(401, error_code="token_missing")
            token = authenticate(secret)
            if token is None:
                raise ApiError(401, error_code="token_invalid")
            if scope not in token.scopes:
                raise ApiError(403, error_code="insufficient_scope")
            g._login_user = token.user
            g.api_token = token
            enter_tenant(token.user, g.pop("requested_tenant_slug"))
            if not g.roles & allowed:
                abort(404)
            return view(*args, **kwargs)

        guarded.required_action = action
        guarded.required_roles = allowed
        guarded.required_scope = scope
        return guarded

    return decorator
