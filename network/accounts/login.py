"""Flask-Login wiring: the session id carries the user's session epoch."""
from flask_babel import lazy_gettext as _l

from network.accounts.models import User
from network.extensions import db


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
    user = db.session.get(User, int(user_id))
    if user is None or user.session_epoch != int(epoch):
        return None
    return user
