"""Flask-Login wiring: the session id carries the user's session epoch."""
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from network.accounts.models import Membership, User
from network.extensions import db

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


def load_user(session_id):
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id), options=[WITH_MEMBERSHIPS])
    if user is None or user.session_epoch != int(epoch):
        return None
    return user
