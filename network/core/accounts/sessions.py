"""Server-side login sessions: a row per signed-in browser is the source of truth.

The signed cookie carries only a random token (and the page's flash messages, CSRF token and
chosen language); the row, found by the token's SHA-256, says whose session it is, since when
and when it was last used. Deleting the row ends the session wherever the cookie was copied:
logging out, signing out other devices, a new password, an expired session.

Per request this costs the one indexed lookup that loaded the user before (the row comes
with its user and memberships); `last_seen_at` is written at most once per
SESSION_TOUCH_SECONDS, on its own short transaction, so reading a page stays a read.
"""
import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from network.core.accounts.models import Membership, User
from network.core.database import transaction_of_its_own
from network.core.extensions import db
from network.core.timeutil import UTCDateTime, utcnow

PORTAL_ROLES = frozenset({"mentor", "mentee"})


class UserSession(db.Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    # When the second factor was checked in this session: it is remembered here and nowhere else.
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def device(self):
        return describe_device(self.user_agent)


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(user, ip_address, user_agent, second_factor=False, now=None):
    """A new session for `user`; returns (row, token). The token goes in the cookie only."""
    now = now or utcnow()
    _forget_expired_sessions(now)
    token = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, token_hash=_digest(token), created_at=now, last_seen_at=now,
                      ip_address=(ip_address or "")[:45] or None, user_agent=(user_agent or "")[:300] or None,
                      second_factor_at=now if second_factor else None)
    db.session.add(row)
    db.session.flush()
    return row, token


def _forget_expired_sessions(now):
    # A session whose cookie never comes back is never looked up: each login clears the rows
    # past even the longest limits, so the table holds about the live sessions only.
    config = current_app.config
    idle = max(config["SESSION_IDLE_MINUTES"], config["PORTAL_SESSION_IDLE_MINUTES"])
    absolute = max(config["SESSION_MAX_HOURS"], config["PORTAL_SESSION_MAX_HOURS"])
    db.session.execute(sa.delete(UserSession).where(sa.or_(UserSession.last_seen_at < now - timedelta(minutes=idle),
                                                           UserSession.created_at < now - timedelta(hours=absolute))))


def limits_for(user, config=None):
    """(idle, absolute) lifetimes of `user`'s sessions. Someone who is only a mentor or a mentee
    in every workspace gets the portal's (see README, "Sessions"); any other role the staff's."""
    config = config or current_app.config
    roles = {membership.role for membership in user.memberships if membership.active}
    if roles and roles <= PORTAL_ROLES:
        return (timedelta(minutes=config["PORTAL_SESSION_IDLE_MINUTES"]),
                timedelta(hours=config["PORTAL_SESSION_MAX_HOURS"]))
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(hours=config["SESSION_MAX_HOURS"])


def expired(row, now=None):
    now = now or utcnow()
    idle, absolute = limits_for(row.user)
    return now - row.last_seen_at > idle or now - row.created_at > absolute


def load_session(token, now=None):
    """The live session for this cookie token, with its user and memberships, or None.
    An expired session is deleted; a live one is touched at most once per SESSION_TOUCH_SECONDS."""
    if not token:
        return None
    now = now or utcnow()
    row = db.session.scalar(
        sa.select(UserSession).where(UserSession.token_hash == _digest(token))
        .options(joinedload(UserSession.user).joinedload(User.memberships).joinedload(Membership.tenant))
    )
    if row is None:
        return None
    if expired(row, now):
        _outside_request_transaction(sa.delete(UserSession).where(UserSession.id == row.id))
        return None
    if now - row.last_seen_at >= timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
        _outside_request_transaction(
            sa.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
        set_committed_value(row, "last_seen_at", now)  # already written: not again by the request
    return row


def _outside_request_transaction(statement):
    # A GET never commits the request's session: bookkeeping of the session itself (a touch,
    # an expiry) runs on its own short transaction so it holds whatever the page does.
    with transaction_of_its_own() as connection:
        connection.execute(statement)


def end_session(row):
    db.session.execute(sa.delete(UserSession).where(UserSession.id == row.id))


def end_other_sessions(user, keep):
    """Sign out everywhere else: every session of `user` but `keep`. Returns how many ended."""
    return db.session.execute(
        sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.id != keep.id)
    ).rowcount


def end_all_sessions(user):
    return db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id)).rowcount


def sessions_of(user, now=None):
    """The user's live sessions, most recently used first (expired ones are not shown)."""
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return [row for row in rows if not expired(row, now)]


def find_session_of(user, session_id):
    return db.session.scalar(sa.select(UserSession).where(UserSession.id == session_id,
                                                          UserSession.user_id == user.id))


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_device(user_agent):
    """"Firefox on Windows": enough for a person to recognise their own device."""
    user_agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or re.sub(r"\s+", " ", user_agent)[:60] or "?"
