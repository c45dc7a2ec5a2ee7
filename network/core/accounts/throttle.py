"""Login back-off, per e-mail address *and* client address, in the database.

A lockout per e-mail address lets anyone lock anyone out: five wrong passwords typed by a
stranger kept the owner out for 15 minutes. Here the failures of one client for one address
count only against that pair: after LOGIN_FREE_FAILURES, each further failure makes that
client wait twice as long as the last (LOGIN_BACKOFF_SECONDS, then 2x, 4x ... up to
LOGIN_BACKOFF_MAX_SECONDS) before its next attempt is even checked. The owner, on their own
device, is not slowed down by the stranger; a stranger guessing from one address is slowed
down exponentially, and one guessing from many addresses meets the per-address rate limit on
the login page, argon2, the password policy and, for staff, the second factor. Resetting the
password is never blocked, and a reset clears the address's back-off everywhere.

The counters are rows (shared by every worker and host, whatever Redis does), written on
their own short transaction: a refused login answers 401 and commits nothing else.
"""
import hashlib
import hmac
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from network.core.accounts.models import normalize_email
from network.core.database import transaction_of_its_own
from network.core.extensions import db
from network.core.timeutil import UTCDateTime, utcnow

# Failures older than this are forgotten: the count starts again.
FAILURE_MEMORY = timedelta(days=1)


class LoginBackoff(db.Model):
    __tablename__ = "login_backoffs"

    # Keyed digests (HMAC with SECRET_KEY): the table lists no address in the clear.
    email_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    client_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


def keyed_digest(kind, value):
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, f"{kind}:{value}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _keys(email, client):
    return keyed_digest("email", normalize_email(email)), keyed_digest("client", client or "")


def wait_seconds(email, client, now=None):
    """Seconds this client must still wait before trying this address again (0: go ahead)."""
    now = now or utcnow()
    email_digest, client_digest = _keys(email, client)
    blocked_until = db.session.scalar(
        sa.select(LoginBackoff.blocked_until).where(LoginBackoff.email_digest == email_digest,
                                                    LoginBackoff.client_digest == client_digest))
    if blocked_until is None or blocked_until <= now:
        return 0
    return math.ceil((blocked_until - now).total_seconds())


def _delay(failures, config):
    beyond = failures - config["LOGIN_FREE_FAILURES"]
    if beyond < 0:
        return None
    return timedelta(seconds=min(config["LOGIN_BACKOFF_SECONDS"] * 2 ** min(beyond, 20),
                                 config["LOGIN_BACKOFF_MAX_SECONDS"]))


def record_failure(email, client, now=None):
    now = now or utcnow()
    email_digest, client_digest = _keys(email, client)
    table = LoginBackoff.__table__
    with transaction_of_its_own() as connection:
        insert = postgresql.insert(table)
        remembered = table.c.last_failure_at > now - FAILURE_MEMORY
        failures = connection.execute(
            insert.values(email_digest=email_digest, client_digest=client_digest, failures=1, last_failure_at=now)
            .on_conflict_do_update(
                index_elements=[table.c.email_digest, table.c.client_digest],
                set_={"failures": sa.case((remembered, table.c.failures + 1), else_=1), "last_failure_at": now})
            .returning(table.c.failures)
        ).scalar_one()
        # Counts forgotten anyway (older than FAILURE_MEMORY) go, so the table stays small.
        connection.execute(sa.delete(table).where(table.c.last_failure_at < now - FAILURE_MEMORY))
        delay = _delay(failures, current_app.config)
        if delay is not None:
            connection.execute(sa.update(table).where(table.c.email_digest == email_digest,
                                                      table.c.client_digest == client_digest)
                               .values(blocked_until=now + delay))


def clear_failures(email, client):
    email_digest, client_digest = _keys(email, client)
    db.session.execute(sa.delete(LoginBackoff).where(LoginBackoff.email_digest == email_digest,
                                                     LoginBackoff.client_digest == client_digest))


def clear_every_client(email):
    """A new password (by reset or change): every client starts again for this address."""
    email_digest = keyed_digest("email", normalize_email(email))
    db.session.execute(sa.delete(LoginBackoff).where(LoginBackoff.email_digest == email_digest))
