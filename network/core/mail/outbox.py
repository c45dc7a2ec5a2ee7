"""The outbox: write a message, send it after commit, sweep what is left, forget old ones.

Every query here is scoped explicitly to the tenant in context (None: network-level
messages), the same scope Row-Level Security enforces on PostgreSQL.
"""
import logging
from datetime import timedelta
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app

from network.core.extensions import db
from network.core.jobs import JobsUnavailable, enqueue
from network.core.jobs.after_commit import enqueue_after_commit
from network.core.mail.delivery import deliver_message
from network.core.mail.messages import encode_context, in_scope
from network.core.mail.models import OutboxMessage
from network.core.tenancy import current_tenant_id, tenant_context
from network.core.tenancy.models import Tenant
from network.core.timeutil import utcnow

log = logging.getLogger(__name__)

_DATETIME_KEY = "$datetime"
_DATE_KEY = "$date"


def send_email(recipient, template, locale, dedupe_key=None, attachments=None, **context):
    """Write a message to the outbox, in the current transaction and tenant; a job sends it
    once the transaction commits. With a `dedupe_key` already used, nothing is written.
    `attachments`: [{"filename", "content_type", "content" (text)}], sent as they are."""
    if dedupe_key and db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    message = OutboxMessage(
        tenant_id=current_tenant_id(),
        recipient=recipient,
        locale=locale,
        template=template,
        context=encode_context(context),
        dedupe_key=dedupe_key,
        attachments=attachments or None,
        message_id=make_msgid(domain=current_app.config["MAIL_MESSAGE_ID_DOMAIN"]),
    )
    db.session.add(message)
    _send_after_commit(message)
    return message


def _send_after_commit(message):
    db.session.flush()
    enqueue_after_commit(deliver_message, message.id, queue="mail", tenant_id=message.tenant_id)


def schedule_delivery(message_id, tenant_id):
    """Enqueue the send job. If Redis is unreachable the message stays pending in the
    database, where the sweeper finds it: the caller carries on."""
    try:
        enqueue(deliver_message, message_id, queue="mail", tenant_id=tenant_id)
    except JobsUnavailable as error:
        log.warning("outbox message %s stays pending for the sweeper: %s", message_id, error)
        return False
    return True


def recent_messages(limit=100):
    return db.session.scalars(
        sa.select(OutboxMessage).where(in_scope()).order_by(OutboxMessage.created_at.desc(),
                                                            OutboxMessage.id.desc()).limit(limit)
    ).all()


def resend(message):
    """Give a failed message a fresh series of attempts."""
    if message.status != "failed":
        return False
    message.status = "pending"
    message.attempts = 0
    message.last_error = None
    message.next_attempt_at = utcnow()
    _send_after_commit(message)
    return True


def _scopes():
    """Every scope a sweep visits: network-level messages, then each tenant's."""
    return [None, *db.session.scalars(sa.select(Tenant.id).order_by(Tenant.id))]


def sweep_pending_messages(scheduled_for=None):
    """Enqueue every message still waiting: Redis was down when it was written, its job was
    lost, its retry is due, or the worker holding it died. Returns how many were enqueued."""
    now = scheduled_for or utcnow()
    due = now - timedelta(seconds=current_app.config["OUTBOX_SWEEP_GRACE"])
    waiting = sa.or_(
        sa.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= due),
        sa.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
    )
    enqueued = 0
    for tenant_id in _scopes():
        with tenant_context(tenant_id):
            ids = db.session.scalars(sa.select(OutboxMessage.id).where(in_scope(), waiting)).all()
        for message_id in ids:
            if not schedule_delivery(message_id, tenant_id):
                return enqueued
            enqueued += 1
    if enqueued:
        log.info("outbox sweep enqueued %d message(s)", enqueued)
    return enqueued


def purge_old_messages(scheduled_for=None):
    """Retention: delete sent and failed messages (their context may hold one-time links)."""
    cutoff = (scheduled_for or utcnow()) - timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    purged = 0
    for tenant_id in _scopes():
        with tenant_context(tenant_id):
            purged += db.session.execute(
                sa.delete(OutboxMessage)
                .where(in_scope(), OutboxMessage.status.in_(("sent", "failed")), OutboxMessage.created_at < cutoff)
                .execution_options(synchronize_session=False)
            ).rowcount
    log.info("outbox retention deleted %d message(s)", purged)
    return purged
