"""Flask-Login wiring: the cookie holds a server-side session's token (network.core.accounts.sessions)."""
from flask import g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from network.core.accounts.models import Membership, User
from network.core.accounts.sessions import load_session
from network.core.accounts.two_factor import is_required

# The user's memberships and their tenants, loaded with the user: every page checks the user's
# roles in the tenant of its URL (`enter_tenant`) and lists their workspaces, and this way that
# takes no query of its own. Whatever authenticates a request loads the user with it.
WITH_MEMBERSHIPS = joinedload(User.memberships).joinedload(Membership.tenant)


def init_app(app, login_manager):
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = app.config["SESSION_PROTECTION"]
    login_manager.user_loader(load_user)


def load_user(token):
    row = load_session(token)
    if row is None:
        return None
    user = row.user
    if row.second_factor_at is None and is_required(user):
        return None  # required since this session began: log in again, with the code
    g.user_session = row
    user.session_token = token
    return user


def current_session():
    """The server-side session of the signed-in user of this request (None when anonymous)."""
    if not current_user.is_authenticated:  # loads the user (and the session) if not yet done
        return None
    return g.get("user_session")
