"""Login throttling: a per-address rate limit (Flask-Limiter on the login view) and a
temporary lockout of an e-mail address after repeated failures, on the same storage
(Redis when configured, memory when embedded). Unknown addresses lock the same way as
known ones, so the lockout reveals nothing."""
from flask import current_app
from limits import parse

from network.accounts.models import normalize_email
from network.extensions import limiter


def _lockout():
    return parse(current_app.config["LOGIN_LOCKOUT"])


def _key(email):
    return f"login-failures/{normalize_email(email)}"


def is_locked_out(email):
    return not limiter.limiter.test(_lockout(), _key(email))


def record_failure(email):
    limiter.limiter.hit(_lockout(), _key(email))


def clear_failures(email):
    limiter.limiter.clear(_lockout(), _key(email))


def lockout_minutes():
    return max(1, _lockout().get_expiry() // 60)
