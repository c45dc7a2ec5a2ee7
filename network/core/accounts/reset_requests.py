"""Forgot-password requests: the same work in the request for every address, the rest after it.

The request only writes one row and queues one job, whatever the address: whether it has an
account, the reset link's token and the e-mail are all decided by the job, after the response
(timing no longer tells an attacker which addresses have accounts). The job also applies the
limits: at most RESET_EMAILS_PER_ADDRESS_HOURLY e-mails to one address and
RESET_EMAILS_PER_CLIENT_HOURLY asked for by one client address per hour; beyond them nothing
is sent and the asker sees the same answer as always.
"""
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from network.core.accounts.models import normalize_email
from network.core.accounts.throttle import keyed_digest
from network.core.extensions import db
from network.core.jobs import JobsUnavailable, enqueue
from network.core.jobs.runner import run_job
from network.core.timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# The rows are kept this long for the limits' counts, then deleted by the next job.
KEPT_FOR = timedelta(days=1)


class PasswordResetRequest(db.Model):
    __tablename__ = "password_reset_requests"
    __table_args__ = (
        sa.Index("ix_password_reset_requests_email_digest", "email_digest", "requested_at"),
        sa.Index("ix_password_reset_requests_client_digest", "client_digest", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address as typed (normalised), until the job has handled it; then only its digest.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_digest: Mapped[str] = mapped_column(sa.String(64))
    client_digest: Mapped[str] = mapped_column(sa.String(64))
    # Where the reset link points (scheme, host and path of the site the person used).
    url_root: Mapped[str] = mapped_column(sa.String(300))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent: Mapped[bool] = mapped_column(default=False)


def record_request(email, client, url_root, locale, now=None):
    """The request's whole share of the work: one row, the same for every address."""
    email = normalize_email(email)
    row = PasswordResetRequest(email=email, email_digest=keyed_digest("email", email),
                               client_digest=keyed_digest("client", client or ""), url_root=url_root[:300],
                               locale=locale, requested_at=now or utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def queue_request(request_id):
    """After the row is committed: the job, on the mail queue. Without Redis reachable the
    work is done at once rather than lost (the timing then differs, the answer does not)."""
    try:
        enqueue(handle_request, request_id, queue="mail")
    except JobsUnavailable:
        log.warning("password reset request %s handled in-process: Redis is unreachable", request_id)
        run_job(current_app._get_current_object(), handle_request, None, (request_id,), {})


def _sent_since(column, digest, since):
    return db.session.scalar(sa.select(sa.func.count()).select_from(PasswordResetRequest)
                             .where(column == digest, PasswordResetRequest.sent.is_(True),
                                    PasswordResetRequest.requested_at > since))


def handle_request(request_id, now=None):
    """The job: send the reset e-mail if the address has an active account and the limits allow."""
    from network.core.accounts.services import find_user_by_email, make_password_reset_token
    from network.core.mail import send_email

    now = now or utcnow()
    row = db.session.get(PasswordResetRequest, request_id, with_for_update=True)
    if row is None or row.handled_at is not None:
        return  # a retried job: already done
    if db.engine.dialect.name == "postgresql":
        # Two jobs for one address counting at once would both see room for one more e-mail.
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(row.email_digest))))
    config = current_app.config
    within_limits = (
        _sent_since(PasswordResetRequest.email_digest, row.email_digest, now - HOUR)
        < config["RESET_EMAILS_PER_ADDRESS_HOURLY"]
        and _sent_since(PasswordResetRequest.client_digest, row.client_digest, now - HOUR)
        < config["RESET_EMAILS_PER_CLIENT_HOURLY"]
    )
    user = find_user_by_email(row.email)
    if user is not None and user.active and within_limits:
        send_email(user.email, "accounts/email/password_reset.txt",
                   user.preferred_locale or row.locale or config["BABEL_DEFAULT_LOCALE"], name=user.name,
                   reset_url=_reset_url(row.url_root, make_password_reset_token(user, current_app.secret_key)))
        row.sent = True
    elif user is not None and user.active:
        log.info("password reset request %s: over the hourly limit, nothing sent", row.id)
    row.email = None
    row.handled_at = now
    db.session.execute(sa.delete(PasswordResetRequest).where(PasswordResetRequest.requested_at < now - KEPT_FOR))


def _reset_url(url_root, token):
    parts = urlsplit(url_root)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build("accounts.reset_password", {"token": token}, force_external=True)
