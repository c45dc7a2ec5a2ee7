"""The one permission check: `require_role(...)` on views inside a tenant workspace."""
from functools import wraps

from flask import abort, g
from flask_login import current_user

from network.extensions import login_manager


def require_role(*roles):
    """Allow the view only to members of the current tenant holding one of `roles`.

    Anonymous users go to the login page; members without the role, like non-members,
    get 404, so a URL never confirms that something exists.
    """
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if g.get("tenant") is None or not (g.roles & allowed):
                abort(404)
            return view(*args, **kwargs)

        guarded.required_roles = allowed
        return guarded

    return decorator
